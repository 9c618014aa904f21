"""The surveys' URLs under /surveys/ (namespace ``surveys``), one list per concern; answering by
link lives at /s/<token>/ (surveys/answering/urls.py, namespace ``survey_links``)."""

from .answering import urls as answering
from .builder import urls as builder
from .distribution import urls as distribution
from .results import urls as results

app_name = "surveys"

urlpatterns = [
    *results.urlpatterns,  # /surveys/demand/ before /surveys/<pk>/…
    *builder.urlpatterns,
    *distribution.urlpatterns,
    *answering.company_urlpatterns,
]
