from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from rules.contrib.views import permission_required


def programme_list(request):
    return render(request, "funding/programme_list.html")


@login_required
@permission_required("funding.view_grant_list", raise_exception=True)
def grant_list(request):
    return render(request, "funding/grant_list.html")
