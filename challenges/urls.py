"""The Open Innovation Challenge's URLs (namespace ``challenges``), one list per concern."""

from .calls import urls as calls
from .pitch import urls as pitch
from .proposals import urls as proposals
from .review import urls as review

app_name = "challenges"

# /challenges/, /challenges/<call-slug>/, /challenges/<call-slug>/<pk>/ and what hangs below.
urlpatterns = [
    *calls.urlpatterns,
    *proposals.urlpatterns,
    *review.urlpatterns,
    *pitch.urlpatterns,
]
