"""The participation figure of computed indicators (issue 10), one aggregate query.

Provider (named by dotted path in `programmes.indicators.computations.PROVIDERS`, called as
`provider(programme_id, commune_id, day) -> Decimal | None`):

- `attendance`: participants counted at the programme's concertation events held (status « tenu ») that took
  place on or before `day` (their date, `starts_on`), as the concertation hub counts them; events without a count
  add nothing. For a commune: the events that concern it (their communes include it).
"""

import datetime
from decimal import Decimal

from django.db.models import Sum

from operations.participation.models import ConcertationEvent, EventStatus


def attendance(programme_id: int, commune_id: int | None, day: datetime.date) -> Decimal | None:
    """Participants of the events held on or before `day`."""
    events = ConcertationEvent.objects.filter(
        programme_id=programme_id, status=EventStatus.HELD, starts_on__lte=day
    ).order_by()
    if commune_id is not None:
        events = events.filter(communes=commune_id)
    return Decimal(events.aggregate(total=Sum("attendance_count"))["total"] or 0)
