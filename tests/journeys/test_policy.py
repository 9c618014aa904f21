"""Policy learning's main journeys through real requests, on whichever database the run has
(``make test`` runs them again on SQLite without Redis, as ``make run``):

- a coordinator records a good practice, which is saved as a draft; she cannot validate it
  herself (the page offers her no button, and a validation she sends anyway is refused); a
  second coordinator validates it, and an anonymous visitor then finds it in the public library,
  opens its page and downloads its one-page PDF, whose text holds the title;
- a coordinator creates a stakeholder group with member organisations of three helix categories
  and their people, an action plan of the group building on a validated practice, an action
  with an indicator entered by hand, records the indicator's value, requests the monitoring
  report (built at once: eager Celery) and downloads its PDF and its XLSX twin, opened with
  LibreOffice headless;
- a visitor subscribes to the newsletter, gets the double opt-in e-mail, follows its link and
  confirms; from then on the address receives the newsletter and its consent is on record.

Every step has a form or a link in the pages. One step does not start from a link because no
page has one: the refused self-validation is a POST the author's page does not offer (what a
crafted or stale request would send). The validated
practice the action plan builds on is made directly as a row (the first journey walks its
recording and validation).
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from policy.models import (
    Action,
    ActionIndicator,
    ActionPlan,
    GoodPractice,
    GroupMember,
    GroupPerson,
    IndicatorValue,
    MonitoringNarrative,
    MonitoringReport,
    StakeholderGroup,
    Subscriber,
)
from regiolab.privacy.models import Consent
from tests.factories import CompanyFactory
from tests.journeys.support import (
    click,
    current_url,
    find_form,
    html,
    link_in,
    links,
    mails_to,
    open_link,
    sign_in,
    submit,
    text_of,
)
from tests.learning.support_e1 import missing_from, pdftotext
from tests.policy.practices_support import make_coordinator, make_practice
from tests.support.libreoffice import read_xlsx, records
from tests.support.pdf_geometry import page_count

pytestmark = [pytest.mark.embedded, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    """Monitoring reports go to a temporary private storage, never into the checkout."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- a) a good practice from the draft to the public library ------------------------------

PRACTICE = {
    "title": "Fachkräfte-Werkstatt Nordhessen",
    "summary": "Kleine Betriebe bilden gemeinsam aus und teilen sich eine Lehrwerkstatt.",
    "description": "Zwölf Betriebe, eine Werkstatt, ein Ausbildungsplan für alle.",
    "region": "Nordhessen",
    "country": "DE",
    "organisation": "Regionalmanagement Nordhessen",
    "theme": "Fachkräfte",
    "evidence": "30 Auszubildende in drei Jahren, keiner hat abgebrochen.",
    "contact_name": "Anna Autorin",
    "contact_email": "anna.autorin@example.org",
}


def test_practice_from_the_draft_to_the_public_page_and_its_pdf(client, coordinator):
    title = PRACTICE["title"]

    # The author records the practice: a draft, written by her.
    page = client.get("/practices/new/", follow=True)
    assert current_url(page).startswith("/accounts/login/")
    page = sign_in(client, page, coordinator)
    assert current_url(page) == "/practices/new/"
    page = submit(client, page, {**PRACTICE, "figures-0-kind": "workshops_held"}, field="title")
    practice = GoodPractice.objects.get(title=title)
    assert current_url(page) == f"/practices/{practice.slug}/"
    assert practice.slug == "fachkraefte-werkstatt-nordhessen"
    assert (practice.status, practice.author_id) == ("draft", coordinator.pk)
    assert list(practice.figures.values_list("kind", flat=True)) == ["workshops_held"]
    text = html(page)
    assert "Sie haben diese Praxis entworfen" in text
    assert not links(page, r"/validate/$") and "/validate/" not in text

    # A validation she sends anyway is refused, and the practice stays a draft.
    page = client.post(f"/practices/{practice.slug}/validate/", follow=True)
    assert current_url(page) == f"/practices/{practice.slug}/"
    assert "Sie haben diese Praxis selbst entworfen" in html(page)
    practice.refresh_from_db()
    assert (practice.status, practice.validated_by_id) == ("draft", None)

    # Nobody else sees the draft yet (the public list is cached now, without it).
    visitor = Client()
    assert visitor.get(f"/practices/{practice.slug}/").status_code == 404
    assert title not in html(visitor.get("/practices/"))

    # A second coordinator finds it among the drafts and validates it.
    second = make_coordinator("bernd@regiolab.example", "Bernd", "Zweit")
    colleague = Client()
    page = sign_in(colleague, colleague.get("/accounts/login/?next=/practices/"), second)
    assert current_url(page) == "/practices/"
    page = click(colleague, page, rf"^/practices/{practice.slug}/$")
    page = submit(colleague, page, action=rf"^/practices/{practice.slug}/validate/$")
    assert current_url(page) == f"/practices/{practice.slug}/"
    assert "Die Praxis wurde validiert und ist jetzt öffentlich." in html(page)
    practice.refresh_from_db()
    assert (practice.status, practice.validated_by_id) == ("validated", second.pk)
    assert practice.validated_at is not None

    # An anonymous visitor finds it through the navigation and opens its page.
    page = click(visitor, visitor.get("/"), r"^/practices/$")
    assert not links(page, r"^/practices/new/$")  # no coordinators' links for visitors
    page = click(visitor, page, rf"^/practices/{practice.slug}/$")
    assert current_url(page) == f"/practices/{practice.slug}/"
    text = html(page)
    for value in (title, PRACTICE["summary"], PRACTICE["organisation"], PRACTICE["evidence"]):
        assert value in text, value
    assert "Entwurf" not in text and "/edit/" not in text

    # Its one-page PDF: a PDF whose text holds the title.
    response = click(visitor, page, rf"^/practices/{practice.slug}/practice\.pdf$")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = body(response)
    assert content.startswith(b"%PDF-") and page_count(content) == 1
    text = pdftotext(content)
    assert not missing_from(text, [title, PRACTICE["organisation"]]), text


# --- b) stakeholder group, action plan, monitoring report ---------------------------------

MEMBERS = [
    ("Landkreis Kassel", "government", ["wirtschaft@landkreis-kassel.example"]),
    ("Drehteile Becker GmbH", "business", ["jana@becker.example", "chef@becker.example"]),
    ("Universität Kassel", "science", ["transfer@uni-kassel.example"]),
]
ACTION = "Lehrwerkstatt im Verbund aufbauen"
INDICATOR = "Betriebe in der Verbundausbildung"
NARRATIVE = "Acht Betriebe sind dabei; die Werkstatt öffnet im Herbst."


def test_group_and_plan_to_the_monitoring_report(client, coordinator):
    companies = {name: CompanyFactory(name=name) for name, *_ in MEMBERS}
    practice = make_practice(1, title="Fachkräfte-Werkstatt Nordhessen", slug="werkstatt")
    today = timezone.localdate()

    # The stakeholder group, from the coordinators' navigation.
    page = client.get("/policy/groups/", follow=True)
    assert current_url(page).startswith("/accounts/login/")
    page = sign_in(client, page, coordinator)
    assert current_url(page) == "/policy/groups/"
    page = click(client, page, r"^/policy/groups/new/$")
    page = submit(
        client,
        page,
        {
            "name": "Stakeholdergruppe Fachkräfte Nordhessen",
            "purpose": "Den Aktionsplan begleiten.",
            "region": "Nordhessen",
        },
        field="name",
    )
    group = StakeholderGroup.objects.get(name="Stakeholdergruppe Fachkräfte Nordhessen")
    assert current_url(page) == f"/policy/groups/{group.pk}/"
    assert (group.meetings_per_year, group.created_by_id) == (2, coordinator.pk)

    for name, category, people in MEMBERS:
        page = click(client, page, rf"^/policy/groups/{group.pk}/members/new/$")
        page = submit(
            client,
            page,
            {
                "company": str(companies[name].pk),
                "category": category,
                "people": "\n".join(people),
            },
            field="company",
        )
        assert current_url(page) == f"/policy/groups/{group.pk}/", name
    members = {m.company.name: m.category for m in group.members.select_related("company")}
    assert members == {name: category for name, category, _ in MEMBERS}
    people = set(GroupPerson.objects.filter(member__group=group).values_list("email", flat=True))
    assert people == {email for *_, emails in MEMBERS for email in emails}
    text = html(page)
    for name, _category, emails in MEMBERS:
        assert name in text and all(email in text for email in emails), name
    assert GroupMember.objects.filter(group=group).count() == 3

    # The action plan of the group, building on the practice.
    page = click(client, page, r"^/policy/plans/$")
    page = click(client, page, r"^/policy/plans/new/$")
    form = find_form(page, field="title")
    assert str(practice.pk) in form["fields"]["practices"]["choices"]
    assert str(group.pk) in form["fields"]["group"]["choices"]
    start, end = today - timedelta(days=180), today + timedelta(days=550)
    page = submit(
        client,
        page,
        {
            "title": "Aktionsplan Fachkräfte Nordhessen",
            "region": "Nordhessen",
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "group": str(group.pk),
            "practices": [str(practice.pk)],
        },
        field="title",
    )
    plan = ActionPlan.objects.get(title="Aktionsplan Fachkräfte Nordhessen")
    assert current_url(page) == f"/policy/plans/{plan.pk}/"
    assert (plan.group_id, plan.period_start, plan.period_end) == (group.pk, start, end)
    assert list(plan.practices.all()) == [practice]
    assert group.name in html(page) and practice.title in html(page)

    # An action with an indicator entered by hand, and the indicator's value.
    page = click(client, page, rf"^/policy/plans/{plan.pk}/actions/new/$")
    page = submit(
        client,
        page,
        {
            "title": ACTION,
            "description": "Eine gemeinsame Lehrwerkstatt für die Betriebe der Region.",
            "status": "running",
            "responsible": str(companies["Landkreis Kassel"].pk),
            "starts_on": start.isoformat(),
            "ends_on": end.isoformat(),
            "estimated_cost": "48000",
            "funding_text": "ESF Plus",
        },
        field="title",
    )
    action = Action.objects.get(plan=plan)
    assert current_url(page) == f"/policy/plans/{plan.pk}/"
    assert (action.title, action.status) == (ACTION, "running")
    assert action.responsible == companies["Landkreis Kassel"]
    assert ACTION in html(page)

    page = click(client, page, rf"^/policy/plans/{plan.pk}/actions/{action.pk}/indicators/new/$")
    page = submit(
        client,
        page,
        {"name": INDICATOR, "unit": "Betriebe", "target": "20", "source": "manual"},
        field="name",
    )
    indicator = ActionIndicator.objects.get(action=action)
    assert current_url(page) == f"/policy/plans/{plan.pk}/"
    assert (indicator.name, indicator.target, indicator.source) == (INDICATOR, 20, "manual")
    assert INDICATOR in html(page)

    measured = today - timedelta(days=3)
    page = click(client, page, rf"^/policy/plans/{plan.pk}/indicators/{indicator.pk}/values/new/$")
    page = submit(client, page, {"value": "8", "measured_on": measured.isoformat()}, field="value")
    assert current_url(page) == f"/policy/plans/{plan.pk}/"
    value = IndicatorValue.objects.get(indicator=indicator)
    assert (value.value, value.measured_on, value.entered_by_id) == (8, measured, coordinator.pk)
    assert "40 %" in html(page)  # 8 of 20, on the plan's page at once

    # The monitoring report up to today, with the action's narrative.
    page = click(client, page, rf"^/policy/plans/{plan.pk}/monitoring/new/$")
    page = submit(
        client,
        page,
        {"period_end": today.isoformat(), f"narrative_{action.pk}": NARRATIVE},
        field="period_end",
    )
    assert current_url(page) == f"/policy/plans/{plan.pk}/"
    assert "Der Monitoringbericht wird erstellt." in html(page)
    report = MonitoringReport.objects.get(plan=plan)
    assert (report.period_start, report.period_end) == (start, today)
    assert (report.status, report.progress, report.error) == ("ready", 100, "")
    assert MonitoringNarrative.objects.get(report=report).text == NARRATIVE
    [pdf_link] = links(page, rf"^/policy/monitoring/{report.pk}/download/$")
    [xlsx_link] = links(page, rf"^/policy/monitoring/{report.pk}/download/\?format=xlsx$")

    response = client.get(pdf_link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = body(response)
    assert content.startswith(b"%PDF-")
    text = pdftotext(content)
    assert not missing_from(text, [plan.title, ACTION, INDICATOR, NARRATIVE]), text

    response = client.get(xlsx_link.replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheets = read_xlsx(body(response))
    assert {"Aktionsplan", "Maßnahmen", "Indikatoren"} <= set(sheets), list(sheets)
    [action_row] = records(sheets["Maßnahmen"])
    assert action_row["Maßnahme"].shown == ACTION
    assert (action_row["Status"].shown, action_row["Sachstandsbericht"].shown) == (
        "läuft",
        NARRATIVE,
    )
    [indicator_row] = records(sheets["Indikatoren"])
    assert (indicator_row["Maßnahme"].shown, indicator_row["Indikator"].shown) == (
        ACTION,
        INDICATOR,
    )
    assert indicator_row["Wert"].type == indicator_row["Zielwert"].type == "float"
    assert (float(indicator_row["Wert"].value), float(indicator_row["Zielwert"].value)) == (8, 20)

    # A stranger gets neither file.
    stranger = Client()
    assert current_url(stranger.get(pdf_link, follow=True)).startswith("/accounts/login/")


# --- c) the newsletter's double opt-in ----------------------------------------------------

READER = "leserin@example.org"


def test_visitor_subscribes_to_the_newsletter_and_confirms(client):
    # The subscription page: linked from the public good-practice library.
    page = click(client, client.get("/practices/"), r"^/newsletter/subscribe/$")
    page = submit(client, page, {"email": READER, "consent": "on"}, field="email")
    assert current_url(page) == "/newsletter/subscribe/"
    assert "Bitte bestätigen Sie Ihre Anmeldung" in html(page)
    subscriber = Subscriber.objects.get(email=READER)
    assert subscriber.confirmed_at is None and not subscriber.active
    assert not Consent.objects.filter(email=READER).exists()

    # One e-mail, in German, with the confirmation link.
    [message] = mails_to(mail.outbox, READER)
    # Folded right after "Subject:" (a long encoded word): the parser keeps the fold's space.
    subject = message["Subject"].strip()
    assert subject == "Bitte bestätigen Sie Ihre Anmeldung zum regioLab-Newsletter"
    assert "regioLab-Newsletter" in text_of(message)
    link = link_in(message, r"/newsletter/confirm/")
    assert link.endswith(f"/newsletter/confirm/{subscriber.token}/")

    # Opening the link only asks (mail scanners open links too); the button confirms.
    page = open_link(client, link)
    assert current_url(page) == f"/newsletter/confirm/{subscriber.token}/"
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None
    page = submit(client, page, action=r"^/newsletter/confirm/")
    assert "erhält den nächsten Newsletter" in html(page) and READER in html(page)
    subscriber.refresh_from_db()
    assert subscriber.active and subscriber.confirmed_at is not None
    consent = Consent.objects.get(email=READER, purpose=Consent.Purpose.NEWSLETTER)
    assert (consent.text_version, consent.withdrawn_at) == ("newsletter-1", None)

    # Subscribing again sends nothing more; the link now says there is nothing to do.
    submit(
        client,
        client.get("/newsletter/subscribe/"),
        {"email": READER, "consent": "on"},
        field="email",
    )
    assert len(mails_to(mail.outbox, READER)) == 1
    page = open_link(client, link)
    assert f"{READER} erhält den Newsletter bereits." in html(page)
    assert "Ja, bestellen" not in html(page)
