"""Writes of benefit claims: the four steps (record, examine, adjudicate, pay).

Every step is one transaction that records who moved the claim and when (`ClaimStep`, and
the claim's audit history); a refused step raises `ValidationError` naming the field and
leaves the claim as it was. The rules are applied by `benefits.rules`. A decision refused for
want of the role or of the four eyes is kept as a `ClaimAttempt` after its rollback.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from benefits.lifecycles import CLAIM, claim_step_write
from benefits.models import Benefit, Claim, ClaimAttempt, ClaimDocument, DocumentRequirement
from registry import selectors as registry
from sso.core.formats import date_lazy, lazy_format
from sso.core.records import refuse, stamp
from sso.core.signals import CLAIM_DECIDED, CLAIM_RECORDED, INSURED, Customer, case_event_send

ADJUDICATE = "benefits.adjudicate_claim"
CONFIRM_OVERRIDE = "benefits.confirm_override"
# One claim per event: these benefits happen once per person (or once per child).
ONCE_PER_PERSON = {Benefit.DEATH, Benefit.OLD_AGE}
PER_CHILD = {Benefit.CHILD_ALLOWANCE}


def _both_languages(lines) -> list[dict]:
    """Lazy messages as stored working: the text in Thai and in English."""
    stored = []
    for line in lines:
        entry = {}
        for language in ("th", "en"):
            with translation.override(language):
                entry[language] = str(line)
        stored.append(entry)
    return stored


def event_key(benefit: str, event_date: datetime.date, dependant) -> str:
    """What makes two claims the same event (the duplicate guard)."""
    if benefit in ONCE_PER_PERSON:
        return benefit
    if benefit in PER_CHILD:
        return f"child:{dependant.pk if dependant else '-'}"
    return f"{event_date:%Y-%m-%d}" + (f":{dependant.pk}" if dependant else "")


# Documents --------------------------------------------------------------------------------


def registry_holds(person, fact: str, dependant, on: datetime.date) -> bool:
    """Whether the registry already holds what a document would prove."""
    fact_checks = {
        DocumentRequirement.RegistryFact.BANK_ACCOUNT: lambda: registry.bank_account_open_exists(person.pk),
        DocumentRequirement.RegistryFact.CHILD: lambda: (
            dependant is not None
            and dependant.kind == registry.DependantKind.CHILD
            and bool(dependant.birth_certificate_id or dependant.national_id)
        ),
        DocumentRequirement.RegistryFact.DEATH: lambda: person.died_on is not None,
        DocumentRequirement.RegistryFact.EMPLOYMENT_ENDED: lambda: registry.employment_leaving_notified_exists(
            person.pk
        ),
        DocumentRequirement.RegistryFact.HOSPITAL: lambda: person.hospital_registrations.filter(
            valid_to__isnull=True
        ).exists(),
    }
    check = fact_checks.get(fact)
    return bool(check and check())


def checklist(*, person, benefit, dependant=None, presented=(), on=None) -> list[tuple[DocumentRequirement, str]]:
    """Each document the benefit needs and its state: held by the registry, presented, or
    missing. Shown when recording, so missing ones are known before the person leaves. The
    checklist is the rows in force on `on`, the day the claim is recorded (today); a claim keeps
    the checklist it was recorded with (its `ClaimDocument`s)."""
    on = on or timezone.localdate()
    rows = []
    for requirement in DocumentRequirement.objects.in_force(on).filter(benefit=benefit):
        if requirement.registry_fact and registry_holds(person, requirement.registry_fact, dependant, on):
            state = ClaimDocument.State.ON_RECORD
        elif requirement.code in presented:
            state = ClaimDocument.State.PRESENTED
        else:
            state = ClaimDocument.State.MISSING
        rows.append((requirement, state))
    return rows


# A document's name in the language the working is read in.
_requirement_name = lazy(lambda requirement: requirement.name, str)


def missing_documents(claim: Claim) -> list[DocumentRequirement]:
    return [
        document.requirement
        for document in claim.documents.select_related("requirement")
        if document.state == ClaimDocument.State.MISSING and document.requirement.required
    ]


# Record -----------------------------------------------------------------------------------


@transaction.atomic
def claim_record(
    *,
    officer,
    person,
    benefit: str,
    event_date: datetime.date,
    details: dict | None = None,
    dependant=None,
    presented=(),
    today: datetime.date | None = None,
    idempotency_key: str | None = None,
) -> Claim:
    """Step 1: record a claim at the counter, with its document checklist. `idempotency_key`
    (the API's) marks the claim so that the same request sent again finds it."""
    today = today or timezone.localdate()
    if benefit not in Benefit.values:
        refuse("benefit", _("Choose the benefit claimed."), "required")
    if event_date > today:
        refuse("event_date", _("The event date cannot be in the future."), "future")
    if person.status == registry.PERSON_MERGED:
        refuse("person", _("This record was merged into another: claim on the surviving record."), "merged")
    if benefit == Benefit.DEATH and person.died_on is None:
        refuse(
            "person",
            _("The registry has no death recorded for this person: record the death first (with the certificate)."),
            "not_dead",
        )
    if benefit != Benefit.DEATH and person.died_on is not None and person.died_on < event_date:
        refuse("event_date", lazy_format(_("The person died on %(day)s."), {"day": date_lazy(person.died_on)}))
    if benefit in PER_CHILD:
        if dependant is None or dependant.kind != registry.DependantKind.CHILD:
            refuse("dependant", _("Choose the child the allowance is for."), "required")
    if dependant is not None and dependant.person_id != person.pk:
        refuse("dependant", _("This child or survivor is not on this person's record."))
    key = event_key(benefit, event_date, dependant)
    existing = Claim.objects.filter(person=person, benefit=benefit, event_key=key).exclude(
        status__in=[Claim.Status.WITHDRAWN, Claim.Status.REJECTED]
    )
    if first := existing.first():
        refuse(
            "event_date",
            lazy_format(
                _("A claim for this event was already recorded on %(day)s (claim %(number)s)."),
                {"day": date_lazy(timezone.localdate(first.recorded_at)), "number": first.pk},
            ),
            "duplicate",
        )
    claim = stamp(
        Claim(
            office=officer.office or person.office,
            person=person,
            benefit=benefit,
            event_date=event_date,
            event_key=key,
            dependant=dependant,
            details=details or {},
            recorded_by=officer,
            idempotency_key=idempotency_key,
        ),
        officer,
    )
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        refuse("event_date", _("A claim for this event was just recorded."), "duplicate")
    for requirement, state in checklist(
        person=person, benefit=benefit, dependant=dependant, presented=set(presented), on=today
    ):
        stamp(ClaimDocument(claim=claim, requirement=requirement, state=state), officer).save()
    claim_step_write(claim, "", officer)
    _verification_enqueue(claim.pk)
    case_event_send(
        kind=CLAIM_RECORDED, officer=officer, record=claim, at=claim.recorded_at, customer=claim_customer(claim)
    )
    return claim


def claim_customer(claim: Claim) -> Customer:
    """Whom a claim is for, as the queue's tickets name them: the insured person."""
    person = claim.person
    return Customer(kind=INSURED, ref=person.national_id, records=(person,))


def _verification_enqueue(claim_id: int) -> None:
    """The back office's cross-check runs in Celery once the claim is committed."""
    from benefits.tasks import claim_verify

    transaction.on_commit(lambda: claim_verify.delay(claim_id))


@transaction.atomic
def claim_document_present(*, claim: Claim, officer, codes) -> Claim:
    """Documents brought later (or at the counter after recording)."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.status not in (Claim.Status.RECORDED, Claim.Status.EXAMINED, Claim.Status.REFERRED):
        refuse("documents", _("The claim is decided: its documents are closed."), "closed")
    for document in claim.documents.filter(requirement__code__in=list(codes), state=ClaimDocument.State.MISSING):
        document.state = ClaimDocument.State.PRESENTED
        stamp(document, officer).save(update_fields=["state", "noted_at"])
    return claim


# Examine ----------------------------------------------------------------------------------


def examination_apply(claim: Claim) -> None:
    """Run the rules on the claim and set the examine step's fields (not saved): eligible,
    amount, months, reason code and the working with the documents still missing."""
    from benefits import rules

    # Days out of work and the like are counted to the day the claim was made.
    details = {"today": timezone.localdate(claim.recorded_at).isoformat(), **claim.details}
    outcome = rules.examine(
        person=claim.person,
        benefit=claim.benefit,
        event_date=claim.event_date,
        details=details,
        dependant=claim.dependant,
    )
    missing = [
        lazy_format(_("Document missing: %(name)s."), {"name": _requirement_name(requirement)})
        for requirement in missing_documents(claim)
    ]
    claim.eligible = outcome.eligible
    claim.amount = outcome.amount
    claim.monthly = outcome.monthly
    claim.months = outcome.months
    claim.refusal_code = outcome.refusal_code
    claim.working = _both_languages([*outcome.lines, *outcome.missing, *missing])
    claim.examined_at = timezone.now()


EXAMINED_FIELDS = ["eligible", "amount", "monthly", "months", "refusal_code", "working", "examined_at"]


@transaction.atomic
def claim_examine(*, claim: Claim, officer) -> Claim:
    """Step 2: run the rules and keep their working (months found, wage base, days, caps,
    and anything missing), as the officer sees it."""
    claim = Claim.objects.select_for_update(of=("self",)).select_related("person", "dependant").get(pk=claim.pk)
    if claim.status not in (Claim.Status.RECORDED, Claim.Status.EXAMINED, Claim.Status.REFERRED):
        refuse("status", _("Only a claim not yet decided can be examined."), "decided")
    examination_apply(claim)
    if claim.status == Claim.Status.RECORDED:
        CLAIM.move(claim, Claim.Status.EXAMINED, officer=officer, update_fields=EXAMINED_FIELDS)
    else:  # examined again (documents brought later): the status stays, no step
        stamp(claim, officer).save(update_fields=[*EXAMINED_FIELDS, "status"])
    return claim


def claim_is_clear_cut(claim: Claim) -> bool:
    """Decided at the counter in one sitting: examined, eligible, nothing missing or
    contradictory. Anything else goes to the back office."""
    return claim.status == Claim.Status.EXAMINED and claim.eligible is True and not missing_documents(claim)


# Refer ------------------------------------------------------------------------------------


@transaction.atomic
def claim_refer(*, claim: Claim, officer, note: str) -> Claim:
    """Send a claim that is not clear-cut to the back office's adjudicators."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != Claim.Status.EXAMINED:
        refuse("status", _("Examine the claim before referring it."), "not_examined")
    if not note.strip():
        refuse("note", _("Say what the back office should check."), "required")
    return CLAIM.move(claim, Claim.Status.REFERRED, officer=officer, note=note.strip())


# Refused attempts -------------------------------------------------------------------------

# The refusals kept as attempts: not a typing slip (a note left empty) but a decision the
# officer was not allowed to make.
ATTEMPT_CODES = {"permission", "four_eyes", "override_reason", "own_decision"}


def _refusal_of(error: Exception) -> tuple[str, object] | None:
    """(code, message) of a refusal to keep as an attempt, or None."""
    if isinstance(error, PermissionDenied):
        return "permission", (error.args[0] if error.args else _("You may not do this."))
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for errors in error.error_dict.values():
            for item in errors:
                if item.code in ATTEMPT_CODES:
                    return item.code, (item.message % item.params if item.params else item.message)
    return None


def claim_attempt_record(*, claim: Claim, officer, action: str, error: Exception) -> ClaimAttempt | None:
    """Keep a refused decision attempt (who, when, what, why). Called after the refused
    transaction has rolled back, outside it, so the row outlives the rollback."""
    refusal = _refusal_of(error)
    if refusal is None:
        return None
    code, message = refusal
    return ClaimAttempt.objects.create(
        claim_id=claim.pk,
        action=action,
        by=officer if getattr(officer, "pk", None) else None,
        code=code,
        message=_both_languages([message])[0],
    )


# Adjudicate -------------------------------------------------------------------------------


def claim_adjudicate(
    *,
    claim: Claim,
    officer,
    approve: bool,
    note: str = "",
    override_reason: str = "",
    confirmed_by=None,
) -> Claim:
    """Step 3: approve with the computed amount, or reject with the rule's reason code.

    Going against the rules (approving what they refuse, or approving with documents
    missing) is an override: it needs a reason and a second officer holding the
    confirm-override permission (four eyes). Rejecting what the rules allow needs a note.
    A refusal for want of the role or of the four eyes is kept as a `ClaimAttempt`, written
    after the decision's transaction rolled back."""
    kwargs = {
        "claim": claim,
        "officer": officer,
        "approve": approve,
        "note": note,
        "override_reason": override_reason,
        "confirmed_by": confirmed_by,
    }
    try:
        return _claim_adjudicate(**kwargs)
    except (PermissionDenied, ValidationError) as error:
        if not approve:
            action = ClaimAttempt.Action.REJECT
        elif override_reason or confirmed_by is not None:
            action = ClaimAttempt.Action.OVERRIDE
        else:
            action = ClaimAttempt.Action.APPROVE
        claim_attempt_record(claim=claim, officer=officer, action=action, error=error)
        raise


@transaction.atomic
def _claim_adjudicate(
    *,
    claim: Claim,
    officer,
    approve: bool,
    note: str = "",
    override_reason: str = "",
    confirmed_by=None,
) -> Claim:
    if not officer.has_perm(ADJUDICATE):
        raise PermissionDenied(_("You may not decide claims."))
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.status not in (Claim.Status.EXAMINED, Claim.Status.REFERRED):
        refuse("status", _("Only an examined claim can be decided."), "not_examined")
    missing = missing_documents(claim)
    against_rules = approve and (claim.eligible is not True or bool(missing))
    if against_rules:
        if not override_reason.strip():
            refuse(
                "override_reason",
                _("The rules do not allow this approval (or documents are missing): give the reason for the override."),
                "override_reason",
            )
        if confirmed_by is None or confirmed_by.pk == officer.pk or not confirmed_by.has_perm(CONFIRM_OVERRIDE):
            refuse(
                "confirmed_by",
                _("An override needs a second officer, a supervisor, to confirm it."),
                "four_eyes",
            )
    if not approve and claim.eligible is True and not note.strip():
        refuse("note", _("The rules allow this claim: give the reason for rejecting it."), "required")
    if approve and claim.amount is None:
        refuse("amount", _("The rules computed no amount: the claim cannot be approved as it is."), "no_amount")
    claim.decision_note = note.strip()
    claim.override_reason = override_reason.strip() if against_rules else ""
    claim.override_confirmed_by = confirmed_by if against_rules else None
    claim.adjudicated_at = timezone.now()
    claim.adjudicated_by = officer
    CLAIM.move(
        claim,
        Claim.Status.APPROVED if approve else Claim.Status.REJECTED,
        officer=officer,
        note=claim.override_reason or claim.decision_note,
        update_fields=["decision_note", "override_reason", "override_confirmed_by", "adjudicated_at", "adjudicated_by"],
    )
    if approve:
        from benefits.payments import payment_orders_first

        payment_orders_first(claim=claim, officer=officer)
    case_event_send(
        kind=CLAIM_DECIDED, officer=officer, record=claim, at=claim.adjudicated_at, customer=claim_customer(claim)
    )
    return claim


@transaction.atomic
def claim_withdraw(*, claim: Claim, officer, note: str = "") -> Claim:
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.status in (Claim.Status.APPROVED, Claim.Status.PAID):
        refuse("status", _("A decided claim cannot be withdrawn: appeal the decision instead."), "decided")
    return CLAIM.move(claim, Claim.Status.WITHDRAWN, officer=officer, note=note.strip())
