"""Read paths for companies, scoped to the user where the data is private."""

from datetime import date

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from regiolab import caching
from regiolab.collation import german
from regiolab.display import choice_labels, url_maker
from regiolab.permissions import is_coordinator

from .models import Company, CompanyInvitation, CompanyMember, Consultation, Sector, SizeClass

# The networks app owns the status values; companies import no other app, so spell it here.
ACTIVE_NETWORK_MEMBERSHIP = "active"


def membership_of(user) -> CompanyMember | None:
    """The user's active company membership (cached on the user for the request)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_company_membership_cache"):
        user._company_membership_cache = (
            CompanyMember.objects.select_related("company")
            .filter(user=user, status=CompanyMember.Status.ACTIVE)
            .first()
        )
    return user._company_membership_cache


def pending_request_of(user) -> CompanyMember | None:
    """The user's open request to join a company, if any."""
    if not user.is_authenticated:
        return None
    return (
        CompanyMember.objects.select_related("company")
        .filter(user=user, status=CompanyMember.Status.REQUESTED)
        .first()
    )


def companies_for_list() -> QuerySet[Company]:
    """All companies with what the coordinators' list shows (active networks counted).

    The count is a subquery rather than a join with GROUP BY, so PostgreSQL counts only for the
    rows of the page instead of for every company that matches the filter.
    """
    memberships = Company._meta.get_field("network_memberships").related_model
    active_networks = (
        memberships.objects.filter(company=OuterRef("pk"), status=ACTIVE_NETWORK_MEMBERSHIP)
        .order_by()
        .values("company")
        # One active membership per network and company (a unique constraint): rows = networks.
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Company.objects.annotate(network_count=Coalesce(Subquery(active_networks), 0)).order_by(
        german("name"), "pk"
    )


def companies_for_list_page() -> QuerySet[Company]:
    """companies_for_list() with only the columns the list page shows (the export takes all)."""
    return companies_for_list().only(
        "name", "city", "municipality", "sector", "sector_code", "size_class_stored", "kind"
    )


# The company list's filter bar and results (companies.views.company_list), per cleaned filter
# and the viewer's import and export rights.
_MEMBERSHIP = Company._meta.get_field("network_memberships").related_model
COMPANY_LIST = caching.declare(
    "company_list",
    reads=[
        Company,
        Company.training_needs.through,
        Company.training_needs.field.related_model,  # topics
        _MEMBERSHIP,
        _MEMBERSHIP._meta.get_field("network").related_model,
    ],
    varies_by=["filters", "can_import", "can_export"],
)


def company_rows(companies) -> list[Company]:
    """The companies of one list page with their labels and link set once for the page."""
    sectors = choice_labels(Sector.choices)
    size_classes = choice_labels(SizeClass.choices)
    kinds = choice_labels(Company.Kind.choices)
    detail_url = url_maker("companies:detail")
    rows = list(companies)
    for company in rows:
        company.sector_label = sectors.get(company.sector, company.sector)
        company.size_class_label = size_classes.get(
            company.size_class_stored, company.size_class_stored
        )
        company.kind_label = kinds.get(company.kind, company.kind)
        company.url = detail_url(company.pk)
        # The municipality is shown under the city only where the two differ.
        company.municipality_note = (
            company.municipality if company.municipality != company.city else ""
        )
    return rows


def companies_visible_to(user) -> QuerySet[Company]:
    """Coordinators see every company, a representative only their own, anyone else none."""
    if not user.is_authenticated:
        return Company.objects.none()
    if is_coordinator(user):
        return Company.objects.all()
    return Company.objects.filter(members__user=user, members__status=CompanyMember.Status.ACTIVE)


def company_detail(*, user, pk: int) -> Company:
    """One visible company with members, network memberships and consultations prefetched.

    Raises Company.DoesNotExist when the user may not see it (views answer 404).
    """
    members = CompanyMember.objects.select_related("user").order_by("-role", "created_at")
    networks = (
        Company._meta.get_field("network_memberships")
        .related_model.objects.select_related("network")
        .order_by("network__name")
    )
    return (
        companies_visible_to(user)
        .prefetch_related(
            "training_needs",
            Prefetch("members", queryset=members),
            Prefetch("network_memberships", queryset=networks),
            Prefetch(
                "consultations",
                queryset=Consultation.objects.select_related("coordinator").order_by(
                    "-date", "-pk"
                ),
            ),
            "associated_enterprises",
        )
        .get(pk=pk)
    )


def company_members(*, company: Company) -> QuerySet[CompanyMember]:
    return (
        CompanyMember.objects.filter(company=company)
        .select_related("user")
        .order_by("status", "-role", "user__last_name", "user__email")
    )


def open_invitations(*, company: Company) -> QuerySet[CompanyInvitation]:
    return CompanyInvitation.objects.filter(company=company, accepted_at__isnull=True).order_by(
        "-created_at"
    )


def open_follow_ups(*, today: date) -> QuerySet[Consultation]:
    """Consultations with an open follow-up, soonest (overdue) first."""
    return (
        Consultation.objects.filter(follow_up_done=False, follow_up_on__isnull=False)
        .select_related("company", "coordinator")
        .order_by("follow_up_on", "company__name", "pk")
    )


def companies_to_join(*, query: str) -> QuerySet[Company]:
    """Companies a person may ask to join, found by name (at least two characters)."""
    query = query.strip()
    if len(query) < 2:
        return Company.objects.none()
    return Company.objects.filter(name__icontains=query).order_by("name", "pk")
