"""Mailing lists and information letters of a programme, and the public unsubscribe page.

Mailing lists (they hold contacts and their consent): the programme's managers and staff; its other readers
(referent, partner) 403; everybody else 404. Letters: the programme's readers read them (a sent letter shows its
frozen copy; the deliveries only to managers), managers write and send (403 for the other readers); mayors and
operators 404 (decision 0001: they do not open programme pages). The unsubscribe page needs no login: its signed
token names the subscription (a tampered token is a 404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from operations.models import InformationLetter, MailingList, Subscription
from operations.participation.forms.letters import (
    LetterForm,
    LetterSendForm,
    MailingListForm,
    SubscriptionForm,
)
from operations.participation.selectors import letters as selectors
from operations.participation.selectors.programmes import programme_for_readers
from operations.participation.services import letters as services
from operations.participation.services.letters import LetterError
from pvd.accounts import policy
from pvd.actions import run_service

T = "operations/participation/letters"


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _list_for_write(request: HttpRequest, pk: int) -> MailingList:
    mailing_list = selectors.mailing_list_for_page(request.user, pk)
    policy.require(policy.can_manage_participation(request.user, mailing_list.programme))
    return mailing_list


def _letter_for_write(request: HttpRequest, pk: int) -> InformationLetter:
    letter = selectors.letter_for_page(request.user, pk)
    policy.require(policy.can_manage_participation(request.user, letter.programme))
    return letter


# --- Mailing lists --------------------------------------------------------------------------------------


@login_required
@require_GET
def mailing_lists(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_mailing_lists(request.user, pk)
    return render(
        request,
        f"{T}/mailing_lists.html",
        {"programme": programme, "lists": selectors.mailing_lists_of(programme)},
    )


@login_required
def mailing_list_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_mailing_lists(request.user, pk)
    form = MailingListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = run_service(
            request,
            form,
            "La liste de diffusion a été créée : inscrivez-y les contacts qui ont donné leur consentement.",
            lambda: services.mailing_list_create(programme=programme, by=request.user, **form.cleaned_data),
        )
        if created is not None:
            return redirect("operations:mailing_list", pk=created.pk)
    return render(
        request,
        f"{T}/form.html",
        {"programme": programme, "form": form, "title": "Nouvelle liste de diffusion", "section": "listes"},
    )


@login_required
@require_GET
def mailing_list(request: HttpRequest, pk: int) -> HttpResponse:
    mailing_list = selectors.mailing_list_for_page(request.user, pk)
    return render(
        request,
        f"{T}/mailing_list.html",
        {
            "programme": mailing_list.programme,
            "mailing_list": mailing_list,
            "members": selectors.members_of(mailing_list),
            "journal": selectors.subscription_journal(mailing_list),
            "recipient_withdrawal": services.RECIPIENT_WITHDRAWAL,
            "can_manage": policy.can_manage_participation(request.user, mailing_list.programme),
        },
    )


@login_required
def mailing_list_edit(request: HttpRequest, pk: int) -> HttpResponse:
    mailing_list = _list_for_write(request, pk)
    form = MailingListForm(request.POST or None, instance=mailing_list)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        saved = run_service(
            request,
            form,
            "La liste de diffusion a été enregistrée.",
            lambda: services.mailing_list_update(
                mailing_list=MailingList.objects.get(pk=pk),
                by=request.user,
                changes=data,
                expected_version=version,
            ),
        )
        if saved is not None:
            return redirect("operations:mailing_list", pk=pk)
    return render(
        request,
        f"{T}/form.html",
        {
            "programme": mailing_list.programme,
            "mailing_list": mailing_list,
            "form": form,
            "title": f"Modifier la liste « {mailing_list.name} »",
            "section": "listes",
        },
    )


@login_required
def subscription_create(request: HttpRequest, pk: int) -> HttpResponse:
    mailing_list = _list_for_write(request, pk)
    form = SubscriptionForm(request.POST or None, mailing_list=mailing_list, user=request.user)
    if request.method == "POST" and form.is_valid():
        created = run_service(
            request,
            form,
            "Le contact a été inscrit sur la liste.",
            lambda: services.subscription_create(
                mailing_list=mailing_list, by=request.user, **form.cleaned_data
            ),
        )
        if created is not None:
            return redirect("operations:mailing_list", pk=pk)
    return render(
        request,
        f"{T}/form.html",
        {
            "programme": mailing_list.programme,
            "mailing_list": mailing_list,
            "form": form,
            "title": f"Inscrire un contact sur « {mailing_list.name} »",
            "section": "listes",
            "intro": (
                "Une inscription suppose le consentement du contact (RGPD, art. 7) : notez quand et comment "
                "il a été recueilli. Chaque lettre contient un lien de désinscription."
            ),
        },
    )


@login_required
@require_POST
def subscription_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = policy.get_for_user(
        Subscription.objects.select_related("mailing_list__programme", "person"), request.user, pk=pk
    )
    policy.require(policy.can_manage_participation(request.user, subscription.mailing_list.programme))
    try:
        services.subscription_withdraw(
            subscription=subscription, by=request.user, reason="Désinscription par la gestion"
        )
    except LetterError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{subscription.person} ne recevra plus les lettres de cette liste.")
    return redirect("operations:mailing_list", pk=subscription.mailing_list_id)


# --- Letters --------------------------------------------------------------------------------------------


@login_required
@require_GET
def letters(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_readers(request.user, pk)
    can_manage = policy.can_manage_participation(request.user, programme)
    return render(
        request,
        f"{T}/letters.html",
        {"programme": programme, "letters": selectors.letters_of(programme), "can_manage": can_manage},
    )


@login_required
def letter_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_readers(request.user, pk)
    policy.require(policy.can_manage_participation(request.user, programme))
    form = LetterForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        created = run_service(
            request,
            form,
            "La lettre a été créée : relisez sa composition avant de l'envoyer.",
            lambda: services.letter_create(programme=programme, by=request.user, **form.cleaned_data),
        )
        if created is not None:
            return redirect("operations:letter", pk=created.pk)
    return render(
        request,
        f"{T}/form.html",
        {
            "programme": programme,
            "form": form,
            "title": "Nouvelle lettre d'information",
            "section": "lettres",
        },
    )


@login_required
def letter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter_for_write(request, pk)
    if letter.status != "draft":
        messages.error(request, "Seul un brouillon se modifie : la copie envoyée est conservée telle quelle.")
        return redirect("operations:letter", pk=pk)
    form = LetterForm(request.POST or None, instance=letter, programme=letter.programme)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        saved = run_service(
            request,
            form,
            "La lettre a été enregistrée.",
            lambda: services.letter_update(
                letter=InformationLetter.objects.get(pk=pk),
                by=request.user,
                changes=data,
                expected_version=version,
            ),
        )
        if saved is not None:
            return redirect("operations:letter", pk=pk)
    return render(
        request,
        f"{T}/form.html",
        {
            "programme": letter.programme,
            "letter": letter,
            "form": form,
            "title": f"Modifier « {letter.title} »",
            "section": "lettres",
        },
    )


@login_required
@require_GET
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    letter = selectors.letter_for_page(request.user, pk)
    can_manage = policy.can_manage_participation(request.user, letter.programme)
    draft = letter.status == "draft"
    context: dict[str, object] = {
        "programme": letter.programme,
        "letter": letter,
        "can_manage": can_manage,
        "composition": selectors.compose(letter) if draft else None,
        "deliveries": selectors.deliveries_of(letter) if can_manage and not draft else None,
        "send_form": LetterSendForm(initial={"version": letter.version}) if can_manage and draft else None,
        "recipients": (
            selectors.active_subscriptions(letter.mailing_list).count()
            if can_manage and draft and letter.mailing_list
            else None
        ),
    }
    return render(request, f"{T}/letter.html", context)


@login_required
@require_POST
def letter_send(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter_for_write(request, pk)
    form = LetterSendForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Rechargez la page de la lettre avant de l'envoyer.")
        return redirect("operations:letter", pk=pk)
    run_service(
        request,
        form,
        "La lettre part : l'envoi se fait en arrière-plan, la page affiche les envois au fur et à mesure.",
        lambda: services.letter_send(
            letter=letter,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            site_url=_site_url(request),
        ),
    )
    return redirect("operations:letter", pk=pk)


# --- Unsubscribe (public, no login) ---------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link of every letter: GET asks for confirmation, POST withdraws the subscription today."""
    subscription = services.subscription_from_token(token)
    if subscription is None:
        raise Http404("Ce lien de désinscription n'est pas valide.")
    done = False
    if request.method == "POST" and subscription.withdrawn_on is None:
        try:
            subscription = services.subscription_withdraw(
                subscription=subscription,
                by=None,
                reason=services.RECIPIENT_WITHDRAWAL,
            )
        except LetterError:
            subscription.refresh_from_db()
        done = True
    return render(
        request,
        f"{T}/unsubscribe.html",
        {"subscription": subscription, "mailing_list": subscription.mailing_list, "done": done},
    )
