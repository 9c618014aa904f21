from django.urls import path

from . import bulk_views, views

app_name = "companies"

urlpatterns = [
    path("", views.company_list, name="list"),
    path("new/", views.company_create, name="create"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("mine/", views.my_company, name="mine"),
    path("join/", views.join_request, name="join"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("import/", bulk_views.company_import, name="import"),
    path("import/template.<str:fmt>", bulk_views.import_template, name="import_template"),
    path("export.csv", bulk_views.export_csv, name="export_csv"),
    path("export.xlsx", bulk_views.export_xlsx, name="export_xlsx"),
    path("<int:pk>/", views.company_detail, name="detail"),
    path("<int:pk>/edit/", views.company_edit, name="edit"),
    path("<int:pk>/members/", views.members, name="members"),
    path("<int:pk>/consultations/new/", views.consultation_create, name="consultation_create"),
]
