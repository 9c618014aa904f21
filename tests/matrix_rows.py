"""The permission matrix's rows and the helpers that write them (tests/test_permission_matrix.py
and the apps' parts in tests/matrix_parts/)."""

from dataclasses import dataclass

LOGIN = "login"  # 302 to /accounts/login/?next=<this page>
ADMIN_LOGIN = "admin_login"  # 302 to the admin's own login page (nobody here is staff)
LOGIN_URL = "/accounts/login/"


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # with {placeholders} from World.ids
    expect: tuple  # one answer per ROLES entry
    payload: str | None = None  # key of matrix_world.PAYLOADS
    writes: tuple = ()  # roles whose request must change data; all others must change nothing
    next_path: str | None = None  # where the login page sends back to, if not the page itself
    names_inviter: bool = False  # a token page that names the inviting company by design

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def row(method, path, anonymous, rep_a, rep_b, coordinator, funder, **options):
    writes = options.pop("writes", "")
    return Row(
        method,
        path,
        (anonymous, rep_a, rep_b, coordinator, funder),
        writes=tuple(writes.split()),
        **options,
    )


def public(path):
    return row("GET", path, 200, 200, 200, 200, 200)


def coordinator_page(path, method="GET", *, ok=200, **options):
    """Coordinators only: anonymous → login, everybody else 403."""
    return row(method, path, LOGIN, 403, 403, ok, 403, **options)


def coordinator_write(path, payload, *, ok=302, writes="coordinator"):
    return coordinator_page(path, "POST", ok=ok, payload=payload, writes=writes)
