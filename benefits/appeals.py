"""Appeals against a claim's decision (Social Security Act s.85): lodged at the office for the
Appeals Committee within the days of the `appeal_days` parameter of receiving the decision,
and decided by an officer holding `benefits.decide_appeal` who did not make the decision.

The claim keeps its own status while an appeal is open (an approved claim under appeal is
still paid, a rejected one stays rejected); each move of the appeal is a `ClaimStep` to or
from `Appeal.STEP`, so the claim's steps read "approved, appealed, approved". A refused
decision for want of the permission, or by the officer who made the decision, is kept as a
`ClaimAttempt`, written after the refused transaction rolled back.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from benefits import services
from benefits.lifecycles import APPEAL, CLAIM, claim_step_write
from benefits.models import Appeal, Claim, ClaimAttempt
from sso.core.formats import date_lazy, lazy_format, money_display
from sso.core.records import refuse, stamp

DECIDE_APPEAL = "benefits.decide_appeal"
APPEAL_DAYS = "appeal_days"
# The decisions a person may appeal: an approval (also once paid) or a rejection.
APPEALABLE = (Claim.Status.APPROVED, Claim.Status.REJECTED, Claim.Status.PAID)


def decision_day(claim: Claim) -> datetime.date | None:
    return timezone.localdate(claim.adjudicated_at) if claim.adjudicated_at else None


def appeal_last_day(received_on: datetime.date) -> datetime.date:
    """The last day to appeal a decision received on `received_on`: the `appeal_days`
    parameter in force that day (Act s.85: 30 days), counted from the day after."""
    from benefits.rules.parameters import parameter

    return received_on + datetime.timedelta(days=int(parameter(APPEAL_DAYS, received_on)))


@transaction.atomic
def appeal_lodge(
    *,
    claim: Claim,
    officer,
    grounds: str,
    received_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Appeal:
    """Lodge the person's appeal against the claim's decision. `received_on` is the day the
    person received the decision (by default the day it was made); the appeal must be lodged
    by the last day `appeal_last_day` gives. One open appeal per claim."""
    today = today or timezone.localdate()
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.status not in APPEALABLE or claim.adjudicated_at is None:
        refuse("claim", _("Only a decided claim (approved or rejected) can be appealed."), "not_decided")
    grounds = (grounds or "").strip()
    if not grounds:
        refuse("grounds", _("Give the grounds of the appeal."), "required")
    decided_on = decision_day(claim)
    received_on = received_on or decided_on
    if received_on < decided_on:
        refuse(
            "received_on",
            lazy_format(
                _("The decision cannot have been received before it was made (%(day)s)."),
                {"day": date_lazy(decided_on)},
            ),
            "before_decision",
        )
    if received_on > today:
        refuse("received_on", _("The day the decision was received cannot be in the future."), "future")
    last_day = appeal_last_day(received_on)
    if today > last_day:
        refuse(
            "received_on",
            lazy_format(
                _(
                    "Too late to appeal: a decision received on %(received)s could be appealed until "
                    "%(last)s (Social Security Act s.85)."
                ),
                {"received": date_lazy(received_on), "last": date_lazy(last_day)},
            ),
            "late",
        )
    open_appeal = claim.appeals.filter(status=Appeal.Status.LODGED).first()
    if open_appeal is not None:
        refuse(
            "claim",
            lazy_format(
                _("An appeal of this claim is already open (lodged on %(day)s)."),
                {"day": date_lazy(timezone.localdate(open_appeal.lodged_at))},
            ),
            "open_appeal",
        )
    appeal = stamp(
        Appeal(
            claim=claim,
            decision=claim.status,
            received_decision_on=received_on,
            grounds=grounds,
            lodged_by=officer,
        ),
        officer,
    )
    try:
        with transaction.atomic():
            appeal.save()
    except IntegrityError:
        refuse("claim", _("An appeal of this claim was just lodged."), "open_appeal")
    claim_step_write(claim, claim.status, officer, grounds, to_status=Appeal.STEP)
    return appeal


def appeal_decide(*, appeal: Appeal, officer, uphold: bool, note: str) -> Appeal:
    """Decide an open appeal for the Appeals Committee (see `_appeal_decide`); a refusal for
    want of the permission, or to the officer who made the decision, is kept as a
    `ClaimAttempt` once the refused transaction has rolled back."""
    try:
        return _appeal_decide(appeal=appeal, officer=officer, uphold=uphold, note=note)
    except (PermissionDenied, ValidationError) as error:
        services.claim_attempt_record(
            claim=appeal.claim, officer=officer, action=ClaimAttempt.Action.APPEAL_DECIDE, error=error
        )
        raise


@transaction.atomic
def _appeal_decide(*, appeal: Appeal, officer, uphold: bool, note: str) -> Appeal:
    """Dismissed: the decision stands. Upheld against a rejection: the claim is examined
    again (the record may have been corrected since, which is often the appeal's ground) and
    approved with the rules' amount; where the rules still refuse it or documents are
    missing, the approval is an override whose reason is the appeal's decision note,
    confirmed by the deciding officer (the committee's four eyes are the two officers of the
    decision and the appeal). It makes the payment orders as an approval does. No amount
    from the rules: the uphold is refused until the record is corrected.

    Upheld against an approval (the person claims more): the rules are run again and their
    amount is kept on the appeal (`reexamined_amount`) and in the step's note. A different
    amount becomes the claim's: the months not yet paid are paid at it, the months paid get an
    adjustment order of the difference (or, paid at more, an overpayment recovered from the next
    payments), never by rewriting a paid order (`benefits.adjustments`)."""
    if not officer.has_perm(DECIDE_APPEAL):
        raise PermissionDenied(_("You may not decide appeals."))
    claim = Claim.objects.select_for_update(of=("self",)).select_related("person", "dependant").get(pk=appeal.claim_id)
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.status != Appeal.Status.LODGED:
        refuse("appeal", _("This appeal is already decided or withdrawn."), "closed")
    if officer.pk in (claim.adjudicated_by_id, claim.override_confirmed_by_id):
        refuse(
            "appeal",
            _("You took part in the decision appealed: another officer must decide the appeal."),
            "own_decision",
        )
    note = (note or "").strip()
    if not note:
        refuse("note", _("Give the reason for the appeal's decision."), "required")
    step_note = note
    if uphold and appeal.decision == Claim.Status.REJECTED:
        _approve_on_appeal(claim, officer, note)
    elif uphold:
        step_note = _reexamine_approval(claim, appeal, note, officer)
    appeal.claim = claim  # the step goes from "appealed" to the claim's status now
    appeal.decided_at = timezone.now()
    appeal.decided_by = officer
    appeal.decision_note = note
    prefix = _("Appeal upheld") if uphold else _("Appeal dismissed")
    return APPEAL.move(
        appeal,
        Appeal.Status.UPHELD if uphold else Appeal.Status.DISMISSED,
        officer=officer,
        note=f"{prefix}: {step_note}",
        update_fields=["decided_at", "decided_by", "decision_note", "reexamined_amount"],
    )


def _approve_on_appeal(claim: Claim, officer, note: str) -> None:
    from benefits.payments import payment_orders_first

    if claim.status != Claim.Status.REJECTED:
        refuse("appeal", _("The claim is no longer rejected: decide the appeal again from its page."), "changed")
    services.examination_apply(claim)
    if claim.amount is None:
        refuse(
            "appeal",
            _("The rules, run again, give no amount for this claim: correct the record before upholding the appeal."),
            "no_amount",
        )
    against_rules = claim.eligible is not True or bool(services.missing_documents(claim))
    claim.decision_note = note
    claim.override_reason = note if against_rules else ""
    claim.override_confirmed_by = officer if against_rules else None
    claim.adjudicated_at = timezone.now()
    claim.adjudicated_by = officer
    try:
        with transaction.atomic():
            # No step of its own: the appeal's step reads "appealed -> approved".
            CLAIM.move(
                claim,
                Claim.Status.APPROVED,
                officer=officer,
                step=False,
                update_fields=[
                    *services.EXAMINED_FIELDS,
                    "decision_note",
                    "override_reason",
                    "override_confirmed_by",
                    "adjudicated_at",
                    "adjudicated_by",
                ],
            )
    except IntegrityError:
        refuse(
            "appeal",
            _("Another claim for this event was recorded after the rejection: decide that claim instead."),
            "duplicate",
        )
    payment_orders_first(claim=claim, officer=officer)


def _reexamine_approval(claim: Claim, appeal: Appeal, note: str, officer) -> str:
    """Run the rules again; the new amount goes on the appeal and, when it differs, becomes
    the claim's, with the paid months adjusted (`benefits.adjustments.claim_amount_revise`)."""
    from benefits import rules
    from benefits.adjustments import claim_amount_revise, revision_note

    outcome = rules.examine(
        person=claim.person,
        benefit=claim.benefit,
        event_date=claim.event_date,
        details={"today": timezone.localdate(claim.recorded_at).isoformat(), **claim.details},
        dependant=claim.dependant,
    )
    appeal.reexamined_amount = outcome.amount
    found = money_display(outcome.amount) if outcome.amount is not None else "—"
    approved = money_display(claim.amount) if claim.amount is not None else "—"
    text = str(
        lazy_format(
            _("%(note)s (re-examined: the rules give %(found)s; approved: %(approved)s)"),
            {"note": note, "found": found, "approved": approved},
        )
    )
    if outcome.amount is not None and claim.amount is not None and outcome.amount != claim.amount:
        revision = claim_amount_revise(claim=claim, appeal=appeal, amount=outcome.amount, officer=officer)
        text += f"; {revision_note(revision)}"
    return text


@transaction.atomic
def appeal_withdraw(*, appeal: Appeal, officer, note: str = "") -> Appeal:
    """The person withdraws an open appeal; the decision stands."""
    claim = Claim.objects.select_for_update().get(pk=appeal.claim_id)
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.status != Appeal.Status.LODGED:
        refuse("appeal", _("This appeal is already decided or withdrawn."), "closed")
    appeal.claim = claim
    appeal.decided_at = timezone.now()
    appeal.decided_by = officer
    appeal.decision_note = (note or "").strip()
    step_note = str(_("Appeal withdrawn")) + (f": {appeal.decision_note}" if appeal.decision_note else "")
    return APPEAL.move(
        appeal,
        Appeal.Status.WITHDRAWN,
        officer=officer,
        note=step_note,
        update_fields=["decided_at", "decided_by", "decision_note"],
    )
