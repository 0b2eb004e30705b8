from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "pvd.governance"
    label = "governance"
    verbose_name = "Gouvernance, arbitrages et alertes"

    def ready(self) -> None:
        from operations.signals import difficulty_escalated
        from pvd.governance import receivers

        difficulty_escalated.connect(receivers.open_arbitration, dispatch_uid="governance.open_arbitration")
