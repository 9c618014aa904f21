"""Learning workshops belong to the programme's group: published, they stay out of the public
workshop list, the calendar feed and members' recommendations, while the programme's people
still reach them (their space registers them with one click; the page opens by its link)."""

import pytest
from django.urls import reverse

from learning.services import start_programme
from tests.factories import CompanyMemberFactory, WorkshopFactory
from tests.learning.support import build_programme

pytestmark = pytest.mark.django_db


def test_published_learning_workshops_are_not_listed(client, coordinator):
    world = build_programme(coordinator, title="Geschlossene Runde")
    start_programme(programme=world.programme, by=coordinator)
    learning = world.cycles[0].workshop
    learning.refresh_from_db()
    assert learning.status == "published" and learning.listed is False
    public = WorkshopFactory(title="Offener Robotik-Workshop")

    listing = client.get(reverse("workshops:list")).content.decode()
    feed = client.get("/workshops/calendar.ics").content.decode()
    assert public.title in listing and public.title in feed
    assert "Geschlossene Runde" not in listing
    assert "Geschlossene Runde" not in feed

    member = CompanyMemberFactory().user
    client.force_login(member)
    home = client.get("/").content.decode()
    assert "Geschlossene Runde" not in home
    # Reached by its link (the invitation's), as any workshop is.
    assert client.get(learning.get_absolute_url()).status_code == 200
