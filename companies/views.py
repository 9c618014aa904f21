from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from rules.contrib.views import permission_required

from .models import Company


@login_required
@permission_required("companies.list_companies", raise_exception=True)
def company_list(request):
    return render(request, "companies/company_list.html", {"companies": Company.objects.all()})


@login_required
@permission_required("companies.list_companies", raise_exception=True)
def dashboard(request):
    return render(request, "companies/dashboard.html")


@login_required
def my_company(request):
    membership = request.user.company_memberships.first()
    if membership is None:
        return render(request, "companies/onboarding.html")
    return redirect(membership.company)


@login_required
def company_detail(request, pk):
    company = get_object_or_404(Company, pk=pk)
    return render(request, "companies/company_detail.html", {"company": company})


def _todo(request, *args, **kwargs):
    from django.http import Http404

    raise Http404


company_create = join_request = accept_invitation = company_edit = members = _todo
consultation_create = _todo
