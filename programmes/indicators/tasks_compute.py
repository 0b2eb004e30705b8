"""Background job of computed indicators: the nightly refresh (celery beat, pvd/settings.py), thin wrapper over
`programmes.indicators.computations.refresh_computed` (STYLE.md §18). Registered through `programmes/tasks.py`."""

import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task
def refresh_computed_indicators() -> int:
    """Every programme's computed indicators, for today: one transaction per programme; a programme that fails is
    logged and the others go on. Returns the number of measurements written."""
    from programmes.indicators.computations import programmes_with_computed_indicators, refresh_computed

    day = timezone.localdate()
    written = 0
    for programme in programmes_with_computed_indicators():
        try:
            written += refresh_computed(programme=programme, day=day)
        except Exception:
            logger.exception("Calcul des indicateurs du programme %s (%s) en échec", programme.pk, programme)
    return written
