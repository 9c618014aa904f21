import pytest

from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    FunderFactory,
    TrainingNetworkFactory,
    UserFactory,
)
from tests.support.mfa import enable_totp


@pytest.fixture(autouse=True)
def _english_pages(client):
    # Assertions read the English source strings; German is the default language.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def network(db):
    return TrainingNetworkFactory(name="Verbund Robotik", slug="verbund-robotik")


@pytest.fixture
def company(db):
    return CompanyFactory(name="Muster Metallbau GmbH", municipality="Laatzen")


@pytest.fixture
def rep(company):
    """The company's owner, acting for it."""
    return CompanyMemberFactory(
        company=company,
        user=UserFactory(email="inhaberin@muster.example", first_name="Ina", last_name="Haber"),
    ).user


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


@pytest.fixture
def funder_user(db):
    user = UserFactory(email="referat@ministerium.example")
    FunderFactory().users.add(user)
    enable_totp(user)
    return user


@pytest.fixture
def funder_client(client, funder_user):
    client.force_login(funder_user)
    return client
