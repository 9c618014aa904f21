from django.urls import path

from . import views

urlpatterns = [
    path("practices/", views.practice_list, name="practices"),
    path("practices/new/", views.practice_create, name="practice_create"),
    path("practices/transfers/", views.transfer_list, name="transfers"),
    path("practices/<slug:slug>/", views.practice_detail, name="practice"),
    path("practices/<slug:slug>/edit/", views.practice_edit, name="practice_edit"),
    path("practices/<slug:slug>/validate/", views.practice_validate, name="practice_validate"),
    path("practices/<slug:slug>/archive/", views.practice_archive, name="practice_archive"),
    path("practices/<slug:slug>/practice.pdf", views.practice_download, name="practice_pdf"),
    path("practices/<slug:slug>/transfers/new/", views.transfer_create, name="transfer_create"),
    path("practices/<slug:slug>/transfers/<int:pk>/", views.transfer_edit, name="transfer_edit"),
]
