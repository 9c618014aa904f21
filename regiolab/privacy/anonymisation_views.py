"""The coordinators' anonymisation of a person on request: address → what will be blanked →
confirm. Both steps are POSTs, so the address never lands in a URL (or a server log)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from regiolab.permissions import login_and_permission_required

from . import anonymisation


class LookupForm(forms.Form):
    email = forms.CharField(
        label=gettext_lazy("E-mail address of the person"),
        max_length=1000,  # longer than any address: the service says what is wrong
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"required": gettext_lazy("Please enter an e-mail address.")},
    )

    def clean_email(self) -> str:
        return anonymisation.normalise_email(self.cleaned_data["email"])


class ConfirmForm(LookupForm):
    email = forms.CharField(max_length=1000, widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I confirm: blank this person's names, e-mail address, free text and statistics "
            "answers everywhere. This cannot be undone."
        ),
        error_messages={"required": gettext_lazy("Please tick the box to confirm.")},
    )


def _confirmation(request, form: ConfirmForm, preview: anonymisation.Preview):
    return render(
        request,
        "privacy/anonymise_confirm.html",
        {
            "form": form,
            "preview": preview,
            "rows": [(k, v) for k, v in preview.counts.items() if v],
        },
    )


@never_cache
@login_and_permission_required("privacy.anonymise_person")
@require_http_methods(["GET", "POST"])
def anonymise(request):
    step = request.POST.get("step")
    if request.method == "POST" and step == "confirm":
        form = ConfirmForm(request.POST)
        if form.is_valid():
            result = anonymisation.anonymise_person(
                email=form.cleaned_data["email"], performed_by=request.user
            )
            if result.total:
                messages.success(
                    request,
                    _("The person has been anonymised: %(rows)d records changed.")
                    % {"rows": result.total},
                )
            else:
                messages.info(request, _("Nothing was left to anonymise for this address."))
            return redirect("anonymise_person")
        if "email" in form.errors:  # tampered with: show the address's problem
            lookup = LookupForm(request.POST)
            lookup.is_valid()
            return render(request, "privacy/anonymise.html", {"form": lookup})
        preview = anonymisation.find_person(email=form.cleaned_data["email"])
        return _confirmation(request, form, preview)

    form = LookupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        preview = anonymisation.find_person(email=email)
        if preview.total:
            return _confirmation(request, ConfirmForm(initial={"email": email}), preview)
        form.add_error(
            "email", _("The portal holds nothing about this address (or it is anonymised).")
        )
    return render(request, "privacy/anonymise.html", {"form": form})
