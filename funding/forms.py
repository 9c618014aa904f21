from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from regiolab import uploads
from regiolab.permissions import COORDINATORS_GROUP
from regiolab.text import user_display

from . import services
from .models import BudgetLine, Expenditure, Funder, Grant, Indicator

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GrantForm(forms.ModelForm):
    class Meta:
        model = Grant
        fields = [
            "programme",
            "reference",
            "title",
            "start_date",
            "end_date",
            "currency",
            "total_eligible_costs",
            "networks",
            "report_language",
            "coordinators",
        ]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinators"].queryset = (
            get_user_model()
            .objects.filter(groups__name=COORDINATORS_GROUP)
            .order_by("last_name", "email")
        )
        # Names, not login handles.
        self.fields["coordinators"].label_from_instance = user_display
        self.fields["total_eligible_costs"].widget.attrs["step"] = "0.01"

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").strip().upper()


class ShareForm(forms.Form):
    funder = forms.ModelChoiceField(
        label=_("Funder"), queryset=Funder.objects.order_by("name"), required=False
    )
    percent = forms.DecimalField(
        label=_("Share (%)"), max_digits=5, decimal_places=2, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("funder") and data.get("percent") is None:
            self.add_error("percent", _("Enter the share of this funder."))
        if data.get("percent") is not None and not data.get("funder"):
            self.add_error("funder", _("Choose the funder of this share."))
        percent = data.get("percent")
        if percent is not None and (percent <= 0 or percent > 100):
            self.add_error("percent", _("A share must be more than 0 % and at most 100 %."))
        return data


class BaseShareFormSet(forms.BaseFormSet):
    def _construct_form(self, i, **kwargs):
        # Every row is validated, also one equal to its initial value: the sum needs them all.
        kwargs["empty_permitted"] = False
        return super()._construct_form(i, **kwargs)

    def clean(self):
        if any(form.errors for form in self.forms):
            return
        shares = self.shares()
        funders = [s.funder.pk for s in shares]
        if len(set(funders)) != len(funders):
            raise ValidationError(_("Each funder may hold only one share."))
        services.check_share_percents([s.percent for s in shares])

    def shares(self) -> list[services.ShareInput]:
        return [
            services.ShareInput(f.cleaned_data["funder"], f.cleaned_data["percent"])
            for f in self.forms
            if f.cleaned_data.get("funder")
        ]


ShareFormSet = forms.formset_factory(ShareForm, formset=BaseShareFormSet, extra=0, max_num=10)


def share_formset(*, grant: Grant, data=None) -> BaseShareFormSet:
    initial = [{"funder": s.funder, "percent": s.percent} for s in grant.shares.all()]
    initial += [{}] * (3 if len(initial) < 3 else 1)
    return ShareFormSet(data=data, initial=initial, prefix="shares")


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["category", "year", "amount"]


class ExpenditureForm(forms.ModelForm):
    class Meta:
        model = Expenditure
        fields = [
            "date",
            "category",
            "payee",
            "purpose",
            "amount",
            "receipt_reference",
            "workshop",
            "network",
        ]
        widgets = {"date": DATE}

    receipt_file = forms.FileField(
        label=_("Receipt file"),
        required=False,
        help_text=_(
            "PDF, PNG or JPEG, at most 10 MB. Only coordinators and the grant's funders can open it."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}
        ),
    )

    def __init__(self, *args, grant: Grant, **kwargs):
        super().__init__(*args, **kwargs)
        networks = grant.networks.all()
        self.fields["network"].queryset = networks
        self.fields["workshop"].queryset = (
            self.fields["workshop"].queryset.filter(network__in=networks).order_by("-starts_at")
        )
        self.fields["amount"].widget.attrs["step"] = "0.01"
        # A plain file input: the current receipt and its removal are shown apart.
        self.fields["receipt_file"].widget = forms.FileInput(
            attrs=self.fields["receipt_file"].widget.attrs
        )
        if self.instance.pk and self.instance.receipt_file:
            self.fields["remove_receipt"] = forms.BooleanField(
                label=_("Remove the attached receipt file"), required=False
            )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount != amount.quantize(Decimal("0.01")):
            raise ValidationError(_("Enter the amount in cents at most (two decimal places)."))
        return amount

    def clean_receipt_file(self):
        upload = self.cleaned_data.get("receipt_file")
        if not upload:
            return None
        extension, content_type = uploads.validate_receipt_upload(upload)
        return services.ReceiptUpload(
            name=uploads.receipt_display_name(upload.name),
            content=upload.read(),
            extension=extension,
            content_type=content_type,
        )

    def service_fields(self) -> dict:
        """The cleaned values as the services take them (receipt and its removal apart)."""
        data = dict(self.cleaned_data)
        data["receipt"] = data.pop("receipt_file", None)
        if self.instance.pk:
            data["remove_receipt"] = data.pop("remove_receipt", False)
        return data


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["code", "target"]


class ReportRequestForm(forms.Form):
    period_start = forms.DateField(label=_("Period start"), widget=DATE)
    period_end = forms.DateField(label=_("Period end"), widget=DATE)

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end of the period cannot be before its start."))
        return data


class PeriodForm(ReportRequestForm):
    """The period the grant page computes its indicators for (GET, optional)."""

    period_start = forms.DateField(label=_("From"), widget=DATE, required=False)
    period_end = forms.DateField(label=_("To"), widget=DATE, required=False)


class ExpenditureImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_(
            "Columns: date, category, payee, purpose, amount, receipt_reference. "
            "Dates as 2026-03-31 or 31.03.2026, amounts as 1234.56 or 1.234,56."
        ),
    )

    def clean_file(self):
        # Checked by size and content; parsed in memory by funding.importing, never stored.
        upload = self.cleaned_data["file"]
        uploads.validate_table_upload(upload)
        return upload
