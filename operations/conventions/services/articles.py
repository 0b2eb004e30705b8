"""Writes of convention articles (issue 9, H2): add, edit, move, delete — only while the convention is a draft or
in review (`Convention.is_editable`); afterwards its text changes by avenant.

The body is sanitised (`richtext.clean_html`: allowed tags, no attribute) before it is saved, and a marker naming
no data block is refused with the list of valid ones. Keyword-only, atomic, audited (the history user on every
row); refusals as ConventionError (French), stale edits as StaleObjectError.
"""

from django.db import transaction
from django.db.models import Max

from operations.conventions.models import (
    ArticleKind,
    BlockKind,
    Convention,
    ConventionArticle,
)
from operations.conventions.richtext import clean_html, unknown_blocks
from operations.conventions.services.conventions import ConventionError
from pvd.accounts.models import User
from pvd.concurrency import save_audited, save_versioned

ARTICLE_FIELDS = ("kind", "number", "title", "body")
SIGNED = "La convention est signée : son texte se modifie par avenant."


def require_editable(convention: Convention) -> None:
    if not convention.is_editable:
        raise ConventionError(
            SIGNED
            if convention.status not in ("approved",)
            else "La convention est approuvée par délibérations : repassez-la en relecture pour modifier son texte."
        )


def available_blocks() -> str:
    return ", ".join(f"[[bloc:{kind}]] ({label})" for kind, label in BlockKind.choices)


def clean_body(body: str) -> str:
    """The body as it will be saved: sanitised, every marker naming a data block (else ConventionError)."""
    cleaned = clean_html(body)
    unknown = unknown_blocks(cleaned)
    if unknown:
        names = ", ".join(f"[[bloc:{kind}]]" for kind in dict.fromkeys(unknown))
        raise ConventionError(f"Bloc inconnu : {names}. Blocs disponibles : {available_blocks()}.")
    return cleaned


def _locked(convention: Convention) -> Convention:
    """The convention row locked for the write, so that its status cannot move under the edit."""
    return Convention.objects.select_for_update(of=("self",)).get(pk=convention.pk)


@transaction.atomic
def article_add(
    *,
    convention: Convention,
    by: User,
    kind: str = ArticleKind.ARTICLE,
    number: str = "",
    title: str,
    body: str = "",
    after: ConventionArticle | None = None,
) -> ConventionArticle:
    """A new article at the end, or right after `after` (the following ones move down one place)."""
    convention = _locked(convention)
    require_editable(convention)
    body = clean_body(body)
    if after is not None:
        if after.convention_id != convention.pk:
            raise ConventionError("L'article de référence n'appartient pas à cette convention.")
        following = list(
            ConventionArticle.objects.filter(convention=convention, order__gt=after.order).order_by("-order")
        )
        for article in following:  # from the last one, so that two rows never share an order on the way
            article.order += 1
            save_audited(article, by)
        order = after.order + 1
    else:
        order = (
            ConventionArticle.objects.filter(convention=convention).aggregate(top=Max("order"))["top"] or 0
        ) + 1
    article = ConventionArticle(
        convention=convention, order=order, kind=kind, number=number.strip(), title=title.strip(), body=body
    )
    save_audited(article, by)
    return article


@transaction.atomic
def article_update(
    *, article: ConventionArticle, by: User, changes: dict[str, object], expected_version: int
) -> ConventionArticle:
    """Kind, number, title and text of an article; refused if someone saved it since `expected_version`."""
    unknown = set(changes) - set(ARTICLE_FIELDS)
    if unknown:
        raise ConventionError(f"Champs non modifiables ici : {', '.join(sorted(unknown))}.")
    require_editable(_locked(article.convention))
    changes = dict(changes)
    if "body" in changes:
        changes["body"] = clean_body(str(changes["body"] or ""))
    for name in ("number", "title"):
        if name in changes:
            changes[name] = str(changes[name] or "").strip()
    return save_versioned(article, expected_version=expected_version, changes=changes, by=by)


@transaction.atomic
def article_move(*, article: ConventionArticle, by: User, direction: str) -> ConventionArticle:
    """Swap the article with the previous (`up`) or next (`down`) one."""
    if direction not in ("up", "down"):
        raise ConventionError("Déplacement inconnu : vers le haut ou vers le bas seulement.")
    convention = _locked(article.convention)
    require_editable(convention)
    articles = list(ConventionArticle.objects.filter(convention=convention).order_by("order", "pk"))
    index = next(i for i, row in enumerate(articles) if row.pk == article.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(articles):
        where = "premier" if direction == "up" else "dernier"
        raise ConventionError(f"« {articles[index]} » est déjà le {where} article.")
    articles[index], articles[target] = articles[target], articles[index]
    for order, row in enumerate(articles, start=1):  # renumbered 1..n: equal orders never survive a move
        if row.order != order:
            row.order = order
            save_audited(row, by)
    return articles[target]


@transaction.atomic
def article_delete(*, article: ConventionArticle, by: User) -> None:
    """Remove the article (its history keeps what it said)."""
    require_editable(_locked(article.convention))
    article._history_user = by  # type: ignore[attr-defined]  # read by django-simple-history
    article.delete()
