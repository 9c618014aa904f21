"""A person's data in the learning cycles: the programmes they take part in, as whose person
(regiolab.privacy.personal_data). Registered from LearningConfig.ready()."""

from django.db.models import Q
from django.db.models.functions import Lower

from .models import ProgrammePerson


def register() -> None:
    from regiolab.privacy import personal_data

    personal_data.register("learning", collect)


def collect(*, emails, user) -> dict:
    condition = Q(email_lower__in=list(emails))
    if user is not None:
        condition |= Q(user=user)
    people = (
        ProgrammePerson.objects.annotate(email_lower=Lower("email"))
        .filter(condition)
        .select_related("organisation__programme", "organisation__company")
        .order_by("added_at", "pk")
    )
    return {
        "programme_participations": [
            {
                "programme": p.organisation.programme.title,
                "organisation": p.organisation.company.name,
                "actor_type": p.organisation.actor_type,
                "email": p.email,
                "first_name": p.first_name,
                "last_name": p.last_name,
                "account_linked": p.user_id is not None,
                "added_at": p.added_at,
            }
            for p in people
        ]
    }
