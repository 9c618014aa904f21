"""The participants list as the coordinator's spreadsheet (LibreOffice) opens it."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.factories import CompanyFactory, WorkshopFactory
from tests.support import libreoffice
from workshops.models import Registration
from workshops.registration import services

pytestmark = pytest.mark.django_db


def test_participants_xlsx_has_dates_numbers_and_text_as_typed(coordinator_client, settings):
    settings.LANGUAGE_CODE = "de"
    workshop = WorkshopFactory(capacity=1)
    company = CompanyFactory(name="Müller Metall GmbH")
    seated = services.register_participant(
        workshop=workshop,
        first_name="Eva",
        last_name="Müller",
        email="eva@example.org",
        company=company,
    )
    waiting = services.register_participant(
        workshop=workshop,
        first_name='=HYPERLINK("http://evil")',
        last_name="Formel",
        email="formel@example.org",
        company_name="+49 Ltd",
    )
    # Summer time: 10:00 UTC is 12:00 in Hannover.
    Registration.objects.filter(pk=seated.pk).update(
        created_at=datetime(2026, 6, 1, 10, 0, tzinfo=UTC),
        attendance_marked_at=datetime(2026, 6, 2, 7, 30, tzinfo=UTC),
    )
    Registration.objects.filter(pk=waiting.pk).update(
        created_at=datetime(2026, 1, 15, 23, 45, tzinfo=UTC)  # winter: 00:45 the next day
    )

    response = coordinator_client.get(
        reverse("workshops:participants_export", args=[workshop.slug, "xlsx"])
    )

    sheets = libreoffice.read_xlsx(response.content)
    assert list(sheets) == ["Teilnehmende"]
    by_name = {r["Nachname"].shown: r for r in libreoffice.records(sheets["Teilnehmende"])}
    assert set(by_name) == {"Müller", "Formel"}
    mueller, formel = by_name["Müller"], by_name["Formel"]

    registered = mueller["Angemeldet am"]
    assert (registered.type, registered.value, registered.shown) == (
        "date", "2026-06-01T12:00:00", "01.06.2026 12:00"
    )  # fmt: skip
    assert mueller["Anwesenheit erfasst am"].value == "2026-06-02T09:30:00"
    assert formel["Angemeldet am"].shown == "16.01.2026 00:45"
    assert formel["Anwesenheit erfasst am"].empty
    assert mueller["Position auf der Warteliste"].empty
    assert (formel["Position auf der Warteliste"].type, formel["Position auf der Warteliste"].value) == ("float", "1")  # fmt: skip

    first_name = formel["Vorname"]
    assert (first_name.type, first_name.shown, first_name.formula) == (
        "string", '=HYPERLINK("http://evil")', ""
    )  # fmt: skip
    assert formel["Unternehmen"].shown == "+49 Ltd"
    assert mueller["Unternehmen"].shown == "Müller Metall GmbH"
    assert mueller["Größenklasse"].shown == str(company.get_size_class_stored_display())
    assert formel["Größenklasse"].empty
