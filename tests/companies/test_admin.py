import pytest
from django.urls import reverse

from companies.models import AssociatedEnterprise
from tests.factories import CompanyFactory, CompanyMemberFactory, ConsultationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    ["company", "companymember", "companyinvitation", "consultation", "associatedenterprise"],
)
def test_admin_changelists_load(admin_client, model):
    CompanyMemberFactory()
    ConsultationFactory()
    response = admin_client.get(reverse(f"admin:companies_{model}_changelist"))
    assert response.status_code == 200


def test_admin_inline_keeps_associated_figures_in_step(admin_client):
    company = CompanyFactory(headcount=45)
    url = reverse("admin:companies_company_change", args=[company.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data["training_needs"] = []
    data.update(
        {
            "associated_enterprises-TOTAL_FORMS": "1",
            "associated_enterprises-INITIAL_FORMS": "0",
            "associated_enterprises-0-name": "Tochter GmbH",
            "associated_enterprises-0-relation": "linked",
            "associated_enterprises-0-share_percent": "100",
            "associated_enterprises-0-headcount": "10",
            "associated_enterprises-0-annual_turnover": "0",
            "associated_enterprises-0-balance_sheet_total": "0",
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        }
    )
    data = {k: v for k, v in data.items() if v != []}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    company.refresh_from_db()
    assert AssociatedEnterprise.objects.count() == 1
    assert company.associated_headcount == 10
    assert company.size_class_stored == "medium"
