"""The e-mail outbox (app label ``outbox``): ``regiolab.mail.queue_email(...)`` and the other
functions of :mod:`regiolab.mail.services`, importable from the package as before the outbox
became an app.

Loaded lazily: Django imports this package to find the app before models may be defined, and
the services need the models.
"""

PUBLIC = frozenset(
    {
        "Attachment",
        "BATCH_SIZE",
        "DELIVERY_WAKE_KEY",
        "DELIVERY_WAKE_SECONDS",
        "FAILED_MAIL_SOURCES",
        "FailedMail",
        "FailedMailSource",
        "MailSource",
        "OUTBOX",
        "PER_RECIPIENT_HEADERS",
        "PreparedEmail",
        "RETRY_FIELDS",
        "SendResult",
        "UNSUBSCRIBE_MARK",
        "address_of_token",
        "audit_resend",
        "backoff_seconds",
        "claim",
        "claim_seconds",
        "deliver",
        "deliver_due",
        "deliver_new",
        "deliver_pending",
        "describe_error",
        "due",
        "email_headers",
        "failed_mail",
        "failed_mail_count",
        "is_permanent",
        "new_message_id",
        "office_address",
        "opt_out",
        "opted_out",
        "prepare_bulk_email",
        "queue_email",
        "queue_rendered_email",
        "record_failure",
        "register_failed_mail_source",
        "render_email",
        "resend_failed_mail",
        "site_domain",
        "unsubscribe_token",
        "unsubscribe_url",
        "wake_delivery",
    }
)


def __getattr__(name: str):
    if name in PUBLIC:
        from . import services

        return getattr(services, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *PUBLIC})
