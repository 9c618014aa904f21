from django.urls import path
from django.views.generic import TemplateView

app_name = "workshops"

urlpatterns = [
    path("", TemplateView.as_view(template_name="workshops/workshop_list.html"), name="list"),
]
