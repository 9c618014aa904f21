"""The two roles the shared permission matrix does not have: a reviewer of the call and a
reviewer of another call, on every row of the review's matrix part
(tests/matrix_parts/challenges_review.py), with its world. A refused POST changes nothing; the
reviewer's score POST must change something."""

import pytest
from django.contrib.auth import get_user_model

from tests import matrix_parts
from tests.factories import CompanyFactory, CompanyMemberFactory, UserFactory
from tests.matrix_parts import challenges_review as part
from tests.matrix_world import changed_tables, data_snapshot

pytestmark = pytest.mark.django_db


class _World:
    def __init__(self, ids):
        self.ids = ids


@pytest.fixture
def world(coordinator):
    company_a, company_b = CompanyFactory(name="Alpha GmbH"), CompanyFactory(name="Beta KG")
    base = matrix_parts.Base(
        coordinator=coordinator,
        rep_a=CompanyMemberFactory(company=company_a).user,
        rep_b=CompanyMemberFactory(company=company_b).user,
        funder_user=UserFactory(),
        company_a=company_a,
        company_b=company_b,
        company_c=CompanyFactory(name="Gamma GmbH"),
        network=None,
        workshop=None,
        finished=None,
        grant=None,
        other_grant=None,
        ids={"missing": 987654},
    )
    return _World({"missing": 987654, **part.world(base)})


CASES = [
    pytest.param(r, role, index, id=f"{r.id} [{role}]")
    for r in part.ROWS
    for index, role in enumerate(("reviewer", "other_reviewer"))
]


def test_every_row_names_the_reviewer_roles():
    assert {r.id for r in part.ROWS} == set(part.REVIEWER_EXPECT)


@pytest.mark.parametrize(("r", "role", "index"), CASES)
def test_reviewer_roles(client, world, r, role, index):
    user = get_user_model().objects.get(pk=world.ids[f"CR_{role}"])
    client.force_login(user)
    path = r.path.format(**world.ids)
    data = part.PAYLOADS[r.payload](world) if r.payload else {}
    before = data_snapshot() if r.method == "POST" else None
    response = client.get(path) if r.method == "GET" else client.post(path, data)
    expected = part.REVIEWER_EXPECT[r.id][index]
    assert response.status_code == expected
    if response.status_code == 200 and r.method == "GET":
        # Anonymised review: the proposing companies' names are not shown to reviewers.
        assert b"Alpha GmbH" not in response.content
        assert b"Beta KG" not in response.content
    if before is not None:
        changed = changed_tables(before, data_snapshot())
        if role == "reviewer" and r.id in part.REVIEWER_WRITES:
            assert changed, "the reviewer's allowed write changed nothing"
        else:
            assert not changed, f"a refused POST changed {changed}"
