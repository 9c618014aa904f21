"""Declared values are rebuilt after any write to their tables, however written, and only then."""

import threading

import pytest
from django.db import connection, transaction
from django.db.models import Subquery
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
    """Every login writes auth_user.last_login; values that read people for their names stay."""
    user = UserFactory()
    users = caching.REGISTRY.get("test_users") or caching.declare(
        "test_users",
        reads=[caching.columns(type(user), "first_name", "last_name", "email")],
        varies_by=[],
    )
    calls = []
    users.get(lambda: calls.append(1))

    client.force_login(user)  # writes last_login and a session
    user.refresh_from_db()
    assert user.last_login is not None
    users.get(lambda: calls.append(1))
    assert len(calls) == 1

    user.first_name = "Renamed"
    user.save()  # a whole-row save writes every column, the names among them
    users.get(lambda: calls.append(1))
    assert len(calls) == 2

    UserFactory()  # a new row
    users.get(lambda: calls.append(1))
    assert len(calls) == 3


SIZES = caching.REGISTRY.get("test_sizes") or caching.declare(
    "test_sizes", reads=[caching.columns(Company, "size_class_stored")], varies_by=[]
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("write", "rebuilt"),
    [
        pytest.param(lambda c: Company.objects.update(name="Neu GmbH"), False, id="other-column"),
        pytest.param(lambda c: c.save(update_fields=["city"]), False, id="update-fields"),
        pytest.param(lambda c: c.save(), True, id="whole-row-save"),
        pytest.param(
            lambda c: Company.objects.update(size_class_stored="large"), True, id="read-column"
        ),
        pytest.param(lambda c: CompanyFactory(), True, id="insert"),
        pytest.param(lambda c: c.delete(), True, id="delete"),
        pytest.param(
            # The assignment after a subquery is seen, not just the first one.
            lambda c: Company.objects.update(
                city=Subquery(Company.objects.filter(pk=c.pk).values("name")[:1]),
                size_class_stored="large",
            ),
            True,
            id="after-subquery",
        ),
    ],
)
def test_a_value_read_for_some_columns_is_rebuilt_when_they_change(write, rebuilt):
    company = CompanyFactory()
    calls = []
    SIZES.get(lambda: calls.append(1))
    write(company)
    SIZES.get(lambda: calls.append(1))
    assert len(calls) == (2 if rebuilt else 1)


@pytest.mark.parametrize(
    ("sql", "columns"),
    [
        ('UPDATE "t" SET "a" = %s WHERE "t"."id" = %s', {"a"}),
        (
            'UPDATE "t" SET "a" = %s, "b" = (SELECT U0."c" FROM "u" U0 WHERE U0."d" = %s)',
            {"a", "b"},
        ),
        (
            'UPDATE "t" SET "a" = CASE WHEN ("t"."id" = %s) THEN %s END WHERE "t"."id" IN (%s)',
            {"a"},
        ),
        ("UPDATE t SET a = 1", None),  # not as Django writes it: counted as every row changed
        ('UPDATE "t" SET "a" = \'x "b" = y\' WHERE "c" = 1', {"a"}),
    ],
)
def test_the_columns_of_an_update_are_read_from_its_sql(sql, columns):
    assert caching._updated_columns(sql) == (frozenset(columns) if columns else None)


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
