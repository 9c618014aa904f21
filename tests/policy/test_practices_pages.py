"""The good-practice library's pages: the public list with search, filters, pagination and an
empty state, in a number of queries that does not grow with the practices; a practice's page
with its live portal figures, in German and English; drafts for coordinators only; the
coordinators' form with its checks (nothing saved on bad input)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from funding.models import Expenditure, Grant
from policy.models import GoodPractice, PracticeFigure
from tests.factories import RegistrationFactory, TopicFactory, WorkshopFactory
from tests.policy.practices_support import make_coordinator, make_practice, practice_post

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def library():
    innovation = TopicFactory(slug="innovation", name_de="Innovation", name_en="Innovation")
    skills = TopicFactory(slug="fachkraefte", name_de="Fachkräfte", name_en="Skilled workers")
    lazio = make_practice(
        1,
        title="Open Innovation Challenge",
        slug="oic",
        region="Lazio",
        country="IT",
        theme="Open Innovation",
        summary="Aufgaben von Unternehmen, Lösungen von Start-ups.",
    )
    lazio.topics.add(innovation)
    mowin = make_practice(
        2,
        title="Innovationslabor MoWiN",
        title_en="MoWiN innovation lab",
        slug="mowin-lab",
        region="Nordhessen",
        country="DE",
        theme="Innovation lab",
        summary="Ein Labor für Mittelständler.",
        summary_en="A lab for small firms.",
    )
    mowin.topics.add(innovation, skills)
    make_practice(3, title="Entwurf Attica", slug="attica", region="Attica", country="GR",
                  status="draft")  # fmt: skip
    return {"innovation": innovation, "skills": skills, "lazio": lazio, "mowin": mowin}


def _titles(response) -> str:
    return response.content.decode()


def test_public_list_shows_validated_practices_only(client, library):
    page = client.get(reverse("policy:practices")).content.decode()
    assert "Open Innovation Challenge" in page and "Innovationslabor MoWiN" in page
    assert "Entwurf Attica" not in page


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("?q=labor", "Innovationslabor MoWiN", "Open Innovation Challenge"),
        ("?q=start-ups", "Open Innovation Challenge", "Innovationslabor MoWiN"),
        ("?country=IT", "Open Innovation Challenge", "Innovationslabor MoWiN"),
        ("?region=Nordhessen", "Innovationslabor MoWiN", "Open Innovation Challenge"),
        ("?theme=Innovation+lab", "Innovationslabor MoWiN", "Open Innovation Challenge"),
    ],
)
def test_search_and_filters(client, library, query, shown, hidden):
    page = client.get(reverse("policy:practices") + query).content.decode()
    assert shown in page
    assert hidden not in page


def test_topic_filter_lists_a_practice_with_two_topics_once(client, library):
    url = reverse("policy:practices") + f"?topic={library['innovation'].pk}"
    page = client.get(url).content.decode()
    assert page.count('href="/practices/mowin-lab/"') == 1
    assert "Open Innovation Challenge" in page
    url = reverse("policy:practices") + f"?topic={library['skills'].pk}"
    assert "Open Innovation Challenge" not in client.get(url).content.decode()


def test_filter_offers_the_regions_and_themes_of_public_practices(client, library):
    form = client.get(reverse("policy:practices")).context["filter"].form
    assert [value for value, _ in form.fields["region"].choices][1:] == ["Lazio", "Nordhessen"]
    assert "Attica" not in str(form.fields["region"].choices)


def test_empty_states(client, library, english):
    response = client.get(reverse("policy:practices") + "?q=gibtsnicht")
    assert "No good practice matches your selection." in response.content.decode()
    GoodPractice.objects.all().delete()
    response = client.get(reverse("policy:practices"))
    assert "There are no validated good practices yet." in response.content.decode()


def test_pagination(client):
    for n in range(25):
        make_practice(n, title=f"Praxis {n:02d}")
    first = client.get(reverse("policy:practices")).content.decode()
    second = client.get(reverse("policy:practices") + "?page=2").content.decode()
    assert "Praxis 00" in first and "Praxis 19" in first and "Praxis 20" not in first
    assert "Praxis 24" in second and "Praxis 00" not in second


@pytest.mark.parametrize("as_coordinator", [False, True])
def test_list_queries_do_not_grow_with_the_practices(
    client, django_assert_num_queries, as_coordinator, coordinator
):
    """Built uncached each time (the cache is cleared), for visitors and for coordinators
    (who also see the drafts)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if as_coordinator:
        client.force_login(coordinator)
    topic = TopicFactory()

    def add(start, count):
        for n in range(start, start + count):
            practice = make_practice(n, theme=f"Thema {n}", region=f"Region {n}")
            practice.topics.add(topic)
            make_practice(1000 + n, status="draft", author=coordinator)

    url = reverse("policy:practices") + f"?topic={topic.pk}"
    add(0, 2)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        assert "Offene Innovationsaufgabe 1" in client.get(url).content.decode()
    add(2, 30)
    cache.clear()
    with django_assert_num_queries(len(few)):
        page = client.get(url).content.decode()
    assert "Offene Innovationsaufgabe 19" in page


def test_a_cached_list_shows_a_newly_validated_practice(client, coordinator):
    make_practice(1, title="Erste Praxis")
    assert "Zweite Praxis" not in client.get(reverse("policy:practices")).content.decode()
    author = make_coordinator("autor@regiolab.example")
    draft = make_practice(2, title="Zweite Praxis", status="draft", author=author)
    from policy.services import validate_practice

    validate_practice(practice=draft, by=coordinator)
    assert "Zweite Praxis" in client.get(reverse("policy:practices")).content.decode()


def test_detail_in_english_falls_back_to_german_marked(client, library, english):
    page = client.get(reverse("policy:practice", args=["mowin-lab"])).content.decode()
    assert "MoWiN innovation lab" in page and "A lab for small firms." in page
    page = client.get(reverse("policy:practice", args=["oic"])).content.decode()
    assert '<h1 lang="de">Open Innovation Challenge</h1>' in page


def test_drafts_are_for_coordinators_only(client, library, coordinator):
    assert client.get(reverse("policy:practice", args=["attica"])).status_code == 404
    assert client.get(reverse("policy:practice_pdf", args=["attica"])).status_code == 404
    client.force_login(coordinator)
    response = client.get(reverse("policy:practice", args=["attica"]))
    assert response.status_code == 200
    assert "Entwurf Attica" in client.get(reverse("policy:practices")).content.decode()


def _held_workshop(day, topic):
    starts = datetime(day.year, day.month, day.day, 9, tzinfo=BERLIN)
    workshop = WorkshopFactory(starts_at=starts, ends_at=starts + timedelta(hours=2))
    workshop.topics.add(topic)
    return workshop


def test_linked_figures_are_computed_live(client, library, django_assert_num_queries):
    topic = library["innovation"]
    practice = library["mowin"]
    grant = Grant.objects.create(
        reference="FKZ 7", title="MoWiN-Förderung", start_date=date(2025, 1, 1),
        end_date=date(2026, 12, 31), total_eligible_costs=Decimal(100000),
    )  # fmt: skip
    Expenditure.objects.create(
        grant=grant, date=date(2025, 3, 1), category="travel", payee="Bahn", purpose="Fahrt",
        amount=Decimal("1234.50"), receipt_reference="B-1",
    )  # fmt: skip
    PracticeFigure.objects.create(practice=practice, kind="workshops_held", topic=topic)
    PracticeFigure.objects.create(practice=practice, kind="participants", topic=topic, position=1)
    PracticeFigure.objects.create(practice=practice, kind="grant_spent", grant=grant, position=2)
    workshop = _held_workshop(date(2025, 6, 2), topic)
    RegistrationFactory(workshop=workshop, status="attended")
    url = reverse("policy:practice", args=["mowin-lab"])

    response = client.get(url)
    rows = [(row.figure.kind, row.value) for row in response.context["figures"]]
    assert rows == [
        ("workshops_held", 1),
        ("participants", 1),
        ("grant_spent", Decimal("1234.50")),
    ]
    assert "1.234,50 €" in response.content.decode()

    # A second workshop held: the page shows it without anybody typing it in.
    RegistrationFactory(workshop=_held_workshop(date(2025, 7, 2), topic), status="attended")
    rows = [(row.figure.kind, row.value) for row in client.get(url).context["figures"]]
    assert rows[:2] == [("workshops_held", 2), ("participants", 2)]


def test_form_refuses_bad_input_and_saves_nothing(coordinator_client, english):
    cases = [
        ({"title": ""}, "title", "This field is required"),
        ({"organisation": ""}, "organisation", "Name the organisation"),
        (
            {"period_start": "2024-01-01", "period_end": "2023-01-01"},
            "period_end",
            "before the start",
        ),
        ({"slug": "transfers"}, "slug", "reserved"),
        ({"country": "XX"}, "country", "Select a valid choice"),
        ({"contact_email": "kein-email"}, "contact_email", "valid email"),
    ]
    for overrides, field, message in cases:
        response = coordinator_client.post(
            reverse("policy:practice_create"), practice_post(**overrides)
        )
        assert response.status_code == 200, overrides
        assert field in response.context["form"].errors, overrides
        assert message in response.content.decode(), overrides
    assert not GoodPractice.objects.exists()


def test_figure_rows_are_checked(coordinator_client, english):
    topic = TopicFactory()
    response = coordinator_client.post(
        reverse("policy:practice_create"),
        practice_post(**{"figures-0-kind": "grant_spent", "figures-1-kind": "participants"}),
    )
    assert "Choose the grant whose spending is shown." in response.content.decode()
    grant = Grant.objects.create(
        reference="FKZ 9", title="G", start_date=date(2025, 1, 1), end_date=date(2026, 1, 1),
        total_eligible_costs=Decimal(10),
    )  # fmt: skip
    response = coordinator_client.post(
        reverse("policy:practice_create"),
        practice_post(**{"figures-0-kind": "workshops_held", "figures-0-grant": grant.pk}),
    )
    assert "cannot be narrowed to a grant" in response.content.decode()
    assert not GoodPractice.objects.exists() and not PracticeFigure.objects.exists()

    response = coordinator_client.post(
        reverse("policy:practice_create"),
        practice_post(
            **{
                "figures-0-kind": "grant_spent",
                "figures-0-grant": grant.pk,
                "figures-1-kind": "workshops_held",
                "figures-1-topic": topic.pk,
                "topics": [topic.pk],
            }
        ),
    )
    assert response.status_code == 302
    practice = GoodPractice.objects.get()
    assert [(f.kind, f.grant_id, f.topic_id) for f in practice.figures.all()] == [
        ("grant_spent", grant.pk, None),
        ("workshops_held", None, topic.pk),
    ]
    assert list(practice.topics.all()) == [topic]


def test_editing_keeps_validation_and_removes_a_figure(coordinator_client, library):
    practice = library["lazio"]
    figure = PracticeFigure.objects.create(practice=practice, kind="workshops_held")
    data = practice_post(
        title="Open Innovation Challenge Lazio",
        slug="oic",
        **{
            "figures-TOTAL_FORMS": "1",
            "figures-INITIAL_FORMS": "1",
            "figures-0-id": figure.pk,
            "figures-0-practice": practice.pk,
            "figures-0-kind": "workshops_held",
            "figures-0-DELETE": "on",
        },
    )
    response = coordinator_client.post(reverse("policy:practice_edit", args=["oic"]), data)
    assert response.status_code == 302, (
        response.context["form"].errors,
        response.context["formset"].errors,
        response.context["formset"].non_form_errors(),
    )
    practice.refresh_from_db()
    assert practice.title == "Open Innovation Challenge Lazio"
    assert practice.status == "validated"
    assert not practice.figures.exists()


def test_detail_queries_do_not_grow_with_transfers_and_figures(
    client, library, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from policy.models import Transfer

    practice = library["mowin"]

    def add(start, count):
        for n in range(start, start + count):
            Transfer.objects.create(
                practice=practice, from_region="Nordhessen", to_region=f"Region {n}", partner="P"
            )
            PracticeFigure.objects.create(
                practice=practice, kind="workshops_held", topic=library["innovation"], position=n
            )

    url = reverse("policy:practice", args=["mowin-lab"])
    add(0, 1)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(1, 12)
    with django_assert_num_queries(len(few)):
        page = client.get(url).content.decode()
    assert "Region 12" in page
