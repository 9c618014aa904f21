from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("programmes/", views.programme_list, name="programmes"),
    path("grants/", views.grant_list, name="grants"),
]
