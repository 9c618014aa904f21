"""Policy learning's URLs (namespace ``policy``), mounted at the site's root because they span
/practices/, /policy/ and /newsletter/."""

from .feeds import urls as feeds
from .groups import urls as groups
from .newsletter import urls as newsletter
from .plans import urls as plans
from .practices import urls as practices

app_name = "policy"

urlpatterns = [
    *practices.urlpatterns,
    *groups.urlpatterns,
    *plans.urlpatterns,
    *feeds.urlpatterns,
    *newsletter.urlpatterns,
]
