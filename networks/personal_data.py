"""A person's network data in the export (regiolab.privacy.personal_data): the membership requests they
made for their company and the networks they coordinate. Registered from NetworksConfig.ready()."""

from .models import NetworkMembership, TrainingNetwork


def register() -> None:
    from regiolab.privacy import personal_data

    personal_data.register("networks", collect)


def collect(*, emails, user) -> dict:
    data = {"membership_requests": [], "networks_coordinated": []}
    if user is None:
        return data
    requests = (
        NetworkMembership.objects.filter(requested_by=user)
        .select_related("network", "company")
        .order_by("requested_at", "pk")
    )
    data["membership_requests"] = [
        {
            "network": m.network.name,
            "company": m.company.name,
            "role": m.role,
            "status": m.status,
            "requested_at": m.requested_at,
            "joined_on": m.joined_on,
            "left_on": m.left_on,
        }
        for m in requests
    ]
    data["networks_coordinated"] = list(
        TrainingNetwork.objects.filter(coordinators=user)
        .order_by("name")
        .values_list("name", flat=True)
    )
    return data
