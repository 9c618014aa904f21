"""The countries of the Interreg Europe area (ISO 3166-1 alpha-2, as GoodPractice.country)."""

from django.utils.translation import gettext_lazy as _

COUNTRIES = [
    ("AT", _("Austria")),
    ("BE", _("Belgium")),
    ("BG", _("Bulgaria")),
    ("HR", _("Croatia")),
    ("CY", _("Cyprus")),
    ("CZ", _("Czechia")),
    ("DK", _("Denmark")),
    ("EE", _("Estonia")),
    ("FI", _("Finland")),
    ("FR", _("France")),
    ("DE", _("Germany")),
    ("GR", _("Greece")),
    ("HU", _("Hungary")),
    ("IE", _("Ireland")),
    ("IT", _("Italy")),
    ("LV", _("Latvia")),
    ("LT", _("Lithuania")),
    ("LU", _("Luxembourg")),
    ("MT", _("Malta")),
    ("NL", _("Netherlands")),
    ("NO", _("Norway")),
    ("PL", _("Poland")),
    ("PT", _("Portugal")),
    ("RO", _("Romania")),
    ("SK", _("Slovakia")),
    ("SI", _("Slovenia")),
    ("ES", _("Spain")),
    ("SE", _("Sweden")),
    ("CH", _("Switzerland")),
    ("GB", _("United Kingdom")),
]


def country_label(code: str) -> str:
    return str(dict(COUNTRIES).get(code, code))
