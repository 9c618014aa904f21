"""createcoordinator: a Coordinators member with a verified address; re-run updates it."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from regiolab.permissions import COORDINATORS_GROUP, is_coordinator

User = get_user_model()


def run(*args, **kwargs) -> str:
    out = StringIO()
    call_command("createcoordinator", *args, stdout=out, **kwargs)
    return out.getvalue()


@pytest.mark.django_db
def test_creates_a_coordinator_with_a_verified_address():
    out = run("Anna.Albers@RegioLab.example", password="geheim-und-lang-1", first_name="Anna")

    user = User.objects.get()
    assert user.email == "anna.albers@regiolab.example"
    assert user.first_name == "Anna"
    assert user.groups.filter(name=COORDINATORS_GROUP).exists() and is_coordinator(user)
    address = EmailAddress.objects.get(user=user)
    assert address.email == user.email and address.verified and address.primary
    assert user.check_password("geheim-und-lang-1")
    assert out.startswith("Created coordinator anna.albers@regiolab.example")


@pytest.mark.django_db
def test_re_running_updates_the_password_and_keeps_one_user():
    run("anna@regiolab.example", password="erstes-passwort-1", last_name="Albers")
    out = run("ANNA@regiolab.example", password="zweites-passwort-2")

    user = User.objects.get()
    assert user.check_password("zweites-passwort-2")
    assert not user.check_password("erstes-passwort-1")
    assert user.last_name == "Albers"  # not blanked by an omitted option
    assert EmailAddress.objects.filter(user=user).count() == 1
    assert user.groups.count() == 1
    assert out.startswith("Updated coordinator")


@pytest.mark.django_db
def test_without_password_a_random_one_is_printed_and_works(client):
    out = run("anna@regiolab.example")
    password = out.rsplit(": ", 1)[1].strip()
    assert len(password) >= 12
    client.post("/accounts/login/", {"login": "anna@regiolab.example", "password": password})
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["", "kein-at-zeichen", "anna@", "<script>@x.de", "a b@x.de"])
def test_an_invalid_address_is_refused(email):
    with pytest.raises(CommandError, match="Not a valid e-mail address"):
        run(email, password="geheim-und-lang-1")
    assert not User.objects.exists()
