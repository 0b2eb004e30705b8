from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from programmes import selectors
from programmes.forms.programme import ProgrammeKeyDatesForm
from programmes.services import programme as services
from pvd.accounts import policy
from pvd.concurrency import StaleObjectError


@login_required
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_page(request.user, pk)
    policy.require(policy.can_edit_programme(request.user, programme))
    form = ProgrammeKeyDatesForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.programme_update_key_dates(
                programme=programme,
                expected_version=data["version"],
                by=request.user,
                selected_on=data["selected_on"],
                adhesion_signed_on=data["adhesion_signed_on"],
                framework_signed_on=data["framework_signed_on"],
                ends_on=data["ends_on"],
                description=data["description"],
            )
        except StaleObjectError as error:
            messages.error(request, str(error))
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Les dates clés du programme ont été enregistrées.")
            return redirect("programme", pk=programme.pk)
    return render(request, "programmes/edit.html", {"programme": programme, "form": form})
