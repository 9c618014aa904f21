"""The last-owner rule holds when two owners step down at the same moment."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from companies import services
from companies.models import CompanyMember
from tests.factories import CompanyMemberFactory


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["demote", "remove"])
def test_two_owners_stepping_down_at_once_leave_one_owner(action):
    first = CompanyMemberFactory()
    second = CompanyMemberFactory(company=first.company)
    barrier = threading.Barrier(2)
    outcomes = []

    def step_down(membership):
        try:
            barrier.wait()
            if action == "demote":
                services.change_member_role(
                    membership=membership, role="member", changed_by=membership.user
                )
            else:
                services.remove_member(membership=membership, removed_by=membership.user)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=step_down, args=(m,)) for m in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert (
        CompanyMember.objects.filter(company=first.company, role="owner", status="active").count()
        == 1
    )
