"""The learning cycles' main journeys through real requests, on whichever database the run has
(``make test`` runs them again on SQLite without Redis, as ``make run``):

- an invited person follows the invitation e-mail, signs up with the invited address, registers
  for the next learning workshop with one click in the programme's space, submits her
  organisation's cycle report (all four sections) and reads the other organisations' reports;
- a coordinator creates a programme, adds organisations with their people, writes a policy
  recommendation, requests the final report (built at once: eager Celery) and downloads its
  PDF, whose text holds every organisation and every finding.

The reports and findings the coordinator's journey needs are written by the services.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from learning.models import CycleReport, FinalReport, LearningProgramme, ProgrammePerson
from learning.results import services as results
from tests.factories import CompanyFactory, UserFactory
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
from tests.learning import support_e1 as s
from tests.support.libreoffice import read_xlsx
from workshops.models import Invitation, Registration

pytestmark = [pytest.mark.embedded, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


def press(client, response, button: tuple[str, str], data: dict, *, field: str):
    """Submit the form that has ``field`` with the button ``button`` (name, value), which the
    page must offer (a button's name and value are sent only for the one pressed)."""
    name, value = button
    page = html(response)
    assert re.search(rf'<button[^>]*name="{name}"[^>]*value="{value}"', page), button
    form = find_form(response, field=field)
    missing = sorted(set(data) - set(form["fields"]))
    assert not missing, f"the form has no fields {missing}"
    values = {
        key: spec["value"]
        for key, spec in form["fields"].items()
        if spec["value"] is not None and spec["kind"] not in ("checkbox", "radio")
    }
    values.update(data, **{name: value})
    return client.post(form["action"] or current_url(response), values, follow=True)


def test_invited_person_from_the_invitation_to_the_submitted_report(client, coordinator):
    group = s.running_group(coordinator)
    programme = group.programme
    cycle_1 = programme.cycles.select_related("workshop").get(number=1)

    # The invitations: one per learning workshop; the first leads to cycle 1's registration.
    invitations = mails_to(mail.outbox, s.INVITED)
    assert len(invitations) == 3
    assert Invitation.objects.filter(email=s.INVITED, status="sent").count() == 3
    [first] = [m for m in invitations if cycle_1.workshop.title in m["Subject"]]
    page = open_link(client, link_in(first, rf"/workshops/{cycle_1.workshop.slug}/register/"))
    assert cycle_1.workshop.title in html(page)

    # She signs up with the invited address and confirms it.
    page = click(client, client.get("/"), r"^/accounts/signup/")
    page = submit(
        client,
        page,
        {
            "first_name": "Jana",
            "last_name": "Becker",
            "email": s.INVITED,
            "password1": s.PASSWORD,
            "password2": s.PASSWORD,
        },
        field="password1",
    )
    [confirmation] = [
        m for m in mails_to(mail.outbox, s.INVITED) if "/accounts/confirm-email/" in text_of(m)
    ]
    page = open_link(client, link_in(confirmation, r"/accounts/confirm-email/"))
    page = submit(client, page, action=r"^/accounts/confirm-email/")
    user = get_user_model().objects.get(email=s.INVITED)
    assert int(client.session["_auth_user_id"]) == user.pk

    # The programme list leads to her programme's space; her account is linked to the person.
    page = click(client, client.get("/learning/"), rf"^/learning/{programme.slug}/$")
    assert current_url(page) == f"/learning/{programme.slug}/"
    assert ProgrammePerson.objects.get(email=s.INVITED).user_id == user.pk
    assert "Drehteile Becker GmbH" in html(page)

    # One click registers her for the next learning workshop.
    page = submit(client, page, action=rf"/learning/{programme.slug}/cycles/1/register/$")
    assert current_url(page) == f"/learning/{programme.slug}/"
    registration = Registration.objects.get(workshop=cycle_1.workshop, email=s.INVITED)
    assert (registration.status, registration.company_id) == ("confirmed", group.own.company_id)
    assert (registration.first_name, registration.last_name) == ("Jana", "Becker")
    with_ics = [
        m
        for m in mails_to(mail.outbox, s.INVITED)
        if any((p.get_filename() or "").endswith(".ics") for p in m.iter_attachments())
    ]
    assert [m["Subject"] for m in with_ics] == [with_ics[0]["Subject"]]  # the confirmation
    assert cycle_1.workshop.title in with_ics[0]["Subject"]
    assert not links(page, rf"/learning/{programme.slug}/cycles/1/register/")  # no second form
    assert "/cycles/1/register/" not in html(page)

    # Her report: the four sections, one item each, a tag on the obstacle; submitted.
    page = click(client, page, rf"^/learning/{programme.slug}/cycles/1/report/$")
    data = {f"{section}-0-text": text for section, text in s.OWN_REPORT.items()}
    data["obstacle-0-tags"] = "Anbindung"
    page = press(client, page, ("action", "submit"), data, field="activity-0-text")
    assert "Your report is submitted" in html(page) or "Ihr Bericht ist eingereicht" in html(page)
    report = CycleReport.objects.get(cycle=cycle_1, organisation=group.own)
    assert report.status == "submitted"
    assert dict(report.items.values_list("section", "text")) == s.OWN_REPORT
    assert [t.name for t in report.items.get(section="obstacle").tags.all()] == ["Anbindung"]

    # The group's reports of the cycle: the others' submitted ones and hers.
    page = click(client, page, rf"^/learning/{programme.slug}/cycles/1/reports/$")
    text = html(page)
    for name, obstacle in group.other_reports.items():
        assert name in text and obstacle in text, name
    assert s.OWN_REPORT["opportunity"] in text
    # And side by side on the cycle's board.
    board = html(click(client, page, rf"^/learning/{programme.slug}/cycles/1/$"))
    for obstacle in [*group.other_reports.values(), s.OWN_REPORT["obstacle"]]:
        assert obstacle in board, obstacle

    # Somebody outside the programme sees none of it.
    outsider = UserFactory()
    client.force_login(outsider)
    for path in ("", "cycles/1/", "cycles/1/reports/", "cycles/1/report/"):
        assert client.get(f"/learning/{programme.slug}/{path}").status_code == 404, path


ORGANISATIONS = [
    ("Kugellager Nord GmbH", "sme", "firm", "Uwe Kugel <uwe@kugellager.example>"),
    ("Region Hannover Wirtschaftsförderung", "public_body", "public_sector",
     "Petra Amt <petra@region.example>\nbuero@region.example"),
    ("BBS Metall Hannover", "education_provider", "education", "lehrer@bbs.example"),
]  # fmt: skip


def test_coordinator_from_the_new_programme_to_the_final_report(client, coordinator):
    companies = {name: CompanyFactory(name=name, kind=kind) for name, kind, *_ in ORGANISATIONS}

    page = client.get("/learning/new/", follow=True)
    assert current_url(page).startswith("/accounts/login/")
    page = sign_in(client, page, coordinator)
    assert current_url(page) == "/learning/new/"
    page = submit(
        client,
        page,
        {
            "title": "Fachkräfte Metall Calenberger Land",
            "goal": "Ausbildung und Weiterbildung gemeinsam sichern.",
            "start": s.start_date().isoformat(),
            "themes": "Fachkräfte finden\nAusbildung stärken",
        },
        field="title",
    )
    programme = LearningProgramme.objects.get(title="Fachkräfte Metall Calenberger Land")
    assert current_url(page) == f"/learning/{programme.slug}/"
    cycles = list(programme.cycles.select_related("workshop").order_by("number"))
    assert [c.theme for c in cycles] == ["Fachkräfte finden", "Ausbildung stärken", ""]
    assert [c.workshop.status for c in cycles] == ["draft"] * 3
    days = [c.workshop.starts_at.date() for c in cycles]
    assert (days[1] - days[0]).days == (days[2] - days[1]).days == 56

    for name, _kind, actor_type, people in ORGANISATIONS:
        page = click(client, page, rf"^/learning/{programme.slug}/organisations/add/$")
        page = client.get(f"{current_url(page)}?q={name.split()[0]}")
        page = submit(
            client,
            page,
            {"company": str(companies[name].pk), "actor_type": actor_type, "people": people},
            field="company",
        )
        assert current_url(page) == f"/learning/{programme.slug}/", name
        assert name in html(page)
    organisations = list(programme.organisations.select_related("company"))
    assert len(organisations) == 3
    assert ProgrammePerson.objects.filter(organisation__programme=programme).count() == 4

    # Their reports of cycles 1 and 2, findings continued and tagged: by the services.
    people = {}
    for organisation in organisations:
        person = organisation.people.order_by("email").first()
        user = UserFactory(email=person.email)
        ProgrammePerson.objects.filter(pk=person.pk).update(user=user)
        people[organisation] = user
    findings = s.findings_of_two_cycles(programme, people)
    page = client.get(f"/learning/{programme.slug}/findings/")
    assert "Fachkräftemangel" in html(page)

    # A policy recommendation, then the final report.
    page = click(client, client.get(f"/learning/{programme.slug}/"), r"/results/$")
    page = click(client, page, rf"^/learning/{programme.slug}/results/new/$")
    page = submit(
        client,
        page,
        {
            "kind": "recommendation",
            "title": "Verbundausbildung fördern",
            "body": "Land und Kammer fördern Ausbildung im Verbund.",
            "title_en": "Fund joint apprenticeships",
            "body_en": "Fund apprenticeships in networks.",
        },
        field="body",
    )
    assert current_url(page) == f"/learning/{programme.slug}/results/"
    page = submit(client, page, {"language": "de"}, action=r"/results/report/$")
    report = FinalReport.objects.get(programme=programme)
    assert (report.status, report.progress, report.error) == ("ready", 100, "")
    [download] = links(page, rf"^/learning/reports/{report.pk}/download/$")
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = s.pdftotext(content)
    names = [o.company.name for o in organisations]
    assert not s.missing_from(text, names), text
    assert len(findings) == 12
    assert not s.missing_from(text, findings), text
    assert not s.missing_from(text, ["Verbundausbildung fördern", "Fachkräftemangel"]), text

    # Its XLSX twin holds the same organisations and findings, as LibreOffice shows them.
    response = client.get(f"{download}?format=xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    shown = {cell.shown for rows in read_xlsx(content).values() for row in rows for cell in row}
    assert set(names) <= shown, set(names) - shown
    assert set(findings) <= shown, set(findings) - shown

    # The requester hears of it once, by e-mail.
    about = [m for m in mails_to(mail.outbox, coordinator.email) if programme.title in m["Subject"]]
    assert len(about) == 1, [m["Subject"] for m in mails_to(mail.outbox, coordinator.email)]


def test_final_report_shows_the_findings_evolution_as_figures_not_python_data(coordinator):
    """The final report's evolution section (PDF and XLSX) holds the figures the programme page
    shows, not the selector's layout data (chart coordinates, dictionaries) printed as text."""
    programme = s.services.create_programme(
        title="Lernen Evolution", start=s.start_date(), created_by=coordinator
    )
    people = {}
    for index, (name, kind, actor_type, _people) in enumerate(ORGANISATIONS):
        user = UserFactory(email=f"p{index}@evolution.example")
        organisation = s.services.add_organisation(
            programme=programme,
            company=CompanyFactory(name=name, kind=kind),
            actor_type=actor_type,
            people=[s.services.PersonInput(user.email)],
        )
        organisation.people.update(user=user)
        people[organisation] = user
    s.findings_of_two_cycles(programme, people)
    results.request_final_report(programme=programme, requested_by=coordinator)
    report = FinalReport.objects.get(programme=programme)
    assert report.status == "ready", report.error
    files = {
        "PDF": s.pdftotext(report.pdf_file.read()),
        "XLSX": " ".join(
            cell.shown
            for rows in read_xlsx(report.xlsx_file.read()).values()
            for row in rows
            for cell in row
        ),
    }
    leaks = {}
    for kind, text in files.items():
        found = [marker for marker in ("{'", "'section':", "text_x", "colour") if marker in text]
        if found:
            at = text.find(found[0])
            leaks[kind] = f"{found}: …{text[max(0, at - 150) : at + 150]}…"
    assert not leaks, leaks
