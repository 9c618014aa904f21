"""Cached figures and fragments are rebuilt after any write to their tables, however written."""

import threading

import pytest
from cachalot.api import invalidate
from django.db import connection, transaction

from companies.models import Company
from regiolab.freshness import cache_key, cached_until_changed
from tests.factories import CompanyFactory, TopicFactory


class Counting:
    """compute() for cached_until_changed: the number of companies, and how often it ran."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return Company.objects.count()


def company_count(compute, *parts):
    return cached_until_changed("test_count", *parts, depends_on=[Company], compute=compute)


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
def test_a_write_to_an_unrelated_table_keeps_the_value():
    compute = Counting()
    company_count(compute)
    TopicFactory()
    company_count(compute)
    assert compute.calls == 1


def _raw_update_announced():
    with connection.cursor() as cursor:
        cursor.execute("UPDATE companies_company SET city = %s", ["Celle"])
    invalidate(Company)  # raw SQL is not scanned (settings.CACHALOT_INVALIDATE_RAW)


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
        pytest.param(_raw_update_announced, id="raw-sql-with-invalidate"),
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
    from django.utils import translation

    with translation.override("de"):
        german = cache_key("x", depends_on=[Company])
    with translation.override("en"):
        english = cache_key("x", depends_on=[Company])
    assert german != english


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
