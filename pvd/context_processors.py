from django.conf import settings
from django.http import HttpRequest


def territory(request: HttpRequest) -> dict[str, str]:
    """The territory's name and logo for the header of every page."""
    return {
        "territory_name": settings.TERRITORY_NAME,
        "territory_short_name": settings.TERRITORY_SHORT_NAME,
        "territory_logo": settings.TERRITORY_LOGO,
    }


def navigation(request: HttpRequest) -> dict[str, object]:
    """The main menu, adapted to the user's roles; computed only when a template reads it."""
    from django.utils.functional import SimpleLazyObject

    def build() -> list[dict[str, str]]:
        from django.urls import reverse

        from partners.selectors import mayor_communes
        from programmes.selectors import programme_menu
        from pvd.accounts import policy

        user = request.user
        if not user.is_authenticated:
            return []
        items = [{"label": "Accueil", "url": reverse("home")}]
        for pk, name in programme_menu(user):
            items.append({"label": name, "url": reverse("programme", args=[pk])})
        for commune in mayor_communes(user).only("name", "insee_code"):
            items.append({"label": commune.name, "url": reverse("commune", args=[commune.insee_code])})
        if policy.scope_for(user).roles:  # issue 8, H6: « Ma semaine » for users with a role (cached scope)
            items.append({"label": "Ma semaine", "url": reverse("governance:my_week")})
        if policy.can_view_directory(user):  # the directory and the offers catalogue (cached scope)
            items.append({"label": "Partenaires", "url": reverse("partners:directory")})
        if user.is_staff:
            items.append({"label": "Administration", "url": reverse("admin:index")})
        return items

    return {"nav_items": SimpleLazyObject(build)}


def notifications(request: HttpRequest) -> dict[str, object]:
    """The navbar bell's count of unread notifications (issue 8, H6): one query, only when a template reads it."""
    from django.utils.functional import SimpleLazyObject

    def count() -> int:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        from pvd.governance.models import Notification

        return Notification.objects.filter(user=user, read_at__isnull=True).count()

    return {"unread_notifications": SimpleLazyObject(count)}
