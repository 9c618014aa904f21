"""What the coordinators' search (regiolab.search) finds of companies: companies by name and
city, and the people acting for them by name and e-mail address."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from regiolab.collation import german
from regiolab.search.registry import Hit
from regiolab.search.registry import register as register_kind
from regiolab.text import user_display

from .models import Company, CompanyMember

# The company list's "q" filter matches the same fields the same way (companies.filters).
COMPANY_FIELDS = ("name", "city")


def _company_hit(company: Company) -> Hit:
    return Hit(
        title=company.name,
        url=company.get_absolute_url(),
        detail=" · ".join(part for part in (company.city, company.get_kind_display()) if part),
    )


def _member_hit(member: CompanyMember) -> Hit:
    user = member.user
    detail = [user.email, member.company.name, member.get_role_display()]
    if member.status != CompanyMember.Status.ACTIVE:
        detail.append(member.get_status_display())
    return Hit(
        title=user_display(user),
        url=member.company.get_absolute_url(),
        detail=" · ".join(part for part in detail if part),
    )


def register() -> None:
    register_kind(
        "company",
        label=_("Companies"),
        kind_label=_("Company"),
        queryset=lambda: Company.objects.only("name", "city", "kind"),
        fields=COMPANY_FIELDS,
        order_by=(german("name"),),
        hit=_company_hit,
        more_url=lambda query: f"{reverse('companies:list')}?{urlencode({'q': query})}",
        position=10,
    )
    register_kind(
        "company_member",
        label=_("People in companies"),
        kind_label=_("Company member"),
        queryset=lambda: CompanyMember.objects.select_related("user", "company").only(
            "role",
            "status",
            "company__name",
            "user__first_name",
            "user__last_name",
            "user__email",
            "user__username",
        ),
        fields=("user__first_name", "user__last_name", "user__email"),
        order_by=(german("user__last_name"), german("user__first_name")),
        hit=_member_hit,
        position=20,
    )
