"""The learning cycles' URLs (namespace ``learning``), one list per concern."""

from .board import urls as board
from .homework import urls as homework
from .programmes import urls as programmes
from .results import urls as results

app_name = "learning"

# The programme's own pages first: /learning/, /learning/new/, /learning/<slug>/.
urlpatterns = [
    *programmes.urlpatterns,
    *homework.urlpatterns,
    *board.urlpatterns,
    *results.urlpatterns,
]
