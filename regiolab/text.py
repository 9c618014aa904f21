"""Text as German and English readers expect it: slugs, people's names, untranslated content."""

from django.utils.text import slugify
from django.utils.translation import get_language

# German readers spell umlauts out when they cannot write them; slugify() alone would drop the
# dots ("fuer" becomes "fur", "Straße" becomes "strae").
_GERMAN_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS"}
)


def german_slug(value: str) -> str:
    """The slug of a German title: "Erste Hilfe für Führungskräfte" → "erste-hilfe-fuer-…"."""
    return slugify(str(value).translate(_GERMAN_TRANSLITERATION))


def user_display(user) -> str:
    """How the portal names a person (allauth's ACCOUNT_USER_DISPLAY): the full name, else the
    e-mail address; never the generated login handle."""
    return user.get_full_name() or user.email or user.get_username()


def shown_in_german(obj, field: str) -> bool:
    """True when ``obj.<field>`` appears in German on a page of another language: the active
    language is not German and the English twin ``<field>_en`` is empty."""
    if (get_language() or "de").startswith("de"):
        return False
    return not getattr(obj, f"{field}_en", "") and bool(
        getattr(obj, field, "") or getattr(obj, f"{field}_de", "")
    )
