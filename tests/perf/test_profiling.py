"""How the bench's py-spy summary attributes samples (tests/perf/profiling.py)."""

from pathlib import Path

from tests.perf.profiling import OUTSIDE, own_hottest

BASE = Path("/srv/portal")
SITE = "/srv/portal/.venv/lib/python3.11/site-packages"


def _frame(name: str, file: str, line: int = 1) -> str:
    return f"{name} ({file}:{line})"


def test_a_sample_counts_for_the_innermost_own_function_with_the_libraries_it_called(tmp_path):
    worker = 'process 7:"gunicorn"'
    handler = _frame("BaseHandler.get_response", f"{SITE}/django/core/handlers/base.py")
    middleware = _frame("RequireMFAMiddleware.__call__", f"{BASE}/regiolab/mfa.py")
    view = _frame("register", f"{BASE}/workshops/views.py")
    service = _frame("register_participant", f"{BASE}/workshops/services.py")
    orm = _frame("QuerySet.get", f"{SITE}/django/db/models/query.py")
    helper = _frame("register_job", f"{BASE}/tests/workshops/support.py")
    profile = tmp_path / "rush.txt"
    profile.write_text(
        "\n".join(
            [
                f"{worker};{handler};{middleware};{view};{service};{orm} 6",  # ORM → service
                f"{worker};{handler};{middleware};{view};{orm} 3",  # → the view
                f"{worker};{handler};{middleware} 2",  # only a middleware's __call__: outside
                f"{worker};{handler} 1",  # no own frame at all
                f"{worker};{handler};{helper} 4",  # test helpers are not the portal's code
                "a line that is no stack",
                "",
            ]
        )
    )

    hottest = own_hottest(profile, BASE)

    assert hottest == [
        (7 / 16, OUTSIDE),
        (6 / 16, "register_participant (workshops/services.py)"),
        (3 / 16, "register (workshops/views.py)"),
    ]


def test_an_empty_profile_has_no_hottest_functions(tmp_path):
    profile = tmp_path / "empty.txt"
    profile.write_text("")
    assert own_hottest(profile, BASE) == []


def test_the_list_is_cut_at_the_limit_largest_first(tmp_path):
    lines = [f"{_frame(f'view_{i}', f'{BASE}/companies/views.py', i)} {i}" for i in range(1, 10)]
    profile = tmp_path / "pages.txt"
    profile.write_text("\n".join(lines))
    hottest = own_hottest(profile, BASE, limit=3)
    assert [name for _, name in hottest] == [
        "view_9 (companies/views.py)",
        "view_8 (companies/views.py)",
        "view_7 (companies/views.py)",
    ]
    assert [round(share * 45) for share, _ in hottest] == [9, 8, 7]
