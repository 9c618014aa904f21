"""Read paths for training networks, with the joins their pages need."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from companies.models import Company, CompanyMember, Sector, SizeClass
from regiolab import caching
from regiolab.display import choice_labels, option_lists, url_maker
from regiolab.permissions import COORDINATORS_GROUP, is_coordinator

from .models import NetworkMembership, TrainingNetwork

# The dashboard's figures, open requests and members (templates/networks/dashboard.html): the
# same for every coordinator of the network, so kept per network and rights.
REQUESTER_FIELDS = ("first_name", "last_name", "email")
DASHBOARD = caching.declare(
    "network_dashboard",
    # A login writes last_login: the requesting people are read for their names only.
    reads=[
        TrainingNetwork,
        NetworkMembership,
        Company,
        caching.columns(get_user_model(), *REQUESTER_FIELDS),
    ],
    varies_by=["networks", "can_manage"],
    # Per network: a registration, or a company edit in another network, leaves it cached.
    scoped={"networks": [NetworkMembership, Company]},
)

ACTIVE = NetworkMembership.Status.ACTIVE
REQUESTED = NetworkMembership.Status.REQUESTED
OPEN_STATUSES = (REQUESTED, ACTIVE)


def _sees_everything(user) -> bool:
    return user.is_authenticated and is_coordinator(user)


def networks_visible_to(user) -> QuerySet[TrainingNetwork]:
    """Active networks for everyone; coordinators also see planned and closed ones."""
    queryset = TrainingNetwork.objects.all()
    if not _sees_everything(user):
        queryset = queryset.filter(status=TrainingNetwork.Status.ACTIVE)
    return queryset


def networks_for_list(user) -> QuerySet[TrainingNetwork]:
    """The list page: active member count and topics in a fixed number of queries."""
    return (
        networks_visible_to(user)
        .annotate(member_count=Count("memberships", filter=Q(memberships__status=ACTIVE)))
        .prefetch_related("topics")
        .order_by("name", "pk")
    )


def active_network_teasers(limit: int) -> list[TrainingNetwork]:
    """For the start page: one query, the teaser needs only name and slug."""
    return list(
        TrainingNetwork.objects.filter(status=TrainingNetwork.Status.ACTIVE)
        .only("name", "slug")
        .order_by("name", "pk")[:limit]
    )


def network_visible_to(user, slug: str) -> TrainingNetwork:
    """One network the user may see, or 404 (planned/closed ones exist only for coordinators)."""
    try:
        return networks_visible_to(user).get(slug=slug)
    except TrainingNetwork.DoesNotExist:
        raise Http404 from None


def network_detail(user, slug: str) -> TrainingNetwork:
    """The public page: topics, coordinators and the members who agreed to be shown."""
    shown_members = (
        NetworkMembership.objects.filter(status=ACTIVE, company__show_in_networks=True)
        .select_related("company")
        .order_by("company__name", "pk")
    )
    queryset = networks_visible_to(user).prefetch_related(
        "topics",
        Prefetch(
            "coordinators",
            queryset=get_user_model().objects.order_by("last_name", "first_name", "pk"),
        ),
        Prefetch("memberships", queryset=shown_members, to_attr="shown_members"),
    )
    try:
        return queryset.get(slug=slug)
    except TrainingNetwork.DoesNotExist:
        raise Http404 from None


def open_membership_of(*, network: TrainingNetwork, company: Company) -> NetworkMembership | None:
    """The company's requested or active membership in the network, if any."""
    return NetworkMembership.objects.filter(
        network=network, company=company, status__in=OPEN_STATUSES
    ).first()


def membership_in(*, network: TrainingNetwork, pk: int, status: str) -> NetworkMembership:
    """A membership of this network in the given status, or 404 (scoped by network)."""
    try:
        return NetworkMembership.objects.select_related("company", "network").get(
            network=network, pk=pk, status=status
        )
    except NetworkMembership.DoesNotExist:
        raise Http404 from None


def company_people_told(company: Company) -> list:
    """The users a membership decision about ``company`` is e-mailed to: its active members
    with an e-mail address (the confirmation step names the same people)."""
    return [
        member.user
        for member in CompanyMember.objects.filter(
            company=company, status=CompanyMember.Status.ACTIVE
        )
        .select_related("user")
        .order_by("pk")
        if member.user.email
    ]


def removal_consequences(membership: NetworkMembership) -> dict:
    """What removing ``membership`` does and whom it tells, sentence by sentence, for the
    confirmation step (partials/confirm.html): ``effects`` and ``notified``."""
    from django.utils import timezone
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    values = {
        "company": membership.company.name,
        "network": membership.network.name,
        "today": date_format(timezone.localdate(), "DATE_FORMAT"),
    }
    effects = [
        _("%(company)s is no longer a member of “%(network)s” from today (%(today)s).") % values,
        _(
            "It leaves the network's member list and dashboard; its membership stays on "
            "record for the grant reports, which count it up to today."
        ),
        _("The company can ask to join again; a coordinator decides as for any request."),
    ]
    notified = [
        _(
            "%(name)s (%(email)s) of %(company)s gets an e-mail saying that the network's "
            "coordinator removed the company from “%(network)s”."
        )
        % {**values, "name": user.get_full_name() or user.email, "email": user.email}
        for user in company_people_told(membership.company)
    ]
    return {"effects": effects, "notified": notified}


def active_members(network: TrainingNetwork) -> QuerySet[NetworkMembership]:
    return (
        NetworkMembership.objects.filter(network=network, status=ACTIVE)
        .select_related("company")
        .order_by("company__name", "pk")
    )


def member_rows(network: TrainingNetwork) -> list[NetworkMembership]:
    """active_members() with the dashboard's labels and links set once for the page.

    ``get_FOO_display()`` and ``{% url %}`` per row were most of the dashboard's time with
    a few dozen members.
    """
    size_classes = choice_labels(SizeClass.choices)
    sectors = choice_labels(Sector.choices)
    company_url = url_maker("companies:detail")
    role_url = url_maker("networks:change_role", network.slug)
    remove_url = url_maker("networks:remove_member", network.slug)
    role_options = option_lists(choice_labels(NetworkMembership.Role.choices).items())
    rows = list(active_members(network))
    for membership in rows:
        company = membership.company
        company.url = company_url(company.pk)
        company.size_class_label = size_classes.get(
            company.size_class_stored, company.size_class_stored
        )
        company.sector_label = sectors.get(company.sector, company.sector)
        company.place = company.municipality or company.city
        membership.role_url = role_url(membership.pk)
        membership.remove_url = remove_url(membership.pk)
        membership.role_options = role_options.get(membership.role, "")
    return rows


def open_requests(network: TrainingNetwork) -> QuerySet[NetworkMembership]:
    """The dashboard's open requests: the company and the name of the person who asked."""
    return (
        NetworkMembership.objects.filter(network=network, status=REQUESTED)
        .select_related("company", "requested_by")
        .only(
            "network_id",
            "requested_at",
            "company__name",
            *(f"requested_by__{field}" for field in REQUESTER_FIELDS),
        )
        .order_by("requested_at", "pk")
    )


def members_by_size_class(network: TrainingNetwork) -> list[tuple[str, str, int]]:
    """(value, label, count) for every size class, zeros included; one aggregate query."""
    counts = dict(
        NetworkMembership.objects.filter(network=network, status=ACTIVE)
        .values_list("company__size_class_stored")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return [(value, label, counts.get(value, 0)) for value, label in SizeClass.choices]


def members_by_sector(network: TrainingNetwork) -> list[tuple[str, str, int]]:
    """(section, label, count) for the sectors present, largest first; one aggregate query."""
    rows = (
        NetworkMembership.objects.filter(network=network, status=ACTIVE)
        .values_list("company__sector")
        .annotate(count=Count("pk"))
        .order_by("-count", "company__sector")
    )
    labels = dict(Company._meta.get_field("sector").choices)
    return [(sector, labels.get(sector, sector), count) for sector, count in rows]


def dashboard_figures(network: TrainingNetwork) -> dict[str, list[tuple[str, str, int]]]:
    """by_size_class and by_sector for the dashboard (built inside its cached fragment)."""
    return {
        "by_size_class": members_by_size_class(network),
        "by_sector": members_by_sector(network),
    }


def companies_to_add(*, network: TrainingNetwork, query: str, limit: int = 20) -> list[Company]:
    """Companies found by name (two characters at least) that hold no open membership yet."""
    query = query.strip()
    if len(query) < 2:
        return []
    taken = NetworkMembership.objects.filter(network=network, status__in=OPEN_STATUSES).values(
        "company_id"
    )
    return list(
        Company.objects.filter(name__icontains=query)
        .exclude(pk__in=taken)
        .order_by("name", "pk")[:limit]
    )


def coordinator_users() -> QuerySet:
    """The office's coordinators, who may be named as a network's coordinators."""
    return (
        get_user_model()
        .objects.filter(groups__name=COORDINATORS_GROUP, is_active=True)
        .order_by("last_name", "first_name", "email")
    )
