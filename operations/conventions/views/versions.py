"""Issued versions, draft PDF, signed scan, avenants (issue 9, H3).

A version is read by whoever reads its convention (policy: 404 out of scope); issuing one, retrying its PDF,
depositing the signed scan and creating an avenant need `can_manage_convention` (403 for the other readers); the
draft preview in PDF is for the managers and the programme's referent (`can_change_convention_status`). The public
verification page (no login) shows what the QR code of a PDF promises — its SHA-256 — and checks an uploaded file
against it, storing nothing.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from operations.conventions.forms.versions import AmendmentForm, IssueForm, ScanForm, VerificationForm
from operations.conventions.models import EDITABLE_STATUSES, ConventionStatus, ConventionVersion
from operations.conventions.richtext import block_kinds
from operations.conventions.selectors import versions as selectors
from operations.conventions.selectors.compare import compare_snapshots
from operations.conventions.selectors.conventions import convention_for_user
from operations.conventions.services import conventions as convention_services
from operations.conventions.services import versions as services
from operations.conventions.snapshot import block_label, rendered_articles
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.downloads import private_download
from pvd.models import DocumentStatus

TEMPLATES = "operations/conventions/versions/"
ISSUABLE = (ConventionStatus.DRAFT, ConventionStatus.REVIEW, ConventionStatus.APPROVED)


def _version_for_write(request: HttpRequest, pk: int) -> ConventionVersion:
    version = selectors.version_for_user(request.user, pk)
    policy.require(policy.can_manage_convention(request.user, version.convention))
    return version


# --- Issuing a version, the draft preview --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def version_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """What will be frozen (articles, the data blocks they insert, the parties) and the note; POST issues."""
    convention = convention_for_user(request.user, pk)
    policy.require(policy.can_manage_convention(request.user, convention))
    form = IssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        version = run_service(
            request,
            form,
            "La version est émise : son contenu est figé et son PDF est en cours de production.",
            lambda: services.version_issue(
                convention=convention,
                by=request.user,
                site_url=request.build_absolute_uri("/"),
                note=form.cleaned_data["note"],
            ),
        )
        if version is not None:
            return redirect("operations:convention_version", pk=version.pk)
    articles = list(convention.articles.order_by("order", "pk"))
    kinds = dict.fromkeys(kind for article in articles for kind in block_kinds(article.body))
    return render(
        request,
        TEMPLATES + "issue.html",
        {
            "convention": convention,
            "form": form,
            "articles": articles,
            "blocks": [block_label(kind) for kind in kinds],
            "signatories": list(
                convention.signatories.select_related("organisation", "deliberation").order_by("order", "pk")
            ),
            "issuable": convention.status in ISSUABLE,
            "latest": convention.versions.order_by("-number").first(),
        },
    )


@login_required
@require_POST
def convention_draft_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF of the draft, from live data, marked « PROJET »; then its status page."""
    convention = convention_for_user(request.user, pk)
    policy.require(policy.can_change_convention_status(request.user, convention))
    doc = services.request_draft_pdf(convention=convention, by=request.user)
    return redirect("document", pk=doc.pk)


# --- A version's page, its PDF, its signed scan ------------------------------------------------------------------


@login_required
@require_GET
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_for_user(request.user, pk)
    convention = version.convention
    can_manage = policy.can_manage_convention(request.user, convention)
    frozen = version.snapshot.get("version") or {}
    return render(
        request,
        TEMPLATES + "detail.html",
        {
            "convention": convention,
            "version": version,
            "current": f"Version {version.number}",
            "doc": version.document,
            "can_manage": can_manage,
            "verification_url": frozen.get("verification_url")
            or request.build_absolute_uri(services.verification_path(version)),
            "scan_form": ScanForm() if can_manage and version.signed and not version.signed_scan else None,
            "articles": rendered_articles(version.snapshot),
            "can_edit_articles": False,
        },
    )


@login_required
@require_POST
def version_retry(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version_for_write(request, pk)
    run_service(
        request,
        forms.Form(),
        "La production du PDF est relancée à partir du contenu figé de la version.",
        lambda: services.version_retry_pdf(version=version, by=request.user),
    )
    return redirect("operations:convention_version", pk=version.pk)


@login_required
@require_http_methods(["GET", "POST"])
def version_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """Deposit the scan of the signed copy: the signed version only, a PDF, once."""
    version = _version_for_write(request, pk)
    form = ScanForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            saved = run_service(
                request,
                form,
                "L'exemplaire signé est déposé ; son empreinte SHA-256 est enregistrée.",
                lambda: services.version_attach_signed_scan(
                    version=version, by=request.user, upload=form.cleaned_data["scan"]
                ),
            )
            if saved is not None:
                return redirect("operations:convention_version", pk=version.pk)
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
    return render(
        request,
        TEMPLATES + "scan.html",
        {
            "convention": version.convention,
            "version": version,
            "form": form if version.signed and not version.signed_scan else None,
        },
    )


@login_required
@require_GET
def version_scan_download(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_for_user(request.user, pk)
    if not version.signed_scan:
        raise Http404("Aucun exemplaire signé n'est déposé pour cette version.")
    return private_download(version.signed_scan, f"{version.reference}-exemplaire-signe.pdf")


# --- Avenants --------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def amendment_create(request: HttpRequest, pk: int) -> HttpResponse:
    parent = convention_for_user(request.user, pk)
    policy.require(policy.can_manage_convention(request.user, parent))
    number = selectors.next_amendment_number(parent)
    form = AmendmentForm(request.POST or None, initial={"title": f"Avenant n° {number} — {parent.title}"})
    if request.method == "POST" and form.is_valid():
        amendment = run_service(
            request,
            form,
            "L'avenant est créé en projet, à partir du texte en vigueur.",
            lambda: convention_services.amendment_create(parent=parent, by=request.user, **form.cleaned_data),
        )
        if amendment is not None:
            return redirect("operations:convention", pk=amendment.pk)
    return render(
        request,
        TEMPLATES + "amendment_form.html",
        {
            "convention": parent,
            "form": form,
            "number": number,
            "in_force": convention_services.version_in_force(parent),
            "can_amend": not parent.is_amendment
            and parent.status in (ConventionStatus.SIGNED, ConventionStatus.IN_FORCE),
        },
    )


@login_required
@require_GET
def amendment_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """The avenant (its live draft, or its signed version once signed) against the version in force it amends."""
    amendment = convention_for_user(request.user, pk)
    if not amendment.is_amendment:
        raise Http404("Seul un avenant se compare à la version en vigueur.")
    sides = selectors.compared_sides(amendment)
    return render(
        request,
        TEMPLATES + "compare.html",
        {
            "convention": amendment,
            "sides": sides,
            "comparison": compare_snapshots(sides.old, sides.new) if sides.old is not None else None,
            "live": amendment.status in EDITABLE_STATUSES or sides.new_version is None,
        },
    )


# --- Public verification (no login) ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def convention_verification(request: HttpRequest, token: str) -> HttpResponse:
    """What the QR code of a PDF points to: the version's identity and SHA-256, and the check of a file (its hash
    is computed and compared; the file is not kept). Rendered as for an anonymous visitor, with no person's name."""
    version = selectors.version_by_token(token)
    form = VerificationForm(request.POST or None, request.FILES or None)
    result = digest = ""
    if request.method == "POST" and form.is_valid():
        digest = selectors.sha256_of(form.cleaned_data["file"].chunks())
        if version.sha256 and digest == version.sha256:
            result = "version"
        elif version.signed_scan_sha256 and digest == version.signed_scan_sha256:
            result = "scan"
        else:
            result = "mismatch"
        form = VerificationForm()
    return render(
        request,
        TEMPLATES + "verification.html",
        {
            "version": version,
            "convention": version.convention,
            "pdf_done": version.document is not None and version.document.status == DocumentStatus.DONE,
            "form": form,
            "result": result,
            "uploaded_hash": digest,
            "user": AnonymousUser(),
        },
    )
