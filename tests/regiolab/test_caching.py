"""Declared values are rebuilt after any write to their tables, however written, and only then."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import translation

from companies.models import Company
from regiolab import caching
from tests.factories import CompanyFactory, TopicFactory, UserFactory

COUNT = caching.REGISTRY.get("test_count") or caching.declare(
    "test_count", reads=[Company], varies_by=["part"]
)


class Counting:
    """compute(): the number of companies, and how often it ran."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return Company.objects.count()


def company_count(compute, part=""):
    return COUNT.get(compute, part=part)


@pytest.mark.django_db
def test_the_value_is_kept_while_its_tables_do_not_change():
    CompanyFactory()
    compute = Counting()

    assert [company_count(compute) for _ in range(3)] == [1, 1, 1]
    assert compute.calls == 1


@pytest.mark.django_db
def test_other_parts_are_kept_apart():
    compute = Counting()
    company_count(compute, "a")
    company_count(compute, "b")
    assert compute.calls == 2


@pytest.mark.django_db
def test_a_key_part_not_declared_is_refused():
    with pytest.raises(caching.UndeclaredKeyPart):
        COUNT.get(Counting(), part="a", user=1)
    with pytest.raises(caching.UndeclaredKeyPart):
        COUNT.get(Counting())


@pytest.mark.django_db
def test_a_write_to_an_unrelated_table_keeps_the_value():
    compute = Counting()
    company_count(compute)
    TopicFactory()
    company_count(compute)
    assert compute.calls == 1


def _raw_update():
    # Seen like any other write: no announcement needed.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE companies_company SET city = %s", ["Celle"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda: CompanyFactory(), id="save"),
        pytest.param(lambda: Company.objects.update(name="Umbenannt GmbH"), id="queryset-update"),
        pytest.param(lambda: Company.objects.all().delete(), id="delete"),
        pytest.param(
            lambda: Company.objects.bulk_create([CompanyFactory.build()]), id="bulk-create"
        ),
        pytest.param(_raw_update, id="raw-sql"),
    ],
)
def test_every_kind_of_write_rebuilds_the_value(write):
    CompanyFactory()
    compute = Counting()
    company_count(compute)

    write()
    value = company_count(compute)

    assert compute.calls == 2
    assert value == Company.objects.count()


@pytest.mark.django_db
def test_the_key_differs_by_language():
    with translation.override("de"):
        german = COUNT.key({"part": ""})
    with translation.override("en"):
        english = COUNT.key({"part": ""})
    assert german != english


@pytest.mark.django_db
def test_a_login_write_invalidates_nothing(client):
    """Every login writes auth_user.last_login; no cached value shows it."""
    user = UserFactory()
    users = caching.REGISTRY.get("test_users") or caching.declare(
        "test_users", reads=[type(user)], varies_by=[]
    )
    calls = []
    users.get(lambda: calls.append(1))

    client.force_login(user)  # writes last_login and a session
    user.refresh_from_db()
    assert user.last_login is not None
    users.get(lambda: calls.append(1))
    assert len(calls) == 1

    user.first_name = "Renamed"
    user.save()
    users.get(lambda: calls.append(1))
    assert len(calls) == 2


@pytest.mark.django_db(transaction=True)
def test_another_process_sees_the_change_once_it_is_committed():
    """A reader in another thread (its own connection) gets the old value until the commit."""
    CompanyFactory()
    compute = Counting()
    seen = {}

    def read(label):
        seen[label] = company_count(compute)
        connection.close()

    company_count(compute)
    with transaction.atomic():
        CompanyFactory()
        reader = threading.Thread(target=read, args=("during",))
        reader.start()
        reader.join()
    reader = threading.Thread(target=read, args=("after",))
    reader.start()
    reader.join()

    assert seen == {"during": 1, "after": 2}


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_keeps_the_value():
    CompanyFactory()
    compute = Counting()
    company_count(compute)

    with pytest.raises(RuntimeError), transaction.atomic():
        CompanyFactory()
        raise RuntimeError("rolled back")

    assert company_count(compute) == 1
    assert compute.calls == 1
