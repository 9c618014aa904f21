"""Query guards: every list and detail page, the dashboards and the report builder keep the same
number of queries as the data grows, and none runs more than 15.

Both data sets come from ``seed_scale`` (small, then about ten times larger with --flush); the
objects a detail page shows are picked by the same rule each time (the busiest one), so a page
that runs a query per row shows up as a difference. ``pytest -s`` prints the table.
"""

import time
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from companies.models import Company, CompanyMember
from funding import reports
from funding.models import Grant, ProgressReport
from networks.models import TrainingNetwork
from regiolab.collation import german
from tests.factories import UserFactory
from workshops.models import Workshop

MAX_QUERIES = 15
# The grant page and its report also count the learning programmes' and surveys' figures
# (a fixed number of queries each source adds, whatever the rows).
INDICATOR_PAGE_MAX_QUERIES = 25

SMALL = {
    "companies": 20, "networks": 2, "workshops": 6, "registrations": 40, "invitations": 8,
    "grants": 1, "expenditures": 10, "consultations": 40,
    "feedback_responses": 20, "needs_answers": 10, "calls": 1,
}  # fmt: skip
LARGE = {
    "companies": 300, "networks": 8, "workshops": 60, "registrations": 1500,
    "invitations": 200, "grants": 2, "expenditures": 400, "consultations": 200,
    "feedback_responses": 200, "needs_answers": 100, "calls": 1,
}  # fmt: skip


def _seed(counts: dict, *, flush: bool) -> None:
    call_command("seed_scale", seed=3, flush=flush, stdout=StringIO(), **counts)


def _busiest_company() -> Company:
    return (
        Company.objects.annotate(n=Count("registrations", distinct=True))
        .order_by("-n", "pk")
        .first()
    )


def _first_confirmed(workshop) -> int:
    return workshop.registrations.filter(status="confirmed").order_by("pk").first().pk


def _registration_ids(workshop) -> list[int]:
    return list(workshop.registrations.order_by("pk").values_list("pk", flat=True))


def _pages(owner) -> dict[str, str]:
    """The URLs to measure, for the objects with the most rows behind them."""
    network = TrainingNetwork.objects.annotate(n=Count("memberships")).order_by("-n", "pk").first()
    workshop = (
        Workshop.objects.filter(status="published")
        .annotate(n=Count("registrations", distinct=True), i=Count("invitations", distinct=True))
        .order_by("-n", "-i", "pk")
        .first()
    )
    grant = Grant.objects.annotate(n=Count("expenditures")).order_by("-n", "pk").first()
    company = owner.company_memberships.get().company
    return {
        "/ home (coordinator)": "/",
        "/ home (owner)": "/",
        "/companies/": "/companies/",
        "/companies/ filtered": "/companies/?municipality=Hannover&size_class=small&ordering=name",
        "/companies/<pk>/": f"/companies/{company.pk}/",
        "/companies/dashboard/": "/companies/dashboard/",
        "/networks/": "/networks/",
        "/networks/<slug>/": f"/networks/{network.slug}/",
        "/networks/<slug>/dashboard/": f"/networks/{network.slug}/dashboard/",
        "/workshops/": "/workshops/",
        "/workshops/<slug>/": f"/workshops/{workshop.slug}/",
        "/workshops/manage/": "/workshops/manage/",
        "/workshops/<slug>/participants/": f"/workshops/{workshop.slug}/participants/",
        "/workshops/<slug>/participants/<pk>/move/": f"/workshops/{workshop.slug}/participants/"
        f"{_first_confirmed(workshop)}/move/",
        "/workshops/<slug>/participants/<pk>/cancel/": f"/workshops/{workshop.slug}/"
        f"participants/{_first_confirmed(workshop)}/cancel/",
        "/workshops/<slug>/checkin/": f"/workshops/{workshop.slug}/checkin/",
        "/workshops/<slug>/invitations/": f"/workshops/{workshop.slug}/invitations/",
        # Every registration of the workshop selected for an e-mail (the bulk action's way in).
        "/workshops/<slug>/participants/email/ (all selected)": (
            f"/workshops/{workshop.slug}/participants/email/?"
            + urlencode({"registrations": _registration_ids(workshop)}, doseq=True)
        ),
        "/registrations/mine/ (owner)": "/registrations/mine/",
        "/funding/programmes/": "/funding/programmes/",
        "/funding/grants/": "/funding/grants/",
        "/funding/grants/<pk>/": f"/funding/grants/{grant.pk}/",
        "/funding/grants/<pk>/reports/": f"/funding/grants/{grant.pk}/reports/",
        "/funding/grants/<pk>/expenditures/": f"/funding/grants/{grant.pk}/expenditures/",
        "/funding/grants/<pk>/expenditures/ filtered, with its sum": (
            f"/funding/grants/{grant.pk}/expenditures/?category=travel&payee=a"
        ),
        "/funding/grants/<pk>/expenditures/<pk>/edit/": (
            f"/funding/grants/{grant.pk}/expenditures/{grant.expenditures.first().pk}/edit/"
        ),
        "/funding/grants/<pk>/expenditures/<pk>/delete/": (
            f"/funding/grants/{grant.pk}/expenditures/{grant.expenditures.first().pk}/delete/"
        ),
        "/networks/<slug>/members/<pk>/remove/": (
            f"/networks/{network.slug}/members/"
            f"{network.memberships.filter(status='active').first().pk}/remove/"
        ),
        # Coordinators' search: "er" hits more than the ten shown of every kind in both sizes.
        "/search/?q=er": "/search/?q=er",
        "/history/ (grant with related)": f"/history/funding/grant/{grant.pk}/",
        "report builder (context_for)": f"report:{grant.pk}",
    }


def _measure(client, owner_client, owner, coordinator, assert_max) -> dict[str, int]:
    """Each page's query count, every page held to MAX_QUERIES by pytest-django."""
    counts = {}
    for label, url in _pages(owner).items():
        # Both runs start with cold caches (content types, and the figures and fragments kept
        # by regiolab.caching), so they compare like with like and count the worst case.
        ContentType.objects.clear_cache()
        cache.clear()
        if url.startswith("report:"):
            report = ProgressReport.objects.create(
                grant_id=int(url.split(":")[1]),
                kind=ProgressReport.Kind.INTERIM,
                period_start=date(2020, 1, 1),
                period_end=date(2030, 12, 31),
                requested_by=coordinator,
            )
            report = ProgressReport.objects.select_related("grant").get(pk=report.pk)
            with assert_max(INDICATOR_PAGE_MAX_QUERIES, info=label) as ctx:
                context = reports.context_for(report)
            assert context["receipts"], "the grant should have receipts"
        else:
            limit = INDICATOR_PAGE_MAX_QUERIES if "/funding/grants/" in url else MAX_QUERIES
            with assert_max(limit, info=label) as ctx:
                response = (owner_client if "(owner)" in label else client).get(url)
            assert response.status_code == 200, (label, response.status_code)
        counts[label] = len(ctx)
    return counts


def _owner_of(company: Company):
    user = UserFactory()
    CompanyMember.objects.create(user=user, company=company, role=CompanyMember.Role.OWNER)
    return user


@pytest.mark.django_db
def test_pages_keep_a_constant_number_of_queries(
    coordinator, client, django_assert_max_num_queries
):
    from django.test import Client

    client.force_login(coordinator)
    _seed(SMALL, flush=False)
    owner = _owner_of(_busiest_company())
    owner_client = Client()
    owner_client.force_login(owner)
    small = _measure(client, owner_client, owner, coordinator, django_assert_max_num_queries)

    CompanyMember.objects.filter(user=owner).delete()
    _seed(LARGE, flush=True)
    CompanyMember.objects.create(
        user=owner, company=_busiest_company(), role=CompanyMember.Role.OWNER
    )
    large = _measure(client, owner_client, owner, coordinator, django_assert_max_num_queries)

    print(f"\n{'page':42} {'small':>6} {'large':>6}")
    for label in small:
        print(f"{label:42} {small[label]:>6} {large[label]:>6}")

    grows = {k: (small[k], large[k]) for k in small if small[k] != large[k]}
    assert not grows, f"query count depends on the rows: {grows}"


# --- Indexes: EXPLAIN on moderate data ---------------------------------------------------------

MODERATE = {
    "companies": 2000, "networks": 30, "workshops": 1500, "registrations": 20000,
    "invitations": 3000, "grants": 3, "expenditures": 5000, "consultations": 2000,
    "feedback_responses": 0, "needs_answers": 0,
}  # fmt: skip


def _plans() -> dict:
    """The pages' main filters and orderings, as the selectors and views build them."""
    from companies.models import Consultation
    from funding.models import Expenditure
    from workshops.models import Invitation, Registration

    workshop = Workshop.objects.filter(status="published").order_by("pk").first()
    grant = Grant.objects.order_by("pk").first()
    company = Company.objects.order_by("pk").first()
    return {
        "companies by municipality": Company.objects.filter(municipality="Hannover"),
        "companies by sector": Company.objects.filter(sector="J"),
        "companies by size class": Company.objects.filter(size_class_stored="large"),
        "companies by name (list order, German)": Company.objects.order_by(german("name"), "pk")[
            :25
        ],
        "workshops by status + starts_at": Workshop.objects.filter(
            status="published", starts_at__gte=datetime(2027, 6, 1, tzinfo=UTC)
        ).order_by("starts_at", "pk")[:25],
        "workshops, newest first (manage list)": Workshop.objects.order_by("-starts_at", "-pk")[
            :25
        ],
        "registrations by workshop + status": Registration.objects.filter(
            workshop=workshop, status="confirmed"
        ),
        "registrations of a company": Registration.objects.filter(company=company),
        "invitations pending": Invitation.objects.filter(
            status="pending", created_at__lte=datetime(2030, 1, 1, tzinfo=UTC)
        ).order_by("created_at")[:100],
        "invitations of a workshop": Invitation.objects.filter(workshop=workshop).order_by("email"),
        "expenditures by grant + date": Expenditure.objects.filter(
            grant=grant, date__gte="2026-01-01", date__lte="2026-03-31"
        ).order_by("date", "pk"),
        "open follow-ups": Consultation.objects.filter(
            follow_up_done=False, follow_up_on__isnull=False, follow_up_on__lte="2026-02-01"
        ).order_by("follow_up_on"),
    }


@pytest.mark.django_db
def test_main_filters_can_use_an_index(coordinator):
    """Each query's plan names an index. Where the planner prefers a sequential scan because
    the table is small or the filter matches a large share of it (e.g. one size class is a
    tenth of 2,000 rows on a handful of pages), the same query with sequential scans disabled
    must still find an index — that shows the index exists for the larger data in production.
    """
    started = time.perf_counter()
    _seed(MODERATE, flush=False)
    print(f"\nseed_scale (moderate) {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    missing = []
    for label, queryset in _plans().items():
        plan = queryset.explain()
        chosen = "Index" in plan
        if not chosen:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
            plan = queryset.explain()
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = on")
        first = plan.splitlines()[0][:70]
        how = (
            "index chosen"
            if chosen
            else "seq scan chosen; index usable"
            if "Index" in plan
            else "NO INDEX"
        )
        print(f"{label:38} {how:32} {first}")
        if "Index" not in plan:
            missing.append((label, plan))
    assert not missing, missing


# --- Each role's home: few against many rows ----------------------------------------------------


def _home_rows(n: int, *, rep, funder_body) -> None:
    """``n`` of everything each home lists: workshops in the next days with registrations and a
    waitlist, follow-ups, join requests, failed reports, failed e-mails and invitations, the
    representative's own and company registrations, matching workshops, the funder's grants."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from funding.services import ShareInput, set_cofinancing_shares
    from regiolab import mail
    from tests.factories import (
        CompanyFactory,
        ConsultationFactory,
        NetworkMembershipFactory,
        RegistrationFactory,
        TopicFactory,
        TrainingNetworkFactory,
        WorkshopFactory,
    )
    from workshops.models import Invitation

    company = rep.company_memberships.get().company
    topic = TopicFactory(slug="home-guard")
    company.training_needs.add(topic)
    today = timezone.localdate()
    for i in range(n):
        workshop = WorkshopFactory(starts_at=timezone.now() + timedelta(days=1 + i % 12))
        workshop.topics.add(topic)
        RegistrationFactory(workshop=workshop, email=rep.email, company=company)
        RegistrationFactory(workshop=workshop, company=company, registered_by=rep)
        RegistrationFactory(workshop=workshop, status="waitlisted")
        ConsultationFactory(follow_up_on=today + timedelta(days=i % 5 - 2))
        NetworkMembershipFactory(
            network=TrainingNetworkFactory(), company=CompanyFactory(), status="requested"
        )
        grant = Grant.objects.create(
            reference=f"HOME-{n}-{i}", title="Guard", start_date=today, end_date=today,
            total_eligible_costs=Decimal(1000),
        )  # fmt: skip
        set_cofinancing_shares(grant=grant, shares=[ShareInput(funder_body, Decimal(100))])
        ProgressReport.objects.create(
            grant=grant, kind="final", status="failed", period_start=today, period_end=today
        )
        failed = mail.queue_rendered_email(to=f"x{i}@example.org", subject="S", text="T")
        type(failed).objects.filter(pk=failed.pk).update(status="failed")
        Invitation.objects.create(workshop=workshop, email=f"i{i}@example.org", status="failed")


@pytest.mark.django_db
def test_each_roles_home_keeps_its_query_count(coordinator, django_assert_max_num_queries):
    """The home of a coordinator, a company representative and a funder runs as many queries
    with 2 rows of everything as with 25 (each section shows a few rows and counts the rest)."""
    from django.test import Client

    from tests.factories import CompanyMemberFactory, FunderFactory
    from tests.support.mfa import enable_totp

    rep = CompanyMemberFactory().user
    funder_body = FunderFactory()
    funder = UserFactory()
    funder_body.users.add(funder)
    enable_totp(funder)
    clients = {}
    for role, user in (("coordinator", coordinator), ("representative", rep), ("funder", funder)):
        clients[role] = Client()
        clients[role].force_login(user)

    def measure() -> dict[str, int]:
        counts = {}
        for role, client in clients.items():
            ContentType.objects.clear_cache()
            cache.clear()
            with django_assert_max_num_queries(MAX_QUERIES, info=f"home of {role}") as ctx:
                response = client.get("/")
            assert response.status_code == 200
            counts[role] = len(ctx)
        return counts

    _home_rows(2, rep=rep, funder_body=funder_body)
    few = measure()
    _home_rows(23, rep=rep, funder_body=funder_body)
    many = measure()
    print(f"\nhome queries, few {few}, many {many}")
    assert few == many


# --- Surveys: the answer pages, few against many questions ----------------------------------------


def _survey_with_questions(copies: int, *, purpose: str):
    """An open survey with ``copies`` questions of every type (matrix and topics included), in
    ``copies`` sections, the second of each pair shown only under a condition."""
    from surveys.models import Question, Section, Survey, SurveyVersion
    from tests.factories import TopicFactory

    survey = Survey.objects.create(title="Guard", purpose=purpose, status="open")
    version = SurveyVersion.objects.create(survey=survey, number=1)
    options = [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]
    for i in range(copies):
        section = Section.objects.create(version=version, position=i, title=f"Teil {i}")
        first = Question.objects.create(
            version=version, section=section, code=f"s{i}", type="single", text="?",
            options=options, required=True,
        )  # fmt: skip
        for kind in ("multiple", "scale", "number", "short_text", "long_text", "topic"):
            Question.objects.create(
                version=version, section=section, code=f"{kind}{i}", type=kind, text="?",
                options=options, scale_max=5, show_if_question=first, show_if_value="a",
            )  # fmt: skip
        Question.objects.create(
            version=version, section=section, code=f"m{i}", type="matrix", text="?",
            scale_max=5, rows=[{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}],
        )  # fmt: skip
        TopicFactory(slug=f"guard-topic-{i}")
    survey.current_version = version
    survey.save(update_fields=["current_version"])
    return survey


def _survey_answers(copies: int) -> dict:
    answers = {}
    for i in range(copies):
        answers |= {
            f"s{i}": "a", f"multiple{i}": ["a", "b"], f"scale{i}": "3", f"number{i}": "7",
            f"short_text{i}": "kurz", f"long_text{i}": "lang", f"topic{i}": [f"guard-topic-{i}"],
            f"m{i}__x": "2", f"m{i}__y": "4",
        }  # fmt: skip
    return answers


@pytest.mark.django_db
def test_survey_answer_pages_keep_their_query_count():
    """/s/<token>/ and /surveys/<pk>/answer/ run as many queries (shown and answered) with 1
    section of 8 questions as with 12 sections of 8: one query per kind of row, none per
    question."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from surveys.models import Answer, SurveyInvitation
    from tests.factories import CompanyMemberFactory

    member = CompanyMemberFactory()
    counts = {}
    for copies in (1, 12):
        survey = _survey_with_questions(copies, purpose="training_needs")
        invitation = SurveyInvitation.objects.create(survey=survey, email=f"g{copies}@example.org")
        client = Client()
        measured = {}
        for label, method, path in (
            ("link form", "get", f"/s/{invitation.token}/"),
            ("link answer", "post", f"/s/{invitation.token}/"),
            ("company form", "get", f"/surveys/{survey.pk}/answer/"),
            ("company answer", "post", f"/surveys/{survey.pk}/answer/"),
            ("company edit", "post", f"/surveys/{survey.pk}/answer/"),
        ):
            if label.startswith("company"):
                client.force_login(member.user)
            with CaptureQueriesContext(connection) as queries:
                data = _survey_answers(copies) if method == "post" else None
                response = getattr(client, method)(path, data)
            assert response.status_code in (200, 302), (label, response.status_code)
            measured[label] = len(queries)
        counts[copies] = measured
        assert Answer.objects.filter(question__version__survey=survey).count() == copies * 10 * 2
    print("\nsurvey answer pages (1 vs 12 sections):", counts)
    assert counts[1] == counts[12], counts
    assert max(counts[12].values()) <= MAX_QUERIES + 10, counts


# --- Learning programmes: the list and a programme's space with 3 and 30 organisations ------


def _learning_world(n: int, *, programme, participant, coordinator) -> None:
    """Programmes up to ``n`` in all; ``programme`` gets organisations up to ``n``, each with two
    people, a task per cycle with its submission, a submitted report with items in cycle 1."""
    from learning.models import (
        CycleReport,
        LearningProgramme,
        ProgrammeOrganisation,
        ProgrammePerson,
        ReportItem,
        Task,
        TaskSubmission,
    )
    from learning.services import create_programme
    from tests.factories import CompanyFactory

    start = timezone.localdate() + timedelta(days=10)
    for number in range(LearningProgramme.objects.count(), n):
        other = create_programme(title=f"Programm {number}", start=start, created_by=coordinator)
        ProgrammePerson.objects.create(
            organisation=ProgrammeOrganisation.objects.create(
                programme=other, company=CompanyFactory(), actor_type="firm"
            ),
            email=participant.email,
            user=participant,
        )
    cycles = list(programme.cycles.order_by("number"))
    for cycle in cycles:
        Task.objects.get_or_create(
            cycle=cycle, title=f"Aufgabe {cycle.number}", defaults={"due_date": start}
        )
    tasks = list(Task.objects.filter(cycle__programme=programme))
    for index in range(programme.organisations.count(), n):
        organisation = ProgrammeOrganisation.objects.create(
            programme=programme,
            company=CompanyFactory(),
            actor_type=("firm", "public_sector", "education", "support")[index % 4],
        )
        for person in range(2):
            ProgrammePerson.objects.create(
                organisation=organisation, email=f"p{index}-{person}@lernen.example"
            )
        for task in tasks:
            TaskSubmission.objects.create(task=task, organisation=organisation, text="x")
        report = CycleReport.objects.create(
            cycle=cycles[0], organisation=organisation, status="submitted"
        )
        for section in ("activity", "challenge", "obstacle", "opportunity"):
            ReportItem.objects.create(report=report, section=section, text=f"{section} {index}")


@pytest.mark.django_db
def test_learning_pages_keep_their_query_count(coordinator, django_assert_max_num_queries):
    """The programme list and a programme's space (coordinator and participant), the add and
    remove pages and the participant's home run as many queries with 3 organisations (and
    programmes) as with 30."""
    from django.test import Client

    from learning.services import create_programme, start_programme
    from tests.learning.support import add_org

    participant = UserFactory(first_name="Pia", last_name="Lern")
    programme = create_programme(
        title="Messprogramm",
        start=timezone.localdate() + timedelta(days=10),
        created_by=coordinator,
    )
    own = add_org(programme, users=[participant])
    start_programme(programme=programme, by=coordinator)
    clients = {}
    for role, user in (("coordinator", coordinator), ("participant", participant)):
        clients[role] = Client()
        clients[role].force_login(user)
    space = f"/learning/{programme.slug}/"
    pages = {
        "/learning/ (coordinator)": ("coordinator", "/learning/"),
        "/learning/ (participant)": ("participant", "/learning/"),
        "/learning/ (visitor)": (None, "/learning/"),
        "/learning/<slug>/ (coordinator)": ("coordinator", space),
        "/learning/<slug>/ (participant)": ("participant", space),
        "/learning/<slug>/organisations/add/": ("coordinator", f"{space}organisations/add/"),
        "/learning/<slug>/organisations/<pk>/remove/": (
            "coordinator",
            f"{space}organisations/{own.pk}/remove/",
        ),
        "/learning/<slug>/cycles/1/workshop/": ("coordinator", f"{space}cycles/1/workshop/"),
        "/ home (participant)": ("participant", "/"),
        "/ home (coordinator)": ("coordinator", "/"),
    }

    def measure() -> dict[str, int]:
        counts = {}
        for label, (role, url) in pages.items():
            ContentType.objects.clear_cache()
            cache.clear()
            client = clients[role] if role else Client()
            with django_assert_max_num_queries(MAX_QUERIES, info=label) as ctx:
                response = client.get(url)
            assert response.status_code == 200, (label, response.status_code)
            counts[label] = len(ctx)
        return counts

    _learning_world(3, programme=programme, participant=participant, coordinator=coordinator)
    few = measure()
    _learning_world(30, programme=programme, participant=participant, coordinator=coordinator)
    assert programme.organisations.count() == 30
    many = measure()
    print(f"\nlearning pages, few {few}, many {many}")
    grows = {k: (few[k], many[k]) for k in few if few[k] != many[k]}
    assert not grows, f"query count depends on the rows: {grows}"


@pytest.mark.django_db
def test_survey_builder_pages_keep_their_query_count(coordinator, django_assert_max_num_queries):
    """/surveys/ (responses counted in SQL), a survey's builder and its preview run as many
    queries with 2 surveys of 2 questions and 2 responses as with 12 of 15 and 30."""
    from django.test import Client
    from django.utils import timezone

    from surveys.builder import services
    from surveys.models import Response, Survey

    client = Client()
    client.force_login(coordinator)

    def grow(surveys: int, questions: int, responses: int) -> None:
        for survey_number in range(surveys):
            survey = services.create_survey(
                created_by=coordinator,
                title=f"Umfrage {survey_number}",
                purpose="panel",
                anonymity="anonymous",
            )
            section = services.add_section(survey=survey, title="Teil")
            source = None
            for number in range(questions):
                question = services.add_question(
                    survey=survey,
                    section=section,
                    code=f"q{number}",
                    type="single",
                    text=f"Frage {number}",
                    options=[{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
                    show_if_question=source,
                    show_if_value="a" if source else "",
                )
                source = source or question
            Response.objects.bulk_create(
                Response(
                    survey=survey, version=survey.current_version, answered_on=timezone.localdate()
                )
                for _ in range(responses)
            )

    def measure() -> dict[str, int]:
        survey = Survey.objects.filter(is_template=False).order_by("-pk").first()
        counts = {}
        for label, url in (
            ("/surveys/", "/surveys/"),
            ("/surveys/<pk>/", f"/surveys/{survey.pk}/"),
            ("/surveys/<pk>/preview/", f"/surveys/{survey.pk}/preview/"),
        ):
            ContentType.objects.clear_cache()
            cache.clear()
            with django_assert_max_num_queries(MAX_QUERIES, info=label) as ctx:
                response = client.get(url)
            assert response.status_code == 200
            counts[label] = len(ctx)
        return counts

    grow(2, 2, 2)
    few = measure()
    grow(12, 15, 30)
    many = measure()
    print(f"\nsurvey builder queries, few {few}, many {many}")
    assert few == many, "survey builder pages: queries grow with the rows"


# --- Learning cycles: the cycle board and the findings (learning/board/) ------------------------


def _learning_programme(coordinator, n: int, title: str):
    """A programme with ``n`` reporting organisations (a fifth of them still drafting), each
    with a person; cycle 1's reports hold an entry in every section, tagged findings, and
    cycle 2's findings continue them; half the late ones were reminded today."""
    from django.utils import timezone

    from learning.models import ReportReminder
    from tests.learning import board_support as s

    programme = s.programme(coordinator, title=title)
    cycle_1, cycle_2 = programme.cycles.get(number=1), programme.cycles.get(number=2)
    participant = None
    for i in range(n):
        kind = s.ACTOR_TYPES[i % 4]
        size = list(s.SIZES)[i % 4]
        if i == 0:
            participant, org = s.participant(programme, name=f"Org {i:02d}", actor_type=kind)
        else:
            org = s.organisation(programme, name=f"Org {i:02d}", actor_type=kind, size=size)
        if i % 5 == 4:
            s.report(cycle_1, org, status="draft", items=[("obstacle", "Entwurf")])
            if i % 10 == 4:
                ReportReminder.objects.create(
                    cycle=cycle_1, organisation=org, sent_on=timezone.localdate()
                )
            continue
        _report, items = s.full_report(cycle_1, org, prefix=f"Org {i}")
        s.report(
            cycle_2,
            org,
            items=[
                ("obstacle", "weiter", {"follows": items[2], "tags": ["Fachkräfte"]}),
                ("opportunity", "gelöst", {"follows": items[3], "resolved": True}),
            ],
        )
    return programme, participant


@pytest.mark.django_db
def test_learning_cycle_board_keeps_its_query_count(coordinator, django_assert_max_num_queries):
    """The cycle board (coordinator, participant, filtered), the findings page and a finding's
    form run as many queries with 3 organisations as with 30."""
    from django.test import Client

    from learning.models import ReportItem

    staff = Client()
    staff.force_login(coordinator)

    def measure(n: int) -> dict[str, int]:
        programme, participant = _learning_programme(coordinator, n, f"Guard {n}")
        member = Client()
        member.force_login(participant)
        tag = programme.tags.get(name="Fachkräfte")
        item = ReportItem.objects.filter(report__cycle__programme=programme, follows__isnull=False)
        base = f"/learning/{programme.slug}"
        pages = {
            "board (coordinator)": (staff, f"{base}/cycles/1/"),
            "board filtered (coordinator)": (staff, f"{base}/cycles/1/?actor_type=firm&tag={tag.pk}"),
            "board (participant)": (member, f"{base}/cycles/1/"),
            "board cycle 2 (coordinator)": (staff, f"{base}/cycles/2/"),
            "findings": (staff, f"{base}/findings/"),
            "finding form": (staff, f"{base}/findings/{item.first().pk}/"),
        }  # fmt: skip
        counts = {}
        for label, (client, url) in pages.items():
            ContentType.objects.clear_cache()
            cache.clear()
            with django_assert_max_num_queries(MAX_QUERIES, info=label) as ctx:
                response = client.get(url)
            assert response.status_code == 200, (label, response.status_code)
            counts[label] = len(ctx)
        return counts

    few, many = measure(3), measure(30)
    print(f"\nlearning board queries, 3 organisations {few}, 30 {many}")
    assert few == many


# --- Surveys: results, open answers and the demand board (few and many responses) -------------

SURVEYS_FEW = {
    "companies": 30, "networks": 2, "workshops": 6, "registrations": 80, "invitations": 0,
    "grants": 0, "expenditures": 0, "consultations": 0, "feedback_responses": 20,
    "needs_answers": 10, "calls": 1,
}  # fmt: skip
SURVEYS_MANY = {
    "companies": 300, "networks": 4, "workshops": 20, "registrations": 800, "invitations": 0,
    "grants": 0, "expenditures": 0, "consultations": 0, "feedback_responses": 2000,
    "needs_answers": 250, "calls": 1,
}  # fmt: skip


def _survey_pages() -> dict[str, str]:
    from surveys.models import Survey
    from surveys.results.demand import demand_cells

    feedback = Survey.objects.get(title__startswith="Scale Workshop")
    cell = demand_cells()[0]
    query = urlencode(
        {"topic": cell.topic.slug, "municipality": cell.municipality, "size_class": cell.size_class}
    )
    return {
        "/surveys/<pk>/results/": f"/surveys/{feedback.pk}/results/",
        "/surveys/<pk>/results/ filtered": f"/surveys/{feedback.pk}/results/?size_class=small",
        "/surveys/<pk>/results/answers/<code>/": f"/surveys/{feedback.pk}/results/answers/improve/",
        "/surveys/demand/": "/surveys/demand/",
        "/surveys/demand/companies/ (largest cell)": f"/surveys/demand/companies/?{query}",
    }


def _measure_surveys(client, assert_max) -> dict[str, int]:
    counts = {}
    for label, url in _survey_pages().items():
        ContentType.objects.clear_cache()
        cache.clear()
        with assert_max(MAX_QUERIES, info=label) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (label, response.status_code)
        counts[label] = len(ctx)
    return counts


@pytest.mark.django_db
def test_survey_pages_keep_a_constant_number_of_queries(
    coordinator, client, django_assert_max_num_queries
):
    client.force_login(coordinator)
    _seed(SURVEYS_FEW, flush=False)
    few = _measure_surveys(client, django_assert_max_num_queries)
    _seed(SURVEYS_MANY, flush=True)
    many = _measure_surveys(client, django_assert_max_num_queries)
    for label in few:
        print(f"{label:50} {few[label]:>4} {many[label]:>4}")
    assert few == many, "query count depends on the responses"


# --- Learning cycles: the homework pages (tasks, answers, the cycle's reports) -----------------


def _learning_homework_rows(world, organisations: int) -> None:
    """Grow the programme to ``organisations``, each with a person, answers to every task
    (with an attachment), and submitted reports of cycles 1 and 2 with tagged items, cycle 2's
    continuing cycle 1's."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from learning.models import (
        CycleReport,
        FindingTag,
        ReportItem,
        SubmissionAttachment,
        TaskSubmission,
    )
    from tests.learning.support import add_organisation

    programme = world.programme
    tags = [FindingTag.objects.get_or_create(programme=programme, name=f"T{i}")[0] for i in (1, 2)]
    while len(world.organisations) < organisations:
        organisation, users = add_organisation(programme, f"Guard {len(world.organisations):03d}")
        world.organisations.append(organisation)
        world.users.append(users[0])
    for organisation in world.organisations:
        if CycleReport.objects.filter(organisation=organisation).exists():
            continue
        person = organisation.people.get()
        for task in world.tasks:
            answer = TaskSubmission.objects.create(
                task=task, organisation=organisation, text="Antwort", status="submitted",
                person=person if task.assignee == "person" else None,
                submitted_at=timezone.now(),
            )  # fmt: skip
            attachment = SubmissionAttachment(
                submission=answer, name="a.pdf", content_type="application/pdf", size=10
            )
            attachment.file.save("a.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
            attachment.save()
        earlier = {}
        for cycle in world.cycles[:2]:
            report = CycleReport.objects.create(
                cycle=cycle, organisation=organisation, status="submitted",
                submitted_at=timezone.now(),
            )  # fmt: skip
            for section in ("activity", "challenge", "obstacle", "opportunity"):
                item = ReportItem.objects.create(
                    report=report, section=section, text=f"{section} {organisation.pk}",
                    follows=earlier.get(section) if section in ("obstacle", "opportunity")
                    else None,
                )  # fmt: skip
                item.tags.set(tags)
                earlier[section] = item


@pytest.mark.django_db
def test_learning_homework_pages_keep_their_query_count(
    coordinator, django_assert_max_num_queries, settings, tmp_path
):
    """The task list, a task's answers, the own report and the cycle's reports run as many
    queries with 3 organisations as with 30, for a coordinator and for a participant."""
    from django.test import Client

    from learning.homework import services
    from tests.learning.support import build_programme

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    world = build_programme(coordinator, organisations=3)
    world.tasks = [
        services.create_task(cycle=world.cycles[1], created_by=coordinator, title=f"Aufgabe {i}",
                             assignee="person" if i % 2 else "organisation")
        for i in range(3)
    ]  # fmt: skip
    base = f"/learning/{world.programme.slug}/cycles/2/"
    pages = {
        "tasks (coordinator)": f"{base}tasks/",
        "tasks (participant)": f"{base}tasks/",
        "task answers (coordinator)": f"{base}tasks/{world.tasks[0].pk}/",
        "person task answers (coordinator)": f"{base}tasks/{world.tasks[1].pk}/",
        "task (participant)": f"{base}tasks/{world.tasks[0].pk}/",
        "own report (participant)": f"{base}report/",
        "reports (coordinator)": f"{base}reports/",
        "reports (participant)": f"{base}reports/",
    }
    clients = {"coordinator": Client(), "participant": Client()}
    clients["coordinator"].force_login(coordinator)
    clients["participant"].force_login(world.users[0])

    def measure() -> dict[str, int]:
        counts = {}
        for label, url in pages.items():
            ContentType.objects.clear_cache()
            cache.clear()
            client = clients["participant" if "(participant)" in label else "coordinator"]
            with django_assert_max_num_queries(MAX_QUERIES, info=label) as ctx:
                response = client.get(url)
            assert response.status_code == 200, (label, response.status_code)
            counts[label] = len(ctx)
        return counts

    _learning_homework_rows(world, 3)
    few = measure()
    _learning_homework_rows(world, 30)
    many = measure()
    page = clients["coordinator"].get(f"{base}reports/").content.decode()
    assert page.count('class="card report"') == 30
    print(f"\nlearning homework queries, 3 organisations {few}, 30 {many}")
    assert few == many


# --- Learning cycles: the results page and the final report (3 and 30 organisations) -------------


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["coordinator", "participant"])
def test_learning_results_page_and_final_report_keep_their_query_count(
    coordinator, viewer, settings, tmp_path, django_assert_max_num_queries
):
    """The results page (sections, final reports) and the final report's builder run as many
    queries for a programme of 3 organisations as for one of 30 with ten times the rows."""
    from django.test import Client

    from learning.models import FinalReport, ProgrammePerson, ResultSection
    from learning.results import reports as learning_reports
    from tests.learning.results_support import build_programme

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }

    def measure(organisations: int, extra: int) -> tuple[int, int]:
        world = build_programme(
            coordinator=coordinator, organisations=organisations, title=f"Lernen {organisations}"
        )
        for n in range(extra):
            ResultSection.objects.create(
                programme=world.programme, kind="tool", title=f"Werkzeug {n}", body="Text"
            )
            FinalReport.objects.create(programme=world.programme, status="ready", progress=100)
            FinalReport.objects.create(programme=world.programme, status="failed", error="x")
        user = coordinator
        if viewer == "participant":
            user = UserFactory()
            ProgrammePerson.objects.create(
                organisation=world.organisations[0], email=user.email, user=user
            )
        client = Client()
        client.force_login(user)
        ContentType.objects.clear_cache()
        cache.clear()
        url = f"/learning/{world.programme.slug}/results/"
        with django_assert_max_num_queries(MAX_QUERIES, info=url) as page:
            assert client.get(url).status_code == 200
        report = FinalReport.objects.create(programme=world.programme)
        with django_assert_max_num_queries(MAX_QUERIES, info="final report context") as build:
            context = learning_reports.context_for(report)
        assert len(context["organisations"]) == organisations
        return len(page), len(build)

    few, many = measure(3, 1), measure(30, 10)
    print(f"\nlearning results ({viewer}): few {few}, many {many}")
    assert few == many


# --- Surveys: the distribution's pages (feedback list, panel, training-needs preview) ----------


def _survey_distribution_rows(n: int, *, panel, needs, network) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from companies.models import CompanyMember as Member
    from surveys.models import SurveyInvitation, WorkshopFeedback
    from tests.factories import (
        CompanyFactory,
        NetworkMembershipFactory,
        RegistrationFactory,
        WorkshopFactory,
    )

    now = timezone.now()
    for i in range(n):
        workshop = WorkshopFactory(
            status="done", starts_at=now - timedelta(hours=4), ends_at=now - timedelta(hours=1)
        )
        RegistrationFactory(workshop=workshop, status="attended")
        WorkshopFeedback.objects.create(workshop=workshop, enabled=i % 2 == 0)
        for j in range(3):
            SurveyInvitation.objects.create(
                survey=panel,
                email=f"p{n}-{i}-{j}@netz.example",
                region=f"Region {i}",
                organisation=f"Netz {j}",
                answered_at=now if j else None,
            )
        company = CompanyFactory(contact_consent=i % 3 != 0)
        NetworkMembershipFactory(network=network, company=company, status="active")
        Member.objects.create(
            user=UserFactory(), company=company, role=Member.Role.OWNER, status="active"
        )
        SurveyInvitation.objects.create(survey=needs, email=f"n{n}-{i}@firma.example")


@pytest.mark.django_db
def test_survey_distribution_pages_keep_their_query_count(
    coordinator_client, django_assert_max_num_queries
):
    from surveys.models import Survey, SurveyVersion
    from tests.factories import TrainingNetworkFactory

    def survey(purpose):
        made = Survey.objects.create(title=purpose, purpose=purpose, status="open")
        made.current_version = SurveyVersion.objects.create(survey=made, number=1)
        made.save()
        return made

    panel, needs = survey("panel"), survey("training_needs")
    network = TrainingNetworkFactory()
    pages = {
        "/surveys/feedback/": ("get", "/surveys/feedback/", None),
        "/surveys/<pk>/panel/": ("get", f"/surveys/{panel.pk}/panel/", None),
        "/surveys/<pk>/invite/": ("get", f"/surveys/{needs.pk}/invite/", None),
        "/surveys/<pk>/invite/ preview": (
            "post",
            f"/surveys/{needs.pk}/invite/",
            {"networks": [network.pk], "action": "preview"},
        ),
    }

    def measure() -> dict[str, int]:
        counts = {}
        for label, (method, url, data) in pages.items():
            ContentType.objects.clear_cache()
            cache.clear()
            with django_assert_max_num_queries(MAX_QUERIES, info=label) as ctx:
                response = getattr(coordinator_client, method)(url, data)
            assert response.status_code == 200, (label, response.status_code)
            if label.endswith("preview"):
                assert b'data-count="recipients"' in response.content
            counts[label] = len(ctx)
        return counts

    _survey_distribution_rows(2, panel=panel, needs=needs, network=network)
    few = measure()
    _survey_distribution_rows(20, panel=panel, needs=needs, network=network)
    many = measure()
    print(f"\nsurvey distribution queries, few {few}, many {many}")
    assert few == many, "a survey distribution page's queries grow with its rows"
