"""Every e-mail leaves through the outbox (regiolab/mail/): no other module may import Django's
sending functions. Invitations too are sent by the outbox's delivery engine
(docs/architecture.md, "E-mail")."""

import ast
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
APPS = ["companies", "networks", "workshops", "learning", "surveys", "challenges", "funding"]
APPS += ["policy", "regiolab"]
SENDING = {
    "send_mail",
    "send_mass_mail",
    "mail_admins",
    "mail_managers",
    "EmailMessage",
    "EmailMultiAlternatives",
    "get_connection",
}
ALLOWED = {"regiolab/mail/services.py"}


def _sending_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.core.mail"):
            found |= {alias.name for alias in node.names} & SENDING
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("django.core.mail")}
    return found


def test_only_the_outbox_imports_djangos_sending_functions():
    offenders = {}
    for app in APPS:
        for path in (BASE_DIR / app).rglob("*.py"):
            relative = path.relative_to(BASE_DIR).as_posix()
            if relative not in ALLOWED and (names := _sending_imports(path)):
                offenders[relative] = sorted(names)
    assert offenders == {}
    # The check sees an import where there is one.
    assert _sending_imports(BASE_DIR / "regiolab/mail/services.py") >= {"get_connection"}
