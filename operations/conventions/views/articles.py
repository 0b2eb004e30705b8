"""Articles of conventions (issue 9, H2): add, edit, move, delete.

A convention out of the user's scope is a 404 (`convention_for_user`, the policy on articles); in scope, only
those who manage it write its articles (403 for the other readers). Once the convention is approved or signed
its text no longer changes: the pages say so and send back to the convention.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from operations.conventions.forms.articles import ArticleForm
from operations.conventions.models import BlockKind, Convention, ConventionArticle
from operations.conventions.richtext import ALLOWED_TAGS
from operations.conventions.selectors.conventions import convention_for_user
from operations.conventions.services import articles as services
from operations.conventions.services.conventions import ConventionError
from pvd.accounts import policy
from pvd.actions import run_service

T = "operations/conventions"
TAG_HELP = {
    "p": "paragraphe",
    "br": "saut de ligne",
    "strong": "gras",
    "b": "gras",
    "em": "italique",
    "i": "italique",
    "u": "souligné",
    "s": "barré",
    "sub": "indice",
    "sup": "exposant",
    "ul": "liste à puces",
    "ol": "liste numérotée",
    "li": "élément de liste",
    "h3": "titre",
    "h4": "sous-titre",
    "blockquote": "citation",
    "table": "tableau",
    "thead": "en-tête de tableau",
    "tbody": "corps de tableau",
    "tr": "ligne de tableau",
    "th": "cellule d'en-tête",
    "td": "cellule",
}


def _convention_for_write(request: HttpRequest, pk: int) -> Convention:
    convention = convention_for_user(request.user, pk)
    policy.require(policy.can_manage_convention(request.user, convention))
    return convention


def _article_for_write(request: HttpRequest, pk: int) -> ConventionArticle:
    article = policy.get_for_user(
        ConventionArticle.objects.select_related("convention__programme", "convention__housing_programme"),
        request.user,
        pk=pk,
    )
    policy.require(policy.can_manage_convention(request.user, article.convention))
    return article


def _back(convention: Convention) -> HttpResponse:
    return redirect("operations:convention", pk=convention.pk)


def _refuse_if_frozen(request: HttpRequest, convention: Convention) -> HttpResponse | None:
    """The text of an approved or signed convention is frozen: say so and go back to the convention."""
    try:
        services.require_editable(convention)
    except ConventionError as error:
        messages.error(request, str(error))
        return _back(convention)
    return None


def _help() -> dict[str, object]:
    return {
        "allowed_tags": [
            (tag, TAG_HELP.get(tag, tag)) for tag in sorted(ALLOWED_TAGS, key=list(TAG_HELP).index)
        ],
        "blocks": BlockKind.choices,
        "block_data": [{"kind": kind, "label": str(label)} for kind, label in BlockKind.choices],
    }


class ArticleCreateForm(ArticleForm):
    after = forms.ModelChoiceField(
        label="Place",
        queryset=ConventionArticle.objects.none(),
        required=False,
        empty_label="À la fin de la convention",
        help_text="L'article est inséré après celui que vous choisissez.",
    )

    def __init__(self, *args: object, convention: Convention, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["after"].queryset = convention.articles.order_by("order", "pk")
        self.fields["after"].label_from_instance = lambda article: f"Après « {article} »"


def _render_form(request: HttpRequest, convention: Convention, form: forms.Form, title: str, **extra: object):
    return render(
        request,
        f"{T}/article_form.html",
        {"convention": convention, "form": form, "title": title, **_help(), **extra},
    )


@login_required
@require_http_methods(["GET", "POST"])
def article_create(request: HttpRequest, pk: int) -> HttpResponse:
    convention = _convention_for_write(request, pk)
    refused = _refuse_if_frozen(request, convention)
    if refused:
        return refused
    form = ArticleCreateForm(request.POST or None, convention=convention)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        created = run_service(
            request,
            form,
            "L'article a été ajouté.",
            lambda: services.article_add(convention=convention, by=request.user, **data),
        )
        if created is not None:
            return _back(convention)
    return _render_form(request, convention, form, "Ajouter un article")


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article_for_write(request, pk)
    convention = article.convention
    refused = _refuse_if_frozen(request, convention)
    if refused:
        return refused
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        saved = run_service(
            request,
            form,
            "L'article a été enregistré.",
            lambda: services.article_update(
                article=ConventionArticle.objects.get(pk=pk),
                by=request.user,
                changes=data,
                expected_version=version,
            ),
        )
        if saved is not None:
            return _back(convention)
    return _render_form(request, convention, form, f"Modifier « {article} »", article=article)


@login_required
@require_POST
def article_move(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article_for_write(request, pk)
    direction = request.POST.get("direction", "")
    try:
        services.article_move(article=article, by=request.user, direction=direction)
    except ConventionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"« {article} » a été {'monté' if direction == 'up' else 'descendu'} d'un rang."
        )
    return _back(article.convention)


@login_required
@require_http_methods(["GET", "POST"])
def article_delete(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article_for_write(request, pk)
    convention = article.convention
    refused = _refuse_if_frozen(request, convention)
    if refused:
        return refused
    if request.method == "POST":
        try:
            services.article_delete(article=article, by=request.user)
        except ConventionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"L'article « {article} » a été supprimé.")
        return _back(convention)
    return render(request, f"{T}/article_delete.html", {"convention": convention, "article": article})
