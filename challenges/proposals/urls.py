from django.urls import path

from ..calls import urls as _call_urls  # noqa: F401 — registers the callslug converter
from . import views

urlpatterns = [
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path(
        "proposals/attachments/<int:pk>/",
        views.attachment_download,
        name="proposal_attachment",
    ),
    path(
        "proposals/attachments/<int:pk>/delete/",
        views.attachment_delete,
        name="proposal_attachment_delete",
    ),
    path("<callslug:slug>/<int:pk>/proposal/", views.propose, name="propose"),
]
