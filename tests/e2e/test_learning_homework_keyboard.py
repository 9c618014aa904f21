"""A participant writes and submits the cycle report and answers a task with the keyboard
alone (Tab, typing, Enter), every focused element visibly focused and on screen, also at
320 px."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from learning.homework import services
from learning.models import CycleReport, TaskSubmission
from tests.e2e.test_keyboard_only import _activate, _button, _field, _tab_to, _type_into
from tests.learning.support import build_programme

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _signed_in(browser, live_server, user, viewport):
    context = browser.new_context(
        base_url=live_server.url, locale="de-DE", timezone_id="Europe/Berlin", viewport=viewport
    )
    context.set_default_timeout(10_000)
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
    return context


@pytest.mark.parametrize("width", [1280, 320])
def test_report_and_answer_with_the_keyboard(browser, live_server, coordinator, width):
    world = build_programme(coordinator, organisations=1)
    task = services.create_task(cycle=world.cycles[0], created_by=coordinator, title="Bedarf")
    user = world.users[0]
    context = _signed_in(browser, live_server, user, {"width": width, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"/learning/{world.programme.slug}/cycles/1/report/")
        _type_into(page, "activity-0-text", "Zwei Azubis eingestellt")
        _type_into(page, "activity-0-tags", "Ausbildung")
        _type_into(page, "obstacle-0-text", "Zu wenig Bewerbungen")
        _activate(page, _button("Bericht einreichen"), "the submit button")
        assert "Ihr Bericht ist eingereicht" in page.locator("main").inner_text()

        page.goto(services.task_url(task))
        _type_into(page, "text", "Bedarf erhoben: 12 Stellen")
        _tab_to(page, _field("attachment"), "the file field")
        _activate(page, _button("Einreichen"), "the submit button")
        assert "Ihre Antwort ist eingereicht." in page.locator("main").inner_text()
    finally:
        context.close()
    report = CycleReport.objects.get()
    assert report.status == "submitted"
    assert sorted(report.items.values_list("section", "text")) == [
        ("activity", "Zwei Azubis eingestellt"),
        ("obstacle", "Zu wenig Bewerbungen"),
    ]
    assert list(report.items.get(section="activity").tags.values_list("name", flat=True)) == [
        "Ausbildung"
    ]
    answer = TaskSubmission.objects.get()
    assert (answer.status, answer.text) == ("submitted", "Bedarf erhoben: 12 Stellen")
