"""Benefits' lifecycles: one table of allowed moves per status field (benefits/lifecycles.py),
which every module goes through; a move the table does not hold is refused as a field error
and writes nothing."""

import datetime
import pathlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from benefits import services
from benefits.lifecycles import APPEAL, CLAIM, FINDING, LIFECYCLES, PAYMENT_BATCH, PAYMENT_ORDER
from benefits.models import Benefit, Claim, ClaimStep, PaymentOrder
from tests.factories import employee_make, employer_make

BENEFITS = pathlib.Path(__file__).resolve().parent.parent / "benefits"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda lifecycle: lifecycle.model.__name__)
def test_each_table_names_every_status_of_its_field_and_no_other(lifecycle):
    choices = set(dict(lifecycle.model._meta.get_field(lifecycle.field).flatchoices))
    named = {status for source, targets in lifecycle.moves.items() for status in (source, *targets)}
    assert named == choices


def test_the_bulk_moves_take_their_sources_from_the_tables():
    assert PAYMENT_ORDER.sources(PaymentOrder.Status.IN_BATCH) == ["pending"]
    assert PAYMENT_ORDER.sources(PaymentOrder.Status.FAILED) == ["in_batch"]
    assert PAYMENT_ORDER.sources(PaymentOrder.Status.PAID) == ["in_batch", "pending"]
    assert CLAIM.sources(Claim.Status.PAID) == ["approved"]
    # Closed states move nowhere.
    assert CLAIM.targets(Claim.Status.PAID) == [] and CLAIM.targets(Claim.Status.WITHDRAWN) == []
    assert PAYMENT_ORDER.targets(PaymentOrder.Status.PAID) == PAYMENT_ORDER.targets("cancelled") == []
    assert PAYMENT_BATCH.targets("confirmed") == APPEAL.targets("upheld") == FINDING.targets("cleared") == []


def test_no_module_of_benefits_sets_a_status_but_the_lifecycles():
    """Every move goes through `Lifecycle.move`, or SQL that takes the status as a parameter
    and its WHERE from `sources`: no module assigns a status or writes a literal one in SQL."""
    assignment = re.compile(r"^\s*[\w.]+\.status\s*=[^=]|SET\s+status\s*=\s*'|\.update\(status=", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(BENEFITS)}:{number}"
        for path in BENEFITS.rglob("*.py")
        if "migrations" not in path.parts and path.name != "lifecycles.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if assignment.search(line)
    ]
    assert offenders == []


@pytest.fixture
def claim(cast, offices):
    employer = employer_make(offices["1001"], cast["counter"], n=851)
    person = employee_make(employer, 85, cast["counter"], started_on=datetime.date(2024, 1, 1)).person
    return services.claim_record(
        officer=cast["counter"],
        person=person,
        benefit=Benefit.SICKNESS,
        event_date=datetime.date(2026, 3, 2),
        details={"days_off": 10},
        today=datetime.date(2026, 3, 20),
    )


def test_a_move_the_table_does_not_hold_is_a_field_error_and_writes_nothing(claim, cast):
    steps, history = ClaimStep.objects.filter(claim=claim).count(), claim.history.count()
    with pytest.raises(ValidationError) as refused:
        CLAIM.move(claim, Claim.Status.PAID, officer=cast["supervisor"], note="skipping the steps")
    assert refused.value.error_dict["status"][0].code == "transition"
    assert "cannot become Paid" in refused.value.messages[0]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.RECORDED
    assert ClaimStep.objects.filter(claim=claim).count() == steps and claim.history.count() == history


def test_a_move_writes_the_status_the_audit_row_and_the_claims_step(claim, cast):
    CLAIM.move(claim, Claim.Status.WITHDRAWN, officer=cast["counter"], note="the person withdrew", reason="asked")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.WITHDRAWN
    step = claim.steps.last()
    assert (step.from_status, step.to_status, step.by, step.note) == (
        "recorded",
        "withdrawn",
        cast["counter"],
        "the person withdrew",
    )
    record = claim.history.first()
    assert record.history_user == cast["counter"] and record.history_change_reason == "asked"
    # Withdrawn is closed: withdrawing again is refused by the table.
    with pytest.raises(ValidationError):
        services.claim_withdraw(claim=claim, officer=cast["counter"])
    assert claim.steps.count() == 2
