"""A coordinator requests a progress report; the eager task builds it; the funder signs in with
the second factor and downloads the PDF through the permission-checked view."""

import subprocess

import pytest
from django.test import Client

from funding.models import ProgressReport
from tests.journeys.support import click, current_url, sign_in, submit

pytestmark = [pytest.mark.embedded, pytest.mark.django_db(transaction=True)]


def test_funder_downloads_the_progress_report(client, coordinator, grant, funder_user, tmp_path):
    reports = f"/funding/grants/{grant.pk}/reports/"
    page = client.get(reports, follow=True)
    page = sign_in(client, page, coordinator)
    assert current_url(page) == reports
    # The form offers the whole grant period; the coordinator takes it as it is.
    page = submit(client, page, field="period_start")
    report = ProgressReport.objects.get(grant=grant)
    assert report.status == ProgressReport.Status.READY, report.error

    funder = Client()
    page = funder.get("/", follow=True)
    page = click(funder, page, r"^/accounts/login/")
    page = sign_in(funder, page, funder_user)
    page = click(funder, page, r"^/funding/grants/$")
    page = click(funder, page, rf"^/funding/grants/{grant.pk}/$")
    page = click(funder, page, rf"^/funding/grants/{grant.pk}/reports/$")
    pdf_link = f"/funding/reports/{report.pk}/download/"
    assert pdf_link in page.content.decode()
    download = funder.get(pdf_link)

    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    path = tmp_path / "report.pdf"
    path.write_bytes(b"".join(download.streaming_content))
    assert path.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert grant.title in " ".join(text.split())
    assert grant.reference in text

    # A browser that has not signed in is sent to the login page, not given the file.
    stranger = Client().get(pdf_link)
    assert stranger.status_code == 302 and stranger["Location"].startswith("/accounts/login/")
