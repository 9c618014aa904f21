"""The one world the permission matrix (tests/test_permission_matrix.py) walks every URL in.

Built once per module inside an open transaction that is rolled back at the end, so every test
sees the same rows and a write in one test (rolled back by its own savepoint) never leaks into
the next one.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from companies import services as company_services
from companies.importing import COLUMN_KEYS
from companies.personal_data import record_contact_consent
from funding.models import Expenditure, Grant, ProgressReport
from funding.services import ShareInput, set_cofinancing_shares
from networks import services as network_services
from regiolab.mail import unsubscribe_token
from regiolab.mail.models import OutboundEmail
from regiolab.pages.content import create_initial_pages
from regiolab.pages.models import SitePage, SitePageSection
from regiolab.permissions import COORDINATORS_GROUP
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    FunderFactory,
    NetworkMembershipFactory,
    RegistrationFactory,
    TrainingNetworkFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.support.mfa import enable_totp
from tests.workshops.support import valid_data
from workshops.lifecycle import checkin_codes
from workshops.registration import services as workshop_services

ROLES = ("anonymous", "rep_a", "rep_b", "coordinator", "funder")

# An id no table uses: "objects that do not exist" rows.
MISSING = 987654


@dataclass
class World:
    users: dict  # role → user (None for anonymous)
    sessions: dict = field(default_factory=dict)  # role → session key of a signed-in session
    ids: dict = field(default_factory=dict)  # placeholder in a row's path → value


def build_world() -> World:
    """Company A (owner rep_a, member of the active network N, a registration in the published
    workshop W), company B (owner rep_b), company C (asks to join N), a planned network, a draft
    and a finished workshop, a consultation, a colleague invitation, funder F with its user and
    two grants (one F co-finances, one it does not) with reports."""
    today = timezone.localdate()
    coordinator = UserFactory(email="koordination@regiolab.example", first_name="Kora")
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    enable_totp(coordinator)  # coordinators and funders must use a second factor

    company_a = CompanyFactory(name="Alpha Antriebstechnik GmbH")
    company_b = CompanyFactory(name="Beta Bäckerei KG", city="Burgdorf", municipality="Burgdorf")
    company_c = CompanyFactory(name="Gamma Guss GmbH")
    rep_a = CompanyMemberFactory(company=company_a, user__email="owner-a@alpha.example").user
    rep_b = CompanyMemberFactory(company=company_b, user__email="owner-b@beta.example").user

    funder = FunderFactory(name="Bundesministerium für Bildung", level="federal")
    funder_user = UserFactory(email="referat@bmbf.example")
    funder.users.add(funder_user)
    enable_totp(funder_user)
    region = FunderFactory(name="Region Hannover", level="region")
    other_funder = FunderFactory(name="Fremder Fonds", level="eu")

    network = TrainingNetworkFactory(name="Verbund Robotik", slug="verbund-robotik")
    network.coordinators.add(coordinator)
    planned = TrainingNetworkFactory(
        name="Verbund Geplant", slug="verbund-geplant", status="planned"
    )
    member_a = NetworkMembershipFactory(network=network, company=company_a)
    request_c = network_services.request_membership(
        network=network, company=company_c, requested_by=coordinator
    )

    workshop = WorkshopFactory(
        title="Robotik in der Praxis", slug="robotik-praxis", network=network
    )
    registration_a = workshop_services.register_participant(
        workshop=workshop,
        first_name="Anna",
        last_name="Alpha",
        email="anna@alpha.example",
        company=company_a,
        registered_by=rep_a,
    )
    # A waitlisted person while a seat is free: the coordinator's "promote" has work to do.
    waitlisted = RegistrationFactory(workshop=workshop, status="waitlisted", company=company_b)
    # Taken off the waitlist by the coordinator a moment ago: "undo" has work to do.
    undoable = RegistrationFactory(
        workshop=workshop,
        status="cancelled",
        cancelled_by=coordinator,
        cancelled_at=timezone.now(),
        company=company_b,
    )
    draft = WorkshopFactory(title="3D-Druck Entwurf", slug="entwurf-3d-druck", status="draft")
    # Another upcoming workshop: where the coordinator's "move" sends a participant.
    move_target = WorkshopFactory(title="Cobots Vertiefung", slug="cobots-vertiefung")
    now = timezone.now().replace(microsecond=0)
    finished = WorkshopFactory(
        title="Digitales Lernen Rückblick",
        slug="rueckblick-digital",
        network=network,
        status="done",
        starts_at=now - timedelta(days=10),
        ends_at=now - timedelta(days=10) + timedelta(hours=4),
    )
    attended = RegistrationFactory(workshop=finished, status="attended", company=company_a)
    unmarked = RegistrationFactory(workshop=finished, status="confirmed", company=company_b)

    consultation = company_services.log_consultation(
        company=company_a,
        coordinator=coordinator,
        date=today,
        channel="phone",
        subjects=["funding"],
        minutes="Beratung zu Förderprogrammen.",
        follow_up_on=today + timedelta(days=7),
    )
    colleague_invitation = company_services.invite_colleague(
        company=company_a, email="kollegin@alpha.example", invited_by=rep_a
    )
    # Addressed to the funder's own verified address: only the role rule can refuse it.
    funder_invitation = company_services.invite_colleague(
        company=company_a, email=funder_user.email, invited_by=rep_a
    )

    grant = Grant.objects.create(
        reference="FKZ 01PV26001",
        title="Weiterbildungsverbünde Region Hannover",
        start_date=date(today.year, 1, 1),
        end_date=date(today.year + 1, 12, 31),
        total_eligible_costs=Decimal("986000.00"),
    )
    grant.networks.add(network)
    grant.coordinators.add(coordinator)
    set_cofinancing_shares(
        grant=grant, shares=[ShareInput(funder, Decimal(70)), ShareInput(region, Decimal(30))]
    )
    other_grant = Grant.objects.create(
        reference="GEHEIM-99",
        title="Fremdes Projekt",
        start_date=date(today.year, 1, 1),
        end_date=date(today.year, 12, 31),
        total_eligible_costs=Decimal(5000),
    )
    set_cofinancing_shares(grant=other_grant, shares=[ShareInput(other_funder, Decimal(100))])
    report = _ready_report(grant)
    other_report = _ready_report(other_grant)
    receipt = _expenditure(grant, "B-MATRIX-1", with_file=True)
    receipt_other = _expenditure(other_grant, "GEHEIM-99-B1", with_file=True)
    expenditure_plain = _expenditure(grant, "B-MATRIX-3", with_file=False)
    failed_report = ProgressReport.objects.create(
        grant=grant,
        kind="interim",
        period_start=grant.start_date,
        period_end=today,
        status="failed",
        error="WeasyPrint fehlte",
    )
    # An e-mail the relay refused for good: on the coordinators' failed-mail page.
    OutboundEmail.objects.create(
        to="abgelehnt@example.org",
        subject="Ihre Anmeldung",
        body_text="Guten Tag",
        status="failed",
        last_error="550 No such user here",
    )
    queued_report = ProgressReport.objects.create(
        grant=grant, kind="interim", period_start=grant.start_date, period_end=today
    )
    # rep_a agreed that company A may be contacted (what the company form records).
    consent_a = record_contact_consent(company=company_a, given_by=rep_a, by_coordinator=False)

    # The information pages as the data migration writes them (a transactional test may have
    # flushed its rows from the reused test database).
    create_initial_pages(SitePage, SitePageSection)
    first_sections = {
        page.key: page.sections.order_by("position", "pk").first()
        for page in SitePage.objects.all()
    }

    world = World(
        users={
            "anonymous": None,
            "rep_a": rep_a,
            "rep_b": rep_b,
            "coordinator": coordinator,
            "funder": funder_user,
        }
    )
    world.ids = {
        "A": company_a.pk,
        "B": company_b.pk,
        "C": company_c.pk,
        "missing": MISSING,
        "consultation": consultation.pk,
        "company_invitation": colleague_invitation.token,
        "funder_invitation": funder_invitation.token,
        "N": network.slug,
        "planned": planned.slug,
        "member_a": member_a.pk,
        "request_c": request_c.pk,
        "W": workshop.slug,
        "draft": draft.slug,
        "move_target": move_target.pk,
        "undoable": undoable.pk,
        "done": finished.slug,
        "reg_a": registration_a.pk,
        "waitlisted": waitlisted.pk,
        "attended": attended.pk,
        "unmarked": unmarked.pk,
        "checkin_code": checkin_codes.checkin_code(unmarked),
        "token_a": registration_a.cancel_token,
        "token_attended": attended.cancel_token,
        "unsubscribe": unsubscribe_token(registration_a.email),
        "G": grant.pk,
        "G_other": other_grant.pk,
        "report": report.pk,
        "report_other": other_report.pk,
        "report_failed": failed_report.pk,
        "report_queued": queued_report.pk,
        "receipt": receipt.pk,
        "receipt_other": receipt_other.pk,
        "expenditure_plain": expenditure_plain.pk,
        "year": today.year,
        "funder_F": funder.pk,
        "funder_region": region.pk,
        "consent_a": consent_a.pk,
        **{f"{key}_section": section.pk for key, section in first_sections.items()},
        **{f"{key}_page": section.page_id for key, section in first_sections.items()},
    }
    return world


def _expenditure(grant, reference: str, *, with_file: bool) -> Expenditure:
    expenditure = Expenditure(
        grant=grant,
        date=grant.start_date,
        category="material",
        payee="Papier Nord",
        purpose="Flipcharts",
        amount=Decimal("12.50"),
        receipt_reference=reference,
    )
    if with_file:
        expenditure.receipt_file.save("receipt.pdf", ContentFile(RECEIPT_PDF), save=False)
        expenditure.receipt_name = "rechnung.pdf"
        expenditure.receipt_content_type = "application/pdf"
    expenditure.save()
    return expenditure


RECEIPT_PDF = b"%PDF-1.4\n%matrix receipt\n%%EOF\n"


def _ready_report(grant) -> ProgressReport:
    report = ProgressReport(
        grant=grant,
        kind="interim",
        period_start=grant.start_date,
        period_end=grant.start_date + timedelta(days=180),
        status="ready",
        finished_at=timezone.now(),
    )
    report.pdf_file.save("report.pdf", ContentFile(b"%PDF-1.4\n%matrix\n"), save=False)
    report.xlsx_file.save("report.xlsx", ContentFile(b"PK matrix"), save=False)
    report.save()
    return report


# --- What the rows send ------------------------------------------------------------------------
# Valid payloads: a coordinator (or owner) sending them really changes data, so a refused request
# that changes nothing proves the refusal, not a form error.


def _confirmed_invitation(world) -> dict:
    """The invitation form's choice with the fingerprint of its preview (the confirm step)."""
    from workshops.invitations.planning import plan_invitations
    from workshops.models import Workshop

    choice = {"emails": "gast@example.org", "consenting_only": "on"}
    plan = plan_invitations(
        workshop=Workshop.objects.get(slug=world.ids["W"]), addresses=["gast@example.org"]
    )
    return {**choice, "action": "send", "fingerprint": plan.fingerprint}


def _participants_email(world) -> dict:
    """The confirm step of an e-mail to the registrations of workshop W (a fresh preview key)."""
    import secrets

    from workshops.models import Registration

    ids = list(
        Registration.objects.filter(workshop__slug=world.ids["W"])
        .exclude(status=Registration.Status.CANCELLED)
        .values_list("pk", flat=True)
    )
    return {
        "group": "all",
        "subject": "Raumänderung",
        "text": "Wir treffen uns in Raum 2.",
        "recipients": ids,
        "key": secrets.token_hex(16),
        "action": "send",
    }


def _company_profile(name: str) -> dict:
    return {
        "name": name,
        "legal_form": "GmbH",
        "register_number": "HRB 12345",
        "street": "Am Sägewerk 3",
        "postcode": "30952",
        "city": "Ronnenberg",
        "municipality": "Ronnenberg",
        "sector": "F",
        "sector_code": "43.32",
        "kind": "sme",
        "headcount": "8",
        "annual_turnover": "900000",
        "balance_sheet_total": "",
        "figures_year": "2025",
        "enterprise_type": "autonomous",
        "website": "https://holzbau.example",
        "contact_consent": "on",
        "associated-TOTAL_FORMS": "0",
        "associated-INITIAL_FORMS": "0",
        "associated-MIN_NUM_FORMS": "0",
        "associated-MAX_NUM_FORMS": "50",
    }


def _import_file(world) -> dict:
    good = {
        "name": "Müller Fräs GmbH",
        "legal_form": "GmbH",
        "street": "Industrieweg 1",
        "postcode": "30159",
        "city": "Hannover",
        "municipality": "Hannover",
        "sector": "C",
        "sector_code": "25.62",
        "kind": "sme",
        "headcount": "25",
        "annual_turnover": "1234567",
        "figures_year": "2024",
        "contact_consent": "ja",
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMN_KEYS)
    writer.writerow([good.get(key, "") for key in COLUMN_KEYS])
    return {"file": SimpleUploadedFile("firmen.csv", buffer.getvalue().encode())}


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _workshop_form(title: str) -> dict:
    start = timezone.localtime(timezone.now() + timedelta(days=20)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    return {
        "title": title,
        "title_en": "",
        "slug": "",
        "description": "Einstieg in kollaborative Robotik.",
        "description_en": "",
        "network": "",
        "format": "on_site",
        "venue": "Technologiezentrum Hannover",
        "online_url": "",
        "starts_at": _local(start),
        "ends_at": _local(start + timedelta(hours=4)),
        "capacity": "12",
        "registration_deadline": "",
        "language": "de",
        "trainers": "Dr. Anna Schmidt",
        "funding_note": "",
    }


def _grant_form(world, reference: str, title: str) -> dict:
    year = world.ids["year"]
    return {
        "reference": reference,
        "title": title,
        "start_date": f"{year}-01-01",
        "end_date": f"{year + 1}-12-31",
        "currency": "EUR",
        "total_eligible_costs": "1000.50",
        "report_language": "de",
    }


def _shares(world) -> dict:
    return {
        "shares-TOTAL_FORMS": "2",
        "shares-INITIAL_FORMS": "0",
        "shares-0-funder": world.ids["funder_F"],
        "shares-0-percent": "60",
        "shares-1-funder": world.ids["funder_region"],
        "shares-1-percent": "40",
    }


def _expenditure_file(world) -> dict:
    year = world.ids["year"]
    content = (
        "date;category;payee;purpose;amount;receipt_reference\n"
        f"{year}-05-31;material;Bürobedarf Nord;Flipcharts;12,50;B-MATRIX-1\n"
    )
    return {"file": SimpleUploadedFile("belege.csv", content.encode())}


def _site_page_edit(world, key: str) -> dict:
    """The edit form with only the first section: a new German heading for it."""
    return {
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "1",
        "sections-0-id": world.ids[f"{key}_section"],
        "sections-0-page": world.ids[f"{key}_page"],
        "sections-0-position": "1",
        "sections-0-level": "2",
        "sections-0-heading_de": "Geänderte Überschrift",
        "sections-0-heading_en": "",
        "sections-0-body_de": "Geänderter Text.",
        "sections-0-body_en": "",
    }


PAYLOADS = {
    "setlang": lambda w: {"language": "en", "next": "/"},
    "anonymise_preview": lambda w: {"step": "preview", "email": "anna@alpha.example"},
    "anonymise_confirm": lambda w: {
        "step": "confirm",
        "email": "anna@alpha.example",
        "confirm": "on",
    },
    "a11y_feedback": lambda w: {
        "name": "Erika Muster",
        "email": "erika@example.org",
        "page_url": "/workshops/",
        "message": "Der Filter ist mit der Tastatur nicht erreichbar.",
        "homepage": "",
    },
    "imprint_edit": lambda w: _site_page_edit(w, "imprint"),
    "privacy_edit": lambda w: _site_page_edit(w, "privacy"),
    "accessibility_edit": lambda w: _site_page_edit(w, "accessibility"),
    "company": lambda w: _company_profile("Calenberger Holzbau GmbH"),
    "company_edit": lambda w: _company_profile("Alpha Gekapert GmbH"),
    "invite_colleague": lambda w: {"action": "invite", "invite-email": "neu@alpha.example"},
    "join_company": lambda w: {"company": w.ids["A"]},
    "withdraw": lambda w: {"action": "withdraw"},
    "consultation": lambda w: {
        "date": timezone.localdate().isoformat(),
        "channel": "phone",
        "subjects": ["funding"],
        "minutes": "Telefonat zur Förderung.",
        "follow_up_on": "",
    },
    "import": _import_file,
    "network": lambda w: {
        "name": "Verbund Additive Fertigung",
        "slug": "additive-fertigung",
        "status": "active",
        "sector_focus": "C",
        "description": "Drei Betriebe lernen 3D-Druck.",
        "start_date": "2026-01-01",
        "end_date": "2027-12-31",
    },
    "network_edit": lambda w: {
        "name": "Verbund Robotik (umbenannt)",
        "slug": "verbund-robotik",
        "status": "active",
        "sector_focus": "C",
        "description": "Geändert.",
        "start_date": "2026-01-01",
        "end_date": "2027-12-31",
    },
    "accept": lambda w: {"decision": "accept"},
    "add_member": lambda w: {"company": w.ids["B"], "role": "member"},
    # The dashboard names each select after its membership (one form for all rows).
    "role": lambda w: {f"role-{w.ids['member_a']}": "anchor"},
    "register": lambda w: valid_data(),
    "workshop": lambda w: _workshop_form("Cobots im Mittelstand"),
    "workshop_edit": lambda w: {**_workshop_form("Robotik umbenannt"), "slug": w.ids["W"]},
    "checkin": lambda w: {f"registration_{w.ids['unmarked']}": "attended"},
    "checkin_person": lambda w: {"action": "in"},
    "checkin_code": lambda w: {"code": w.ids["checkin_code"]},
    "walk_in": lambda w: {
        "first_name": "Tobias",
        "last_name": "Tür",
        "email": "tobias.tuer@example.org",
        "company_name": "",
        "language": "de",
    },
    "bulk_cancel": lambda w: {
        "action": "cancel",
        "registrations": [w.ids["reg_a"], w.ids["waitlisted"]],
        "confirmed": "1",
    },
    "bulk_export": lambda w: {"action": "export_csv", "registrations": [w.ids["reg_a"]]},
    "move_preview": lambda w: {"to_workshop": w.ids["move_target"]},
    "move": lambda w: {"to_workshop": w.ids["move_target"], "confirmed": "1"},
    "invite": lambda w: _confirmed_invitation(w),
    "invite_preview": lambda w: {"emails": "gast@example.org", "consenting_only": "on"},
    "participants_email_preview": lambda w: {
        "group": "all",
        "subject": "Raumänderung",
        "text": "Wir treffen uns in Raum 2.",
    },
    "participants_email": lambda w: _participants_email(w),
    "cancel_own": lambda w: {"registration": w.ids["reg_a"]},
    "grant": lambda w: _grant_form(w, "ZUW-2026-01", "Neuer Verbund"),
    "grant_edit": lambda w: _grant_form(w, "FKZ 01PV26001", "Übernommen"),
    "shares": _shares,
    "budget": lambda w: {
        "budget-category": "material",
        "budget-year": str(w.ids["year"]),
        "budget-amount": "999.99",
    },
    "indicator": lambda w: {"code": "participants", "target": "50"},
    "expenditure": lambda w: {
        "date": f"{w.ids['year']}-03-02",
        "category": "material",
        "payee": "Bürobedarf Nord",
        "purpose": "Flipcharts",
        "amount": "49.90",
        "receipt_reference": "B-MATRIX-2",
    },
    "expenditure_import": _expenditure_file,
    "expenditure_edit": lambda w: {
        "date": f"{w.ids['year']}-03-03",
        "category": "travel",
        "payee": "Deutsche Bahn",
        "purpose": "Fahrt",
        "amount": "19.90",
        "receipt_reference": "B-MATRIX-1",
        "receipt_file": SimpleUploadedFile("beleg.pdf", RECEIPT_PDF),
    },
    "report_period": lambda w: {
        "period_start": f"{w.ids['year']}-01-01",
        "period_end": f"{w.ids['year']}-06-30",
    },
    "personal_data_request": lambda w: {"email": "anna@alpha.example"},
}


# --- Did anything change? ----------------------------------------------------------------------

_WATCHED_APPS = {
    *("companies", "networks", "workshops", "funding"),
    *("regiolab", "pages", "privacy", "outbox"),  # the core and its small apps with models
    *("auth", "account"),
}


def _watched_tables() -> list[tuple[str, str]]:
    tables = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in _WATCHED_APPS and model._meta.model_name != "permission":
            tables.append((model._meta.db_table, model._meta.pk.column))
    return sorted(tables)


def data_snapshot() -> dict:
    """A fingerprint of every row of the portal's own tables (incl. many-to-many links), users
    and e-mail addresses, in one PostgreSQL query. The world is small, so hashing whole tables
    is cheap and misses nothing."""
    tables = _watched_tables()
    parts = ", ".join(
        # Table and column names come from the models, quoted; no user input.
        f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.{qn(pk)}), '')) "  # noqa: S608
        f"FROM {qn(table)} t)"
        for table, pk in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        digests = cursor.fetchone()
    return dict(zip((table for table, _ in tables), digests, strict=True))


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])
