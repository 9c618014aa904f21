"""A newsletter subscriber's data: shown in the person's data export and removed when the
person is anonymised (regiolab.privacy). A subscription keeps nothing worth a pseudonym: the
row and its deliveries go; the consent stays as evidence, like every consent. Registered from
PolicyConfig.ready()."""

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from policy.models import Subscriber


def _of(email: str):
    return Subscriber.objects.filter(email__iexact=email)


def collect(*, emails, user) -> dict:
    subscribers = Subscriber.objects.filter(email__in=[e.lower() for e in emails]).order_by("pk")
    return {
        "newsletter_subscriptions": [
            {
                "email": s.email,
                "language": s.language,
                "subscribed_at": s.created_at,
                "confirmed_at": s.confirmed_at,
                "unsubscribed_at": s.unsubscribed_at,
                "newsletters_received": s.deliveries.count(),
            }
            for s in subscribers
        ]
    }


def find(*, email: str, names: Sequence[str]) -> dict:
    return {_("newsletter subscriptions"): _of(email).count()}


def anonymise(*, email: str, names: Sequence[str], pseudonym: str) -> int:
    return _of(email).delete()[1].get(Subscriber._meta.label, 0)


def register() -> None:
    from regiolab.privacy import anonymisation, personal_data

    personal_data.register("newsletter", collect)
    anonymisation.register("newsletter", anonymise=anonymise, find=find, names=None)
