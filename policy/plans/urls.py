from django.urls import path

from . import views

urlpatterns = [
    path("policy/plans/", views.plan_list, name="plans"),
    path("policy/plans/new/", views.plan_create, name="plan_create"),
    path("policy/plans/<int:pk>/", views.plan_detail, name="plan"),
    path("policy/plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("policy/plans/<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("policy/plans/<int:pk>/actions/<int:apk>/", views.action_edit, name="action_edit"),
    path(
        "policy/plans/<int:pk>/actions/<int:apk>/indicators/new/",
        views.indicator_create,
        name="indicator_create",
    ),
    path(
        "policy/plans/<int:pk>/indicators/<int:ipk>/values/new/",
        views.value_create,
        name="indicator_value_create",
    ),
    path(
        "policy/plans/<int:pk>/monitoring/new/", views.monitoring_create, name="monitoring_create"
    ),
    path("policy/monitoring/<int:pk>/status/", views.report_status, name="monitoring_status"),
    path("policy/monitoring/<int:pk>/download/", views.report_download, name="monitoring_download"),
    path("policy/monitoring/<int:pk>/retry/", views.report_retry, name="monitoring_retry"),
]
