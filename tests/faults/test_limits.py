"""Limits that hold behind the reverse proxy (issue 14).

In production every connection comes from the proxy (REMOTE_ADDR is the proxy's address); the
client is the entry the proxy appended to X-Forwarded-For. The rate limits must count per client
there, and must ignore that header when no proxy is trusted (anyone can send it).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.test import Client

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
PROXY = "10.0.0.2"
PASSWORD = "correct-horse-battery"  # UserFactory's


def login(client, email, password, **headers):
    return client.post("/accounts/login/", {"login": email, "password": password}, **headers)


def fail_logins(client, count, **headers):
    """``count`` failed logins with random addresses; their status codes."""
    return [
        login(client, f"nobody{i}@example.org", "falsch", **headers).status_code
        for i in range(count)
    ]


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_one_clients_failures_do_not_lock_out_another_client_behind_the_same_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    user = UserFactory(email="petra@example.org")
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    statuses = fail_logins(attacker, 40)
    assert 429 in statuses  # the limit still holds for the one who fails

    # Another visitor through the same proxy signs in with the right password.
    visitor = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    response = login(visitor, user.email, PASSWORD)
    assert response.status_code == 302, response.status_code
    assert signed_in(visitor)


@pytest.mark.django_db
def test_the_client_is_the_entry_the_proxy_appended_not_what_the_client_sent(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    user = UserFactory(email="petra@example.org")
    # The attacker writes its own X-Forwarded-For each time; the proxy appends the real address.
    attacker = Client(REMOTE_ADDR=PROXY)
    statuses = [
        login(
            attacker,
            f"nobody{i}@example.org",
            "falsch",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 203.0.113.9",
        ).status_code
        for i in range(40)
    ]
    assert 429 in statuses
    response = login(attacker, user.email, PASSWORD, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.9")
    assert response.status_code == 429 and not signed_in(attacker)


@pytest.mark.django_db
def test_a_forged_forwarded_for_without_a_trusted_proxy_is_ignored(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0  # the default
    user = UserFactory(email="petra@example.org")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [
        login(
            attacker, f"nobody{i}@example.org", "falsch", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}"
        ).status_code
        for i in range(40)
    ]
    assert 429 in statuses  # a fresh forged address each time does not escape the limit
    response = login(attacker, user.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429 and not signed_in(attacker)


@pytest.mark.django_db
def test_accessibility_feedback_limit_counts_per_client_behind_the_proxy(settings):
    """The portal's own limit reads the same client address as allauth's."""
    from regiolab.pages import services as site_pages

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for _ in range(site_pages.FEEDBACK_LIMIT):
        assert site_pages.feedback_allowed("203.0.113.9")
    assert not site_pages.feedback_allowed("203.0.113.9")
    from allauth.account.adapter import get_adapter
    from django.test import RequestFactory

    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert get_adapter(request).get_client_ip(request) == "198.51.100.7"
    assert site_pages.feedback_allowed(get_adapter(request).get_client_ip(request))


def test_compose_trusts_one_proxy_in_front_of_web_and_the_default_trusts_none():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    # The rest of the shared environment is still there (a YAML merge, not a replacement).
    assert (
        services["web"]["environment"]["DATABASE_URL"]
        == services["worker"]["environment"]["DATABASE_URL"]
    )

    def setting(**env):
        code = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
        environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "regiolab.settings", **env}
        environ.pop("TRUSTED_PROXY_COUNT", None) if not env else None
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env=environ,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout.strip()

    assert setting() == "0"
    assert setting(TRUSTED_PROXY_COUNT="1") == "1"


# --- Workbooks that unpack far beyond their size -----------------------------------------------

UNPACK_CHILD = """
import json, sys, time
import django
django.setup()
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from companies import importing as companies_import
from funding import importing as funding_import
from regiolab import uploads


def high_water_mb():
    # VmHWM belongs to this program's memory; ru_maxrss would carry over the forking parent's
    # peak (pytest's, hundreds of MB late in the suite) across exec.
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024

data = open(sys.argv[1], "rb").read()
before = high_water_mb()
results = {}
for name, step in (
    # What /companies/import/ and the expenditure import run: the form's check, then the reader.
    ("form", lambda: uploads.validate_table_upload(SimpleUploadedFile("t.xlsx", data))),
    ("companies", lambda: companies_import.read_table(data=data, filename="t.xlsx")),
    ("funding", lambda: funding_import._read_rows("t.xlsx", data)),
):
    start = time.monotonic()
    try:
        step()
        outcome = "accepted"
    except ValidationError as exc:
        outcome = exc.code or "; ".join(exc.messages)
    except Exception as exc:
        outcome = "; ".join(str(p.message) for p in getattr(exc, "problems", [])) or repr(exc)
    results[name] = {"outcome": outcome, "seconds": time.monotonic() - start}
peak = high_water_mb()
print(json.dumps({"results": results, "growth_mb": peak - before, "peak_mb": peak}))
"""


def unpack_in_child(tmp_path, data: bytes) -> dict:
    import json

    path = tmp_path / "upload.xlsx"
    path.write_bytes(data)
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "regiolab.settings", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", UNPACK_CHILD, str(path)],
        env=environ,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("declared", "xlsx_too_large"),
        ("lying-sizes", "not_xlsx"),  # zipfile stops at the declared size: the CRC fails
        ("tiny-strings", "xlsx_too_many_cells"),  # 13 MB of 800,000 strings from a 2 MB file
    ],
)
def test_a_workbook_bomb_is_refused_before_parsing_fast_and_small(
    tmp_path, settings, kind, expected
):
    from tests.support.xlsx_bomb import TINY, xlsx_bomb

    if kind == "tiny-strings":
        data = xlsx_bomb(unpacked_mb=13, chunk=TINY)
    else:
        data = xlsx_bomb(unpacked_mb=99, lie=kind == "lying-sizes")
    assert len(data) < settings.IMPORT_MAX_BYTES  # small enough for the upload limit
    measured = unpack_in_child(tmp_path, data)
    print(measured)
    for name, result in measured["results"].items():
        assert result["seconds"] < 2, (name, result)
        assert result["outcome"] != "accepted", (name, result)
    assert measured["results"]["form"]["outcome"] == expected
    # The whole child, Django included, stays far below the 200 MB a worker may grow to.
    assert measured["growth_mb"] < 50, measured
    assert measured["peak_mb"] < 200, measured


def test_a_full_workbook_within_the_limits_still_imports(tmp_path, settings):
    """IMPORT_MAX_ROWS companies of varied text, written as Excel would: accepted and read."""
    import random

    from companies.importing import COLUMN_KEYS
    from regiolab import xlsx

    words = random.Random(14).choices(
        ["Metall", "Bau", "Holz", "Technik", "Service", "Nord", "Süd", "GmbH", "KG", "Werk"], k=50
    )
    rows = [
        [f"{words[i % 50]} {words[(i * 7) % 50]} {i}", "Hannover", f"{30000 + i}", "C"]
        + [f"{words[(i + k) % 50]} {i * k}" for k in range(len(COLUMN_KEYS) - 4)]
        for i in range(settings.IMPORT_MAX_ROWS)
    ]
    columns = [xlsx.Column(key, xlsx.Kind.TEXT) for key in COLUMN_KEYS]
    data = xlsx.workbook_bytes("companies", columns, rows)
    assert len(data) < settings.IMPORT_MAX_BYTES
    measured = unpack_in_child(tmp_path, data)
    assert measured["results"]["form"]["outcome"] == "accepted", measured
    assert measured["results"]["companies"]["outcome"] == "accepted", measured


@pytest.fixture
def grant(coordinator):
    from datetime import date
    from decimal import Decimal

    from funding.models import Grant

    grant = Grant.objects.create(
        reference="FKZ 01PV26001",
        title="Weiterbildungsverbünde",
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
        total_eligible_costs=Decimal("1000.00"),
    )
    grant.coordinators.add(coordinator)
    return grant


def imports(grant):
    from companies.models import Company
    from funding.models import Expenditure

    return {
        "/companies/import/": Company.objects,
        f"/funding/grants/{grant.pk}/expenditures/import/": Expenditure.objects,
    }


def post_file(client, url, name, data, language):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The workbook unpacks to more than 25.0\xa0MB"),
        ("de", "Die Arbeitsmappe wird entpackt größer als 25,0\xa0MB"),
    ],
)
def test_both_imports_refuse_a_bomb_with_a_clear_message_and_change_nothing(
    coordinator_client, grant, language, message
):
    from tests.support.xlsx_bomb import xlsx_bomb

    data = xlsx_bomb(unpacked_mb=99)
    for url, rows in imports(grant).items():
        before = rows.count()
        response = post_file(coordinator_client, url, "firmen.xlsx", data, language)
        assert response.status_code == 200
        html = response.content.decode()
        assert message in html, url
        assert rows.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Row 2 holds a value longer than 10000 characters"),
        ("de", "Zeile 2 enthält einen Wert mit mehr als 10000 Zeichen"),
    ],
)
def test_both_imports_refuse_an_overlong_csv_field_with_a_clear_message(
    coordinator_client, grant, language, message
):
    long = "x" * 20_000
    files = {
        "/companies/import/": f"name;city;sector\n{long};Hannover;C\n",
        f"/funding/grants/{grant.pk}/expenditures/import/": (
            "date;category;payee;purpose;amount;receipt_reference\n"
            f"2026-05-31;material;Nord;{long};12,50;B-1\n"
        ),
    }
    for url, rows in imports(grant).items():
        before = rows.count()
        response = post_file(coordinator_client, url, "t.csv", files[url].encode(), language)
        assert response.status_code == 200
        assert message in response.content.decode(), url
        assert rows.count() == before


# --- Under gunicorn, as found: one proxy in front, every connection from 127.0.0.1 -----------


def http(port, method, path, *, client_ip=None, cookies=None, form=None):
    """One request as the reverse proxy forwards it: X-Forwarded-For names the client."""
    import http.client
    import urllib.parse

    from tests.perf.bench import Response, _cookie_jar

    headers = {"Host": f"127.0.0.1:{port}"}
    if client_ip:
        headers["X-Forwarded-For"] = client_ip
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        text = answer.read().decode(errors="replace")
        pairs = answer.getheaders()
        return Response(answer.status, dict(pairs), text, _cookie_jar(pairs), 0.0)
    finally:
        connection.close()


def http_login(port, client_ip, email, password) -> int:
    """A browser's sign-in: the form (CSRF cookie and token), then the POST; its status."""
    from tests.perf.bench import csrf_from

    page = http(port, "GET", "/accounts/login/", client_ip=client_ip)
    cookie, token = csrf_from(page)
    answer = http(
        port,
        "POST",
        "/accounts/login/",
        client_ip=client_ip,
        cookies={"csrftoken": cookie},
        form={"login": email, "password": password, "csrfmiddlewaretoken": token},
    )
    return answer.status


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_under_gunicorn_one_clients_failures_lock_out_only_that_client(private_redis):
    """TRUSTED_PROXY_COUNT from the environment, as compose sets it, read by gunicorn's workers
    (two, sharing the limits in Redis).

    Before (TRUSTED_PROXY_COUNT unset, as the issue found it behind the proxy) the visitor's
    sign-in with the right password was refused too (200 with the error, not 302).
    """
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from tests.support.gunicorn_server import gunicorn_server

    user = UserFactory(email="petra@example.org")
    # gunicorn checks with the production hashers, not the tests' fast one.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "saltsaltsalt")
    user.save(update_fields=["password"])
    with gunicorn_server(
        redis_url=private_redis.url, workers=2, extra_env={"TRUSTED_PROXY_COUNT": "1"}
    ) as portal:
        # "10/m/ip" failed logins: after ten, this address's sign-ins are refused.
        for i in range(11):
            assert http_login(portal.port, "203.0.113.9", f"x{i}@example.org", "falsch") == 200
        # The limit holds for the one who failed: even the right password is refused there.
        assert http_login(portal.port, "203.0.113.9", user.email, PASSWORD) == 200
        assert http_login(portal.port, "198.51.100.7", user.email, PASSWORD) == 302
