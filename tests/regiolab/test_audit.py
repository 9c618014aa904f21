"""The audit log: who changed what, shown per object to coordinators, scrubbed on request."""

import copy
import re
from datetime import date
from decimal import Decimal

import pytest
from auditlog.context import disable_auditlog, set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from companies.models import Company
from funding.models import Expenditure, Grant
from regiolab.audit.services import AUDITED, log_bulk_changes, scrub_audit_entries
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    FunderFactory,
    NetworkMembershipFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.support.mfa import enable_totp
from workshops.models import Registration, Workshop
from workshops.registration.services import cancel_registration, register_participant

pytestmark = pytest.mark.django_db

PROFILE = {
    "name": "Alpha Antriebstechnik GmbH",
    "legal_form": "GmbH",
    "register_number": "",
    "street": "Industrieweg 1",
    "postcode": "30159",
    "city": "Hannover",
    "municipality": "Hannover",
    "sector": "C",
    "sector_code": "25.62",
    "kind": "sme",
    "headcount": "25",
    "annual_turnover": "4000000",
    "balance_sheet_total": "3000000",
    "figures_year": "2025",
    "enterprise_type": "autonomous",
    "website": "",
    "associated-TOTAL_FORMS": "0",
    "associated-INITIAL_FORMS": "0",
    "associated-MIN_NUM_FORMS": "0",
    "associated-MAX_NUM_FORMS": "50",
}


def history_url(obj, **query) -> str:
    opts = obj._meta
    url = reverse("audit:object_history", args=[opts.app_label, opts.model_name, obj.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def entries_of(obj):
    return LogEntry.objects.get_for_object(obj).order_by("timestamp", "pk")


@pytest.fixture
def company(db):
    return CompanyFactory(name="Alpha Antriebstechnik GmbH")


def edit_company(client, company, **changes):
    response = client.post(reverse("companies:edit", args=[company.pk]), {**PROFILE, **changes})
    assert response.status_code == 302, response.content.decode()[:2000]


# --- Recording -------------------------------------------------------------------------------


def test_editing_a_company_in_the_view_records_the_actor_and_the_changed_fields(
    coordinator_client, coordinator, company
):
    edit_company(coordinator_client, company, kind="large", headcount="300")

    entry = entries_of(company).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == coordinator
    assert entry.changes["kind"] == ["sme", "large"]
    assert entry.changes["headcount"] == ["25.0", "300.0"]
    # Unchanged fields, timestamps and derived columns are not in it.
    assert set(entry.changes) == {"kind", "headcount"}
    assert entry.remote_addr is None  # no IP addresses kept


def test_an_edit_that_changes_nothing_writes_no_entry(coordinator_client, company):
    before = LogEntry.objects.count()
    edit_company(coordinator_client, company)
    assert LogEntry.objects.count() == before


def test_registering_records_one_creation_and_costs_exactly_one_insert():
    workshop = WorkshopFactory(capacity=5)
    company = CompanyFactory()
    ContentType.objects.get_for_model(Registration)  # the content type cache is warm in a server

    def register(email):
        with CaptureQueriesContext(connection) as queries:
            registration = register_participant(
                workshop=workshop, first_name="Anna", last_name="Alpha", email=email,
                company=company,
            )  # fmt: skip
        return registration, [q["sql"] for q in queries.captured_queries]

    with disable_auditlog():
        _, without = register("ohne@example.org")
    registration, audited = register("anna@alpha.example")

    extra = [sql for sql in audited if "auditlog" in sql]
    assert len(audited) == len(without) + 1
    assert len(extra) == 1 and extra[0].startswith("INSERT INTO")

    entry = entries_of(registration).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.changes["email"] == ["None", "anna@alpha.example"]
    assert entry.changes["status"] == ["None", "confirmed"]
    assert entry.changes["workshop"] == ["None", str(workshop.pk)]
    # The cancel token (the e-mailed secret) never reaches the log.
    assert "cancel_token" not in entry.changes
    assert registration.cancel_token not in str(entry.changes)
    # The seat counter is written by UPDATE, not save(): no workshop entry.
    assert not entries_of(workshop).filter(action=LogEntry.Action.UPDATE).exists()


def test_cancelling_records_the_change_and_who_did_it(coordinator):
    workshop = WorkshopFactory(capacity=5)
    registration = register_participant(
        workshop=workshop, first_name="Anna", last_name="Alpha", email="anna@alpha.example"
    )
    fresh = Registration.objects.get(pk=registration.pk)
    with set_actor(coordinator), CaptureQueriesContext(connection) as queries:
        cancel_registration(registration=fresh)
    audit_queries = [q["sql"] for q in queries.captured_queries if "auditlog" in q["sql"]]

    entry = entries_of(registration).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == coordinator
    assert entry.changes["status"] == ["confirmed", "cancelled"]
    assert set(entry.changes) == {"status", "cancelled_at"}
    assert len(audit_queries) == 1  # the insert; auditlog also reads the old row once


def test_bulk_updates_are_logged_with_one_insert(coordinator):
    workshop = WorkshopFactory(title="Robotik")
    for n in range(3):
        register_participant(
            workshop=workshop, first_name="P", last_name=str(n), email=f"p{n}@example.org"
        )
    registrations = list(Registration.objects.filter(workshop=workshop))  # workshop not loaded
    pairs = []
    for registration in registrations:
        before = copy.copy(registration)
        registration.status = "attended"
        registration.attendance_marked_at = timezone.now()
        pairs.append((before, registration))
    Registration.objects.bulk_update(registrations, ["status", "attendance_marked_at"])

    with set_actor(coordinator), CaptureQueriesContext(connection) as queries:
        written = log_bulk_changes(pairs, fields=["status", "attendance_marked_at"])

    assert written == 3
    assert len(queries) == 2  # the workshops for the entries' names, one insert
    entry = entries_of(registrations[0]).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == coordinator
    assert entry.changes["status"] == ["confirmed", "attended"]
    assert entry.object_repr == "P 0 – Robotik"
    assert log_bulk_changes([], fields=["status"]) == 0


def test_a_signed_in_representative_registering_on_the_page_is_the_actor(client, company):
    owner = CompanyMemberFactory(company=company).user
    workshop = WorkshopFactory()
    client.force_login(owner)
    response = client.post(
        reverse("workshops:register", args=[workshop.slug]),
        {
            "first_name": "Anna",
            "last_name": "Alpha",
            "email": "anna@alpha.example",
            "company_name": company.name,
            "language": "de",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    entry = entries_of(Registration.objects.get(email="anna@alpha.example")).get()
    assert entry.actor == owner


def test_bulk_inserts_and_counter_updates_leave_no_entries():
    workshop = WorkshopFactory()
    before = LogEntry.objects.count()
    Registration.objects.bulk_create(
        Registration(
            workshop=workshop, first_name="Bulk", last_name=str(n), email=f"bulk{n}@example.org",
            status="confirmed",
        )
        for n in range(5)
    )  # fmt: skip
    Workshop.objects.filter(pk=workshop.pk).update(seats_taken=5)
    assert LogEntry.objects.count() == before


def test_every_audited_model_leaves_out_bookkeeping_and_secrets():
    from auditlog.registry import auditlog

    for model in AUDITED:
        excluded = auditlog.get_model_fields(model)["exclude_fields"]
        for name in ("updated_at", "created_at"):
            if any(f.name == name for f in model._meta.fields):
                assert name in excluded, model
    assert "cancel_token" in auditlog.get_model_fields(Registration)["exclude_fields"]
    assert "seats_taken" in auditlog.get_model_fields(Workshop)["exclude_fields"]
    assert "size_class_stored" in auditlog.get_model_fields(Company)["exclude_fields"]


# --- The history page ------------------------------------------------------------------------


def test_coordinator_sees_who_changed_what_in_german(coordinator_client, coordinator, company):
    edit_company(coordinator_client, company, kind="large", headcount="300")
    entry = entries_of(company).get(action=LogEntry.Action.UPDATE)

    page = coordinator_client.get(history_url(company)).content.decode()

    assert "Art" in page and "KMU" in page and "Großunternehmen" in page  # label and choices
    assert "Beschäftigte (Jahresarbeitseinheiten)" in page
    assert "25,0" in page and "300,0" in page  # decimals in German notation
    local = formats.date_format(timezone.localtime(entry.timestamp), "SHORT_DATETIME_FORMAT")
    assert re.match(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", local)  # German, Europe/Berlin
    assert local in page
    assert coordinator.get_full_name() in page


@pytest.mark.usefixtures("english")
def test_coordinator_sees_who_changed_what_in_english(coordinator_client, coordinator, company):
    edit_company(coordinator_client, company, kind="large")

    response = coordinator_client.get(history_url(company))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Change history: Alpha Antriebstechnik GmbH" in page
    assert "Kind" in page and "SME" in page and "large enterprise" in page
    assert "changed" in page and "created" in page
    assert coordinator.get_full_name() in page


def test_the_page_names_related_objects_and_hides_what_is_left_empty(coordinator_client, company):
    workshop = WorkshopFactory(title="Robotik in der Praxis")
    with set_actor(CompanyMemberFactory(company=company, user__first_name="Rita").user):
        register_participant(
            workshop=workshop, first_name="Anna", last_name="Alpha",
            email="anna@alpha.example", company=company,
        )  # fmt: skip
    registration = Registration.objects.get()

    page = coordinator_client.get(history_url(registration)).content.decode()

    assert "Robotik in der Praxis" in page  # the workshop's name, not its id
    assert "Alpha Antriebstechnik GmbH" in page
    assert "anna@alpha.example" in page
    assert "Rita" in page  # the actor
    assert "Geschlecht" not in page  # not asked, not listed


def test_a_grant_history_lists_its_expenditures_even_deleted_ones(coordinator_client):
    grant = Grant.objects.create(
        reference="FKZ 01", title="Verbünde", start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31), total_eligible_costs=Decimal(1000),
    )  # fmt: skip
    expenditure = Expenditure.objects.create(
        grant=grant, date=date(2026, 3, 1), category="material", payee="Bürobedarf Nord",
        purpose="Flipcharts", amount=Decimal("49.90"), receipt_reference="B-17",
    )  # fmt: skip
    expenditure_pk = expenditure.pk
    expenditure.delete()
    expenditure.pk = expenditure_pk
    other = Grant.objects.create(
        reference="FKZ 02", title="Andere", start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31), total_eligible_costs=Decimal(1),
    )  # fmt: skip
    Expenditure.objects.create(
        grant=other, date=date(2026, 3, 1), category="material", payee="Fremdfirma",
        purpose="x", amount=Decimal(1), receipt_reference="X-1",
    )  # fmt: skip

    everything = coordinator_client.get(history_url(grant)).content.decode()
    only_grant = coordinator_client.get(history_url(grant, show="this")).content.decode()
    only_expenditures = coordinator_client.get(
        history_url(grant, show="expenditure")
    ).content.decode()

    assert "B-17 Bürobedarf Nord" in everything and "49,90" in everything
    assert "Fremdfirma" not in everything
    assert "B-17" not in only_grant and "FKZ 01" in only_grant
    assert "B-17" in only_expenditures
    # The deleted expenditure's own history is still there.
    assert coordinator_client.get(history_url(expenditure)).status_code == 200


def test_an_object_without_entries_shows_the_empty_state(coordinator_client):
    with disable_auditlog():
        company = CompanyFactory(name="Still GmbH")
    response = coordinator_client.get(history_url(company))
    assert response.status_code == 200
    assert 'class="empty-state"' in response.content.decode()


def test_pages_of_fifty(coordinator_client, coordinator, company):
    with set_actor(coordinator):
        for n in range(55):
            company.headcount = Decimal(n + 100)
            company.save()
    first = coordinator_client.get(history_url(company)).content.decode()
    second = coordinator_client.get(history_url(company, page=2)).content.decode()
    assert first.count("<tr>") == 51  # header + 50
    assert second.count("<tr>") == 1 + 6  # 55 changes + creation
    assert 'rel="next"' in first


def test_query_count_does_not_grow_with_entries(coordinator_client, coordinator):
    workshop = WorkshopFactory(capacity=100)
    url = history_url(workshop)

    def add_registrations(count, start):
        with set_actor(coordinator):
            for n in range(start, start + count):
                register_participant(
                    workshop=workshop, first_name="P", last_name=str(n),
                    email=f"p{n}@example.org", company=CompanyFactory(),
                    registered_by=UserFactory(),
                )  # fmt: skip

    def queries():
        coordinator_client.get(url)  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as ctx:
            response = coordinator_client.get(url)
        assert response.status_code == 200
        return len(ctx), response.content.decode().count("<tr>")

    add_registrations(2, 0)  # + the workshop's creation: 3 entries
    few, rows_few = queries()
    add_registrations(27, 2)  # 30 entries
    many, rows_many = queries()
    assert (rows_few, rows_many) == (4, 31)
    assert few == many
    assert many <= 15


# --- Who may see it --------------------------------------------------------------------------


@pytest.fixture
def history_of_company(company):
    return history_url(company)


def test_representative_of_the_company_gets_403(client, company, history_of_company):
    client.force_login(CompanyMemberFactory(company=company).user)
    assert client.get(history_of_company).status_code == 403


def test_funder_gets_403(client, history_of_company):
    funder_user = UserFactory()
    FunderFactory().users.add(funder_user)
    enable_totp(funder_user)
    client.force_login(funder_user)
    assert client.get(history_of_company).status_code == 403


def test_anonymous_is_sent_to_the_login(client, history_of_company):
    response = client.get(history_of_company)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "path",
    [
        "/history/auth/user/{user}/",  # exists, but not audited
        "/history/companies/consultation/1/",
        "/history/nosuchapp/company/1/",
        "/history/companies/company/987654/",  # audited kind, no such object, no history
    ],
)
def test_unknown_or_unaudited_kinds_and_missing_objects_are_404(
    coordinator_client, coordinator, path
):
    assert coordinator_client.get(path.format(user=coordinator.pk)).status_code == 404


def test_coordinator_pages_link_to_the_history(coordinator_client, client, company):
    network = NetworkMembershipFactory(company=company).network
    workshop = WorkshopFactory()
    register_participant(
        workshop=workshop, first_name="Anna", last_name="Alpha", email="anna@alpha.example"
    )
    registration = Registration.objects.get()
    grant = Grant.objects.create(
        reference="FKZ 01", title="Verbünde", start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31), total_eligible_costs=Decimal(1000),
    )  # fmt: skip
    pages = {
        reverse("companies:detail", args=[company.pk]): [history_url(company)],
        reverse("networks:dashboard", args=[network.slug]): [history_url(network)],
        reverse("workshops:participants", args=[workshop.slug]): [
            history_url(workshop),
            history_url(registration),
        ],
        reverse("funding:grant_detail", args=[grant.pk]): [history_url(grant)],
    }
    for page, links in pages.items():
        content = coordinator_client.get(page).content.decode()
        for link in links:
            assert f'href="{link}"' in content, (page, link)

    owner = CompanyMemberFactory(company=company).user
    client.force_login(owner)
    assert (
        "/history/"
        not in client.get(reverse("companies:detail", args=[company.pk])).content.decode()
    )


# --- Anonymisation ---------------------------------------------------------------------------


def test_scrub_replaces_a_person_everywhere_case_insensitively(coordinator):
    workshop = WorkshopFactory(title="Robotik")
    with set_actor(coordinator):
        anna = register_participant(
            workshop=workshop, first_name="Anna", last_name="Alpha", email="Anna@Alpha.example"
        )
        other = register_participant(
            workshop=workshop, first_name="Bernd", last_name="Beta", email="bernd@beta.example"
        )
    anna.last_name = "Alpha-Müller"
    anna.save()
    # An entry with the values in every JSON column the log has.
    LogEntry.objects.filter(pk=entries_of(anna).first().pk).update(
        additional_data={"note": ["ANNA ALPHA asked"]},
        serialized_data={"fields": {"email": "anna@alpha.EXAMPLE"}},
    )
    untouched = list(entries_of(other).values_list("changes", "object_repr"))

    count = scrub_audit_entries(
        values=["anna@alpha.example", "Anna Alpha", "Alpha-Müller", "Anna", " "],
        replacement="[anonymisiert]",
    )

    assert count == 2  # Anna's creation and the change of her name
    for entry in entries_of(anna):
        text = " ".join(
            str(v)
            for v in (
                entry.object_repr, entry.changes, entry.additional_data, entry.serialized_data,
            )
        )  # fmt: skip
        assert "anna" not in text.lower() and "müller" not in text.lower(), text
        assert "[anonymisiert]" in text
    assert list(entries_of(other).values_list("changes", "object_repr")) == untouched
    # Nothing left to find: a second run rewrites nothing.
    assert scrub_audit_entries(values=["Anna"], replacement="x") == 0
    assert scrub_audit_entries(values=["", "   "], replacement="x") == 0


def test_scrub_finds_only_candidate_rows_in_sql(coordinator):
    workshop = WorkshopFactory()
    for n in range(20):
        register_participant(
            workshop=workshop, first_name="Person", last_name=str(n), email=f"p{n}@example.org"
        )
    register_participant(
        workshop=workshop, first_name="Zora", last_name="Zett", email="zora@example.org"
    )
    with CaptureQueriesContext(connection) as ctx:
        assert scrub_audit_entries(values=["Zora Zett"], replacement="X") == 1
    # One read of the candidates (a server-side cursor), one bulk update, nothing per row.
    reads = [q["sql"] for q in ctx.captured_queries if "SELECT" in q["sql"]]
    updates = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(reads) == 1 and "LIKE" in reads[0]
    assert len(updates) == 1
