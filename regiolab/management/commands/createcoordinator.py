import secrets

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from regiolab.permissions import COORDINATORS_GROUP


class Command(BaseCommand):
    help = "Create (or update) a coordinator account with a verified e-mail address."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", help="Password; a random one is printed if omitted.")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    @transaction.atomic
    def handle(self, email, password=None, first_name="", last_name="", **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"Not a valid e-mail address: {email!r}") from exc
        password = password or secrets.token_urlsafe(12)
        User = get_user_model()
        user = User.objects.filter(email__iexact=email).first()
        created = user is None
        if created:
            user = User.objects.create_user(username=email[:150], email=email)
        user.first_name = first_name or user.first_name
        user.last_name = last_name or user.last_name
        user.set_password(password)
        user.save()
        group, _ = Group.objects.get_or_create(name=COORDINATORS_GROUP)
        user.groups.add(group)
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} coordinator {email} with password: {password}")
