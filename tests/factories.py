"""Factories with plain, explicit defaults: a small autonomous manufacturing SME in Hannover."""

from datetime import timedelta
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from companies.models import Company, CompanyMember, Consultation
from funding.models import Funder
from networks.models import NetworkMembership, TrainingNetwork
from regiolab.models import Topic


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = "Erika"
    last_name = "Muster"
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name_de = factory.Sequence(lambda n: f"Thema {n}")
    name_en = factory.Sequence(lambda n: f"Topic {n}")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Muster Metallbau {n} GmbH")
    legal_form = "GmbH"
    street = "Industrieweg 1"
    postcode = "30159"
    city = "Hannover"
    municipality = "Hannover"
    sector = "C"
    sector_code = "25.62"
    kind = Company.Kind.SME
    headcount = Decimal("25")
    annual_turnover = Decimal("4000000")
    balance_sheet_total = Decimal("3000000")
    figures_year = 2025


class CompanyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyMember

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = CompanyMember.Role.OWNER
    status = CompanyMember.Status.ACTIVE


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    company = factory.SubFactory(CompanyFactory)
    date = factory.Faker("date_this_year")
    channel = Consultation.Channel.PHONE
    subjects = ["funding"]
    minutes = "Beratung zu Förderprogrammen."


class TrainingNetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingNetwork

    name = factory.Sequence(lambda n: f"Verbund Digitalisierung {n}")
    slug = factory.Sequence(lambda n: f"verbund-{n}")
    description = "Gemeinsam lernen."
    status = TrainingNetwork.Status.ACTIVE


class NetworkMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkMembership

    network = factory.SubFactory(TrainingNetworkFactory)
    company = factory.SubFactory(CompanyFactory)
    status = NetworkMembership.Status.ACTIVE


class FunderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funder

    name = factory.Sequence(lambda n: f"Fördergeber {n}")
    level = Funder.Level.FEDERAL


class WorkshopFactory(factory.django.DjangoModelFactory):
    """A published on-site workshop two weeks ahead, 10 places, open for registration."""

    class Meta:
        model = "workshops.Workshop"

    title = factory.Sequence(lambda n: f"Robotik im Mittelstand {n}")
    slug = factory.Sequence(lambda n: f"robotik-{n}")
    description = "Einstieg in kollaborative Robotik."
    format = "on_site"
    venue = "Technologiezentrum Hannover"
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=14)).replace(microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=4))
    capacity = 10
    status = "published"


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration; use workshops.registration.services to take seats in real flows."""

    class Meta:
        model = "workshops.Registration"

    workshop = factory.SubFactory(WorkshopFactory)
    first_name = "Max"
    last_name = factory.Sequence(lambda n: f"Mustermann{n}")
    email = factory.Sequence(lambda n: f"teilnehmer{n}@example.org")
    company_name = "Muster GmbH"
    status = "confirmed"


class CompanyInvitationFactory(factory.django.DjangoModelFactory):
    """An open colleague invitation (use companies.services.invite_colleague in real flows)."""

    class Meta:
        model = "companies.CompanyInvitation"

    company = factory.SubFactory(CompanyFactory)
    email = factory.Sequence(lambda n: f"kollegin{n}@example.org")
