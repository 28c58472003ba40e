"""The benefits demo: claims in every state made through the services (steps, documents,
orders, batches, appeals), amounts the rules give, moves the lifecycle tables allow, dates
spread over the last months; idempotent."""

import datetime

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from benefits import demo, rules
from benefits.lifecycles import CLAIM, PAYMENT_BATCH, PAYMENT_ORDER
from benefits.models import Appeal, Claim, ClaimDocument, ClaimStep, PaymentBatch, PaymentOrder
from contributions import demo as contributions_demo
from registry import demo as registry_demo
from sso.core import demo as core_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo at a small scale, made once for the module (rolled back after it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            core_demo.seed(stdout=None)
        registry_demo.seed(stdout=None, employers=120, persons=1500)
        contributions_demo.contributions_generate(months=12)
        counts = demo.claims_generate()
        yield counts
        transaction.set_rollback(True)


def _state():
    return [
        model.objects.count()
        for model in (Claim, ClaimStep, ClaimDocument, PaymentOrder, PaymentBatch, Appeal, Claim.history.model)
    ]


def test_it_makes_claims_in_every_state_with_their_steps_and_orders(seeded):
    assert seeded["offices"] == len(core_demo.DEMO_OFFICES)
    assert seeded["claims"] == Claim.objects.count()
    assert set(Claim.objects.values_list("status", flat=True)) == set(Claim.Status.values)
    assert {Claim.Status.PAID, Claim.Status.APPROVED} >= set(
        PaymentOrder.objects.values_list("claim__status", flat=True).distinct()
    )
    benefits = set(Claim.objects.values_list("benefit", flat=True))
    assert {"sickness", "maternity", "dental", "invalidity", "child_allowance", "old_age"} <= benefits
    assert set(Appeal.objects.values_list("status", flat=True)) == {"lodged", "upheld", "dismissed"}
    for claim in Claim.objects.prefetch_related("steps", "documents", "payment_orders"):
        steps = list(claim.steps.all())
        assert steps[0].from_status == "" and steps[0].to_status == Claim.Status.RECORDED
        # The last step is the claim's status (or the appeal still open against it).
        assert [s.to_status for s in steps if s.to_status != Appeal.STEP][-1] == claim.status
        assert claim.documents.count() > 0
        assert claim.history.count() >= len([s for s in steps if s.to_status != Appeal.STEP])
        orders = list(claim.payment_orders.all())
        if claim.status in (Claim.Status.APPROVED, Claim.Status.PAID):
            assert orders and claim.adjudicated_by is not None
        else:
            assert orders == []
        if claim.status == Claim.Status.PAID:
            assert {order.status for order in orders} == {PaymentOrder.Status.PAID}
        if claim.status == Claim.Status.REFERRED:
            assert claim.findings.filter(status="open").exists()
    monthly = Claim.objects.filter(monthly=True, status=Claim.Status.APPROVED)
    assert max(claim.payment_orders.count() for claim in monthly) >= 4  # a few months paid
    confirmed = PaymentBatch.objects.filter(status=PaymentBatch.Status.CONFIRMED)
    assert confirmed.exists() and PaymentBatch.objects.filter(status=PaymentBatch.Status.SENT).exists()
    assert not PaymentOrder.objects.filter(batch__in=confirmed).exclude(status=PaymentOrder.Status.PAID).exists()
    assert PaymentOrder.objects.filter(method=PaymentOrder.Method.CASH, status=PaymentOrder.Status.PAID).exists()


def test_the_dates_spread_over_the_last_months(seeded):
    months = {timezone.localdate(at).replace(day=1) for at in Claim.objects.values_list("recorded_at", flat=True)}
    assert len(months) >= 4
    for claim in Claim.objects.prefetch_related("steps"):
        times = [step.at for step in claim.steps.all()]
        assert times == sorted(times) and times[0] >= claim.recorded_at
        assert claim.event_date <= timezone.localdate(claim.recorded_at)
    for order in PaymentOrder.objects.select_related("claim"):
        assert order.created_at >= order.claim.adjudicated_at - datetime.timedelta(days=400)
        assert order.paid_at is None or order.paid_at >= order.created_at


def test_a_second_run_adds_nothing(seeded):
    before = _state()
    assert demo.claims_generate() == {"claims": 0, "orders": 0, "batches": 0, "offices": 0}
    demo.seed(stdout=None)
    assert _state() == before


def test_every_amount_is_what_the_rules_give(seeded):
    for claim in Claim.objects.exclude(examined_at=None).select_related("person", "dependant"):
        with transaction.atomic():
            # As when it was examined: the claim itself not yet among the decided ones.
            Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.EXAMINED)
            outcome = rules.examine(
                person=claim.person,
                benefit=claim.benefit,
                event_date=claim.event_date,
                details={"today": timezone.localdate(claim.recorded_at).isoformat(), **claim.details},
                dependant=claim.dependant,
            )
            transaction.set_rollback(True)
        assert (claim.eligible, claim.amount, claim.refusal_code) == (
            outcome.eligible,
            outcome.amount,
            outcome.refusal_code,
        ), claim.pk
        assert not claim.override_reason
        for amount in claim.payment_orders.values_list("amount", flat=True):
            assert amount == claim.amount


def test_nothing_moves_outside_the_lifecycle_tables(seeded):
    for claim in Claim.objects.prefetch_related("steps"):
        status = ""
        for step in claim.steps.all():
            if step.to_status == Appeal.STEP:
                assert step.from_status == status
                continue
            if step.from_status == Appeal.STEP:  # the appeal decided: the claim kept or approved
                assert step.to_status == status or CLAIM.allowed(status, step.to_status)
            elif step.from_status:
                assert step.from_status == status and CLAIM.allowed(status, step.to_status), claim.pk
            status = step.to_status
    for model, lifecycle in ((PaymentOrder, PAYMENT_ORDER), (PaymentBatch, PAYMENT_BATCH)):
        rows = model.history.model.objects.order_by("id", "history_date", "history_id").values_list("id", "status")
        last = {}
        for pk, status in rows:
            if pk in last and last[pk] != status:
                assert lifecycle.allowed(last[pk], status), (model.__name__, pk, last[pk], status)
            last[pk] = status
