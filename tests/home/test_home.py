"""Each signed-in role's home at ``/`` (regiolab/home/ and the apps' home.py sections)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from funding.models import Grant, ProgressReport
from funding.services import ShareInput, set_cofinancing_shares
from regiolab import mail
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    ConsultationFactory,
    FunderFactory,
    NetworkMembershipFactory,
    RegistrationFactory,
    TopicFactory,
    TrainingNetworkFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.support.mfa import enable_totp
from workshops.models import Invitation

pytestmark = pytest.mark.django_db

FILES = {"pdf_file": "reports/r.pdf", "xlsx_file": "reports/r.xlsx"}
HREF = re.compile(r'href="([^"#]+)"')


def _main(response) -> str:
    """The page's <main> (the header and footer are the same on every page)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def _links(html: str) -> list[str]:
    return sorted({href for href in HREF.findall(html) if href.startswith("/")})


def _assert_links_open(client, html: str) -> None:
    """Every link of the home answers 200 to the same user (where each line is done)."""
    links = _links(html)
    assert links
    for href in links:
        response = client.get(href)
        assert response.status_code == 200, (href, response.status_code)


def _in_days(days: int, hour: int = 9):
    return (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, microsecond=0)


# --- visitors ------------------------------------------------------------------------------------


def test_visitors_keep_the_start_page(client):
    html = client.get("/").content.decode()
    assert "<h1>Weiterbildung für die Unternehmen unserer Region</h1>" in html
    assert "Was heute und diese Woche ansteht" not in html


def test_the_logo_leads_home(client):
    user = UserFactory()
    client.force_login(user)
    html = client.get("/workshops/").content.decode()
    assert re.search(r'<a class="brand" href="/"', html)


def test_login_leads_to_the_home(client):
    UserFactory(email="anna@example.org")
    response = client.post(
        "/accounts/login/", {"login": "anna@example.org", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_coordinator_comes_home_after_the_second_factor(client, coordinator):
    from tests.support.mfa import code_for

    response = client.post(
        "/accounts/login/", {"login": coordinator.email, "password": "correct-horse-battery"}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": code_for(coordinator)})
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert "Was heute und diese Woche ansteht" in home.content.decode()
    # Personal: kept by no shared proxy and no browser cache.
    assert "no-store" in home["Cache-Control"] and "private" in home["Cache-Control"]


# --- coordinators -------------------------------------------------------------------------------


@pytest.fixture
def coordinator_world(coordinator):
    soon = WorkshopFactory(title="Robotik kompakt", capacity=4, starts_at=_in_days(3))
    for n in range(3):
        RegistrationFactory(workshop=soon, email=f"c{n}@example.org")
    for n in range(2):
        RegistrationFactory(workshop=soon, status="waitlisted", email=f"w{n}@example.org")
    soon.seats_taken = 3
    soon.save(update_fields=["seats_taken"])
    WorkshopFactory(title="Entwurf Lernfabrik", status="draft", starts_at=_in_days(10))
    WorkshopFactory(title="Abgesagt Schweißen", status="cancelled", starts_at=_in_days(5))
    WorkshopFactory(title="Später Drucken", starts_at=_in_days(20))
    WorkshopFactory(
        title="Vorbei Excel", status="done", starts_at=_in_days(-3), ends_at=_in_days(-3, 13)
    )

    today = timezone.localdate()
    ConsultationFactory(company=CompanyFactory(name="Fällig Metall"), follow_up_on=today)
    ConsultationFactory(
        company=CompanyFactory(name="Überfällig Holz"), follow_up_on=today - timedelta(days=2)
    )
    ConsultationFactory(
        company=CompanyFactory(name="Später Glas"), follow_up_on=today + timedelta(days=30)
    )
    ConsultationFactory(
        company=CompanyFactory(name="Erledigt Stein"), follow_up_on=today, follow_up_done=True
    )

    network = TrainingNetworkFactory(name="Verbund Wartend", slug="verbund-wartend")
    NetworkMembershipFactory(
        network=network, company=CompanyFactory(name="Anfrage GmbH"), status="requested"
    )
    NetworkMembershipFactory(network=TrainingNetworkFactory(name="Verbund Ruhig"))

    grant = Grant.objects.create(
        reference="FKZ-HOME-1", title="Heimprojekt", start_date=today.replace(month=1, day=1),
        end_date=today.replace(month=12, day=31), total_eligible_costs=1000,
    )  # fmt: skip
    period = {"period_start": grant.start_date, "period_end": grant.end_date}
    ProgressReport.objects.create(grant=grant, kind="final", status="failed", **period)
    other = Grant.objects.create(
        reference="FKZ-HOME-2", title="Fertig", start_date=grant.start_date,
        end_date=grant.end_date, total_eligible_costs=1000,
    )  # fmt: skip
    ProgressReport.objects.create(grant=other, kind="final", status="ready", **period, **FILES)

    failed = mail.queue_rendered_email(to="x@example.org", subject="Betreff", text="Text")
    type(failed).objects.filter(pk=failed.pk).update(status="failed")
    Invitation.objects.create(workshop=soon, email="y@example.org", status="failed")
    Invitation.objects.create(workshop=soon, email="z@example.org", status="failed")
    return soon


def test_coordinator_sees_what_needs_them(coordinator_client, coordinator_world):
    html = _main(coordinator_client.get("/"))
    assert "<h1>Was heute und diese Woche ansteht</h1>" in html
    # Workshops of the next 14 days with seats and waitlist; not cancelled, later or past ones.
    assert "Robotik kompakt" in html
    assert "3 von 4 Plätzen belegt" in html
    assert "2 auf der Warteliste" in html
    assert f'href="/workshops/{coordinator_world.slug}/participants/"' in html
    assert "Entwurf Lernfabrik" in html
    for absent in ("Abgesagt Schweißen", "Später Drucken", "Vorbei Excel"):
        assert absent not in html
    # Follow-ups due this week, overdue included; not later or done ones.
    assert "Fällig Metall" in html and "Überfällig Holz" in html
    assert "Später Glas" not in html and "Erledigt Stein" not in html
    assert "davon 1 überfällig" in html
    # Open join requests, linked to the network's dashboard.
    assert 'href="/networks/verbund-wartend/dashboard/"' in html
    assert "Verbund Ruhig" not in html
    # A failed report, not a ready one.
    assert "FKZ-HOME-1" in html and "FKZ-HOME-2" not in html
    # Failed invitations and e-mails, linked to where they are sent again.
    assert "2 Einladungen konnten nicht zugestellt werden" in html
    assert "1 E-Mail konnte nicht zugestellt werden" in html
    assert 'href="/mail/failed/"' in html
    # Data-protection requests: where they are answered.
    assert 'href="/accounts/privacy/requests/"' in html
    assert 'href="/data-protection/anonymise/"' in html
    _assert_links_open(coordinator_client, html)


def test_a_failed_report_requested_again_is_settled(coordinator_client, coordinator_world):
    failed = ProgressReport.objects.get(status="failed")
    ProgressReport.objects.create(
        grant=failed.grant, kind=failed.kind, status="ready", **FILES,
        period_start=failed.period_start, period_end=failed.period_end,
    )  # fmt: skip
    assert "FKZ-HOME-1" not in _main(coordinator_client.get("/"))


def test_coordinator_empty_states(coordinator_client):
    html = _main(coordinator_client.get("/"))
    for message in (
        "Keine Workshops in den nächsten 14 Tagen.",
        "Diese Woche ist keine Wiedervorlage fällig.",
        "Kein Unternehmen wartet auf die Aufnahme in einen Verbund.",
        "Kein Bericht wird erstellt, und keiner ist fehlgeschlagen.",
        "Alle Einladungen und E-Mails wurden zugestellt oder werden noch gesendet.",
    ):
        assert message in html, message
    _assert_links_open(coordinator_client, html)


def test_coordinator_home_in_english(coordinator_client, coordinator_world):
    response = coordinator_client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    session = coordinator_client.session
    session["_language"] = "en"
    session.save()
    html = _main(coordinator_client.get("/"))
    assert response.status_code == 200
    assert "<h1>What needs you today and this week</h1>" in html
    assert "3 of 4 seats taken" in html
    assert "2 on the waitlist" in html
    assert "2 invitations could not be delivered" in html


# --- company representatives --------------------------------------------------------------------


@pytest.fixture
def rep_world():
    robotics = TopicFactory(slug="robotik", name_de="Robotik", name_en="Robotics")
    company = CompanyFactory(name="Alpha Antriebe")
    company.training_needs.add(robotics)
    owner = CompanyMemberFactory(company=company, user=UserFactory(email="chefin@alpha.example"))
    other = CompanyFactory(name="Beta Bäckerei")

    mine = WorkshopFactory(title="Mein Workshop", starts_at=_in_days(5))
    RegistrationFactory(
        workshop=mine, email="chefin@alpha.example", first_name="Chefin", company=company
    )
    colleague = WorkshopFactory(title="Kollegen-Workshop", starts_at=_in_days(8))
    RegistrationFactory(
        workshop=colleague, first_name="Kollege", last_name="Alpha", company=company,
        registered_by=owner.user,
    )  # fmt: skip
    foreign = WorkshopFactory(title="Fremder Workshop", starts_at=_in_days(6))
    RegistrationFactory(workshop=foreign, first_name="Bernd", last_name="Beta", company=other)
    past = WorkshopFactory(
        title="Vergangener Workshop",
        status="done",
        starts_at=_in_days(-10),
        ends_at=_in_days(-10, 13),
    )
    RegistrationFactory(workshop=past, email="chefin@alpha.example", company=company)

    matching = WorkshopFactory(title="Cobots für Einsteiger", starts_at=_in_days(30))
    matching.topics.add(robotics)
    mine.topics.add(robotics)  # registered already: not recommended
    WorkshopFactory(title="Buchhaltung digital", starts_at=_in_days(31))
    closed = WorkshopFactory(
        title="Robotik ausgebucht", starts_at=_in_days(32), registration_deadline=_in_days(-1)
    )
    closed.topics.add(robotics)
    return owner


def test_representative_sees_company_registrations_and_recommendations(client, rep_world):
    client.force_login(rep_world.user)
    html = _main(client.get("/"))
    assert "<h1>Ihre Übersicht</h1>" in html
    assert "Alpha Antriebe" in html
    assert f'href="/companies/{rep_world.company.pk}/"' in html
    # Own and the company's registrations, nothing of another company, nothing past.
    registrations = html[html.index("Ihre Anmeldungen") : html.index("Empfohlene Workshops")]
    assert registrations.count("Mein Workshop") == 1  # own, not listed again as the company's
    assert "Kollegen-Workshop" in html and "Kollege Alpha" in html
    assert "Fremder Workshop" not in html and "Beta" not in html
    assert "Vergangener Workshop" not in html
    assert 'href="/registrations/mine/"' in html
    # Recommended: open, matching the training needs, not already registered.
    recommended = html[html.index("Empfohlene Workshops") :]
    assert "Cobots für Einsteiger" in recommended
    assert "Buchhaltung digital" not in recommended
    assert "Robotik ausgebucht" not in recommended
    assert "Mein Workshop" not in recommended
    _assert_links_open(client, html)


def test_representative_without_training_needs_gets_the_next_workshops(client, rep_world):
    rep_world.company.training_needs.clear()
    client.force_login(rep_world.user)
    html = _main(client.get("/"))
    recommended = html[html.index("Empfohlene Workshops") :]
    assert "Buchhaltung digital" in recommended and "Cobots für Einsteiger" in recommended
    assert f'href="/companies/{rep_world.company.pk}/edit/"' in recommended


def test_person_without_company_is_asked_to_register_one(client):
    WorkshopFactory(title="Offener Workshop", starts_at=_in_days(9))
    user = UserFactory()
    client.force_login(user)
    html = _main(client.get("/"))
    assert "Sie handeln noch für kein Unternehmen." in html
    assert 'href="/companies/mine/"' in html
    assert "Sie sind für keinen kommenden Workshop angemeldet." in html
    assert "Offener Workshop" in html
    assert "Anmeldungen von" not in html
    _assert_links_open(client, html)


def test_pending_join_request_is_shown(client):
    user = UserFactory()
    CompanyMemberFactory(
        user=user, company=CompanyFactory(name="Gamma Guss"), status="requested", role="member"
    )
    client.force_login(user)
    html = _main(client.get("/"))
    assert "Gamma Guss" in html
    assert 'href="/companies/mine/"' in html


def test_representative_home_in_english(client, rep_world):
    client.force_login(rep_world.user)
    session = client.session
    session["_language"] = "en"
    session.save()
    html = _main(client.get("/"))
    assert "<h1>Your overview</h1>" in html
    assert "Recommended workshops" in html
    assert "Your registrations" in html


# --- funders ------------------------------------------------------------------------------------


@pytest.fixture
def funder_user():
    today = timezone.localdate()
    ministry, region, other = (FunderFactory(name=n) for n in ("Ministerium", "Region", "Andere"))
    user = UserFactory(email="referat@ministerium.example")
    ministry.users.add(user)
    enable_totp(user)
    for reference, shares in (
        ("FKZ-OWN-1", [(ministry, 70), (region, 30)]),
        ("FKZ-OTHER-9", [(other, 100)]),
    ):
        grant = Grant.objects.create(
            reference=reference, title=f"Projekt {reference}",
            start_date=today.replace(month=1, day=1), end_date=today.replace(month=12, day=31),
            total_eligible_costs=1000,
        )  # fmt: skip
        set_cofinancing_shares(grant=grant, shares=[ShareInput(f, p) for f, p in shares])
    return user


def test_funder_sees_their_grants_only(client, funder_user):
    client.force_login(funder_user)
    html = _main(client.get("/"))
    grant = Grant.objects.get(reference="FKZ-OWN-1")
    assert f'href="/funding/grants/{grant.pk}/"' in html
    assert "FKZ-OTHER-9" not in html
    assert "Ihre Übersicht" in html
    _assert_links_open(client, html)


def test_funder_without_grants_sees_the_empty_state(client):
    user = UserFactory()
    FunderFactory().users.add(user)
    enable_totp(user)
    client.force_login(user)
    html = _main(client.get("/"))
    assert "Noch kein von Ihrem Fördergeber mitfinanziertes Projekt ist im Portal." in html


def test_home_sections_are_the_roles_own(client, coordinator, funder_user):
    """No coordinator section reaches a representative or a funder, and the reverse."""
    rep = CompanyMemberFactory().user
    pages = {}
    for name, user in (("coordinator", coordinator), ("rep", rep), ("funder", funder_user)):
        other = Client()
        other.force_login(user)
        pages[name] = _main(other.get("/"))
    assert "Wiedervorlagen" in pages["coordinator"]
    assert "Wiedervorlagen" not in pages["rep"] and "Wiedervorlagen" not in pages["funder"]
    assert "Ihr Unternehmen" in pages["rep"] and "Ihr Unternehmen" not in pages["funder"]
    assert "Ihre Förderprojekte" in pages["funder"]
    assert "Ihre Förderprojekte" not in pages["coordinator"]


def test_long_lists_are_cut_and_say_how_many_more(coordinator_client):
    from workshops.home import UPCOMING_LIMIT

    for day in range(UPCOMING_LIMIT + 2):
        WorkshopFactory(title=f"Serie {day:02d}", starts_at=_in_days(1 + day % 13))
    html = _main(coordinator_client.get("/"))
    assert html.count("Serie ") == UPCOMING_LIMIT
    assert "und 2 weitere Workshops" in html
    assert 'href="/workshops/manage/"' in html


def test_a_section_for_an_unknown_role_is_refused():
    from regiolab.home.sections import HomeSection, register

    with pytest.raises(ValueError, match="visitor"):
        register(
            HomeSection(
                key="nonsense", roles=frozenset({"visitor"}), order=1, template="x.html",
                context=lambda **_: {},
            )
        )  # fmt: skip
