"""What the coordinators' search (regiolab.search) finds of funding: grants by reference number
and title."""

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from regiolab.search.registry import Hit
from regiolab.search.registry import register as register_kind

from .models import Grant


def _grant_hit(grant: Grant) -> Hit:
    period = " – ".join(
        formats.date_format(day, "SHORT_DATE_FORMAT") for day in (grant.start_date, grant.end_date)
    )
    return Hit(
        title=f"{grant.reference} {grant.title}", url=grant.get_absolute_url(), detail=period
    )


def register() -> None:
    register_kind(
        "grant",
        label=_("Grants"),
        kind_label=_("Grant"),
        queryset=lambda: Grant.objects.only("reference", "title", "start_date", "end_date"),
        fields=("reference", "title"),
        order_by=("-start_date", "reference"),
        hit=_grant_hit,
        position=50,
    )
