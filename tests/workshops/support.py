"""What the workshop tests post to the public registration form."""

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
