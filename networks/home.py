"""The networks' section of the coordinators' home (regiolab/home/): open join requests."""

from django.db.models import Count, Min, Q

from regiolab.home import sections
from regiolab.home.sections import COORDINATOR, HomeSection

from .models import NetworkMembership, TrainingNetwork

NETWORKS_LIMIT = 8
REQUESTED = NetworkMembership.Status.REQUESTED


def open_join_requests(*, user, now) -> dict:
    """Networks with open requests to join, the longest waiting first, with how many each:
    two queries."""
    waiting = Q(memberships__status=REQUESTED)
    networks = TrainingNetwork.objects.filter(waiting).annotate(
        requests=Count("memberships", filter=waiting),
        oldest=Min("memberships__requested_at", filter=waiting),
    )
    rows = list(networks.only("name", "slug").order_by("oldest", "name", "pk")[:NETWORKS_LIMIT])
    counts = NetworkMembership.objects.filter(status=REQUESTED).aggregate(
        total=Count("pk"), networks=Count("network", distinct=True)
    )
    return {"networks": rows, "total": counts["total"], "more": counts["networks"] - len(rows)}


def register() -> None:
    sections.register(
        HomeSection(
            key="join_requests",
            roles=frozenset({COORDINATOR}),
            order=30,
            template="home/join_requests.html",
            context=open_join_requests,
        )
    )
