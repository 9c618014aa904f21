"""The good-practice library: practices with two-step validation, live linked figures,
a one-page PDF and transfers to other regions."""


def register() -> None:
    """Called from PolicyConfig.ready(): permissions and the audit log."""
    from . import audit, rules  # noqa: F401 — rules registers the permissions

    audit.register()
