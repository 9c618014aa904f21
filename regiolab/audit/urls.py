from django.urls import path

from .views import object_history

app_name = "audit"

urlpatterns = [
    path(
        "<slug:app_label>/<slug:model_name>/<int:pk>/",
        object_history,
        name="object_history",
    ),
]
