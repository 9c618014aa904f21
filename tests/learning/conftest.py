import pytest

from tests.learning.support import lp  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Attachments go to a temporary private storage, never into the checkout."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
