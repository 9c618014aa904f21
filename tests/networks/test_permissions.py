"""Every network URL × role: anonymous, company representative, coordinator, funder."""

import pytest
from django.urls import reverse

from networks.models import NetworkMembership
from networks.rules import can_request_membership, is_funder, needs_company
from regiolab.permissions import is_coordinator
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    FunderFactory,
    NetworkMembershipFactory,
    TrainingNetworkFactory,
    UserFactory,
)
from tests.support.mfa import enable_totp

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "rep", "coordinator", "funder"]
LOGIN = "login"


@pytest.fixture
def users(coordinator):
    funder = UserFactory(email="referat@ministerium.example")
    FunderFactory().users.add(funder)
    enable_totp(funder)
    return {
        "anonymous": None,
        "rep": CompanyMemberFactory().user,
        "coordinator": coordinator,
        "funder": funder,
    }


@pytest.fixture
def world(db):
    network = TrainingNetworkFactory(slug="offen")
    planned = TrainingNetworkFactory(slug="geplant", status="planned")
    requested = NetworkMembershipFactory(network=network, status="requested")
    member = NetworkMembershipFactory(network=network)
    return {
        "network": network,
        "planned": planned,
        "requested": requested,
        "member": member,
        "company": CompanyFactory(),
    }


def request_for(name, world):
    """(method, url, data) of each network page."""
    slug = world["network"].slug
    requested, member = world["requested"].pk, world["member"].pk
    return {
        "list": ("get", reverse("networks:list"), None),
        "detail": ("get", reverse("networks:detail", args=[slug]), None),
        "detail_planned": ("get", reverse("networks:detail", args=["geplant"]), None),
        "join": ("post", reverse("networks:join", args=[slug]), {}),
        "create": ("get", reverse("networks:create"), None),
        "edit": ("get", reverse("networks:edit", args=[slug]), None),
        "edit_planned": ("get", reverse("networks:edit", args=["geplant"]), None),
        "dashboard": ("get", reverse("networks:dashboard", args=[slug]), None),
        "decide": (
            "post",
            reverse("networks:decide", args=[slug, requested]),
            {"decision": "accept"},
        ),
        "add_member": (
            "post",
            reverse("networks:add_member", args=[slug]),
            {"company": world["company"].pk, "role": "member"},
        ),
        "change_role": (
            "post",
            reverse("networks:change_role", args=[slug, member]),
            {f"role-{member}": "anchor"},
        ),
        "remove_member": ("post", reverse("networks:remove_member", args=[slug, member]), {}),
        "remove_member_confirm": (
            "get",
            reverse("networks:remove_member", args=[slug, member]),
            None,
        ),
    }[name]


# Expected answer per page: anonymous, company rep, coordinator, funder.
MATRIX = {
    "list": (200, 200, 200, 200),
    "detail": (200, 200, 200, 200),
    "detail_planned": (404, 404, 200, 404),
    "join": (LOGIN, 302, 403, 403),
    "create": (LOGIN, 403, 200, 403),
    "edit": (LOGIN, 403, 200, 403),
    "edit_planned": (LOGIN, 403, 200, 403),
    "dashboard": (LOGIN, 403, 200, 403),
    "decide": (LOGIN, 403, 302, 403),
    "add_member": (LOGIN, 403, 302, 403),
    "change_role": (LOGIN, 403, 302, 403),
    "remove_member": (LOGIN, 403, 302, 403),
    "remove_member_confirm": (LOGIN, 403, 200, 403),
}


@pytest.mark.parametrize("page", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, users, world, page, role):
    expected = MATRIX[page][ROLES.index(role)]
    if users[role] is not None:
        client.force_login(users[role])
    method, path, data = request_for(page, world)
    before = sorted(NetworkMembership.objects.values_list("pk", "status", "role"))
    response = getattr(client, method)(path, data) if data is not None else client.get(path)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == expected
    after = sorted(NetworkMembership.objects.values_list("pk", "status", "role"))
    if method == "post" and expected != 302:
        assert after == before, "a refused write changed memberships"
    if method == "post" and expected == 302:
        assert after != before, "an allowed write changed nothing"


def test_predicates(users):
    rep, coordinator, funder = users["rep"], users["coordinator"], users["funder"]
    newcomer = UserFactory()
    assert can_request_membership(rep) and not can_request_membership(funder)
    assert not can_request_membership(newcomer)
    assert is_funder(funder) and not is_funder(rep)
    assert is_coordinator(coordinator) and not is_coordinator(rep)
    assert needs_company(newcomer)
    assert not any(needs_company(user) for user in (rep, coordinator, funder))


def test_perms_with_network(users, world):
    rep, coordinator = users["rep"], users["coordinator"]
    assert rep.has_perm("networks.request_membership", world["network"])
    assert not rep.has_perm("networks.request_membership", world["planned"])
    assert not coordinator.has_perm("networks.request_membership", world["network"])
    assert coordinator.has_perm("networks.view_network", world["planned"])
    assert not rep.has_perm("networks.view_network", world["planned"])
    for perm in ("manage_network", "add_network", "view_dashboard"):
        assert coordinator.has_perm(f"networks.{perm}")
        assert not rep.has_perm(f"networks.{perm}")
        assert not users["funder"].has_perm(f"networks.{perm}")
