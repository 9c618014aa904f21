"""The permission matrix's extra roles for stakeholder groups: a person of a member
organisation of group SG (member_here) and a member of another group only (member_elsewhere),
over every URL of the policy_groups matrix part (tests/matrix_parts/policy_groups.py)."""

import pytest
from django.contrib.auth import get_user_model

from tests import matrix_world
from tests.factories import CompanyFactory, TrainingNetworkFactory, UserFactory, WorkshopFactory
from tests.matrix_parts import Base, policy_groups
from tests.policy.plans_support import _private_files_in_tmp, make_grant  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def ids(coordinator):
    base = Base(
        coordinator=coordinator, rep_a=UserFactory(), rep_b=UserFactory(),
        funder_user=UserFactory(), company_a=CompanyFactory(), company_b=CompanyFactory(),
        company_c=CompanyFactory(), network=TrainingNetworkFactory(), workshop=WorkshopFactory(),
        finished=WorkshopFactory(), grant=make_grant(), other_grant=make_grant("FKZ 2"), ids={},
    )  # fmt: skip
    watched = set(matrix_world._WATCHED_APPS)
    world = policy_groups.world(base)
    matrix_world._WATCHED_APPS.clear()
    matrix_world._WATCHED_APPS.update(watched)
    return {**world, "missing": 999999}


@pytest.mark.parametrize("role", ["member_here", "member_elsewhere"])
def test_members_see_their_own_group_only(client, ids, role):
    user = get_user_model().objects.get(pk=ids[f"SG_{role}"])
    client.force_login(user)
    column = 2 if role == "member_here" else 3
    wrong = []
    for entry in policy_groups.MEMBER_ROWS:
        method, path, expected = entry[0], entry[1].format(**ids), entry[column]
        payload = {}
        response = client.post(path, payload) if method == "POST" else client.get(path)
        if response.status_code != expected:
            wrong.append((method, path, expected, response.status_code))
        if response.status_code == 200 and method == "GET":
            html = response.content.decode()
            foreign = "Andere Matrix-Gruppe" if role == "member_here" else ">Matrix-Gruppe<"
            assert foreign not in html, path
    assert wrong == []
    assert len(policy_groups.MEMBER_ROWS) >= len(policy_groups.ROWS)
