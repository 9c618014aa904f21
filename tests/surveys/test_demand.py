"""The training-needs demand board and planning a workshop from a cell of it."""

from email import message_from_bytes

import pytest
from django.core import mail

from companies.models import CompanyMember
from surveys.models import DemandPlan
from surveys.results import demand
from tests.factories import CompanyFactory, TopicFactory, UserFactory
from tests.support.html_tree import parse
from workshops.models import Invitation, Workshop

from .support_s4 import add_question, make_survey, respond

pytestmark = pytest.mark.django_db


@pytest.fixture
def topics():
    return TopicFactory(slug="robotik", name_de="Robotik"), TopicFactory(slug="ki", name_de="KI")


def _needs_round(title="Bedarf 2026"):
    survey = make_survey(purpose="training_needs", anonymity="identified", title=title)
    add_question(survey, "topics", "topic")
    add_question(survey, "months", "multiple", options=[{"value": str(m)} for m in range(1, 13)])
    add_question(
        survey,
        "formats",
        "multiple",
        options=[{"value": v} for v in ("on_site", "online", "hybrid", "in_house")],
    )
    return survey


def _company(name, *, consent=True, municipality="Hannover", headcount=20):
    company = CompanyFactory(
        name=name, municipality=municipality, contact_consent=consent, headcount=headcount
    )
    user = UserFactory(email=f"{name.split()[0].lower()}@firma.example")
    CompanyMember.objects.create(user=user, company=company, role=CompanyMember.Role.OWNER)
    return company


def test_latest_answer_or_profile_counts_each_company_once(topics):
    robotik, ki = topics
    old, new = _needs_round("2025"), _needs_round("2026")
    alpha = _company("Alpha GmbH")
    beta = _company("Beta GmbH")
    gamma = _company("Gamma GmbH", municipality="Laatzen")
    # Alpha wanted Robotik last year, KI now: only the latest answer counts.
    respond(old, {"topics": ["robotik"], "months": ["3"]}, company=alpha, answered_on="2025-05-01")
    respond(new, {"topics": ["ki"], "months": ["9", "10"], "formats": ["online"]}, company=alpha)
    respond(new, {"topics": ["ki", "robotik"], "months": ["9"]}, company=beta)
    # Beta's profile asks for KI too: still one company.
    beta.training_needs.add(ki)
    gamma.training_needs.add(robotik)

    cells = {(c.topic.slug, c.municipality, c.size_class): c for c in demand.demand_cells()}

    assert cells[("ki", "Hannover", "small")].companies == {alpha.pk, beta.pk}
    assert cells[("ki", "Hannover", "small")].most_wanted_month == 9
    assert cells[("ki", "Hannover", "small")].top_months[0][1] == 2
    assert cells[("robotik", "Hannover", "small")].companies == {beta.pk}
    assert cells[("robotik", "Laatzen", "small")].companies == {gamma.pk}
    assert len(cells) == 3


def test_board_links_each_cell_to_its_companies(coordinator_client, topics):
    survey = _needs_round()
    alpha, beta = _company("Alpha GmbH"), _company("Beta GmbH")
    respond(survey, {"topics": ["robotik"], "months": ["4"]}, company=alpha)
    respond(survey, {"topics": ["robotik"], "months": ["4"]}, company=beta)
    _company("Fremd GmbH")  # no need stated

    board = parse(coordinator_client.get("/surveys/demand/").content)
    (row,) = board.select("table.demand-table tbody tr")
    assert row.find("th").get_text(strip=True) == "Robotik"
    link = row.select_one("td.num a")
    assert link.get_text(strip=True).startswith("2")
    assert "April (2)" in row.get_text()

    page = coordinator_client.get(link["href"]).content.decode()
    assert "Alpha GmbH" in page and "Beta GmbH" in page and "Fremd GmbH" not in page


def test_board_refuses_a_hostile_filter(coordinator_client, topics):
    response = coordinator_client.get("/surveys/demand/?topic=%3Cscript%3E&size_class=huge")
    assert "nicht verfügbar" in response.content.decode()
    assert coordinator_client.get("/surveys/demand/companies/?topic=nope").status_code == 404


def test_plan_prefills_a_draft_and_publishing_invites_exactly_the_cell(
    coordinator, coordinator_client, topics, django_capture_on_commit_callbacks
):
    survey = _needs_round()
    alpha, beta = _company("Alpha GmbH"), _company("Beta GmbH", consent=False)
    gamma = _company("Gamma GmbH", municipality="Laatzen")
    respond(survey, {"topics": ["robotik"], "months": ["10"], "formats": ["online"]}, company=alpha)
    respond(
        survey, {"topics": ["robotik"], "months": ["10", "11"], "formats": ["online"]}, company=beta
    )
    respond(survey, {"topics": ["robotik"], "months": ["2"]}, company=gamma)

    response = coordinator_client.post(
        "/surveys/demand/plan/",
        {"topic": "robotik", "municipality": "Hannover", "size_class": "small"},
    )
    plan = DemandPlan.objects.get()
    assert response["Location"] == f"/surveys/demand/plans/{plan.pk}/"
    workshop = plan.workshop
    assert workshop.status == Workshop.Status.DRAFT
    assert list(workshop.topics.values_list("slug", flat=True)) == ["robotik"]
    assert workshop.starts_at.month == 10
    assert workshop.format == "online"
    assert set(plan.companies.all()) == {alpha, beta}
    assert not Invitation.objects.exists()

    page = coordinator_client.get(f"/surveys/demand/plans/{plan.pk}/").content.decode()
    assert "Alpha GmbH" in page and "Beta GmbH" in page and "Gamma GmbH" not in page

    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(f"/surveys/demand/plans/{plan.pk}/", {"confirmed": "1"})
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.PUBLISHED
    # Beta did not agree to be contacted; Gamma is in another cell.
    assert list(Invitation.objects.values_list("email", flat=True)) == ["alpha@firma.example"]
    sent = [message_from_bytes(m.message().as_bytes()) for m in mail.outbox]
    assert [m["To"] for m in sent] == ["alpha@firma.example"]

    # A second click invites nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(f"/surveys/demand/plans/{plan.pk}/", {"confirmed": "1"})
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_publishing_the_planned_workshop_from_the_workshops_side_invites_the_cell_once(
    coordinator, topics, django_capture_on_commit_callbacks
):
    from workshops.lifecycle.services import publish_workshop

    survey = _needs_round()
    alpha = _company("Alpha GmbH")
    respond(survey, {"topics": ["robotik"], "months": ["10"], "formats": ["online"]}, company=alpha)
    plan = demand.plan_workshop_from_demand(
        topic=topics[0], municipality="Hannover", size_class="small", by=coordinator
    )

    with django_capture_on_commit_callbacks(execute=True):
        publish_workshop(workshop=plan.workshop, by=coordinator)
    plan.refresh_from_db()
    assert plan.invited_at is not None
    assert list(Invitation.objects.values_list("email", flat=True)) == ["alpha@firma.example"]
    assert [m.to for m in mail.outbox] == [["alpha@firma.example"]]

    # The plan's own button afterwards: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert demand.publish_and_invite(plan=plan, by=coordinator).already
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_empty_cell_plans_nothing(coordinator_client, topics):
    response = coordinator_client.post(
        "/surveys/demand/plan/", {"topic": "robotik", "municipality": "Hannover", "size_class": ""}
    )
    assert response.status_code == 302
    assert not DemandPlan.objects.exists() and not Workshop.objects.exists()
    bad = coordinator_client.post("/surveys/demand/plan/", {"topic": "x" * 500})
    assert bad.status_code == 302 and not Workshop.objects.exists()


def test_demand_pages_are_for_coordinators(client, topics):
    client.force_login(UserFactory())
    assert client.get("/surveys/demand/").status_code == 403
    assert client.post("/surveys/demand/plan/", {"topic": "robotik"}).status_code == 403
