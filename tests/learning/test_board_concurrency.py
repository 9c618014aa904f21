"""Two coordinators clicking "send a reminder" at the same moment: one reminder, one e-mail per
person, and the other click is told when it went out."""

import threading

import pytest
from django.db import connection

from learning.board import services
from learning.models import ReportReminder
from regiolab.mail.models import OutboundEmail
from tests.learning import board_support as s


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_send_one_reminder(coordinator):
    programme = s.programme(coordinator)
    cycle = programme.cycles.get(number=1)
    school = s.organisation(programme, name="BBS Metall", people=3)
    barrier = threading.Barrier(4)
    outcomes = []

    def click():
        try:
            barrier.wait()
            services.send_report_reminder(cycle=cycle, organisation=school, sent_by=coordinator)
            outcomes.append("sent")
        except services.AlreadyReminded:
            outcomes.append("already")
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already", "already", "already", "sent"]
    assert ReportReminder.objects.count() == 1
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == sorted(
        school.people.values_list("email", flat=True)
    )
