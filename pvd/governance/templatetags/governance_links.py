"""The programme page's « Gouvernance » card (issue 8, H6): links to the bodies, meetings, decisions, arbitrations
(their managers and referents only) and alerts (with the count of active ones), for whoever reads the page."""

from django import template

from pvd.accounts import policy
from pvd.governance.models import ACTIVE_STATUSES, Alert

register = template.Library()


@register.inclusion_tag("governance/partials/_programme_governance.html", takes_context=True)
def governance_card(context: template.Context, programme: object) -> dict[str, object]:
    user = context["request"].user
    can_read_alerts = policy.can_read_alerts(user, programme)
    return {
        "programme": programme,
        "can_read_arbitrations": policy.can_read_arbitrations(user, programme),
        "can_read_alerts": can_read_alerts,
        "active_alerts": (
            Alert.objects.visible_to(user).filter(programme=programme, status__in=ACTIVE_STATUSES).count()
            if can_read_alerts
            else 0
        ),
    }
