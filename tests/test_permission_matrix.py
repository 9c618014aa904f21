"""Every URL of the portal × every role, with the answer each role must get.

Roles: anonymous, rep_a (owner of company A), rep_b (owner of company B), coordinator, funder
(a funding body's user without a company). The rules:

- public pages answer 200 to everybody;
- anonymous on a private page → 302 to /accounts/login/?next=…;
- another company's objects, objects outside one's scope and objects that do not exist → 404;
- read-only roles and non-coordinators on coordinator pages and on every write → 403
  (or 404 where the object is outside their scope);
- a refused POST changes nothing (every row of the portal's tables is compared before/after),
  and the roles a row names in ``writes`` must change something, so the payload is known to be
  a real, valid write.

Add a page: append a Row to ROWS (and a payload to tests/matrix_world.PAYLOADS if it writes).
test_every_url_pattern_is_in_the_matrix fails until every URL pattern has a row.
"""

from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests.matrix_world import PAYLOADS, ROLES, build_world, changed_tables, data_snapshot

pytestmark = pytest.mark.django_db

LOGIN = "login"  # 302 to /accounts/login/?next=<this page>
ADMIN_LOGIN = "admin_login"  # 302 to the admin's own login page (nobody here is staff)
LOGIN_URL = "/accounts/login/"


# What each role must never see on a page it may open (names and references in matrix_world).
FOREIGN = {
    "rep_a": ("Beta Bäckerei", "GEHEIM-99"),
    "rep_b": ("Alpha Antriebstechnik", "GEHEIM-99"),
    "funder": ("Alpha Antriebstechnik", "Beta Bäckerei", "GEHEIM-99", "Fremdes Projekt"),
}


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # with {placeholders} from World.ids
    expect: tuple  # one answer per ROLES entry
    payload: str | None = None  # key of matrix_world.PAYLOADS
    writes: tuple = ()  # roles whose request must change data; all others must change nothing
    next_path: str | None = None  # where the login page sends back to, if not the page itself
    names_inviter: bool = False  # a token page that names the inviting company by design

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def row(method, path, anonymous, rep_a, rep_b, coordinator, funder, **options):
    writes = options.pop("writes", "")
    return Row(
        method,
        path,
        (anonymous, rep_a, rep_b, coordinator, funder),
        writes=tuple(writes.split()),
        **options,
    )


def public(path):
    return row("GET", path, 200, 200, 200, 200, 200)


def coordinator_page(path, method="GET", *, ok=200, **options):
    """Coordinators only: anonymous → login, everybody else 403."""
    return row(method, path, LOGIN, 403, 403, ok, 403, **options)


def coordinator_write(path, payload, *, ok=302, writes="coordinator"):
    return coordinator_page(path, "POST", ok=ok, payload=payload, writes=writes)


# fmt: off
ROWS = [
    # --- portal pages ---------------------------------------------------------------------------
    public("/"),
    public("/health/"),
    public("/privacy/"),
    public("/imprint/"),
    public("/accessibility/"),
    # The accessibility feedback form is open to everybody: stored and e-mailed to coordinators.
    row("POST", "/accessibility/", 302, 302, 302, 302, 302,
        payload="a11y_feedback", writes="anonymous rep_a rep_b coordinator funder"),
    coordinator_page("/imprint/edit/"),
    coordinator_write("/imprint/edit/", "imprint_edit"),
    coordinator_page("/privacy/edit/"),
    coordinator_write("/privacy/edit/", "privacy_edit"),
    coordinator_page("/accessibility/edit/"),
    coordinator_write("/accessibility/edit/", "accessibility_edit"),
    row("POST", "/i18n/setlang/", 302, 302, 302, 302, 302, payload="setlang"),
    row("GET", "/i18n/setlang/", 302, 302, 302, 302, 302),
    # --- failed e-mails (coordinators; the world has one refused for good) ---------------------
    coordinator_page("/mail/failed/"),
    coordinator_page("/mail/failed/resend/"),
    coordinator_write("/mail/failed/resend/", None),
    # --- accounts (django-allauth) --------------------------------------------------------------
    row("GET", "/accounts/login/", 200, 302, 302, 302, 302),
    row("GET", "/accounts/signup/", 200, 302, 302, 302, 302),
    row("GET", "/accounts/logout/", 302, 200, 200, 200, 200),
    row("GET", "/accounts/email/", LOGIN, 200, 200, 200, 200),
    row("GET", "/accounts/password/change/", LOGIN, 200, 200, 200, 200),
    public("/accounts/password/reset/"),
    row("GET", "/accounts/2fa/", LOGIN, 200, 200, 200, 200),
    # --- data protection (account privacy pages) -------------------------------------------------
    row("GET", "/accounts/privacy/", LOGIN, 200, 200, 200, 200),
    # Everyone's own data. The funder's names company A by design: A invited the funder's address.
    row("GET", "/accounts/privacy/export.json", LOGIN, 200, 200, 200, 200, names_inviter=True),
    # Someone else's consent is not found; withdrawing one's own stops company A being contacted.
    row("GET", "/accounts/privacy/consents/{consent_a}/withdraw/", LOGIN, 200, 404, 404, 404),
    row("POST", "/accounts/privacy/consents/{consent_a}/withdraw/", LOGIN, 302, 404, 404, 404,
        writes="rep_a"),
    row("POST", "/accounts/privacy/consents/{missing}/withdraw/", LOGIN, 404, 404, 404, 404),
    coordinator_page("/accounts/privacy/requests/"),
    # The download for any address: read only, nothing is written.
    coordinator_page("/accounts/privacy/requests/", "POST", payload="personal_data_request"),
    # --- admin ------------------------------------------------------------------------------------
    row("GET", "/admin/", ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN),
    # --- companies ------------------------------------------------------------------------------
    coordinator_page("/companies/"),
    coordinator_page("/companies/dashboard/"),
    coordinator_page("/companies/new/"),
    coordinator_write("/companies/new/", "company"),
    coordinator_write("/companies/follow-ups/{consultation}/done/", None),
    coordinator_write("/companies/follow-ups/{missing}/done/", None, ok=404, writes=""),
    coordinator_page("/companies/follow-ups/{consultation}/done/", ok=405),
    row("GET", "/companies/mine/", LOGIN, 302, 302, 302, 403),
    row("POST", "/companies/mine/", LOGIN, 302, 302, 302, 403, payload="withdraw"),
    row("GET", "/companies/join/", LOGIN, 403, 403, 403, 403),
    row("POST", "/companies/join/", LOGIN, 403, 403, 403, 403, payload="join_company"),
    # The token is the secret: whoever holds it sees the invitation; accepting needs the
    # invited address (200 with the problem shown). Funders and coordinators never join a
    # company: 403.
    row("GET", "/companies/invitations/{company_invitation}/", LOGIN, 200, 200, 403, 403,
        names_inviter=True),
    row("POST", "/companies/invitations/{company_invitation}/", LOGIN, 200, 200, 403, 403,
        names_inviter=True),
    row("POST", "/companies/invitations/{funder_invitation}/", LOGIN, 200, 200, 403, 403,
        names_inviter=True),
    row("GET", "/companies/invitations/not-a-token/", LOGIN, 404, 404, 403, 403),
    coordinator_page("/companies/import/"),
    coordinator_write("/companies/import/", "import"),
    coordinator_page("/companies/import/template.csv"),
    coordinator_page("/companies/import/template.xlsx"),
    coordinator_page("/companies/import/template.pdf", ok=404),
    coordinator_page("/companies/export.csv"),
    coordinator_page("/companies/export.xlsx"),
    row("GET", "/companies/{A}/", LOGIN, 200, 404, 200, 404),
    row("GET", "/companies/{B}/", LOGIN, 404, 200, 200, 404),
    row("GET", "/companies/{missing}/", LOGIN, 404, 404, 404, 404),
    row("GET", "/companies/{A}/edit/", LOGIN, 200, 404, 200, 404),
    row("POST", "/companies/{A}/edit/", LOGIN, 302, 404, 302, 404,
        payload="company_edit", writes="rep_a coordinator"),
    row("GET", "/companies/{missing}/edit/", LOGIN, 404, 404, 404, 404),
    row("GET", "/companies/{A}/members/", LOGIN, 200, 404, 200, 404),
    row("POST", "/companies/{A}/members/", LOGIN, 302, 404, 302, 404,
        payload="invite_colleague", writes="rep_a coordinator"),
    row("POST", "/companies/{B}/members/", LOGIN, 404, 302, 302, 404,
        payload="invite_colleague", writes="rep_b coordinator"),
    coordinator_page("/companies/{A}/consultations/new/"),
    coordinator_write("/companies/{A}/consultations/new/", "consultation"),
    coordinator_page("/companies/{missing}/consultations/new/", ok=404),
    # --- networks -------------------------------------------------------------------------------
    public("/networks/"),
    public("/networks/{N}/"),
    row("GET", "/networks/{planned}/", 404, 404, 404, 200, 404),
    row("GET", "/networks/no-such-network/", 404, 404, 404, 404, 404),
    # rep_a's company is a member already (message, nothing changes); B's request is new.
    row("POST", "/networks/{N}/join/", LOGIN, 302, 302, 403, 403,
        writes="rep_b", next_path="/networks/{N}/"),
    # Coordinators see planned networks (and may not ask to join any): 403, not 404.
    row("POST", "/networks/{planned}/join/", LOGIN, 404, 404, 403, 404,
        next_path="/networks/{planned}/"),
    row("GET", "/networks/{N}/join/", 405, 405, 405, 405, 405),
    coordinator_page("/networks/new/"),
    coordinator_write("/networks/new/", "network"),
    coordinator_page("/networks/{N}/edit/"),
    coordinator_write("/networks/{N}/edit/", "network_edit"),
    coordinator_page("/networks/{planned}/edit/"),
    coordinator_page("/networks/no-such-network/edit/", ok=404),
    coordinator_page("/networks/{N}/dashboard/"),
    coordinator_write("/networks/{N}/requests/{request_c}/decide/", "accept"),
    coordinator_write("/networks/{N}/requests/{member_a}/decide/", "accept", ok=404, writes=""),
    coordinator_write("/networks/{N}/members/add/", "add_member"),
    coordinator_write("/networks/{N}/members/{member_a}/role/", "role"),
    coordinator_write("/networks/{N}/members/{member_a}/remove/", None),
    coordinator_write("/networks/{N}/members/{missing}/remove/", None, ok=404, writes=""),
    coordinator_page("/networks/{N}/requests/{request_c}/decide/", ok=405),
    coordinator_page("/networks/{N}/members/add/", ok=405),
    coordinator_page("/networks/{N}/members/{member_a}/role/", ok=405),
    # The removal's confirmation step (what happens, who is told).
    coordinator_page("/networks/{N}/members/{member_a}/remove/"),
    coordinator_page("/networks/{N}/members/{missing}/remove/", ok=404),
    # --- workshops (public) ----------------------------------------------------------------------
    public("/workshops/"),
    public("/workshops/calendar.ics"),
    public("/workshops/{W}/"),
    row("GET", "/workshops/{draft}/", 404, 404, 404, 200, 404),
    row("GET", "/workshops/no-such-workshop/", 404, 404, 404, 404, 404),
    public("/workshops/{W}/register/"),
    public("/workshops/{W}/register/?colleagues=1"),  # a representative books colleagues
    # Registering is open to anybody, signed in or not.
    row("POST", "/workshops/{W}/register/", 302, 302, 302, 302, 302,
        payload="register", writes="anonymous rep_a rep_b coordinator funder"),
    row("GET", "/workshops/{draft}/register/", 404, 404, 404, 200, 404),
    row("POST", "/workshops/{draft}/register/", 404, 404, 404, 200, 404, payload="register"),
    public("/workshops/{W}/calendar.ics"),
    row("GET", "/workshops/{draft}/calendar.ics", 404, 404, 404, 200, 404),
    # --- workshops (coordinators) ---------------------------------------------------------------
    coordinator_page("/workshops/manage/"),
    coordinator_page("/workshops/new/"),
    coordinator_write("/workshops/new/", "workshop"),
    coordinator_page("/workshops/{W}/edit/"),
    coordinator_write("/workshops/{W}/edit/", "workshop_edit"),
    coordinator_page("/workshops/no-such-workshop/edit/", ok=404),
    coordinator_write("/workshops/{draft}/publish/", None),
    coordinator_write("/workshops/no-such-workshop/publish/", None, ok=404, writes=""),
    coordinator_page("/workshops/{draft}/publish/", ok=405),
    coordinator_page("/workshops/{W}/cancel/"),
    coordinator_write("/workshops/{W}/cancel/", None),
    coordinator_page("/workshops/{W}/participants/"),
    coordinator_page("/workshops/{W}/participants/export.csv"),
    coordinator_page("/workshops/{W}/participants/export.xlsx"),
    coordinator_page("/workshops/{W}/participants/export.pdf", ok=404),
    coordinator_write("/workshops/{W}/participants/{waitlisted}/promote/", None),
    # A registration of another workshop is not found through this one.
    coordinator_write("/workshops/{W}/participants/{attended}/promote/", None, ok=404, writes=""),
    coordinator_page("/workshops/{W}/participants/{waitlisted}/promote/", ok=405),
    # The participants page's actions (workshops/participants/views.py)
    coordinator_page("/workshops/{W}/participants/add/"),
    coordinator_write("/workshops/{W}/participants/add/", "walk_in"),
    coordinator_write("/workshops/{W}/participants/bulk/", "bulk_cancel"),
    # The selected rows as a file: nothing is written. (The query only tells the rows apart.)
    coordinator_page("/workshops/{W}/participants/bulk/?step=export", "POST",
                     payload="bulk_export"),
    coordinator_page("/workshops/{W}/participants/bulk/", ok=405),
    coordinator_page("/workshops/{W}/participants/{reg_a}/cancel/"),
    coordinator_write("/workshops/{W}/participants/{reg_a}/cancel/", None),
    coordinator_write("/workshops/{W}/participants/{attended}/cancel/", None, ok=404, writes=""),
    coordinator_page("/workshops/{W}/participants/{reg_a}/move/"),
    # The first POST shows what the move will do; nothing is written yet.
    coordinator_page("/workshops/{W}/participants/{reg_a}/move/", "POST", payload="move_preview"),
    coordinator_write("/workshops/{W}/participants/{reg_a}/move/?step=confirm", "move"),
    coordinator_write("/workshops/{W}/participants/{reg_a}/resend/", None),
    coordinator_write("/workshops/{W}/participants/{undoable}/undo-cancel/", None),
    # Not cancelled: refused with a message, nothing written.
    coordinator_write("/workshops/{W}/participants/{reg_a}/undo-cancel/", None, writes=""),
    coordinator_page("/workshops/{W}/participants/{undoable}/undo-cancel/", ok=405),
    coordinator_page("/workshops/{W}/participants/{reg_a}/resend/", ok=405),
    coordinator_page("/workshops/{done}/checkin/"),
    coordinator_write("/workshops/{done}/checkin/", "checkin"),
    # One action per person at the door, and the scan field of a hand scanner.
    coordinator_write("/workshops/{done}/checkin/{unmarked}/", "checkin_person"),
    coordinator_page("/workshops/{done}/checkin/{unmarked}/", ok=405),
    coordinator_write("/workshops/{done}/checkin/code/", "checkin_code"),
    coordinator_page("/workshops/{done}/checkin/code/", ok=405),
    coordinator_page("/workshops/{W}/signature-sheet.pdf"),
    # Enqueued after commit only: nothing in the tables changes within the request.
    coordinator_write("/workshops/{done}/certificates/send/", None, writes=""),
    coordinator_page("/workshops/{done}/certificates/send/", ok=405),
    coordinator_page("/workshops/{W}/invitations/"),
    coordinator_page("/workshops/{W}/invitations/new/"),
    coordinator_write("/workshops/{W}/invitations/new/", "invite"),
    # The choice answers with the preview (recipients, skipped, e-mails): nothing written yet.
    coordinator_page("/workshops/{W}/invitations/new/?step=preview", "POST", ok=200,
                     payload="invite_preview"),
    coordinator_page("/workshops/{W}/participants/email/"),
    coordinator_page("/workshops/{W}/participants/email/?step=preview", "POST", ok=200,
                     payload="participants_email_preview"),
    coordinator_write("/workshops/{W}/participants/email/", "participants_email"),
    coordinator_page("/workshops/no-such-workshop/participants/email/", ok=404),
    coordinator_page("/workshops/no-such-workshop/invitations/", ok=404),
    # --- registrations --------------------------------------------------------------------------
    # Funders never belong to a company: 403, as /companies/mine/ answers them.
    row("GET", "/registrations/mine/", LOGIN, 200, 200, 302, 403),
    row("POST", "/registrations/mine/", LOGIN, 302, 404, 302, 403,
        payload="cancel_own", writes="rep_a"),
    # The cancel token is the e-mailed secret: whoever holds it may cancel.
    public("/registrations/{token_a}/cancel/"),
    row("POST", "/registrations/{token_a}/cancel/", 302, 302, 302, 302, 302,
        writes="anonymous rep_a rep_b coordinator funder"),
    row("GET", "/registrations/not-a-token/cancel/", 404, 404, 404, 404, 404),
    row("POST", "/registrations/not-a-token/cancel/", 404, 404, 404, 404, 404),
    # The unsubscribe link of an invitation: the signed token is the secret; GET only asks.
    public("/unsubscribe/{unsubscribe}/"),
    row("POST", "/unsubscribe/{unsubscribe}/", 200, 200, 200, 200, 200,
        writes="anonymous rep_a rep_b coordinator funder"),
    row("GET", "/unsubscribe/not-a-token/", 404, 404, 404, 404, 404),
    row("POST", "/unsubscribe/not-a-token/", 404, 404, 404, 404, 404),
    public("/registrations/{token_attended}/certificate.pdf"),
    # The person's own page (QR code, certificate): the cancel token is the secret.
    public("/registrations/{token_a}/"),
    row("GET", "/registrations/not-a-token/", 404, 404, 404, 404, 404),
    # What a phone camera opens from the QR code: coordinators see the person and a check-in
    # button, everybody else what the code is for (no name); only a POST checks in.
    public("/registrations/checkin/{checkin_code}/"),
    row("GET", "/registrations/checkin/1.AAAAAAAAAAAAAAAAAAAA/", 404, 404, 404, 404, 404),
    # Not attended (yet): no certificate.
    row("GET", "/registrations/{token_a}/certificate.pdf", 404, 404, 404, 404, 404),
    # --- funding --------------------------------------------------------------------------------
    public("/funding/programmes/"),
    row("GET", "/funding/grants/", LOGIN, 403, 403, 200, 200),
    coordinator_page("/funding/grants/new/"),
    coordinator_write("/funding/grants/new/", "grant"),
    row("GET", "/funding/grants/{G}/", LOGIN, 404, 404, 200, 200),
    row("GET", "/funding/grants/{G_other}/", LOGIN, 404, 404, 200, 404),
    row("GET", "/funding/grants/{missing}/", LOGIN, 404, 404, 404, 404),
    coordinator_page("/funding/grants/{G}/edit/"),
    coordinator_write("/funding/grants/{G}/edit/", "grant_edit"),
    coordinator_page("/funding/grants/{missing}/edit/", ok=404),
    coordinator_page("/funding/grants/{G}/shares/"),
    coordinator_write("/funding/grants/{G}/shares/", "shares"),
    coordinator_page("/funding/grants/{G}/budget/"),
    coordinator_write("/funding/grants/{G}/budget/", "budget"),
    coordinator_page("/funding/grants/{G}/indicators/"),
    coordinator_write("/funding/grants/{G}/indicators/", "indicator"),
    coordinator_page("/funding/grants/{G}/expenditures/"),
    coordinator_write("/funding/grants/{G}/expenditures/", "expenditure"),
    coordinator_page("/funding/grants/{G}/expenditures/import/"),
    coordinator_write("/funding/grants/{G}/expenditures/import/", "expenditure_import"),
    coordinator_page("/funding/grants/{G}/expenditures/{receipt}/edit/"),
    coordinator_write("/funding/grants/{G}/expenditures/{receipt}/edit/", "expenditure_edit"),
    # Another grant's expenditure under this grant's address: not found.
    coordinator_page("/funding/grants/{G}/expenditures/{receipt_other}/edit/", ok=404),
    coordinator_page("/funding/grants/{G}/expenditures/{receipt}/delete/"),
    coordinator_write("/funding/grants/{G}/expenditures/{receipt}/delete/", None),
    coordinator_write("/funding/grants/{G}/expenditures/{missing}/delete/", None, ok=404,
                      writes=""),
    # Receipts: coordinators and the grant's funders (audit evidence), nobody else.
    row("GET", "/funding/expenditures/{receipt}/receipt/", LOGIN, 404, 404, 200, 200),
    row("GET", "/funding/expenditures/{receipt_other}/receipt/", LOGIN, 404, 404, 200, 404),
    row("GET", "/funding/expenditures/{expenditure_plain}/receipt/", LOGIN, 404, 404, 404, 404),
    row("GET", "/funding/expenditures/{missing}/receipt/", LOGIN, 404, 404, 404, 404),
    row("GET", "/funding/grants/{G}/reports/", LOGIN, 404, 404, 200, 200),
    row("POST", "/funding/grants/{G}/reports/", LOGIN, 404, 404, 302, 403,
        payload="report_period", writes="coordinator"),
    row("GET", "/funding/grants/{G_other}/reports/", LOGIN, 404, 404, 200, 404),
    row("GET", "/funding/reports/{report}/status/", LOGIN, 404, 404, 200, 200),
    row("GET", "/funding/reports/{report_other}/status/", LOGIN, 404, 404, 200, 404),
    coordinator_write("/funding/reports/{report_failed}/retry/", None),
    coordinator_write("/funding/reports/{missing}/retry/", None, ok=404, writes=""),
    coordinator_page("/funding/reports/{report_failed}/retry/", ok=405),
    row("GET", "/funding/reports/{report}/download/", LOGIN, 404, 404, 200, 200),
    row("GET", "/funding/reports/{report}/download/?format=xlsx", LOGIN, 404, 404, 200, 200),
    row("GET", "/funding/reports/{report_other}/download/", LOGIN, 404, 404, 200, 404),
    row("GET", "/funding/reports/{report_queued}/download/", LOGIN, 404, 404, 404, 404),
    # --- search (coordinators): the page empty and with hits (Bäck…) ----------------------------
    coordinator_page("/search/"),
    coordinator_page("/search/?q=B%C3%A4ck"),
    # --- change history (audit log) -------------------------------------------------------------
    coordinator_page("/history/companies/company/{A}/"),
    coordinator_page("/history/networks/networkmembership/{member_a}/"),
    coordinator_page("/history/workshops/registration/{reg_a}/"),
    coordinator_page("/history/funding/grant/{G}/"),
    coordinator_page("/history/funding/grant/{G}/?show=expenditure"),
    # Not an audited kind of object, or no such object and no history of it.
    coordinator_page("/history/auth/user/{A}/", ok=404),
    coordinator_page("/history/companies/company/{missing}/", ok=404),
    # --- anonymisation on request -----------------------------------------------------------------
    coordinator_page("/data-protection/anonymise/"),
    # Looking the address up shows what would be blanked; nothing is written.
    coordinator_page("/data-protection/anonymise/", "POST", payload="anonymise_preview"),
    # The query string only tells the row apart; the view reads the step from the form.
    coordinator_write("/data-protection/anonymise/?step=confirm", "anonymise_confirm"),
]
# fmt: on

# Allauth and admin routes the matrix deliberately leaves out, with the reason.
SKIPPED_ROUTES = {
    "accounts/inactive/": "static notice after logging in to a disabled account",
    "accounts/reauthenticate/": "asks a signed-in user for the password again; allauth's own",
    "accounts/confirm-email/": "notice after signup; needs the signup session",
    "accounts/password/set/": "only for accounts without a password (none here)",
    "accounts/login/code/confirm/": "login by code is not enabled",
    "accounts/confirm-email/(?P<key>[-:\\w]+)/$": "needs a signed confirmation key",
    "accounts/password/reset/key/done/": "static notice after a password reset",
    "accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": "needs a reset key",
    "accounts/password/reset/done/": "static notice after requesting a reset",
    "accounts/2fa/authenticate/": "second login step; needs a half-finished login",
    "accounts/2fa/reauthenticate/": "needs an activated authenticator",
    "accounts/2fa/totp/activate/": "allauth's own 2FA flow (tests/regiolab/test_accounts.py)",
    "accounts/2fa/totp/deactivate/": "needs an activated authenticator",
    "accounts/2fa/recovery-codes/": "needs an activated authenticator",
    "accounts/2fa/recovery-codes/generate/": "needs an activated authenticator",
    "accounts/2fa/recovery-codes/download/": "needs an activated authenticator",
}
SKIPPED_PREFIXES = ("admin/",)  # Django admin internals; /admin/ itself has a row


def _cases():
    for r in ROWS:
        for index, role in enumerate(ROLES):
            yield pytest.param(r, role, r.expect[index], id=f"{r.id} [{role}]")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for the whole module inside a transaction rolled back at the end; each test
    runs in its own savepoint within it (pytest-django's usual per-test transaction)."""
    settings = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        # Report files go to a temporary private storage, never into the checkout.
        STORAGES={
            **django_settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(tmp_path_factory.mktemp("private"))},
            },
        },
    )
    settings.enable()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
            # One signed-in session per role, reused by every test (cheaper than force_login).
            for role, user in built.users.items():
                if user is not None:
                    signed_in = Client()
                    signed_in.force_login(user)
                    built.sessions[role] = signed_in.cookies[
                        django_settings.SESSION_COOKIE_NAME
                    ].value
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            settings.disable()
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
    settings.disable()


@pytest.fixture(scope="module")
def matrix_client():
    """One test client for the module: each new client loads the middleware again, and
    WhiteNoise's start-up scan of every static file (WHITENOISE_USE_FINDERS) would otherwise
    cost more than the request itself."""
    return Client()


def _path(world, r: Row, template: str | None = None) -> str:
    return (template or r.path).format(**world.ids)


@pytest.mark.parametrize(("r", "role", "expected"), list(_cases()))
def test_matrix(matrix_client, world, r, role, expected):
    client = matrix_client
    client.cookies.clear()
    if role in world.sessions:
        client.cookies[django_settings.SESSION_COOKIE_NAME] = world.sessions[role]
    path = _path(world, r)
    data = PAYLOADS[r.payload](world) if r.payload else {}
    before = data_snapshot() if r.method == "POST" else None

    response = client.get(path) if r.method == "GET" else client.post(path, data)

    if expected == LOGIN:
        back_to = _path(world, r, r.next_path) if r.next_path else path
        assert response.status_code == 302, response.status_code
        assert response["Location"] == f"{LOGIN_URL}?next={quote(back_to, safe='/')}"
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith("/admin/login/")
    else:
        assert response.status_code == expected, response.status_code
    if response.status_code == 200 and r.method == "GET" and not r.names_inviter:
        # Whatever a company or funder may open, nothing outside their scope is in it.
        content = b"".join(response) if response.streaming else response.content
        for secret in FOREIGN.get(role, ()):
            assert secret.encode() not in content, secret

    if before is not None:
        changed = changed_tables(before, data_snapshot())
        if role in r.writes:
            assert changed, "an allowed write changed nothing: is the payload still valid?"
        else:
            assert not changed, f"a refused or empty POST changed {changed}"


# --- the matrix keeps up with the URLconf -------------------------------------------------------


def _join(prefix: str, route: str) -> str:
    # As django.urls.URLResolver._join_route: an inner regex's "^" does not count.
    return prefix + (route[1:] if route.startswith("^") else route)


def _all_routes(patterns, prefix="") -> set[str]:
    routes = set()
    for pattern in patterns:
        route = _join(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            routes |= _all_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            routes.add(route)
    return routes


def _covered_routes(world) -> set[str]:
    return {resolve(_path(world, r).split("?")[0]).route for r in ROWS}


def test_every_url_pattern_is_in_the_matrix(world):
    routes = _all_routes(get_resolver().url_patterns)
    admin_index = "admin/"
    expected = {r for r in routes if r == admin_index or not r.startswith(SKIPPED_PREFIXES)} - set(
        SKIPPED_ROUTES
    )
    missing = expected - _covered_routes(world)
    assert not missing, f"URL patterns without a row in the permission matrix: {sorted(missing)}"
    stale = set(SKIPPED_ROUTES) - routes
    assert not stale, f"skipped routes that no longer exist: {sorted(stale)}"
    assert not set(SKIPPED_ROUTES) & _covered_routes(world), "a skipped route has a row"


def test_matrix_size(capsys, world):
    """Prints the size of the matrix into the run's output (past pytest's capture)."""
    covered = len(_covered_routes(world))
    posts = sum(r.method == "POST" for r in ROWS)
    line = (
        f"permission matrix: {len(ROWS)} rows ({posts} POST) × {len(ROLES)} roles = "
        f"{len(ROWS) * len(ROLES)} cases over {covered} URL patterns"
    )
    with capsys.disabled():
        print(f"\n{line}")
    assert len({r.id for r in ROWS}) == len(ROWS), "two rows with the same method and path"
    assert all(len(r.expect) == len(ROLES) for r in ROWS)
    assert all(set(r.writes) <= set(ROLES) for r in ROWS), "a row names an unknown role"
    assert all(r.payload is None or r.payload in PAYLOADS for r in ROWS)
