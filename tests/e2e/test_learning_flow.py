"""The learning cycles' two main journeys in the browser, axe run on every page visited.

- An invited person: the invitation e-mail (parsed as a mail program does) leads to the learning
  workshop; she signs up with the invited address, opens the programme's space, registers for
  the next learning workshop with one click, writes and submits her organisation's cycle report
  with the keyboard alone and reads the other organisations' submitted reports.
- A coordinator: creates a programme, adds organisations with their people, writes a policy
  recommendation, requests the final report and downloads the PDF, whose text (pdftotext)
  holds every organisation and every finding. The reports and findings in between are written
  by the services: the browser adds nothing there (their pages have tests of their own).

The browser runs in English (the source strings). The live server commits for real: e-mails
leave the outbox after commit and Celery is eager, so the final report is built when the
request's page answers.
"""

import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from learning.models import (
    CycleReport,
    FinalReport,
    LearningProgramme,
    ProgrammeOrganisation,
    ProgrammePerson,
)
from tests.e2e.test_accessibility import AXE_OPTIONS, AXE_SCRIPT
from tests.e2e.test_keyboard_only import _activate, _button, _link, _type_into
from tests.factories import CompanyFactory, UserFactory
from tests.journeys.support import link_in, mails_to, text_of
from tests.learning import support_e1 as s
from tests.support.mfa import code_for
from workshops.models import Invitation, Registration

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(locale="en-GB"),
]


@pytest.fixture(autouse=True)
def _short_timeouts(page):
    page.set_default_timeout(15_000)


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


class Axe:
    """Runs axe (WCAG 2.1 A/AA and best practice, as tests/e2e/test_accessibility.py) on each
    page visited and collects the violations; the test asserts none at its end."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        self.scanned: list[str] = []

    def __call__(self, what: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        if not page.evaluate("() => typeof axe !== 'undefined'"):
            page.evaluate(AXE_SCRIPT)
        results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
        self.scanned.append(what)
        for violation in results["violations"]:
            for node in violation["nodes"]:
                target = " ".join(node["target"])
                self.problems.append(f"{what} ({page.url}): {violation['id']} — {target}")


def label(text):
    return re.compile(rf"^{re.escape(text)}:?$")


def _sign_in(page, user, *, second_factor=False):
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label(re.compile(r"^E-?mail", re.I)).fill(user.email)
    field = page.get_by_label(re.compile(r"^Password", re.I))
    field.fill("correct-horse-battery")  # UserFactory's
    field.press("Enter")
    if second_factor:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        code = page.get_by_label(re.compile(r"^Code", re.I))
        code.fill(code_for(user))
        code.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/(login|2fa)/"))


# --- (a) an invited person, from the invitation to the submitted report ----------------------


def test_invited_person_signs_up_registers_and_submits_the_cycle_report(
    page, live_url, coordinator
):
    group = s.running_group(coordinator)
    programme = group.programme
    cycle_1 = programme.cycles.select_related("workshop").get(number=1)
    axe = Axe(page)

    # One invitation per learning workshop, once each; the first leads to cycle 1's workshop.
    invitations = mails_to(mail.outbox, s.INVITED)
    assert len(invitations) == 3, [m["Subject"] for m in invitations]
    assert Invitation.objects.filter(email=s.INVITED).count() == 3
    [first] = [m for m in invitations if cycle_1.workshop.title in m["Subject"]]
    link = link_in(first, rf"/workshops/{cycle_1.workshop.slug}/register/")
    assert link.startswith(live_url)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_contain_text(cycle_1.workshop.title_en)
    axe("the invitation's registration page")

    # She signs up with the invited address and confirms it by the e-mailed link.
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Sign up"
    ).click()
    page.get_by_label(label("First name")).fill("Jana")
    page.get_by_label(label("Last name")).fill("Becker")
    page.get_by_label(re.compile(r"^E-?mail", re.I)).fill(s.INVITED)
    page.get_by_label(re.compile(r"^Password:?$", re.I)).fill(s.PASSWORD)
    again = page.get_by_label(re.compile(r"^Password \(again\):?$", re.I))
    again.fill(s.PASSWORD)
    again.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Verify", re.I))
    confirmations = [
        m for m in mails_to(mail.outbox, s.INVITED) if "/accounts/confirm-email/" in text_of(m)
    ]
    page.goto(link_in(confirmations[-1], r"/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    user = get_user_model().objects.get(email=s.INVITED)

    # Her start page names her programme (the account is linked to the invited person at
    # sign-in); so does the programme list of the main navigation.
    page.goto(live_url + "/")
    mine = page.get_by_role("region", name="Your learning programmes")
    expect(mine.get_by_role("link", name=programme.title)).to_be_visible()
    axe("the start page")
    nav.get_by_role("link", name="Learning programmes").click()
    axe("the programme list")
    page.get_by_role("main").get_by_role("link", name=programme.title).click()
    expect(page).to_have_url(re.compile(rf"/learning/{programme.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(programme.title)
    assert ProgrammePerson.objects.get(email=s.INVITED).user_id == user.pk
    axe("the programme's space")

    # One click registers her for the next learning workshop, for her organisation.
    next_workshop = page.get_by_role("region", name="Next learning workshop")
    next_workshop.get_by_role("button", name="Register for this learning workshop").click()
    expect(page.get_by_role("status").filter(has_text="You are registered.")).to_be_visible()
    registration = Registration.objects.get(workshop=cycle_1.workshop, email=s.INVITED)
    assert (registration.status, registration.company_id) == ("confirmed", group.own.company_id)
    assert (registration.first_name, registration.last_name) == ("Jana", "Becker")
    about_cycle_1 = [
        m for m in mails_to(mail.outbox, s.INVITED) if cycle_1.workshop.title in m["Subject"]
    ]
    assert len(about_cycle_1) == 2, [m["Subject"] for m in about_cycle_1]  # and the confirmation
    axe("the space after registering")

    # The report, with the keyboard alone: to the report page, the four sections, submit.
    page.goto(f"{live_url}/learning/{programme.slug}/")  # a fresh load: the focus at the top
    _activate(page, _link("Write your report"), "the report link")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Drehteile Becker GmbH")
    axe("the report form")
    for section, text in s.OWN_REPORT.items():  # in the page's order
        _type_into(page, f"{section}-0-text", text)
        if section == "obstacle":
            _type_into(page, "obstacle-0-tags", "Anbindung")
    _activate(page, _button("Submit the report"), "the submit button")
    expect(page.get_by_text("Your report is submitted")).to_be_visible()
    axe("the submitted report")
    report = CycleReport.objects.get(cycle=cycle_1, organisation=group.own)
    assert report.status == "submitted" and report.submitted_at is not None
    assert dict(report.items.values_list("section", "text")) == s.OWN_REPORT
    assert list(report.items.get(section="obstacle").tags.values_list("name", flat=True)) == [
        "Anbindung"
    ]

    # The group's submitted reports, hers among them.
    _activate(page, _link("Reports of the cycle"), "the cycle's reports")
    main = page.get_by_role("main")
    for name, obstacle in group.other_reports.items():
        expect(
            main.get_by_role("heading", level=2, name=re.compile(re.escape(name)))
        ).to_be_visible()
        expect(main).to_contain_text(obstacle)
    expect(main).to_contain_text(s.OWN_REPORT["opportunity"])
    axe("the cycle's reports")

    # The cycle's board: the same reports side by side, grouped by section.
    page.get_by_role("navigation", name="You are here").get_by_role(
        "link", name=re.compile(r"^Cycle 1")
    ).click()
    expect(page).to_have_url(re.compile(rf"/learning/{programme.slug}/cycles/1/$"))
    board = page.get_by_role("main")
    for obstacle in [*group.other_reports.values(), s.OWN_REPORT["obstacle"]]:
        expect(board).to_contain_text(obstacle)
    axe("the cycle's board")

    assert not axe.problems, "\n".join(axe.problems)


# --- (b) a coordinator, from the new programme to the final report's PDF ---------------------


ORGANISATIONS = [
    # name, kind, actor type's label, people typed into the form
    ("Kugellager Nord GmbH", "sme", "firm", "Uwe Kugel <uwe@kugellager.example>"),
    ("Region Hannover Wirtschaftsförderung", "public_body", "public sector",
     "Petra Amt <petra@region.example>\nbuero@region.example"),
    ("BBS Metall Hannover", "education_provider", "education", "lehrer@bbs.example"),
]  # fmt: skip


def _add_organisation(page, axe, name, people, actor_type):
    page.get_by_role("link", name="Add an organisation").first.click()
    search = page.get_by_role("search", name="Find an organisation")
    search.get_by_label("Find an organisation by name").fill(name.split()[0])
    search.get_by_role("button", name="Search").click()
    axe(f"adding {name}")
    page.get_by_label(label("Organisation")).select_option(label=name)
    page.get_by_role("radio", name=actor_type, exact=True).check()
    page.get_by_label(label("People")).fill(people)
    page.get_by_role("button", name="Add the organisation").click()
    expect(page.get_by_text(f"{name} takes part in the programme now.")).to_be_visible()


def test_coordinator_creates_a_programme_and_gets_the_final_report_pdf(page, live_url, coordinator):
    for name, kind, _actor, _people in ORGANISATIONS:
        CompanyFactory(name=name, kind=kind)
    axe = Axe(page)

    page.goto(live_url + "/learning/new/")
    _sign_in(page, coordinator, second_factor=True)
    expect(page).to_have_url(re.compile(r"/learning/new/$"))
    axe("the new programme's form")
    page.get_by_label(label("Title")).fill("Fachkräfte Metall Calenberger Land")
    page.get_by_label(label("Goal")).fill("Ausbildung und Weiterbildung gemeinsam sichern.")
    page.get_by_label(label("Date of the first learning workshop")).fill(s.start_date().isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The programme has been created with its cycles")).to_be_visible()
    programme = LearningProgramme.objects.get(title="Fachkräfte Metall Calenberger Land")
    assert programme.cycles.count() == 3 and programme.interval_weeks == 8
    expect(page).to_have_url(re.compile(rf"/learning/{programme.slug}/$"))
    axe("the new programme's space")

    for name, _kind, actor_type, people in ORGANISATIONS:
        _add_organisation(page, axe, name, people, actor_type)
    axe("the space with its organisations")
    organisations = list(programme.organisations.select_related("company"))
    assert sorted(o.company.name for o in organisations) == sorted(o[0] for o in ORGANISATIONS)
    assert sorted(ProgrammePerson.objects.filter(organisation__programme=programme).values_list(
        "email", flat=True
    )) == sorted(["uwe@kugellager.example", "petra@region.example", "buero@region.example",
                  "lehrer@bbs.example"])  # fmt: skip

    # Their reports of cycles 1 and 2 and the tagged findings, written by the services.
    people = {}
    for organisation in organisations:
        person = organisation.people.order_by("email").first()
        user = UserFactory(email=person.email)
        ProgrammePerson.objects.filter(pk=person.pk).update(user=user)
        people[organisation] = user
    findings = s.findings_of_two_cycles(programme, people)

    # The findings across the cycles, on the programme's findings page.
    page.goto(f"{live_url}/learning/{programme.slug}/findings/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Fachkräftemangel")
    axe("the findings page")

    # A policy recommendation, German and English.
    page.goto(f"{live_url}/learning/{programme.slug}/")
    page.get_by_role("link", name="Results and final report").click()
    axe("the results page")
    page.get_by_role("link", name="Add a tool or recommendation").click()
    axe("the recommendation's form")
    page.get_by_role("radio", name="policy recommendation").check()
    page.get_by_label(label("Title")).fill("Verbundausbildung fördern")
    page.get_by_label(label("Text")).fill("Land und Kammer fördern Ausbildung im Verbund.")
    page.get_by_label(re.compile(r"^Title \(English\)")).fill("Fund joint apprenticeships")
    page.get_by_label(re.compile(r"^Text \(English\)")).fill("Fund apprenticeships in networks.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("“Verbundausbildung fördern” was added.")).to_be_visible()

    # The final report: requested, built (eager Celery), downloaded.
    page.get_by_role("radio", name="German").check()
    page.get_by_role("button", name="Request final report").click()
    report = FinalReport.objects.get(programme=programme)
    expect(page.locator(f"#final-report-status-{report.pk} .badge")).to_have_text("ready")
    report.refresh_from_db()
    assert (report.status, report.progress, report.error) == ("ready", 100, "")
    axe("the results page with the ready report")
    with page.expect_download() as info:
        page.locator(f"#final-report-status-{report.pk}").get_by_role("link", name="PDF").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as f:
        content = f.read()
    assert content.startswith(b"%PDF")
    text = s.pdftotext(content)
    names = [o.company.name for o in ProgrammeOrganisation.objects.filter(programme=programme)]
    assert len(names) == 3
    assert not s.missing_from(text, names), text
    assert len(findings) == 12
    assert not s.missing_from(text, findings), text
    assert not s.missing_from(text, ["Verbundausbildung fördern", "Fachkräftemangel"]), text

    assert not axe.problems, "\n".join(axe.problems)


# --- the programme's space: one landmark for the findings across the cycles -------------------


@pytest.mark.parametrize("who", ["participant", "coordinator"])
def test_programme_space_names_each_landmark_once(browser, live_server, coordinator, who):
    """The space includes the findings' evolution partial inside its own section: one region
    called "Findings across the cycles", one element with the id evolution-heading (once
    both the page and the partial brought a section, an axe landmark-unique violation)."""
    group = s.running_group(coordinator)
    user = group.other_users[0] if who == "participant" else coordinator
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    try:
        page.goto(f"/learning/{group.programme.slug}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(group.programme.title)
        assert page.locator("#evolution-heading").count() == 1
        expect(page.get_by_role("region", name="Findings across the cycles")).to_have_count(1)
        axe = Axe(page)
        axe(f"the programme's space ({who})")
    finally:
        context.close()
    assert not axe.problems, "\n".join(axe.problems)
