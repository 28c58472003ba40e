"""Schemathesis over the whole OpenAPI schema, as a counter officer and as an administrator.

Every operation of the schema the application serves is called with generated input, valid
and invalid, through the WSGI application itself (the queue's fast path included), against
a small world built in the test database: two offices with their queues, an employer with
employees, a statement filed and paid, tickets, a person's paid months. Each case runs in
a savepoint rolled back after it, so every case meets the same world and nothing a case
does (a merge, a cessation, a call) reaches another, or any shared data.

It fails on any server error (5xx) and on any answer the schema does not describe: status
code, content type or body (schemathesis's not_a_server_error, status_code_conformance,
content_type_conformance and response_schema_conformance), and reports the cases it ran.
It is bounded in time: see ROUNDS below."""

import datetime
import os
import time
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import contribution_months_make, employee_make, employer_make, queue_office

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

# Rounds of ROUND_EXAMPLES cases per operation, role and mode (valid or invalid input) (each round with its own seed:
# the same cases on every run), until FUZZ_ROUNDS rounds or FUZZ_SECONDS are spent; the first
# round always runs whole, so every operation is fuzzed however slow the machine. CI runs one
# round (1,392 cases, about 45 s, within the suite's ten minutes); FUZZ_ROUNDS=3 FUZZ_EXAMPLES=4
# is the deeper run that also passed (2,784 cases).
ROUND_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
ROUNDS = int(os.environ.get("FUZZ_ROUNDS", "1"))
BUDGET_SECONDS = float(os.environ.get("FUZZ_SECONDS", "150"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]


def world_make(cast, offices):
    """The records the operations find: both offices' queues, an employer with three
    employees, a statement filed and paid (its receipt), a ticket called at a counter,
    twelve months paid for a person."""
    from contributions import services as contributions
    from contributions.models import Payment, Source
    from contributions.services import LineInput
    from queueing import services as queue
    from queueing.models import Counter, Service
    from sso.core.months import month_first

    officer = cast["counter"]
    home = queue_office(offices["1001"])
    queue_office(offices["5000"], counters=1)
    employer = employer_make(home, officer=officer, n=801)
    started = datetime.date(2023, 1, 1)
    people = [employee_make(employer, n, officer=officer, started_on=started).person for n in (81, 82, 83)]
    period = month_first(datetime.date.today().replace(day=1) - datetime.timedelta(days=1))
    statement = contributions.statement_submit(
        officer=officer,
        employer=employer,
        branch=employer.branches.get(),
        period=period,
        lines=[LineInput(line=n, national_id=p.national_id, wage=Decimal("15000")) for n, p in enumerate(people, 1)],
        source=Source.API,
        verify=False,
    )
    contributions.statement_pay(
        officer=officer,
        statement=statement,
        amount=contributions.statement_amount_due(statement).total,
        method=Payment.Method.TRANSFER,
        channel=Payment.Channel.BANK,
        reference="TRF-FUZZ-1",
        idempotency_key="FUZZ-0001",
    )
    contribution_months_make(people[0], officer, last_period=datetime.date(2022, 12, 1), count=12)
    counter = Counter.objects.get(office=home, number=1)
    queue.counter_sign_in(counter=counter, officer=officer)
    for service in Service.objects.filter(office=home):
        queue.ticket_issue(service=service, customer_kind="employer")
    queue.ticket_call_next(counter_id=counter.pk, officer=officer, scope_office_id=home.pk)
    # A claim recorded and examined, another approved with its payment order (the benefits API).
    from benefits import services as benefits

    for person, days in ((people[1], 5), (people[2], 7)):
        claim = benefits.claim_record(
            officer=officer,
            person=person,
            benefit="sickness",
            event_date=datetime.date.today() - datetime.timedelta(days=days),
            details={"days_off": 3},
            presented=["claim_form", "medical_certificate", "receipt", "bank_book"],
        )
        claim = benefits.claim_examine(claim=claim, officer=officer)
    if claim.eligible:
        benefits.claim_adjudicate(claim=claim, officer=officer, approve=True)


@pytest.fixture
def app(settings):
    """The WSGI application as served (the queue's fast path ahead of Django), on the
    test's connection: a request must not close the connection of the test's transaction
    (Django's test client disconnects the same handler)."""
    from queueing.api.fast import QueueFastPath

    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # Thousands of calls a minute from two tokens: the throttles would answer most of them.
    settings.API_THROTTLE_RATES = {scope: "" for scope in getattr(settings, "API_THROTTLE_RATES", {})}
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield QueueFastPath(get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _failure_summary(case, response, group: FailureGroup) -> str:
    titles = sorted({failure.title for failure in group.exceptions})
    return f"{case.operation.label} -> {response.status_code}: {'; '.join(titles)}\n    {case.as_curl_command()}"


def test_every_operation_answers_within_its_schema_for_a_counter_officer_and_an_administrator(
    app, cast, offices, request
):
    world_make(cast, offices)
    schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    schema.app = app
    tokens = {role: Token.objects.get_or_create(user=cast[role])[0].key for role in ("counter", "admin")}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    failures: dict[str, str] = {}
    counted = {"cases": 0}
    started = time.monotonic()

    def fuzz(operation, round_seed):
        """One Hypothesis run an operation and round: valid and invalid input, either role
        (a run's own cost is most of a case's, so one run covers them all)."""
        cases = st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in MODES))

        @seed(round_seed)
        @settings(
            max_examples=ROUND_EXAMPLES * len(MODES) * len(tokens),
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases, token=st.sampled_from(sorted(tokens.values())))
        def run(case, token):
            counted["cases"] += 1
            savepoint = transaction.savepoint()
            try:
                response = case.call(headers={"Authorization": f"Token {token}"})
            finally:
                transaction.savepoint_rollback(savepoint)
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as group:
                key = f"{case.operation.label} {response.status_code}"
                failures.setdefault(key, _failure_summary(case, response, group))

        run()

    rounds = 0
    while rounds < ROUNDS and (rounds == 0 or time.monotonic() - started < BUDGET_SECONDS):
        rounds += 1
        for operation in operations:
            fuzz(operation, rounds)

    elapsed = time.monotonic() - started
    report = (
        f"{counted['cases']} cases over {len(operations)} operations ({rounds} rounds) in {elapsed:.0f} s,"
        f" {len(failures)} failures"
    )
    request.node.user_properties.append(("fuzz", report))
    print(report)
    assert not failures, report + "\n" + "\n".join(failures.values())
