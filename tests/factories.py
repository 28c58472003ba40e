import factory
from django.contrib.auth.models import Group

from sso.core.models import Office, Province, User
from sso.core.services import provinces_load


def province_get(code):
    # Transactional tests flush the tables, provinces included; load them again when gone.
    if not Province.objects.filter(code=code).exists():
        provinces_load()
    return Province.objects.get(code=code)


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ["code"]
        exclude = ["province_code"]

    province_code = "10"
    code = factory.Sequence(lambda n: f"{7000 + n}")
    kind = Office.Kind.AREA
    name_th = factory.LazyAttribute(lambda o: f"สำนักงาน {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Office {o.code}")
    province = factory.LazyAttribute(lambda o: province_get(o.province_code))


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.LazyAttribute(lambda u: u.username.title())
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


def queue_office(office, counters=3):
    """An office with the standard services and `counters` counters."""
    from queueing.services import office_queue_setup

    office_queue_setup(office=office, counters=counters)
    return office
