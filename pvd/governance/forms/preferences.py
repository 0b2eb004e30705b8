"""The user's notification preferences (issue 8, H6)."""

from django import forms

from pvd.governance.models import NotificationPreference


class PreferencesForm(forms.ModelForm):
    """E-mail alerts (all / critical and escalated / none), decisions by e-mail, the weekly digest."""

    class Meta:
        model = NotificationPreference
        fields = ("email_alerts", "email_decisions", "weekly_digest")
        widgets = {"email_alerts": forms.RadioSelect}
        help_texts = {
            "email_decisions": "Les arbitrages soumis à votre décision, les décisions rendues, les invitations.",
            "weekly_digest": "Le lundi matin : vos réunions, échéances et alertes de la semaine, et ce qui a changé.",
        }
