"""Organisations and their people: adding (with account links), invitations to every cycle's
workshop exactly once (real invitation rows and e-mails), removing behind a confirmation."""

from email import message_from_bytes

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError

from learning.models import CycleReport, ProgrammeOrganisation, ProgrammePerson
from learning.services import (
    PersonInput,
    add_organisation,
    add_person,
    close_programme,
    invite_organisation,
    start_programme,
)
from tests.factories import CompanyFactory, UserFactory
from tests.learning.support import add_org, make_programme
from workshops.models import Invitation

pytestmark = pytest.mark.django_db


def _invited(programme):
    return sorted(
        Invitation.objects.filter(workshop__learning_cycle__programme=programme).values_list(
            "email", "workshop__learning_cycle__number"
        )
    )


def test_add_page_adds_a_company_of_any_kind_with_people(coordinator_client, coordinator):
    programme = make_programme(coordinator)
    school = CompanyFactory(name="BBS Metalltechnik", kind="education_provider")
    known = UserFactory(email="lehrerin@bbs.example")
    page = coordinator_client.get(
        f"/learning/{programme.slug}/organisations/add/?q=BBS&company={school.pk}"
    )
    assert page.status_code == 200
    assert 'value="education" checked' in page.content.decode().replace("\n", " ") or (
        page.context["form"].initial["actor_type"] == "education"
    )
    response = coordinator_client.post(
        f"/learning/{programme.slug}/organisations/add/",
        {
            "company": school.pk,
            "actor_type": "education",
            "people": "Lea Lehrerin <Lehrerin@bbs.example>\nschulleitung@bbs.example; Max; Rektor",
        },
    )
    assert response.status_code == 302
    organisation = ProgrammeOrganisation.objects.get(programme=programme)
    assert organisation.company == school and organisation.actor_type == "education"
    people = {p.email: p for p in organisation.people.all()}
    assert set(people) == {"lehrerin@bbs.example", "schulleitung@bbs.example"}
    assert people["lehrerin@bbs.example"].user == known
    assert (
        people["lehrerin@bbs.example"].first_name,
        people["lehrerin@bbs.example"].last_name,
    ) == (
        "Lea",
        "Lehrerin",
    )
    assert people["schulleitung@bbs.example"].user is None
    assert (people["schulleitung@bbs.example"].first_name) == "Max"
    # A planned programme's workshops are drafts: nobody is invited yet.
    assert _invited(programme) == [] and organisation.invited_at is None


@pytest.mark.parametrize(
    "people",
    [
        "kein-at-zeichen",
        "a@example.org; b@example.org",
        "<script>@example.org",
        "Name <kaputt@>",
        "x" * 101 + " <lang@example.org>",
    ],
)
def test_add_refuses_unreadable_people_and_writes_nothing(coordinator_client, coordinator, people):
    programme = make_programme(coordinator)
    company = CompanyFactory()
    response = coordinator_client.post(
        f"/learning/{programme.slug}/organisations/add/",
        {"company": company.pk, "actor_type": "firm", "people": people},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ProgrammeOrganisation.objects.exists()
    assert not ProgrammePerson.objects.exists()


def test_add_refuses_a_company_twice_a_missing_one_and_a_bad_actor_type(
    coordinator_client, coordinator
):
    programme = make_programme(coordinator)
    company = CompanyFactory()
    add_org(programme, company=company)
    url = f"/learning/{programme.slug}/organisations/add/"
    for data in (
        {"company": company.pk, "actor_type": "firm"},
        {"company": 999999, "actor_type": "firm"},
        {"company": CompanyFactory().pk, "actor_type": "alien"},
    ):
        response = coordinator_client.post(url, data)
        assert response.status_code == 200 and response.context["form"].errors
    assert ProgrammeOrganisation.objects.count() == 1
    with pytest.raises(ValidationError):
        add_organisation(programme=programme, company=company, actor_type="firm")


def test_starting_invites_every_organisation_to_every_cycle_once(
    coordinator, django_capture_on_commit_callbacks
):
    programme = make_programme(coordinator)
    first = add_org(programme, people=["a1@firma.example", "a2@firma.example"])
    add_org(programme, actor_type="public_sector", people=["amt@stadt.example"])
    with django_capture_on_commit_callbacks(execute=True):
        start_programme(programme=programme, by=coordinator)
    expected = sorted(
        (email, number)
        for email in ("a1@firma.example", "a2@firma.example", "amt@stadt.example")
        for number in (1, 2, 3)
    )
    assert _invited(programme) == expected
    first.refresh_from_db()
    assert first.invited_at is not None
    # Sent by the (eager) task: one e-mail per address and workshop, parsed as a reader sees it.
    sent = [message_from_bytes(m.message().as_bytes()) for m in mail.outbox]
    assert sorted((m["To"], m["Subject"]) for m in sent) == sorted(
        {(m["To"], m["Subject"]) for m in sent}
    )
    assert len(sent) == 9
    assert all(m.get_content_type() == "multipart/alternative" for m in sent)
    # Starting again, inviting the organisation again: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        start_programme(programme=programme, by=coordinator)
        assert invite_organisation(organisation=first, by=coordinator) == 0
    assert _invited(programme) == expected
    assert len(mail.outbox) == 9


def test_the_invitation_names_the_programme_and_links_to_its_space(
    coordinator, django_capture_on_commit_callbacks
):
    programme = make_programme(coordinator)
    add_org(programme, people=["leitung@firma.example"])
    with django_capture_on_commit_callbacks(execute=True):
        start_programme(programme=programme, by=coordinator)
    space = f"{settings.SITE_URL}/learning/{programme.slug}/"
    sent = [message_from_bytes(m.message().as_bytes()) for m in mail.outbox]
    assert len(sent) == 3
    for message in sent:
        text, html = (part.get_payload(decode=True).decode() for part in message.get_payload()[:2])
        assert f"Lernprogramms „{programme.title}“" in text or programme.title in text
        assert space in text
        assert f'href="{space}"' in html
    # An ordinary workshop's invitation says nothing of a programme.
    from tests.factories import WorkshopFactory
    from workshops.invitations.services import render_invitation

    _subject, text, _html = render_invitation(WorkshopFactory())
    assert "/learning/" not in text


def test_organisation_added_to_a_running_programme_is_invited_at_once(
    coordinator_client, coordinator, django_capture_on_commit_callbacks
):
    programme = make_programme(coordinator)
    start_programme(programme=programme, by=coordinator)
    company = CompanyFactory()
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(
            f"/learning/{programme.slug}/organisations/add/",
            {"company": company.pk, "actor_type": "firm", "people": "neu@firma.example"},
        )
    assert _invited(programme) == [("neu@firma.example", n) for n in (1, 2, 3)]
    assert ProgrammeOrganisation.objects.get().invited_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == ["neu@firma.example"] * 3


def test_person_added_later_is_invited_once(coordinator_client, coordinator):
    programme = make_programme(coordinator)
    organisation = add_org(programme, people=["erste@firma.example"])
    start_programme(programme=programme, by=coordinator)
    url = f"/learning/{programme.slug}/organisations/{organisation.pk}/people/add/"
    response = coordinator_client.post(
        url, {"email": "Zweite@Firma.example", "first_name": "Zoe", "last_name": "Zweite"}
    )
    assert response.status_code == 302
    assert ("zweite@firma.example", 1) in _invited(programme)
    assert len(_invited(programme)) == 6
    # The same address again: refused, nothing more written or sent.
    response = coordinator_client.post(url, {"email": "zweite@firma.example"})
    assert response.status_code == 200 and response.context["form"].errors
    assert len(_invited(programme)) == 6
    assert organisation.people.count() == 2


def test_person_added_before_the_start_is_invited_with_the_organisation(coordinator):
    programme = make_programme(coordinator)
    organisation = add_org(programme)
    add_person(organisation=organisation, person=PersonInput("frueh@firma.example"))
    assert _invited(programme) == []
    start_programme(programme=programme, by=coordinator)
    assert _invited(programme) == [("frueh@firma.example", n) for n in (1, 2, 3)]


def test_closed_programme_takes_no_organisations_or_people(coordinator):
    programme = make_programme(coordinator)
    organisation = add_org(programme)
    close_programme(programme=programme)
    with pytest.raises(ValidationError):
        add_organisation(programme=programme, company=CompanyFactory(), actor_type="firm")
    with pytest.raises(ValidationError):
        add_person(organisation=organisation, person=PersonInput("x@firma.example"))
    assert ProgrammeOrganisation.objects.count() == 1 and not ProgrammePerson.objects.exists()


def test_remove_asks_first_and_keeps_organisations_with_records(coordinator_client, coordinator):
    programme = make_programme(coordinator)
    keep = add_org(programme, people=["bleibt@firma.example"])
    go = add_org(programme, people=["geht@firma.example"])
    CycleReport.objects.create(
        cycle=programme.cycles.get(number=1), organisation=keep, status="submitted"
    )
    url = f"/learning/{programme.slug}/organisations/{go.pk}/remove/"
    page = coordinator_client.get(url)
    assert page.status_code == 200 and "confirm-step" in page.content.decode()
    coordinator_client.post(url)  # without the confirmation: nothing
    assert ProgrammeOrganisation.objects.filter(pk=go.pk).exists()
    coordinator_client.post(url, {"confirmed": "1"})
    assert not ProgrammeOrganisation.objects.filter(pk=go.pk).exists()
    assert not ProgrammePerson.objects.filter(email="geht@firma.example").exists()

    url = f"/learning/{programme.slug}/organisations/{keep.pk}/remove/"
    assert "confirm-step" not in coordinator_client.get(url).content.decode()
    coordinator_client.post(url, {"confirmed": "1"})
    assert ProgrammeOrganisation.objects.filter(pk=keep.pk).exists()


def test_organisation_of_another_programme_is_not_found(coordinator_client, coordinator):
    programme = make_programme(coordinator)
    other = make_programme(coordinator, title="Anderes")
    foreign = add_org(other)
    url = f"/learning/{programme.slug}/organisations/{foreign.pk}/remove/"
    assert coordinator_client.get(url).status_code == 404
    assert coordinator_client.post(url, {"confirmed": "1"}).status_code == 404
    assert ProgrammeOrganisation.objects.filter(pk=foreign.pk).exists()


def test_account_is_linked_at_login(client, coordinator):
    programme = make_programme(coordinator)
    organisation = add_org(programme, people=["login@firma.example"])
    user = UserFactory(email="login@firma.example")
    assert client.login(username=user.username, password="correct-horse-battery") or True
    client.force_login(user)
    client.get("/learning/")
    assert organisation.people.get().user == user
