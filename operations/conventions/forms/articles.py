"""Form of a convention article (issue 9, H2). It validates and normalises; the service sanitises the text and
refuses unknown data blocks, and refuses any edit once the convention is signed."""

from django import forms

from operations.conventions.models import ConventionArticle
from pvd.forms import VersionedForm


class ArticleForm(VersionedForm):
    class Meta:
        model = ConventionArticle
        fields = ("kind", "number", "title", "body")
        labels = {"body": "Texte de l'article"}
        help_texts = {
            "number": "« Article 4 », « Annexe 2 »… ; vide pour un préambule.",
            "body": "Mise en forme simple (gras, italique, titres, listes). Un tableau de données s'insère par "
            "son marqueur seul dans un paragraphe, par exemple [[bloc:plan_action]].",
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 14, "data-richtext": "true"})}
        error_messages = {"title": {"required": "Donnez un titre à l'article."}}
