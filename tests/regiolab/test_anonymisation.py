"""Anonymising a person on request: every figure stays, the person is nowhere in the database."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from companies.models import CompanyInvitation, Consultation
from funding import reports
from funding.models import Expenditure, FundingProgramme, Grant, Indicator, ProgressReport
from funding.selectors import grant_indicators
from regiolab.mail import queue_email
from regiolab.mail.models import OutboundEmail
from regiolab.privacy.anonymisation import (
    NAME_MARKER,
    PSEUDONYM_DOMAIN,
    Scrubber,
    anonymise_person,
    find_person,
    is_pseudonym,
)
from regiolab.privacy.models import AnonymisationRecord
from tests.factories import (
    CompanyFactory,
    CompanyInvitationFactory,
    CompanyMemberFactory,
    ConsultationFactory,
    NetworkMembershipFactory,
    RegistrationFactory,
    TrainingNetworkFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.support.mfa import enable_totp
from workshops.models import Invitation, Registration, StatisticsTally
from workshops.registration import services as workshop_services
from workshops.registration.forms import CONSENT_TEXT_VERSION

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
EMAIL = "Xaveria.Quenzelmann@Example.org"
FIRST, LAST = "Xaveria", "Quenzelmann"
SEARCHED = (EMAIL.lower(), FIRST, LAST)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def world(coordinator, client):
    """A grant over one network: two past workshops with attendance and statistics, one ahead;
    the person attended both past ones, is registered for the next one, has an account with a
    second factor and a session, and is named in invitations, e-mails, minutes, a receipt, the
    admin history, the audit log and a consent."""
    programme = FundingProgramme.objects.create(
        name="Weiterbildungsverbünde", funding_body="BMBF", level="federal", retention_years=10
    )
    network = TrainingNetworkFactory(description="Ansprechpartnerin: Xaveria Quenzelmann.")
    grant = Grant.objects.create(
        programme=programme,
        reference="FKZ 01ANON",
        title="Anonymisierung",
        start_date=date(2025, 1, 1),
        end_date=date(2026, 12, 31),
        total_eligible_costs=Decimal(50000),
    )
    grant.networks.add(network)
    for code, target in [("participants", 10), ("participant_hours", 40), ("workshops_held", 2)]:
        Indicator.objects.create(grant=grant, code=code, target=target)
    company = CompanyFactory(name="Hebel Werkzeugbau GmbH")
    other_company = CompanyFactory(name="Kurbel Metall KG")
    NetworkMembershipFactory(network=network, company=company, joined_on=date(2025, 1, 1))

    user = UserFactory(email=EMAIL, first_name=FIRST, last_name=LAST)
    EmailAddress.objects.create(user=user, email="xq.privat@example.net", verified=True)
    CompanyMemberFactory(user=user, company=company, role="owner")
    enable_totp(user)
    client.force_login(user)

    w1 = WorkshopFactory(
        network=network, status="done", starts_at=at(2025, 3, 10, 9), ends_at=at(2025, 3, 10, 13)
    )
    w2 = WorkshopFactory(
        network=network,
        status="done",
        starts_at=at(2025, 9, 1, 9),
        ends_at=at(2025, 9, 1, 16, 30),
        trainers=f"Dr. Bruno Beispiel, {FIRST} {LAST}",
    )
    person = {"first_name": FIRST, "last_name": LAST, "email": EMAIL, "company": company}
    RegistrationFactory(
        workshop=w1, status="attended", gender="female", age_band="25_54",
        employment_status="employed", education_level="isced_5_8",
        company_name=company.name, **person,
    )  # fmt: skip
    RegistrationFactory(
        workshop=w2, status="attended", gender="female", age_band="25_54", company_name="",
        **{**person, "company": None, "email": EMAIL.lower()},
    )  # fmt: skip
    RegistrationFactory(workshop=w1, status="attended", gender="male", company=other_company)
    RegistrationFactory(workshop=w1, status="attended", gender="female", age_band="55_plus")
    RegistrationFactory(workshop=w2, status="no_show", company=other_company)
    RegistrationFactory(workshop=w2, status="attended", company=other_company)
    ahead = WorkshopFactory(network=network, title="Cobots kompakt")
    workshop_services.register_participant(
        workshop=ahead, first_name=FIRST, last_name=LAST, email=EMAIL, company=company,
        registered_by=user, gender="female", consent_text_version=CONSENT_TEXT_VERSION,
    )  # fmt: skip
    Invitation.objects.create(workshop=ahead, email=EMAIL.lower(), company=company)
    Invitation.objects.create(
        workshop=w2, email="kollege@example.org", status="failed",
        last_error=f"550 mailbox of {EMAIL.lower()} forwards nowhere",
    )  # fmt: skip
    CompanyInvitationFactory(company=other_company, email=EMAIL.lower())
    ConsultationFactory(
        company=company,
        date=date(2025, 5, 5),
        minutes=f"Telefonat mit Frau {LAST} ({EMAIL.lower()}) zur Förderung.",
    )
    ConsultationFactory(company=company, date=date(2025, 6, 5), minutes="Folgetermin.")
    Expenditure.objects.create(
        grant=grant, date=date(2025, 9, 2), category="third_party", payee=f"{FIRST} {LAST}",
        purpose="Honorar Workshop", amount=Decimal("800.00"), receipt_reference="B-2025-017",
    )  # fmt: skip
    Expenditure.objects.create(
        grant=grant, date=date(2025, 9, 3), category="travel", payee="Deutsche Bahn",
        purpose="Fahrt", amount=Decimal("59.90"), receipt_reference="B-2025-018",
    )  # fmt: skip
    queue_email(
        to=coordinator.email,
        template="company_join_requested",
        context={
            "company": other_company,
            "person": f"{FIRST} {LAST}",
            "person_email": EMAIL,
            "members_url": "http://testserver/companies/2/members/",
        },
    )
    OutboundEmail.objects.create(
        to=coordinator.email,
        subject=f"Rückruf {FIRST} {LAST}",
        body_text=f"Bitte {LAST} zurückrufen: {EMAIL}",
        body_html=f"<p>Bitte {LAST} zurückrufen: <a href='mailto:{EMAIL}'>{EMAIL}</a></p>",
    )
    registration = Registration.objects.filter(workshop=w1, email=EMAIL).get()
    LogEntry.objects.create(
        user=coordinator,
        content_type=ContentType.objects.get_for_model(Registration),
        object_id=str(registration.pk),
        object_repr=str(registration),
        action_flag=CHANGE,
        change_message=f'[{{"changed": {{"fields": ["E-Mail"]}}}}, "{EMAIL}"]',
    )
    report = ProgressReport.objects.create(
        grant=grant,
        kind="final",
        period_start=grant.start_date,
        period_end=grant.end_date,
        requested_by=coordinator,
    )
    return {"grant": grant, "user": user, "report": report, "workshops": (w1, w2, ahead)}


def figures(report) -> dict:
    """Every figure of the report: indicators, breakdowns, workshops, budget, receipts."""
    report = ProgressReport.objects.select_related("grant").get(pk=report.pk)
    context = reports.context_for(report)
    statement = context["statement"]
    return {
        "values": context["values"],
        "indicator_rows": [(r.code, r.target, r.actual) for r in context["indicator_rows"]],
        "breakdown": [(str(label), n) for label, n in context["breakdown"]],
        "workshops": [(w.pk, w.attended_count) for w in context["workshops"]],
        "statement": [
            (r.year, r.category, r.budget, r.spent, r.share_parts) for r in statement.rows
        ],
        "spent_total": statement.spent_total,
        "receipts": [(e.receipt_reference, e.amount) for e in context["receipts"]],
        "receipts_total": context["receipts_total"],
    }


def indicators(grant) -> dict:
    grant = Grant.objects.get(pk=grant.pk)
    return grant_indicators(grant=grant, period_start=grant.start_date, period_end=grant.end_date)


def text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name, c.column_name
            FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
              AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
            ORDER BY 1, 2
            """
        )
        return cursor.fetchall()


def find_anywhere(*needles: str) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every text or JSON column of the whole database that
    contains a needle (case-insensitive)."""
    qn = connection.ops.quote_name
    hits = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            for needle in needles:
                cursor.execute(
                    f"SELECT count(*) FROM {qn(table)} WHERE {qn(column)}::text ILIKE %s",  # noqa: S608
                    ["%" + needle.replace("\\", "\\\\").replace("%", r"\%") + "%"],
                )
                if cursor.fetchone()[0]:
                    hits.append((table, column, needle))
    return hits


def test_the_database_search_sees_the_person_before(world):
    hits = find_anywhere(*SEARCHED)
    tables = {table for table, _column, _needle in hits}
    # The search reaches every kind of place the person is in.
    assert {
        "auth_user",
        "account_emailaddress",
        "workshops_registration",
        "workshops_invitation",
        "workshops_workshop",
        "companies_companyinvitation",
        "companies_consultation",
        "networks_trainingnetwork",
        "funding_expenditure",
        "regiolab_outboundemail",
        "django_admin_log",
        "regiolab_consent",
    } <= tables
    assert "auditlog_logentry" in tables


def test_anonymising_keeps_every_figure_and_leaves_no_trace(world, coordinator):
    grant, report, user = world["grant"], world["report"], world["user"]
    indicators_before = indicators(grant)
    figures_before = figures(report)
    registrations_before = list(
        Registration.objects.order_by("pk").values_list(
            "pk", "workshop_id", "company_id", "status", "created_at"
        )
    )
    assert indicators_before["participants_by_gender"] == {"female": 3, "male": 1}
    assert indicators_before["participants_by_age_band"] == {"25_54": 2, "55_plus": 1}

    result = anonymise_person(email=EMAIL, performed_by=coordinator)

    assert indicators(grant) == indicators_before
    assert figures(report) == figures_before
    assert (
        list(
            Registration.objects.order_by("pk").values_list(
                "pk", "workshop_id", "company_id", "status", "created_at"
            )
        )
        == registrations_before
    )
    assert find_anywhere(*SEARCHED) == []
    assert find_anywhere("xq.privat@example.net") == []

    # The person's rows now carry one placeholder, and no answers.
    rows = Registration.objects.filter(email=result.pseudonym)
    assert rows.count() == 3
    assert set(rows.values_list("first_name", "last_name", "gender", "age_band")) == {
        (NAME_MARKER, "", "", "")
    }
    assert is_pseudonym(result.pseudonym) and result.pseudonym.endswith(PSEUDONYM_DOMAIN)
    # The answers live on as counts, not linked to anybody.
    w1, w2, ahead = world["workshops"]
    tally = {
        (t.workshop_id, t.status, t.question, t.answer): t.count
        for t in StatisticsTally.objects.all()
    }
    assert tally == {
        (w1.pk, "attended", "gender", "female"): 1,
        (w1.pk, "attended", "age_band", "25_54"): 1,
        (w1.pk, "attended", "employment_status", "employed"): 1,
        (w1.pk, "attended", "education_level", "isced_5_8"): 1,
        (w2.pk, "attended", "gender", "female"): 1,
        (w2.pk, "attended", "age_band", "25_54"): 1,
        (ahead.pk, "confirmed", "gender", "female"): 1,
    }
    # The company stays on the registration; a company name typed without one goes.
    assert set(rows.values_list("company_id", "company_name")) == {
        (user.company_memberships.get().company_id, "Hebel Werkzeugbau GmbH"),
        (None, ""),
    }

    # The account: no name, no way in, no second factor, no session.
    account = get_user_model().objects.get(pk=user.pk)
    assert (account.first_name, account.last_name, account.email) == ("", "", result.pseudonym)
    assert not account.is_active and not account.has_usable_password()
    assert list(EmailAddress.objects.filter(user=account).values_list("email", flat=True)) == [
        result.pseudonym
    ]
    assert not Authenticator.objects.filter(user=account).exists()
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id")]

    # E-mails to the person: blank and never sent; the invitation is not sent either.
    to_person = OutboundEmail.objects.filter(to=result.pseudonym)
    assert to_person.count() == 1
    assert list(to_person.values_list("subject", "body_text", "attachments", "status")) == [
        ("", "", [], "failed")
    ]
    assert Invitation.objects.get(email=result.pseudonym).status == "failed"
    assert CompanyInvitation.objects.filter(email=result.pseudonym).count() == 1
    minutes = Consultation.objects.order_by("date").values_list("minutes", flat=True)
    assert list(minutes) == ["Telefonat mit Frau […] ([…]) zur Förderung.", "Folgetermin."]

    record = AnonymisationRecord.objects.get()
    assert record.pk == result.record_id
    assert (record.reason, record.performed_by, record.pseudonym) == (
        "request",
        coordinator,
        result.pseudonym,
    )
    assert record.counts == result.counts and result.counts["workshops"] >= 5


def test_a_second_run_finds_and_changes_nothing(world, coordinator):
    anonymise_person(email=EMAIL, performed_by=coordinator)
    tally = list(StatisticsTally.objects.values_list("pk", "count"))

    again = anonymise_person(email=EMAIL, performed_by=coordinator)

    assert again.total == 0 and again.record_id is None
    assert AnonymisationRecord.objects.count() == 1
    assert list(StatisticsTally.objects.values_list("pk", "count")) == tally
    assert find_person(email=EMAIL).total == 0


@pytest.mark.usefixtures("english")
def test_the_preview_counts_what_will_be_blanked(world):
    preview = find_person(email=f"  {EMAIL.upper()} ")
    counts = preview.counts
    assert preview.email == EMAIL.lower()
    assert {FIRST, LAST, f"{FIRST} {LAST}"} <= set(preview.names)
    assert counts["workshop registrations"] == 3
    assert counts["statistics answers (kept as anonymous counts)"] == 3
    assert counts["workshop invitations"] == 1
    assert counts["colleague invitations"] == 1
    assert counts["consultation minutes naming the person"] == 1
    assert counts["user account"] == 1
    assert counts["e-mails to the person"] == 1
    assert counts["other e-mails naming the person"] >= 1
    assert counts["receipts naming the person (payee, purpose)"] == 1
    assert counts["admin history entries"] == 1
    assert Registration.objects.filter(email__iexact=EMAIL).count() == 3  # nothing changed


@pytest.mark.parametrize(
    "bad",
    ["", "   ", "not-an-address", "a@b", "x" * 250 + "@example.org", "anon-1@anonymised.invalid",
     "<script>@example.org"],
)  # fmt: skip
def test_bad_addresses_are_refused_and_change_nothing(world, bad):
    with pytest.raises(ValidationError):
        anonymise_person(email=bad)
    assert AnonymisationRecord.objects.count() == 0


def test_the_partial_unique_registration_still_holds_and_a_new_registration_works(world):
    result = anonymise_person(email=EMAIL)
    ahead = world["workshops"][2]
    # The same address may register again: it is a new person to the portal now.
    again = workshop_services.register_participant(
        workshop=ahead, first_name=FIRST, last_name=LAST, email=EMAIL
    )
    assert again.status == "confirmed"
    assert Registration.objects.filter(workshop=ahead, email=result.pseudonym).count() == 1


def test_no_e_mail_goes_to_a_placeholder_address(world):
    result = anonymise_person(email=EMAIL)
    registration = Registration.objects.filter(email=result.pseudonym).first()
    row = queue_email(
        to=result.pseudonym,
        template="reminder",
        context={"registration": registration, "workshop": registration.workshop},
    )
    assert (row.status, row.subject, row.body_text) == ("failed", "", "")


def test_the_scrubber_matches_whole_names_in_any_case_and_in_html():
    scrub = Scrubber("a.b@example.org", ("Anna Öztürk", "O'Neill"))
    assert scrub.sub("Frau ÖZTÜRK, Hannah, anna") == "Frau […], Hannah, […]"
    assert scrub.sub("<p>O&#x27;Neill: mailto:a.b%40example.org</p>") == "<p>[…]: mailto:[…]</p>"
    assert scrub.sub("") == ""


# --- the coordinators' page -----------------------------------------------------------------------

URL = "/data-protection/anonymise/"


@pytest.mark.usefixtures("english")
def test_the_page_asks_for_an_address(coordinator_client):
    response = coordinator_client.get(URL)
    assert response.status_code == 200
    assert b"Anonymise a person" in response.content
    assert b'name="email"' in response.content


@pytest.mark.usefixtures("english")
def test_preview_shows_counts_and_changes_nothing(world, coordinator_client):
    response = coordinator_client.post(URL, {"step": "preview", "email": EMAIL})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Confirm anonymisation" in page
    assert "workshop registrations" in page and '<td class="num">3</td>' in page
    assert 'name="confirm"' in page and 'value="confirm"' in page
    assert Registration.objects.filter(email__iexact=EMAIL).count() == 3
    assert AnonymisationRecord.objects.count() == 0


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Please enter an e-mail address."),
        ("kein-at-zeichen", "Enter a valid email address."),
        ("x" * 300 + "@example.org", "An e-mail address has at most 254 characters."),
        ("anon-12@anonymised.invalid", "placeholder address of a person already anonymised"),
        ("niemand@example.org", "The portal holds nothing about this address"),
    ],
)
def test_bad_or_unknown_addresses_get_a_clear_message(world, coordinator_client, email, message):
    response = coordinator_client.post(URL, {"step": "preview", "email": email})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Confirm anonymisation" not in response.content.decode()


@pytest.mark.usefixtures("english")
def test_confirming_without_the_tick_does_nothing(world, coordinator_client):
    response = coordinator_client.post(URL, {"step": "confirm", "email": EMAIL})
    assert response.status_code == 200
    assert "Please tick the box to confirm." in response.content.decode()
    assert Registration.objects.filter(email__iexact=EMAIL).count() == 3
    assert AnonymisationRecord.objects.count() == 0


@pytest.mark.usefixtures("english")
def test_a_tampered_confirmation_shows_the_address_problem(world, coordinator_client):
    response = coordinator_client.post(
        URL, {"step": "confirm", "email": "<b>bad</b>", "confirm": "on"}
    )
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert AnonymisationRecord.objects.count() == 0


@pytest.mark.usefixtures("english")
def test_confirming_anonymises_and_says_so(world, coordinator_client, coordinator):
    response = coordinator_client.post(
        URL, {"step": "confirm", "email": EMAIL, "confirm": "on"}, follow=True
    )
    assert response.redirect_chain == [(URL, 302)]
    assert "The person has been anonymised" in response.content.decode()
    assert Registration.objects.filter(email__iexact=EMAIL).count() == 0
    assert AnonymisationRecord.objects.get().performed_by == coordinator
    # Confirming again (a second click, the back button) is harmless.
    response = coordinator_client.post(
        URL, {"step": "confirm", "email": EMAIL, "confirm": "on"}, follow=True
    )
    assert "Nothing was left to anonymise" in response.content.decode()
    assert AnonymisationRecord.objects.count() == 1


def test_only_coordinators_may_anonymise(world):
    owner = CompanyMemberFactory().user
    client = Client()
    client.force_login(owner)
    response = client.post(URL, {"step": "confirm", "email": EMAIL, "confirm": "on"})
    assert response.status_code == 403
    assert Registration.objects.filter(email__iexact=EMAIL).count() == 3
    anonymous = Client().post(URL, {"step": "confirm", "email": EMAIL, "confirm": "on"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
