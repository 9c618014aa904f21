"""Two people of one company propose for one challenge at the same moment (real threads on
PostgreSQL): one proposal is written, the other request gets the clear refusal."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from challenges.models import Proposal
from challenges.proposals import services
from tests.challenges.support import make_call, make_challenge, owner_of
from tests.factories import CompanyMemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_simultaneous_first_proposals_of_one_company():
    call = make_call()
    challenge = make_challenge(call)
    first, company = owner_of()
    second = CompanyMemberFactory(company=company, role="member").user
    barrier = threading.Barrier(2)
    results: list = []

    def propose(user, text):
        try:
            barrier.wait(timeout=10)
            proposal = services.save_proposal(
                challenge=challenge,
                company=company,
                user=user,
                fields={"approach": text},
                submit=True,
            )
            results.append(("ok", proposal.pk))
        except ValidationError as exc:
            results.append(("refused", " ".join(exc.messages)))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=propose, args=(first, "Ansatz A")),
        threading.Thread(target=propose, args=(second, "Ansatz B")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    outcomes = sorted(kind for kind, _detail in results)
    assert outcomes == ["ok", "refused"], results
    refusal = next(detail for kind, detail in results if kind == "refused")
    assert "bereits" in refusal or "already" in refusal
    assert Proposal.objects.filter(challenge=challenge, company=company).count() == 1
