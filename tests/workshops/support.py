"""What the workshop tests post: the public registration form, the invitation steps."""

import re

from django.urls import reverse


def register_url(workshop):
    return reverse("workshops:register", args=[workshop.slug])


def valid_data(**overrides):
    return {
        "first_name": "Erika",
        "last_name": "Mustermann",
        "email": "erika@example.org",
        "company_name": "Mustermann Metall GmbH",
        "language": "de",
        "consent": "on",
        **overrides,
    }


# The preview of the invitations carries the fingerprint of what it shows; sending needs it back.
FINGERPRINT = re.compile(r'name="fingerprint" value="([0-9a-f]{64})"')


def invite_url(workshop):
    return reverse("workshops:invite", args=[workshop.slug])


def confirm_invitations(client, workshop, data):
    """A coordinator's two steps: post the choice, then confirm the preview it answers with.
    Returns the preview's response when there is nothing to confirm (the form's errors)."""
    preview = client.post(invite_url(workshop), data)
    match = FINGERPRINT.search(preview.content.decode())
    if match is None or preview.status_code != 200:
        return preview
    return client.post(
        invite_url(workshop), {**data, "action": "send", "fingerprint": match.group(1)}
    )
