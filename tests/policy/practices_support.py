"""Helpers for the good-practice tests: coordinators and practices as the pages create them."""

from django.contrib.auth.models import Group

from policy.models import GoodPractice
from regiolab.permissions import COORDINATORS_GROUP
from tests.factories import UserFactory
from tests.support.mfa import enable_totp


def make_coordinator(email: str, first_name: str = "Kora", last_name: str = "Koordination"):
    user = UserFactory(email=email, first_name=first_name, last_name=last_name)
    user.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    enable_totp(user)
    return user


def make_practice(n: int = 1, *, author=None, status="validated", **fields) -> GoodPractice:
    defaults = {
        "title": f"Offene Innovationsaufgabe {n}",
        "slug": f"praxis-{n}",
        "summary": f"Unternehmen stellen Aufgaben, Start-ups lösen sie ({n}).",
        "region": "Nordhessen",
        "country": "DE",
        "organisation": "Regionalmanagement Nordhessen",
        "status": status,
    }
    return GoodPractice.objects.create(author=author, **{**defaults, **fields})


def practice_post(**overrides) -> dict:
    """A valid POST of the practice form with an empty figure formset."""
    data = {
        "title": "Open Innovation Challenge",
        "title_en": "",
        "slug": "",
        "summary": "Regionale Unternehmen stellen Aufgaben; Start-ups lösen sie.",
        "summary_en": "Regional companies pose challenges; start-ups solve them.",
        "description": "Drei Runden pro Jahr.",
        "description_en": "",
        "region": "Lazio",
        "country": "IT",
        "organisation": "Lazio Innova",
        "theme": "Open Innovation",
        "period_start": "2019-01-01",
        "period_end": "",
        "resources": "Zwei Personen, Budget für Preise.",
        "resources_en": "",
        "evidence": "40 Aufgaben, 12 Pilotprojekte.",
        "evidence_en": "",
        "contact_name": "Giulia Rossi",
        "contact_email": "g.rossi@example.org",
        "figures-TOTAL_FORMS": "2",
        "figures-INITIAL_FORMS": "0",
        "figures-MIN_NUM_FORMS": "0",
        "figures-MAX_NUM_FORMS": "12",
    }
    for i in range(2):
        for name in ("kind", "grant", "call", "network", "topic", "since", "until"):
            data[f"figures-{i}-{name}"] = ""
    data.update(overrides)
    return data
