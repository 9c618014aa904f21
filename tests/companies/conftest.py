import pytest

from tests.factories import CompanyFactory, CompanyMemberFactory, FunderFactory, UserFactory
from tests.support.mfa import enable_totp


@pytest.fixture
def company_a(db):
    return CompanyFactory(name="Alpha Antriebstechnik GmbH", city="Hannover")


@pytest.fixture
def company_b(db):
    return CompanyFactory(name="Beta Bäckerei KG", city="Burgdorf", municipality="Burgdorf")


@pytest.fixture
def owner_a(company_a):
    return CompanyMemberFactory(company=company_a, user__email="owner-a@example.org").user


@pytest.fixture
def member_a(company_a, owner_a):
    return CompanyMemberFactory(
        company=company_a, role="member", user__email="member-a@example.org"
    ).user


@pytest.fixture
def owner_b(company_b):
    return CompanyMemberFactory(company=company_b, user__email="owner-b@example.org").user


@pytest.fixture
def funder_user(db):
    user = UserFactory(email="ministerium@example.org")
    FunderFactory().users.add(user)
    enable_totp(user)
    return user


@pytest.fixture
def newcomer(db):
    """Signed up, verified, no company yet."""
    return UserFactory(email="neu@example.org", first_name="Nina", last_name="Neu")
