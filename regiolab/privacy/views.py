"""The account's privacy page: consents (withdraw) and the download of one's data (Art. 15
GDPR); the coordinators' export for any person by e-mail address."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from regiolab.permissions import login_and_permission_required

from . import consents, personal_data
from .forms import PersonalDataRequestForm

PAGE_SIZE = 25


def _own_consents(user):
    return consents.consents_of(user=user, emails=consents.verified_emails(user))


def _json_download(content: bytes, *, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    filename = f"regiolab-{name}-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def overview(request):
    page_obj = Paginator(_own_consents(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for consent in page_obj.object_list:
        consent.text = consents.consent_text(consent.text_version, consent.language)
    return render(request, "account/privacy.html", {"page_obj": page_obj})


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, pk: int):
    # Someone else's consent is not found, whoever asks.
    consent = get_object_or_404(_own_consents(request.user), pk=pk)
    if request.method == "POST":
        if consent.is_active:
            consents.withdraw_consent(consent=consent)
            messages.success(
                request,
                _("Your consent “%(purpose)s” has been withdrawn.")
                % {"purpose": consent.get_purpose_display()},
            )
        else:
            messages.info(request, _("This consent had already been withdrawn."))
        return redirect("privacy:overview")
    consent.text = consents.consent_text(consent.text_version, consent.language)
    return render(request, "account/privacy_withdraw.html", {"consent": consent})


@never_cache
@login_required
@require_GET
def export_own(request):
    emails = personal_data.subject_emails(user=request.user)
    content = personal_data.export_json(user=request.user, emails=emails)
    return _json_download(content, name="my-data")


@never_cache
@login_and_permission_required("privacy.export_personal_data")
@require_http_methods(["GET", "POST"])
def export_for(request):
    form = PersonalDataRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        user = personal_data.find_account(email)
        emails = personal_data.subject_emails(user=user, email=email)
        content = personal_data.export_json(user=user, emails=emails)
        return _json_download(content, name="personal-data")
    return render(request, "account/privacy_export_for.html", {"form": form})
