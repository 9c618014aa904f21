"""URLs of the surveys' results and the demand board."""

from django.urls import path

from . import demand_views, views

urlpatterns: list = [
    path("demand/", demand_views.board, name="demand"),
    path("demand/companies/", demand_views.cell_companies, name="demand_companies"),
    path("demand/plan/", demand_views.plan, name="demand_plan_create"),
    path("demand/plans/<int:pk>/", demand_views.plan_detail, name="demand_plan"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results/answers/<slug:code>/", views.open_answers, name="results_open_answers"),
    path("<int:pk>/results/export.csv", views.export_csv, name="results_export_csv"),
    path("<int:pk>/results/export.xlsx", views.export_xlsx, name="results_export_xlsx"),
]
