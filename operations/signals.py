"""Signals the operations app sends for the apps above it (governance, alerts) to connect to.

`difficulty_escalated` is the hook of the governance issue: an escalated difficulty becomes an arbitration
note (note d'arbitrage). The receiver connects in its app's `AppConfig.ready()`:

    from operations.signals import difficulty_escalated

    def open_arbitration(sender, *, risk, by, on, note, **kwargs):
        Arbitration.objects.get_or_create(risk=risk, defaults={...})

    difficulty_escalated.connect(open_arbitration, dispatch_uid="governance.open_arbitration")

It is sent by `operations.services.tracking.risk_escalate` **after the transaction commits**
(`transaction.on_commit`), so a receiver never sees a rolled-back escalation and an error in a receiver
never undoes the escalation. Arguments:
- `sender`: the `operations.models.Risk` class;
- `risk`: the escalated Risk (status « Remonté pour arbitrage », escalated_on/by/note set);
- `by`: the User who escalated it;
- `on`: the escalation date (datetime.date);
- `note`: why it was escalated (the question put to the decision level).
"""

from django.dispatch import Signal

difficulty_escalated = Signal()
