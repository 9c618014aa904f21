"""Link fields in the admin read a bare "firma.de" as https, as the portal's own forms do.

Django 5.2 still assumes http and warns; the test suite turns that warning into an error
(pyproject.toml), so rendering each admin form with a link field is the check.
"""

import pytest
from django.urls import reverse

from funding.models import FundingProgramme
from tests.factories import CompanyFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        ("admin:companies_company_change", CompanyFactory),
        ("admin:workshops_workshop_change", WorkshopFactory),
        (
            "admin:funding_fundingprogramme_change",
            lambda: FundingProgramme.objects.create(name="P", funding_body="B", level="eu"),
        ),
    ],
)
def test_admin_link_fields_assume_https(admin_client, url_name, make):
    page = admin_client.get(reverse(url_name, args=[make().pk]))
    assert page.status_code == 200
    link_fields = [
        field
        for field in page.context["adminform"].form.fields.values()
        if field.__class__.__name__ == "URLField"
    ]
    assert link_fields, "the form has a link field"
    assert all(field.assume_scheme == "https" for field in link_fields)
