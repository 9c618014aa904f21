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

Add a page: append a Row to ROWS (and a payload to tests/matrix_world.PAYLOADS if it writes), or
for a newer app to its part in tests/matrix_parts/ (ROWS, PAYLOADS, world()).
test_every_url_pattern_is_in_the_matrix fails until every URL pattern has a row.
"""

from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests import matrix_parts
from tests.matrix_rows import (
    ADMIN_LOGIN,
    LOGIN,
    LOGIN_URL,
    Row,
    coordinator_page,
    coordinator_write,
    public,
    row,
)
from tests.matrix_world import PAYLOADS, ROLES, build_world, changed_tables, data_snapshot

pytestmark = pytest.mark.django_db

# What each role must never see on a page it may open (names and references in matrix_world).
FOREIGN = {
    "rep_a": ("Beta Bäckerei", "GEHEIM-99"),
    "rep_b": ("Alpha Antriebstechnik", "GEHEIM-99"),
    "funder": ("Alpha Antriebstechnik", "Beta Bäckerei", "GEHEIM-99", "Fremdes Projekt"),
}


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
    # --- surveys: answering (S2) -------------------------------------------------------------------
    # The e-mailed token is the secret: whoever holds it answers once, without a login.
    public("/s/{S_token}/"),
    row("POST", "/s/{S_token}/", 302, 302, 302, 302, 302, payload="survey_answer",
        writes="anonymous rep_a rep_b coordinator funder"),
    # A used link or a closed survey: a clear page, no form, nothing written.
    row("GET", "/s/{S_answered_token}/", 410, 410, 410, 410, 410),
    row("POST", "/s/{S_answered_token}/", 410, 410, 410, 410, 410, payload="survey_answer"),
    row("GET", "/s/{S_closed_token}/", 410, 410, 410, 410, 410),
    row("POST", "/s/{S_closed_token}/", 410, 410, 410, 410, 410, payload="survey_answer"),
    row("GET", "/s/not-a-token/", 404, 404, 404, 404, 404),
    row("POST", "/s/not-a-token/", 404, 404, 404, 404, 404, payload="survey_answer"),
    public("/s/{S_answered_token}/thanks/"),
    row("GET", "/s/{S_token}/thanks/", 302, 302, 302, 302, 302),  # not answered yet
    # A training-needs round in the company's space: company members only, for their company.
    row("GET", "/surveys/{S_needs}/answer/", LOGIN, 200, 200, 403, 403),
    row("POST", "/surveys/{S_needs}/answer/", LOGIN, 302, 302, 403, 403, payload="needs_answer",
        writes="rep_a rep_b"),
    row("GET", "/surveys/{S}/answer/", LOGIN, 404, 404, 403, 403),  # a panel, not a round
    row("GET", "/surveys/{missing}/answer/", LOGIN, 404, 404, 403, 403),
    # --- surveys: the questionnaire builder (coordinators) --------------------------------------
    coordinator_page("/surveys/"),
    coordinator_page("/surveys/new/"),
    coordinator_write("/surveys/new/", "survey_new"),
    coordinator_page("/surveys/{S}/"),
    coordinator_page("/surveys/{missing}/", ok=404),
    coordinator_page("/surveys/{S}/edit/"),
    coordinator_write("/surveys/{S}/edit/", "survey_edit"),
    coordinator_write("/surveys/{S_draft}/open/", None),
    coordinator_page("/surveys/{S}/close/"),
    coordinator_write("/surveys/{S}/close/", None),
    coordinator_page("/surveys/{S}/preview/"),
    coordinator_page("/surveys/{S}/preview/?lang=en"),
    coordinator_page("/surveys/{S}/sections/new/"),
    coordinator_write("/surveys/{S}/sections/new/", "section_new"),
    coordinator_page("/surveys/{S}/sections/{S_section}/edit/"),
    coordinator_write("/surveys/{S}/sections/{S_section}/edit/", "section_edit"),
    # Another survey's section under this survey's address: not found.
    coordinator_page("/surveys/{S_draft}/sections/{S_section}/edit/", ok=404),
    coordinator_page("/surveys/{S}/sections/{S_section}/delete/"),
    coordinator_write("/surveys/{S}/sections/{S_section}/delete/", None),
    # The only section has no neighbour: nothing moves.
    coordinator_write("/surveys/{S}/sections/{S_section}/move/", None, writes=""),
    coordinator_page("/surveys/{S}/questions/new/"),
    coordinator_write("/surveys/{S}/questions/new/", "question_new"),
    coordinator_page("/surveys/{S}/questions/{S_question}/edit/"),
    coordinator_write("/surveys/{S}/questions/{S_question}/edit/", "question_edit"),
    coordinator_page("/surveys/{S_draft}/questions/{S_question}/edit/", ok=404),
    coordinator_page("/surveys/{S}/questions/{S_question}/delete/"),
    coordinator_write("/surveys/{S}/questions/{S_question}/delete/", None),
    coordinator_write("/surveys/{S}/questions/{S_question}/move/", None, writes=""),
    # --- learning programmes: LP (rep_a's company takes part), LP_other (rep_b's) ------------------
    public("/learning/"),
    coordinator_page("/learning/new/"),
    coordinator_write("/learning/new/", "learning_programme"),
    # Outsiders (rep_b takes part in another programme, the funder in none) are told nothing.
    row("GET", "/learning/{LP}/", LOGIN, 200, 404, 200, 404),
    row("GET", "/learning/{LP_other}/", LOGIN, 404, 200, 200, 404),
    row("GET", "/learning/{missing}/", LOGIN, 404, 404, 404, 404),
    # A programme nobody here takes part in: its published public summary only.
    public("/learning/{LP_public}/"),
    coordinator_page("/learning/{LP}/edit/"),
    coordinator_write("/learning/{LP}/edit/", "learning_programme_edit"),
    coordinator_write("/learning/{LP}/start/", None),
    coordinator_page("/learning/{LP}/start/", ok=405),
    coordinator_page("/learning/{LP}/close/"),
    coordinator_write("/learning/{LP}/close/", "confirmed"),
    coordinator_page("/learning/{LP}/cycles/{LP_cycle}/workshop/"),
    coordinator_write("/learning/{LP}/cycles/{LP_cycle}/workshop/", "learning_move"),
    coordinator_page("/learning/{LP}/cycles/{missing}/workshop/", ok=404),
    coordinator_write("/learning/{LP}/cycles/{LP_cycle}/theme/", "learning_theme"),
    coordinator_page("/learning/{LP}/cycles/{LP_cycle}/theme/", ok=405),
    # LP's workshops are drafts while it is planned: rep_a's click is refused with a message.
    row("POST", "/learning/{LP}/cycles/{LP_cycle}/register/", LOGIN, 302, 404, 403, 404,
        next_path="/learning/{LP}/"),
    coordinator_page("/learning/{LP}/organisations/add/"),
    coordinator_write("/learning/{LP}/organisations/add/", "learning_organisation"),
    coordinator_page("/learning/{LP}/organisations/{LP_org_a}/remove/"),
    # A has a submitted report: the programme's records keep it in (a message, nothing removed).
    coordinator_write("/learning/{LP}/organisations/{LP_org_a}/remove/", "confirmed", writes=""),
    coordinator_write("/learning/{LP_other}/organisations/{LP_org_b}/remove/", "confirmed"),
    coordinator_page("/learning/{LP}/organisations/{LP_org_b}/remove/", ok=404),
    coordinator_page("/learning/{LP}/organisations/{LP_org_a}/people/add/"),
    coordinator_write("/learning/{LP}/organisations/{LP_org_a}/people/add/", "learning_person"),
    coordinator_page("/learning/{LP}/organisations/{LP_org_a}/people/{LP_person_a}/remove/"),
    coordinator_write(
        "/learning/{LP}/organisations/{LP_org_a}/people/{LP_person_a}/remove/", "confirmed"
    ),
    # --- learning: the cycle board and the findings (learning/board/) ----------------------------
    # Coordinators and LP's participants (reports shared); another programme's participant and
    # the funder are outside LP: 404.
    row("GET", "/learning/{LP}/cycles/{LP_cycle}/", LOGIN, 200, 404, 200, 404),
    row("GET", "/learning/{LP}/cycles/{LP_cycle}/?actor_type=firm", LOGIN, 200, 404, 200, 404),
    row("GET", "/learning/{LP}/cycles/99/", LOGIN, 404, 404, 404, 404),
    # The one-click reminder: A has no report of cycle 2 yet (rep_a is e-mailed).
    row("POST", "/learning/{LP}/cycles/2/reminders/{LP_org_a}/", LOGIN, 403, 404, 302, 404,
        writes="coordinator"),
    row("GET", "/learning/{LP}/cycles/2/reminders/{LP_org_a}/", LOGIN, 405, 405, 405, 405),
    row("GET", "/learning/{LP}/findings/", LOGIN, 403, 404, 200, 404),
    row("GET", "/learning/{LP}/findings/{LP_item}/", LOGIN, 403, 404, 200, 404),
    row("POST", "/learning/{LP}/findings/{LP_item}/", LOGIN, 403, 404, 302, 404,
        payload="learning_finding", writes="coordinator"),
    # --- survey results (coordinators); S has one response (shown as too few) -----------------
    coordinator_page("/surveys/{S_results}/results/"),
    coordinator_page("/surveys/{S_results}/results/?workshop=999999"),
    coordinator_page("/surveys/{S}/results/"),
    coordinator_page("/surveys/{missing}/results/", ok=404),
    coordinator_page("/surveys/{S_results}/results/answers/idee/"),
    coordinator_page("/surveys/{S_results}/results/answers/rolle/", ok=404),
    coordinator_page("/surveys/{S_results}/results/export.csv"),
    coordinator_page("/surveys/{S_results}/results/export.xlsx"),
    # Too few responses of an anonymous survey: refused with a message, back to the results.
    coordinator_page("/surveys/{S}/results/export.csv", ok=302),
    # --- training-needs demand board (coordinators) ----------------------------------------------
    coordinator_page("/surveys/demand/"),
    coordinator_page("/surveys/demand/?size_class=huge"),
    coordinator_page("/surveys/demand/companies/?topic={D_topic}&municipality={D_municipality}"
                     "&size_class={D_size_class}"),
    coordinator_page("/surveys/demand/companies/?topic=missing", ok=404),
    coordinator_write("/surveys/demand/plan/", "demand_plan"),
    coordinator_page("/surveys/demand/plans/{D_plan}/"),
    coordinator_page("/surveys/demand/plans/{missing}/", ok=404),
    coordinator_write("/surveys/demand/plans/{D_plan}/", "demand_publish"),
    # --- learning: results and the final report (participants read, coordinators write) --------
    row("GET", "/learning/{LP}/results/", LOGIN, 200, 404, 200, 404),
    row("GET", "/learning/{LP_other}/results/", LOGIN, 404, 200, 200, 404),
    row("GET", "/learning/{missing}/results/", LOGIN, 404, 404, 404, 404),
    row("GET", "/learning/{LP}/results/new/", LOGIN, 403, 404, 200, 404),
    row("POST", "/learning/{LP}/results/new/", LOGIN, 403, 404, 302, 404,
        payload="learning_result_section", writes="coordinator"),
    row("GET", "/learning/{LP}/results/{LP_section}/edit/", LOGIN, 403, 404, 200, 404),
    row("POST", "/learning/{LP}/results/{LP_section}/edit/", LOGIN, 403, 404, 302, 404,
        payload="learning_result_section", writes="coordinator"),
    # A section of another programme is not found under this one.
    row("GET", "/learning/{LP}/results/{LP_other_section}/edit/", LOGIN, 403, 404, 404, 404),
    row("GET", "/learning/{LP}/results/{LP_section}/delete/", LOGIN, 403, 404, 200, 404),
    row("POST", "/learning/{LP}/results/{LP_section}/delete/", LOGIN, 403, 404, 302, 404,
        writes="coordinator"),
    row("POST", "/learning/{LP}/results/{LP_other_section}/delete/", LOGIN, 403, 404, 404, 404),
    row("POST", "/learning/{LP}/results/report/", LOGIN, 403, 404, 302, 404,
        payload="learning_final_report", writes="coordinator"),
    row("GET", "/learning/{LP}/results/report/", LOGIN, 405, 405, 405, 405),
    row("GET", "/learning/reports/{LP_final}/status/", LOGIN, 200, 404, 200, 404),
    row("GET", "/learning/reports/{LP_final_queued}/status/", LOGIN, 404, 200, 200, 404),
    row("POST", "/learning/reports/{LP_final_failed}/retry/", LOGIN, 403, 404, 302, 404,
        writes="coordinator"),
    row("POST", "/learning/reports/{LP_final}/retry/", LOGIN, 403, 404, 302, 404),
    row("GET", "/learning/reports/{LP_final_failed}/retry/", LOGIN, 405, 405, 405, 405),
    row("GET", "/learning/reports/{LP_final}/download/", LOGIN, 200, 404, 200, 404),
    row("GET", "/learning/reports/{LP_final}/download/?format=xlsx", LOGIN, 200, 404, 200, 404),
    row("GET", "/learning/reports/{LP_final_queued}/download/", LOGIN, 404, 404, 404, 404),
    row("GET", "/learning/reports/{missing}/download/", LOGIN, 404, 404, 404, 404),
    # --- learning: tasks, answers, attachments, the organisations' own reports ---------------
    # LP's pages: rep_a a participant, rep_b (another programme's) and the funder find nothing.
    row("GET", "/learning/{LP}/cycles/{LP_cycle}/tasks/", LOGIN, 200, 404, 200, 404),
    row("POST", "/learning/{LP}/cycles/{LP_cycle}/tasks/", LOGIN, 403, 404, 302, 404,
        payload="lp_task", writes="coordinator"),
    row("GET", "/learning/{LP_other}/cycles/1/tasks/", LOGIN, 404, 200, 200, 404),
    row("GET", "/learning/{LP}/cycles/{LP_cycle}/tasks/{LP_task}/", LOGIN, 200, 404, 200, 404),
    # Participants answer; coordinators read the answers and do not write them.
    row("POST", "/learning/{LP}/cycles/{LP_cycle}/tasks/{LP_task}/", LOGIN, 302, 404, 403, 404,
        payload="lp_answer", writes="rep_a"),
    row("GET", "/learning/{LP}/cycles/{LP_cycle}/tasks/{missing}/", LOGIN, 404, 404, 404, 404),
    # LP's task under the other programme's address: not found, for everybody.
    row("GET", "/learning/{LP_other}/cycles/1/tasks/{LP_task}/", LOGIN, 404, 404, 404, 404),
    row("GET", "/learning/{LP}/cycles/{LP_cycle}/tasks/{LP_task}/edit/", LOGIN, 403, 404, 200,
        404),
    row("POST", "/learning/{LP}/cycles/{LP_cycle}/tasks/{LP_task}/edit/", LOGIN, 403, 404, 302,
        404, payload="lp_task_edit", writes="coordinator"),
    row("GET", "/learning/{LP}/cycles/{LP_cycle}/tasks/{LP_task}/delete/", LOGIN, 403, 404, 200,
        404),
    row("POST", "/learning/{LP}/cycles/{LP_cycle}/tasks/{LP_task}/delete/", LOGIN, 403, 404, 302,
        404, payload="confirmed", writes="coordinator"),
    row("GET", "/learning/{LP}/cycles/{LP_cycle}/tasks/{LP_task}/answers/{LP_submission}/",
        LOGIN, 403, 404, 200, 404),
    row("POST", "/learning/{LP}/cycles/{LP_cycle}/tasks/{LP_task}/answers/{LP_submission}/",
        LOGIN, 403, 404, 302, 404, payload="lp_return", writes="coordinator"),
    # Coordinators are sent on to the reports; the organisations write their own.
    row("GET", "/learning/{LP}/cycles/{LP_cycle}/report/", LOGIN, 200, 404, 302, 404),
    row("POST", "/learning/{LP}/cycles/{LP_cycle}/report/", LOGIN, 302, 404, 403, 404,
        payload="lp_report", writes="rep_a"),
    row("GET", "/learning/{LP}/cycles/{LP_cycle}/reports/", LOGIN, 200, 404, 200, 404),
    row("GET", "/learning/{LP}/cycles/{missing}/reports/", LOGIN, 404, 404, 404, 404),
    # Attachments: the answer's organisation and the coordinators, nobody else.
    row("GET", "/learning/attachments/{LP_attachment}/", LOGIN, 200, 404, 200, 404),
    row("GET", "/learning/attachments/{missing}/", LOGIN, 404, 404, 404, 404),
    row("GET", "/learning/attachments/{LP_attachment}/delete/", LOGIN, 200, 404, 403, 404),
    row("POST", "/learning/attachments/{LP_attachment}/delete/", LOGIN, 302, 404, 403, 404,
        payload="confirmed", writes="rep_a"),
    # --- surveys: distribution (feedback switch, training-needs invitations, panel, opt-out) ---
    coordinator_page("/surveys/feedback/"),
    coordinator_page("/surveys/feedback/{done}/"),
    coordinator_write("/surveys/feedback/{done}/", "s3_feedback_off"),
    coordinator_page("/surveys/feedback/no-such-workshop/", ok=404),
    coordinator_page("/surveys/{S3_needs}/invite/"),
    # The preview writes nothing; the confirmation with its fingerprint writes the invitations.
    coordinator_page("/surveys/{S3_needs}/invite/", "POST", ok=200, payload="s3_needs_preview"),
    coordinator_write("/surveys/{S3_needs}/invite/?step=send", "s3_needs_send"),
    coordinator_page("/surveys/{S}/invite/", ok=404),
    coordinator_page("/surveys/{S}/panel/"),
    coordinator_write("/surveys/{S}/panel/", "s3_panel_import"),
    coordinator_page("/surveys/{S3_needs}/panel/", ok=404),
    # The opt-out link of a survey e-mail: the signed token is the secret; GET only asks.
    public("/surveys/optout/{S3_optout}/"),
    row("POST", "/surveys/optout/{S3_optout}/", 200, 200, 200, 200, 200,
        writes="anonymous rep_a rep_b coordinator funder"),
    row("GET", "/surveys/optout/not-a-token/", 404, 404, 404, 404, 404),
    row("POST", "/surveys/optout/not-a-token/", 404, 404, 404, 404, 404),
]
# fmt: on
# The apps' own rows (tests/matrix_parts/<app>.py).
ROWS += [r for part in matrix_parts.PARTS for r in part.ROWS]

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
