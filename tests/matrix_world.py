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
from learning.models import (
    CycleReport,
    FinalReport,
    ProgrammeOrganisation,
    ProgrammePerson,
    ReportItem,
    ResultSection,
    SubmissionAttachment,
    Task,
    TaskSubmission,
)
from learning.services import create_programme
from networks import services as network_services
from regiolab.mail import unsubscribe_token
from regiolab.mail.models import OutboundEmail
from regiolab.models import Topic
from regiolab.pages.content import create_initial_pages
from regiolab.pages.models import SitePage, SitePageSection
from regiolab.permissions import COORDINATORS_GROUP
from surveys.models import (
    Answer,
    DemandPlan,
    Question,
    Response,
    Survey,
    SurveyInvitation,
    SurveyVersion,
)
from tests import matrix_parts
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
from workshops.models import Workshop
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
        **_learning_world(coordinator, company_a, company_b, rep_a, rep_b),
        **_surveys_world(coordinator, company_a, finished),
        **_surveys_distribution_world(coordinator),
        **_survey_builder_world(coordinator),
    }
    base = matrix_parts.Base(
        coordinator=coordinator,
        rep_a=rep_a,
        rep_b=rep_b,
        funder_user=funder_user,
        company_a=company_a,
        company_b=company_b,
        company_c=company_c,
        network=network,
        workshop=workshop,
        finished=finished,
        grant=grant,
        other_grant=other_grant,
        ids=dict(world.ids),
    )
    for part in matrix_parts.PARTS:
        world.ids.update(part.world(base))
    return world


def _surveys_world(coordinator, company_a, finished) -> dict:
    """Survey S: an open anonymous panel survey with one required single-choice question, an
    invitation (token S_token) and one response; S_closed: a closed one with its own token."""
    survey = Survey.objects.create(
        title="Netzwerkbefragung", purpose="panel", status="open", created_by=coordinator
    )
    version = SurveyVersion.objects.create(survey=survey, number=1)
    question = Question.objects.create(
        version=version,
        code="rolle",
        type="single",
        text="Welche Rolle haben KMU?",
        required=True,
        options=[{"value": "a", "label": "Mitglied"}, {"value": "b", "label": "Anker"}],
    )
    survey.current_version = version
    survey.save(update_fields=["current_version"])
    invitation = SurveyInvitation.objects.create(survey=survey, email="panel@extern.example")
    response = Response.objects.create(
        survey=survey, version=version, answered_on=timezone.localdate()
    )
    Answer.objects.create(response=response, question=question, option="a")
    closed = Survey.objects.create(
        title="Alte Befragung", purpose="panel", status="closed", created_by=coordinator
    )
    closed_version = SurveyVersion.objects.create(survey=closed, number=1)
    closed.current_version = closed_version
    closed.save(update_fields=["current_version"])
    closed_invitation = SurveyInvitation.objects.create(survey=closed, email="alt@extern.example")
    # S2: a link already used (its thank-you page) and an open training-needs round that
    # companies answer in their space (S_needs, question "format").
    answered = SurveyInvitation.objects.create(
        survey=survey, email="fertig@extern.example", answered_at=timezone.now()
    )
    needs = Survey.objects.create(
        title="Weiterbildungsbedarf",
        purpose="training_needs",
        status="open",
        created_by=coordinator,
    )
    needs_version = SurveyVersion.objects.create(survey=needs, number=1)
    Question.objects.create(
        version=needs_version,
        code="format",
        type="single",
        text="Welches Format bevorzugen Sie?",
        required=True,
        options=[{"value": "online", "label": "Online"}, {"value": "vor_ort", "label": "Vor Ort"}],
    )
    needs.current_version = needs_version
    needs.save(update_fields=["current_version"])
    return {
        "S_answered_token": answered.token,
        "S_needs": needs.pk,
        **_survey_results_world(coordinator),
        **_demand_world(coordinator, company_a),
        "S": survey.pk,
        "S_question": question.pk,
        "S_token": invitation.token,
        "S_invitation": invitation.pk,
        "S_response": str(response.pk),
        "S_closed": closed.pk,
        "S_closed_token": closed_invitation.token,
    }


def _survey_builder_world(coordinator) -> dict:
    """The builder's pages: survey S gets a section S_section; S_draft is a draft survey with
    one question (opening it is a real write)."""
    from surveys.models import Section

    survey = Survey.objects.get(title="Netzwerkbefragung")
    section = Section.objects.create(version=survey.current_version, position=1, title="Rollen")
    draft = Survey.objects.create(title="Entwurf", purpose="other", created_by=coordinator)
    draft_version = SurveyVersion.objects.create(survey=draft, number=1)
    Question.objects.create(version=draft_version, code="frage", type="long_text", text="Frage?")
    draft.current_version = draft_version
    draft.save(update_fields=["current_version"])
    return {"S_section": section.pk, "S_draft": draft.pk}


def _survey_results_world(coordinator) -> dict:
    """S_results: an anonymous feedback survey with five responses (results are shown, the
    export is allowed), a choice, a scale and an open question ``idee``."""
    survey = Survey.objects.create(
        title="Feedback Robotik", purpose="feedback", status="open", created_by=coordinator
    )
    version = SurveyVersion.objects.create(survey=survey, number=1)
    survey.current_version = version
    survey.save(update_fields=["current_version"])
    choice = Question.objects.create(
        version=version,
        code="rolle",
        type="single",
        text="Ihre Rolle?",
        position=1,
        options=[{"value": "a", "label": "Leitung"}, {"value": "b", "label": "Fachkraft"}],
    )
    scale = Question.objects.create(
        version=version,
        code="satisfaction",
        type="scale",
        text="Wie zufrieden?",
        position=2,
        scale_max=5,
        low_label="gar nicht",
        high_label="sehr",
    )
    idea = Question.objects.create(
        version=version, code="idee", type="long_text", text="Was verbessern?", position=3
    )
    for n in range(5):
        response = Response.objects.create(
            survey=survey, version=version, answered_on=timezone.localdate()
        )
        Answer.objects.bulk_create(
            [
                Answer(response=response, question=choice, option="ab"[n % 2]),
                Answer(response=response, question=scale, number=n + 1),
                Answer(response=response, question=idea, text=f"Mehr Praxis {n}"),
            ]
        )
    return {"S_results": survey.pk}


def _demand_world(coordinator, company_a) -> dict:
    """Company A's profile asks for topic "Robotik Welt" (a cell of the demand board) and a
    draft workshop D_plan was planned from it (not yet published)."""
    topic = Topic.objects.create(slug="robotik-welt", name_de="Robotik Welt")
    company_a.training_needs.add(topic)
    starts = timezone.now() + timedelta(days=60)
    workshop = Workshop.objects.create(
        title="Robotik Welt in Hannover",
        slug="robotik-welt-hannover",
        format="on_site",
        venue="Hannover",
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        capacity=12,
        status="draft",
        created_by=coordinator,
    )
    plan = DemandPlan.objects.create(
        workshop=workshop,
        topic=topic,
        municipality=company_a.municipality,
        size_class=company_a.size_class,
        created_by=coordinator,
    )
    plan.companies.add(company_a)
    return {
        "D_plan": plan.pk,
        "D_topic": topic.slug,
        "D_municipality": company_a.municipality,
        "D_size_class": company_a.size_class,
    }


def _learning_world(coordinator, company_a, company_b, rep_a, rep_b) -> dict:
    """Programme LP: company A is an organisation (rep_a a participant); cycle 1 has a task with A's submission and attachment and A's submitted
    report; a ready final report. Programme LP_other: company B (rep_b), the participant of
    another programme, who must see nothing of LP."""
    start = timezone.localdate() + timedelta(days=30)
    programme = create_programme(
        title="Lernen Metall", start=start, created_by=coordinator, themes=["Fachkräfte"]
    )
    other = create_programme(title="Lernen Anderswo", start=start, created_by=coordinator)
    # Nobody of the world takes part; its public summary is published.
    public = create_programme(
        title="Lernen Öffentlich",
        start=start,
        created_by=coordinator,
        public_summary="Zwölf Betriebe lernen gemeinsam.",
    )
    public.summary_published = True
    public.save(update_fields=["summary_published"])
    org_a = ProgrammeOrganisation.objects.create(
        programme=programme, company=company_a, actor_type="firm"
    )
    ProgrammePerson.objects.create(organisation=org_a, email=rep_a.email, user=rep_a)
    org_b = ProgrammeOrganisation.objects.create(
        programme=other, company=company_b, actor_type="firm"
    )
    ProgrammePerson.objects.create(organisation=org_b, email=rep_b.email, user=rep_b)
    cycle = programme.cycles.get(number=1)
    task = Task.objects.create(
        cycle=cycle, title="Bedarf erheben", due_date=start - timedelta(days=1)
    )
    submission = TaskSubmission.objects.create(
        task=task, organisation=org_a, text="Erhoben.", status="submitted"
    )
    attachment = SubmissionAttachment(
        submission=submission, name="bedarf.pdf", content_type="application/pdf", size=30
    )
    attachment.file.save("bedarf.pdf", ContentFile(RECEIPT_PDF), save=False)
    attachment.save()
    report = CycleReport.objects.create(
        cycle=cycle, organisation=org_a, status="submitted", submitted_at=timezone.now()
    )
    item = ReportItem.objects.create(report=report, section="obstacle", text="Zu wenig Azubis")
    final = FinalReport(programme=programme, status="ready", progress=100)
    final.pdf_file.save("final.pdf", ContentFile(RECEIPT_PDF), save=False)
    final.save()
    return {
        "LP": programme.slug,
        "LP_other": other.slug,
        "LP_public": public.slug,
        "LP_org_a": org_a.pk,
        "LP_org_b": org_b.pk,
        "LP_person_a": org_a.people.get().pk,
        "LP_cycle": cycle.number,
        "LP_task": task.pk,
        "LP_submission": submission.pk,
        "LP_attachment": attachment.pk,
        "LP_report": report.pk,
        "LP_item": item.pk,
        "LP_final": final.pk,
        **_learning_results_world(programme, other, final),
    }


def _learning_results_world(programme, other, final) -> dict:
    """The results of LP: a tool, the ready final report's XLSX twin, a failed final report;
    LP_other's recommendation and queued final report (for the other programme's 404s)."""
    final.xlsx_file.save("final.xlsx", ContentFile(b"PK matrix"), save=True)
    section = ResultSection.objects.create(
        programme=programme, kind="tool", title="Leitfaden Verbundausbildung", body="Schritte."
    )
    other_section = ResultSection.objects.create(
        programme=other, kind="recommendation", title="Empfehlung Anderswo", body="Text."
    )
    failed = FinalReport.objects.create(
        programme=programme, status="failed", error="WeasyPrint: out of memory"
    )
    # LP_other's: a queued report of LP would refuse the matrix's request for a new one.
    queued = FinalReport.objects.create(programme=other, status="queued")
    return {
        "LP_section": section.pk,
        "LP_other_section": other_section.pk,
        "LP_final_failed": failed.pk,
        "LP_final_queued": queued.pk,
    }


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


def _survey_form(title: str) -> dict:
    return {"title": title, "purpose": "panel", "anonymity": "anonymous", "copy_of": ""}


def _question_form(code: str, **extra) -> dict:
    return {
        "code": code,
        "type": "single",
        "text": "Wie groß ist Ihr Netzwerk?",
        "options": "klein | Klein | Small\ngross | Groß | Large",
        "max_length": "500",
        **extra,
    }


PAYLOADS = {
    "survey_answer": lambda w: {"rolle": "a"},
    "needs_answer": lambda w: {"format": "online"},
    "survey_new": lambda w: _survey_form("Panel 2027"),
    "survey_edit": lambda w: _survey_form("Netzwerkbefragung umbenannt"),
    "section_new": lambda w: {"title": "Zweiter Teil", "title_en": "Part two"},
    "section_edit": lambda w: {"title": "Rollen der KMU"},
    "question_new": lambda w: _question_form("groesse", section=w.ids["S_section"]),
    # A removed option (b) of the answered question: a new version.
    "question_edit": lambda w: _question_form("rolle", options="a | Mitglied\nc | Gast"),
    "demand_plan": lambda w: {
        "topic": w.ids["D_topic"],
        "municipality": w.ids["D_municipality"],
        "size_class": w.ids["D_size_class"],
    },
    "demand_publish": lambda w: {"confirmed": "1"},
    "learning_result_section": lambda w: {
        "kind": "recommendation",
        "title": "Praktika früher fördern",
        "body": "Die Region fördert Praktika ab Klasse 7.",
        "title_en": "",
        "body_en": "",
        "position": "",
    },
    "learning_final_report": lambda w: {"language": "de"},
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
    "learning_programme": lambda w: {
        "title": "Lernen im Verbund",
        "currency": "EUR",
        "start": (timezone.localdate() + timedelta(days=60)).isoformat(),
        "cycles": "3",
        "interval_weeks": "8",
        "themes": "Bedarf\nAusbildung",
    },
    "learning_programme_edit": lambda w: {
        "title": "Lernen Metall umbenannt",
        "currency": "EUR",
        "shared_reports": "on",
        "public_summary": "Öffentlich.",
    },
    "learning_move": lambda w: _learning_move(w),
    "learning_theme": lambda w: {"theme": "Fachkräfte binden", "theme_en": "Keeping staff"},
    "learning_organisation": lambda w: {
        "company": w.ids["C"],
        "actor_type": "support",
        "people": "Clara Calenberg <clara@c.example>",
    },
    "learning_person": lambda w: {"email": "neu@alpha.example", "first_name": "Nina"},
    "learning_finding": lambda w: {"new_tags": "Fachkräftemangel", "follows": ""},
}


def _learning_move(world) -> dict:
    """Cycle 1's learning workshop of LP one day later, confirmed (the later ones move too)."""
    from learning.models import Cycle

    workshop = Cycle.objects.get(programme__slug=world.ids["LP"], number=1).workshop
    start = timezone.localtime(workshop.starts_at) + timedelta(days=1)
    end = timezone.localtime(workshop.ends_at) + timedelta(days=1)
    return {
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
        "shift_later": "on",
        "confirmed": "1",
    }


# The learning cycles' homework and reports (learning/homework/).
PAYLOADS.update(
    {
        "confirmed": lambda w: {"confirmed": "1"},
        "lp_task": lambda w: {
            "title": "Netzwerkkarte zeichnen",
            "instructions": "Wer bildet mit wem aus?",
            "due_date": "",
            "assignee": "organisation",
        },
        "lp_task_edit": lambda w: {
            "title": "Bedarf erheben (ergänzt)",
            "instructions": "",
            "due_date": "",
            "assignee": "organisation",
        },
        "lp_answer": lambda w: {"text": "Erhoben und ergänzt.", "action": "submit"},
        "lp_return": lambda w: {"feedback": "Bitte die Zahlen ergänzen."},
        "lp_report": lambda w: {
            "action": "submit",
            **{
                f"{section}-{key}": "0"
                for section in ("activity", "challenge", "opportunity")
                for key in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
            "obstacle-TOTAL_FORMS": "1",
            "obstacle-INITIAL_FORMS": "1",
            "obstacle-0-id": w.ids["LP_item"],
            "obstacle-0-text": "Zu wenig Azubis, auch im zweiten Jahr",
            "obstacle-0-tags": "Ausbildung",
        },
    }
)


# --- Did anything change? ----------------------------------------------------------------------

_WATCHED_APPS = {
    *("companies", "networks", "workshops", "funding"),
    *("regiolab", "pages", "privacy", "outbox"),  # the core and its small apps with models
    *("auth", "account"),
    "learning",
}
_WATCHED_APPS.add("surveys")  # the survey pages' writes must show (refused ones must not)
_WATCHED_APPS.add("learning")
_WATCHED_APPS.update({"challenges", "policy"})


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


def _surveys_distribution_world(coordinator) -> dict:
    """S3_needs: an open training-needs round; network S3_net with one company that agreed to
    be contacted (Zeta, one contact person), so a confirmed invitation writes a row."""
    from companies.models import CompanyMember
    from surveys.distribution.services import optout_token

    survey = Survey.objects.create(
        title="Weiterbildungsbedarf 2027",
        purpose="training_needs",
        anonymity="identified",
        status="open",
        created_by=coordinator,
    )
    version = SurveyVersion.objects.create(survey=survey, number=1)
    Question.objects.create(
        version=version, code="topics", type="short_text", text="Welche Themen?", required=True
    )
    survey.current_version = version
    survey.save(update_fields=["current_version"])
    network = TrainingNetworkFactory(name="Verbund Bedarf", slug="verbund-bedarf")
    zeta = CompanyFactory(name="Zeta Zerspanung GmbH", contact_consent=True)
    NetworkMembershipFactory(network=network, company=zeta)
    CompanyMember.objects.create(
        user=UserFactory(email="kontakt@zeta.example"),
        company=zeta,
        role=CompanyMember.Role.OWNER,
        status=CompanyMember.Status.ACTIVE,
    )
    return {
        "S3_needs": survey.pk,
        "S3_net": network.pk,
        "S3_optout": optout_token("panel@extern.example"),
    }


def _needs_send(world) -> dict:
    from networks.models import TrainingNetwork
    from surveys.distribution import planning

    plan = planning.plan_needs_invitations(
        survey=Survey.objects.get(pk=world.ids["S3_needs"]),
        networks=[TrainingNetwork.objects.get(pk=world.ids["S3_net"])],
    )
    return {"networks": [world.ids["S3_net"]], "action": "send", "fingerprint": plan.fingerprint}


PAYLOADS.update(
    {
        "s3_feedback_off": lambda w: {},
        "s3_needs_preview": lambda w: {"networks": [w.ids["S3_net"]], "action": "preview"},
        "s3_needs_send": _needs_send,
        "s3_panel_import": lambda w: {
            "file": SimpleUploadedFile(
                "panel.csv", b"email;name;organisation;region\nneu@extern.example;Neu;Netz;Celle\n"
            )
        },
    }
)

# The newer apps' payloads (tests/matrix_parts/).
for _part in matrix_parts.PARTS:
    PAYLOADS.update(_part.PAYLOADS)
