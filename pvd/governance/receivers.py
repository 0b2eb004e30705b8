"""Receivers of the signals the apps below send (operations.signals.difficulty_escalated)."""


def open_arbitration(sender, *, risk, by, on, note, **kwargs) -> None:
    """An escalated difficulty becomes a draft arbitration note (once), for the chargé de mission to complete."""
    from pvd.governance.services.arbitrations import arbitration_from_risk

    arbitration_from_risk(risk=risk, by=by, on=on, note=note)
