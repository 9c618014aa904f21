"""A person with a browser, as far as the Django test client can be one.

Pages are read as HTML: forms are found by their action or a field, filled with what the page
itself offers (hidden fields and prefilled values stay as rendered) and posted where the form
says; links are taken from the page or from an e-mail parsed with Python's ``email`` package.
A field the page does not have fails the journey, so it walks the pages users get.
"""

import email
import re
from email import policy
from urllib.parse import urlsplit

from django.conf import settings

from tests.support.form_fuzzing import _Forms
from tests.support.mfa import code_for

PASSWORD = "correct-horse-battery"  # UserFactory's
HREF = re.compile(r'href="([^"#]+)"')
URL = re.compile(r"https?://[^\s<>\"]+")


class _FormsWithAction(_Forms):
    """The form parser of the fuzzing tests, also keeping each form's action."""

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        if tag == "form":
            self.forms[-1]["action"] = dict(attrs).get("action") or ""


def html(response) -> str:
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    return response.content.decode()


def current_url(response) -> str:
    """Where the (last, after redirects) response came from, as the address bar shows it."""
    query = response.request.get("QUERY_STRING", "")
    return response.request["PATH_INFO"] + (f"?{query}" if query else "")


def find_form(response, *, action: str | None = None, field: str | None = None) -> dict:
    parser = _FormsWithAction()
    parser.feed(html(response))
    for form in parser.forms:
        if form["method"] != "post":
            continue
        # An empty action posts to the page's own address.
        if action is not None and not re.search(action, form["action"] or current_url(response)):
            continue
        if field is not None and field not in form["fields"]:
            continue
        return form
    raise AssertionError(f"no form (action={action!r}, field={field!r}) on {current_url(response)}")


def submit(client, response, data=None, *, action=None, field=None):
    """Fill the page's form with ``data`` and send it, following redirects.

    The form is the first POST form whose action matches the pattern ``action`` and that has
    the field ``field``."""
    data = data or {}
    form = find_form(response, action=action, field=field)
    fields = form["fields"]
    missing = sorted(set(data) - set(fields))
    assert not missing, f"the form has no fields {missing}"
    values = {
        name: spec["value"]
        for name, spec in fields.items()
        if spec["value"] is not None and spec["kind"] not in ("checkbox", "radio")
    }
    values.update(data)
    return client.post(form["action"] or current_url(response), values, follow=True)


def links(response, pattern: str) -> list[str]:
    """The page's link targets matching ``pattern`` (a regular expression)."""
    return [href for href in HREF.findall(html(response)) if re.search(pattern, href)]


def click(client, response, pattern: str):
    """Follow the first link on the page whose target matches ``pattern``."""
    found = links(response, pattern)
    assert found, f"no link matching {pattern!r} on {current_url(response)}"
    return client.get(found[0].replace("&amp;", "&"), follow=True)


def mails_to(outbox, address: str) -> list[email.message.EmailMessage]:
    """The messages sent to ``address``, as a mail program parses them."""
    return [
        email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
        for message in outbox
        if address in message.to
    ]


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message, pattern: str) -> str:
    """The link in the e-mail's text part whose address matches ``pattern``."""
    found = [url for url in URL.findall(text_of(message)) if re.search(pattern, url)]
    assert found, f"no link matching {pattern!r} in {message['Subject']!r}"
    return found[0]


def open_link(client, url: str):
    """Open a link from an e-mail: it must point at this portal (SITE_URL or the host asked)."""
    parts = urlsplit(url)
    ours = {urlsplit(settings.SITE_URL).netloc, "testserver"}
    assert parts.netloc in ours, f"{url} does not point at the portal ({sorted(ours)})"
    return client.get(parts.path + (f"?{parts.query}" if parts.query else ""), follow=True)


def sign_in(client, response, user, *, password=PASSWORD):
    """On the login page a protected page led to: e-mail and password, then the code of the
    authenticator app where the account has one (coordinators and funders must)."""
    response = submit(client, response, {"login": user.email, "password": password}, field="login")
    if current_url(response).startswith("/accounts/2fa/authenticate/"):
        response = submit(client, response, {"code": code_for(user)}, field="code")
    assert "_auth_user_id" in client.session, current_url(response)
    return response
