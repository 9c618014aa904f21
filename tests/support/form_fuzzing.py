"""Hypothesis strategies for whatever a browser, or a bot, can send to a form of the portal.

The fields come from the page itself (``fields_of``): a test fuzzes the form a visitor really
gets, and a field added later is fuzzed without touching the test.
"""

from contextlib import contextmanager
from html.parser import HTMLParser

from django.conf import settings as django_settings
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Each example runs inside ``rolled_back()`` (a savepoint of the test's transaction), so the
# function-scoped fixtures (client, rows) are the same, unchanged, for every example.
FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the checkout
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def reset(client, *, session: str | None = None) -> None:
    """Forget the previous example's cookies; keep a signed-in session if one is given.

    One client serves all examples of a test: a new one would load the middleware (and
    WhiteNoise's scan of the static files) again, which costs more than the request."""
    client.cookies.clear()
    if session:
        client.cookies[django_settings.SESSION_COOKIE_NAME] = session


@contextmanager
def rolled_back():
    """Whatever the example wrote is undone when it ends, also when it fails."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "fields": {}}
            self.forms.append(self._form)
            return
        if self._form is None or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._select["choices"].append(a.get("value", ""))
            return
        fields, name = self._form["fields"], a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            field = fields.setdefault(name, {"kind": kind, "choices": [], "value": a.get("value")})
            if kind in ("checkbox", "radio"):
                field["choices"].append(a.get("value", "on"))
        elif tag == "textarea":
            fields[name] = {"kind": "textarea", "choices": [], "value": None}
        elif tag == "select":
            kind = "select-multiple" if "multiple" in a else "select"
            self._select = fields.setdefault(name, {"kind": kind, "choices": [], "value": None})

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def fields_of(html: str, *, containing: str) -> dict:
    """The fields of the page's form that has a field named ``containing``."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if containing in form["fields"]:
            return form["fields"]
    raise AssertionError(f"no form with a field {containing!r} on the page")


# --- Values ----------------------------------------------------------------------------------

# Control characters, NUL included, and the C1 range Latin-1 maps stray bytes to.
CONTROL = st.text(st.characters(max_codepoint=0x9F), min_size=1, max_size=20)
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        '=HYPERLINK("http://evil")',
        "' OR 1=1 --",
        "../../etc/passwd",
        "%00",
        "\u202e\u200b\ufeff",
        "Ünïcödé ß 😀 中文 العربية",
        "NaN",
        "Infinity",
        "-0",
        "1e309",
        "9" * 60,
        "0,5",
        "1.234.567,89",
        "2026-02-30",
        "javascript:alert(1)",
        "http://",
        "a@b",
        "x" * 300,
    ]
)
NUMBERS = st.one_of(
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
)
LONG = st.integers(min_value=1_000, max_value=20_000).map(lambda n: "x" * n)

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    CONTROL,
    NASTY,
    NUMBERS,
    st.emails(),
    LONG,
)


def value_for(field: dict):
    """Mostly what the field offers, often anything at all, sometimes nothing (left out)."""
    omitted = st.none()
    kind, choices = field["kind"], field["choices"]
    if kind == "hidden":
        return st.one_of(st.just(field["value"] or ""), HOSTILE_TEXT, omitted)
    if kind == "select-multiple":
        item = st.one_of(st.sampled_from(choices), HOSTILE_TEXT) if choices else HOSTILE_TEXT
        return st.one_of(st.lists(item, max_size=4), omitted)
    if choices:
        return st.one_of(st.sampled_from(choices), HOSTILE_TEXT, omitted)
    return st.one_of(HOSTILE_TEXT, omitted)


def form_data(fields: dict, *, fixed: dict | None = None):
    """A dict for ``client.post``/``get``: every field fuzzed, ``fixed`` ones as given."""
    fixed = fixed or {}
    fuzzed = {name: value_for(field) for name, field in fields.items() if name not in fixed}
    return st.fixed_dictionaries(fuzzed).map(
        lambda values: {**{k: v for k, v in values.items() if v is not None}, **fixed}
    )
