"""Benefit claims: record, examine, adjudicate, pay.

Every figure of the benefit rules (qualifying months and windows, percentages, day limits,
lump sums, ages, child counts) is a row of `BenefitParameter`, effective-dated by the date
of the event; the document checklist of each benefit is rows of `DocumentRequirement`.
`benefits.rules` applies them; `benefits.services` moves a claim through its steps.

Over 500 lines: the app's models in one module, each with its docstring, as in every app
(claims, their steps, documents, payments, findings, appeals and the reports' summary).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sso.core.formats import month_numeric
from sso.core.models import audited

MONEY = {"max_digits": 14, "decimal_places": 2}


def in_language(stored: dict | None) -> str:
    """A text stored in Thai and English ({"th": ..., "en": ...}) in the language in use."""
    from django.utils.translation import get_language

    if not stored:
        return ""
    language = "en" if (get_language() or "th").startswith("en") else "th"
    return stored.get(language) or stored.get("en") or stored.get("th") or ""


class Benefit(models.TextChoices):
    SICKNESS = "sickness", _("Sickness")
    DENTAL = "dental", _("Dental care")
    MATERNITY = "maternity", _("Maternity")
    INVALIDITY = "invalidity", _("Invalidity")
    DEATH = "death", _("Death")
    CHILD_ALLOWANCE = "child_allowance", _("Child allowance")
    OLD_AGE = "old_age", _("Old age")
    UNEMPLOYMENT = "unemployment", _("Unemployment")
    MEDICAL = "medical", _("Medical expenses (emergency care elsewhere)")


class BenefitParameter(models.Model):
    """One figure of the benefit rules, in force for events from `valid_from` to `valid_to`
    (e.g. `sickness.qualifying_months` = 3)."""

    OFFICE_SCOPE = None

    key = models.CharField(_("parameter"), max_length=80)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("source or reason"), max_length=300, blank=True)

    history = audited()

    class Meta:
        ordering = ["key", "-valid_from"]
        verbose_name = _("benefit parameter")
        verbose_name_plural = _("benefit parameters")
        constraints = [models.UniqueConstraint(fields=["key", "valid_from"], name="benefit_parameter_once")]

    def __str__(self):
        return f"{self.key} = {self.value} ({month_numeric(self.valid_from)})"


class DocumentRequirementQuerySet(models.QuerySet):
    def in_force(self, day):
        """The rows in force on `day` and in use: the checklist of a claim recorded that day."""
        return self.filter(is_active=True, valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class DocumentRequirement(models.Model):
    """A document a benefit's claim needs: the checklist shown when the claim is recorded.
    `registry_fact` names what the registry may already hold in its place. Dated like every
    rule table (`sso.core.rules`): the rows in force on the day a claim is recorded make its
    checklist (its `ClaimDocument`s, which it keeps); a row not in use (`is_active`) from a date
    takes the document off the checklist from then."""

    class RegistryFact(models.TextChoices):
        NONE = "", _("Nothing: the person brings it")
        BANK_ACCOUNT = "bank_account", _("A bank account on record")
        CHILD = "child", _("The child on record as a dependant")
        DEATH = "death", _("The death on record")
        EMPLOYMENT_ENDED = "employment_ended", _("The employment ended on record (SSO 6-09)")
        HOSPITAL = "hospital", _("The registered hospital")

    OFFICE_SCOPE = None

    benefit = models.CharField(_("benefit"), max_length=20, choices=Benefit.choices)
    code = models.SlugField(_("code"), max_length=40)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    registry_fact = models.CharField(
        _("held by the registry as"), max_length=20, choices=RegistryFact.choices, blank=True
    )
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("source or reason"), max_length=300, blank=True)

    history = audited()
    objects = DocumentRequirementQuerySet.as_manager()

    class Meta:
        ordering = ["benefit", "order", "code", "-valid_from"]
        verbose_name = _("document requirement")
        verbose_name_plural = _("document requirements")
        constraints = [
            models.UniqueConstraint(fields=["benefit", "code", "valid_from"], name="document_requirement_once")
        ]

    def __str__(self):
        return f"{self.benefit}: {self.code} ({month_numeric(self.valid_from)})"

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "th").startswith("en") else self.name_th


class Claim(models.Model):
    """One claim of an insured person for one benefit event, through the four steps:
    recorded, examined, adjudicated (approved or rejected), paid."""

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        EXAMINED = "examined", _("Examined")
        REFERRED = "referred", _("Referred to the back office")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        PAID = "paid", _("Paid")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OFFICE_SCOPE = "office"

    office = models.ForeignKey("core.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("office"))
    person = models.ForeignKey(
        "registry.InsuredPerson", on_delete=models.PROTECT, related_name="claims", verbose_name=_("insured person")
    )
    benefit = models.CharField(_("benefit"), max_length=20, choices=Benefit.choices)
    event_date = models.DateField(
        _("event date"), help_text=_("Treatment, birth, invalidity, death, leaving work, or the claim date.")
    )
    # What makes two claims the same event (the duplicate guard): the date, and the child or
    # the option where one event allows several claims.
    event_key = models.CharField(_("event"), max_length=60)
    dependant = models.ForeignKey(
        "registry.Dependant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name=_("child or survivor"),
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECORDED)

    # The examine step: the rules engine's answer and its working, as shown to the officer.
    eligible = models.BooleanField(_("eligible"), null=True)
    amount = models.DecimalField(_("amount"), null=True, blank=True, **MONEY)
    monthly = models.BooleanField(_("paid monthly"), default=False)
    months = models.PositiveSmallIntegerField(_("monthly payments"), null=True, blank=True)
    working = models.JSONField(_("working"), default=list, blank=True)
    refusal_code = models.CharField(_("reason code"), max_length=40, blank=True)

    # The adjudicate step, with the four-eyes override.
    decision_note = models.TextField(_("decision note"), blank=True)
    override_reason = models.TextField(_("override reason"), blank=True)
    override_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("override confirmed by"),
    )

    class Verification(models.TextChoices):
        PENDING = "pending", _("Waiting for the back office")
        CLEAR = "clear", _("Verified, nothing found")
        FINDINGS = "findings", _("Findings to clear: payment held")
        CLEARED = "cleared", _("Findings cleared")

    verification = models.CharField(
        _("verification"), max_length=10, choices=Verification.choices, default=Verification.PENDING
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # A claim recorded through the API with an idempotency key: the same request sent again
    # (a retry after a lost answer) finds this claim instead of recording it twice.
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, null=True, blank=True, unique=True)

    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    examined_at = models.DateTimeField(_("examined at"), null=True, blank=True)
    adjudicated_at = models.DateTimeField(_("adjudicated at"), null=True, blank=True)
    adjudicated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = audited()

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "benefit", "event_key"],
                condition=~Q(status__in=["withdrawn", "rejected"]),
                name="claim_one_per_event",
            ),
        ]
        indexes = [
            models.Index(fields=["office", "status"], name="claim_office_status"),
            models.Index(fields=["person", "benefit"], name="claim_person_benefit"),
        ]
        permissions = [
            ("adjudicate_claim", _("Can adjudicate claims")),
            ("confirm_override", _("Can confirm an override of the rules (four eyes)")),
        ]

    def __str__(self):
        return f"{self.get_benefit_display()} {self.person_id} {self.event_date}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("benefits:claim", args=[self.pk])


class ClaimStep(models.Model):
    """One move of a claim from a step to the next: when, by whom, and why."""

    OFFICE_SCOPE = "claim__office"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["claim_id", "at", "id"]
        # The reports' daily roll-up of step durations (ClaimStepDay) finds a day's steps.
        indexes = [models.Index(fields=["at"], name="claim_step_at")]
        verbose_name = _("claim step")
        verbose_name_plural = _("claim steps")

    def __str__(self):
        return f"{self.claim_id}: {self.from_status} -> {self.to_status}"


class ClaimDocument(models.Model):
    """A document of a claim's checklist: held by the registry, presented, or missing."""

    class State(models.TextChoices):
        ON_RECORD = "on_record", _("Held by the registry")
        PRESENTED = "presented", _("Presented")
        MISSING = "missing", _("Missing")

    OFFICE_SCOPE = "claim__office"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    requirement = models.ForeignKey(DocumentRequirement, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    noted_at = models.DateTimeField(_("noted at"), auto_now=True)

    history = audited()

    class Meta:
        ordering = ["claim_id", "requirement__order"]
        verbose_name = _("claim document")
        verbose_name_plural = _("claim documents")
        constraints = [models.UniqueConstraint(fields=["claim", "requirement"], name="claim_document_once")]

    def __str__(self):
        return f"{self.claim_id}: {self.requirement.code} {self.state}"


# Paying ------------------------------------------------------------------------------------


class PaymentBatch(models.Model):
    """The bank transfers of one bank for one day, sent as one file and confirmed by the bank."""

    class Status(models.TextChoices):
        OPEN = "open", _("Made, not sent")
        SENT = "sent", _("Sent to the bank")
        CONFIRMED = "confirmed", _("Confirmed by the bank")

    OFFICE_SCOPE = "office"

    office = models.ForeignKey("core.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("office"))
    bank = models.ForeignKey("registry.Bank", on_delete=models.PROTECT, related_name="+", verbose_name=_("bank"))
    pay_on = models.DateField(_("pay on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    order_count = models.PositiveIntegerField(_("payments"), default=0)
    total = models.DecimalField(_("total"), default=0, **MONEY)
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = audited()

    class Meta:
        ordering = ["-pay_on", "bank_id"]
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")

    def __str__(self):
        return f"{self.bank_id} {self.pay_on}"


class PaymentOrder(models.Model):
    """One payment of an approved claim: the one-off amount, or one month of a recurring
    benefit (pension, invalidity, child allowance, unemployment instalment), or an adjustment:
    the difference owed for a month already paid when an appeal raised the amount."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        ADJUSTMENT = "adjustment", _("Adjustment after an appeal")

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("Bank transfer")
        CASH = "cash", _("Cash at the office")
        CHEQUE = "cheque", _("Cheque")

    class Status(models.TextChoices):
        PENDING = "pending", _("To pay")
        HELD = "held", _("Held by the back office")
        IN_BATCH = "in_batch", _("In a bank batch")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Transfer failed")
        CANCELLED = "cancelled", _("Cancelled")

    OFFICE_SCOPE = "claim__office"

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payment_orders")
    # The month paid for a recurring benefit; the first day of the event month for a one-off.
    period = models.DateField(_("for the month"))
    amount = models.DecimalField(_("amount"), **MONEY)
    method = models.CharField(_("paid by"), max_length=10, choices=Method.choices, default=Method.TRANSFER)
    bank = models.ForeignKey(
        "registry.Bank", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("bank")
    )
    account_number = models.CharField(_("account number"), max_length=20, blank=True)
    account_name = models.CharField(_("account name"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    batch = models.ForeignKey(
        PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="orders", verbose_name=_("batch")
    )
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=60, null=True, blank=True, unique=True)
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True)
    # An adjustment (benefits.adjustments): the paid order of the month it adds to, the appeal
    # that raised the amount, and why, in Thai and English ({"th": ..., "en": ...}). A payment
    # whose amount an appeal changed before it was paid carries the reason too. Database
    # defaults: the monthly run inserts orders in SQL.
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.PAYMENT, db_default=Kind.PAYMENT
    )
    adjusts = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjustments",
        verbose_name=_("adjusts the order"),
    )
    appeal = models.ForeignKey(
        "Appeal", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("appeal")
    )
    reason = models.JSONField(_("reason"), null=True, blank=True)
    # Withheld from this order to recover an overpayment (benefits.adjustments): `amount` is
    # what is paid, `amount + withheld` what the month was worth.
    withheld = models.DecimalField(_("withheld for a recovery"), default=0, db_default=0, **MONEY)

    history = audited()

    class Meta:
        ordering = ["-period", "id"]
        verbose_name = _("payment order")
        verbose_name_plural = _("payment orders")
        constraints = [
            # A month of a claim is paid once, however often the monthly run runs (its
            # adjustments are orders of the same month).
            models.UniqueConstraint(
                fields=["claim", "period"],
                condition=~Q(status="cancelled") & Q(kind="payment"),
                name="payment_order_once_a_month",
            ),
            # One adjustment of a paid order per appeal.
            models.UniqueConstraint(
                fields=["adjusts", "appeal"],
                condition=~Q(status="cancelled") & Q(kind="adjustment"),
                name="payment_order_adjusted_once",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "bank"], name="payment_order_to_batch"),
            # The reports' daily roll-up of the pay step (ClaimStepDay) finds a day's payments.
            models.Index(fields=["paid_at"], name="payment_order_paid_at", condition=Q(paid_at__isnull=False)),
        ]
        permissions = [("pay_claim", _("Can make payment batches and record payments"))]

    def __str__(self):
        return f"{self.claim_id} {month_numeric(self.period)} {self.amount}"

    @property
    def reason_text(self) -> str:
        return in_language(self.reason)


# Back office -------------------------------------------------------------------------------


class ClaimFinding(models.Model):
    """Something the back office's cross-check found on a claim; its payment waits until
    every finding is cleared."""

    class Kind(models.TextChoices):
        STILL_EMPLOYED = "still_employed", _("Employed according to the employer's latest statements")
        OVERLAP = "overlap", _("Overlaps another claim's days")
        CHILD_CLAIMED = "child_claimed", _("The child is claimed by another parent")
        DEATH_RECORDED = "death_recorded", _("A death is already recorded")
        BANK_ACCOUNT = "bank_account", _("No plausible bank account")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLEARED = "cleared", _("Cleared")
        CONFIRMED = "confirmed", _("Confirmed: the claim must be decided again")

    OFFICE_SCOPE = "claim__office"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(_("finding"), max_length=20, choices=Kind.choices)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    history = audited()

    class Meta:
        ordering = ["found_at", "id"]
        verbose_name = _("claim finding")
        verbose_name_plural = _("claim findings")
        constraints = [models.UniqueConstraint(fields=["claim", "kind"], name="claim_finding_once")]

    def __str__(self):
        return f"{self.claim_id}: {self.kind}"


# Appeals -----------------------------------------------------------------------------------


class Appeal(models.Model):
    """An insured person's appeal against a claim's decision to the Appeals Committee (Social
    Security Act s.85), lodged within the days of the `appeal_days` parameter of receiving it."""

    class Status(models.TextChoices):
        LODGED = "lodged", _("Lodged, to decide")
        UPHELD = "upheld", _("Upheld: decision reversed")
        DISMISSED = "dismissed", _("Dismissed: decision stands")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # The claim's step that records the lodging: the claim keeps its own status (an approved
    # claim under appeal is still paid), the steps show the appeal.
    STEP = "appealed"

    OFFICE_SCOPE = "claim__office"

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("claim"))
    decision = models.CharField(_("decision appealed"), max_length=10, choices=Claim.Status.choices)
    received_decision_on = models.DateField(_("decision received on"))
    grounds = models.TextField(_("grounds"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.LODGED)
    lodged_at = models.DateTimeField(_("lodged at"), auto_now_add=True)
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("lodged by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    # An appeal against an approval: the amount the rules give when run again at the decision.
    reexamined_amount = models.DecimalField(_("amount on re-examination"), null=True, blank=True, **MONEY)

    history = audited()

    class Meta:
        ordering = ["lodged_at", "id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.UniqueConstraint(fields=["claim"], condition=Q(status="lodged"), name="appeal_one_open_per_claim"),
        ]
        permissions = [("decide_appeal", _("Can decide appeals (for the Appeals Committee)"))]

    def __str__(self):
        return f"{self.claim_id}: {self.status}"


class PaymentRecovery(models.Model):
    """An overpayment of one month of a claim: an appeal upheld against an approval gave less
    than was paid. Recovered by withholding it from the claim's next payments (never taking
    one below zero); `recovered` is what was withheld so far."""

    OFFICE_SCOPE = "claim__office"

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="recoveries", verbose_name=_("claim"))
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="+", verbose_name=_("appeal"))
    period = models.DateField(_("for the month"))
    paid = models.DecimalField(_("paid"), **MONEY)
    due = models.DecimalField(_("due after the appeal"), **MONEY)
    amount = models.DecimalField(_("to recover"), **MONEY)
    recovered = models.DecimalField(_("recovered"), default=0, **MONEY)
    reason = models.JSONField(_("reason"), default=dict)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    history = audited()

    class Meta:
        ordering = ["claim_id", "created_at", "id"]
        verbose_name = _("payment recovery")
        verbose_name_plural = _("payment recoveries")
        constraints = [
            models.UniqueConstraint(fields=["appeal", "period"], name="payment_recovery_once"),
            models.CheckConstraint(
                condition=Q(recovered__gte=0) & Q(recovered__lte=models.F("amount")),
                name="payment_recovery_within_amount",
            ),
        ]

    def __str__(self):
        return f"{self.claim_id} {month_numeric(self.period)} {self.amount}"

    @property
    def outstanding(self):
        return self.amount - self.recovered

    @property
    def reason_text(self) -> str:
        return in_language(self.reason)


class ClaimAttempt(models.Model):
    """A refused attempt to decide a claim or its appeal (no permission, four eyes, own
    decision): kept although the refused transaction rolled back. Written once, never changed."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")
        OVERRIDE = "override", _("Approve with an override")
        APPEAL_DECIDE = "appeal", _("Decide an appeal")

    OFFICE_SCOPE = "claim__office"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("claim"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("officer")
    )
    code = models.CharField(_("reason code"), max_length=40)
    # The refusal as shown to the officer: {"th": ..., "en": ...}.
    message = models.JSONField(_("message"), default=dict)

    class Meta:
        ordering = ["claim_id", "at", "id"]
        verbose_name = _("refused decision attempt")
        verbose_name_plural = _("refused decision attempts")

    def __str__(self):
        return f"{self.claim_id}: {self.action} refused ({self.code})"


# Reports' summaries ------------------------------------------------------------------------


class ClaimStepDay(models.Model):
    """The durations of one step (examine: recorded to examined; adjudicate: examined to the
    first decision; pay: the first approval to the first order paid) of one office's claims of
    one benefit whose step ended on `day`, in seconds, sorted: exact p50/p90 over any range.

    Derived data, not audited: `benefits.summaries.claim_steps_roll` rebuilds a day's rows from
    the steps and orders idempotently (delete and insert in one transaction)."""

    class Step(models.TextChoices):
        EXAMINE = "examine", _("Record to examine")
        ADJUDICATE = "adjudicate", _("Examine to decision")
        PAY = "pay", _("Approval to payment")

    OFFICE_SCOPE = "office"

    day = models.DateField(_("day"))
    office = models.ForeignKey("core.Office", on_delete=models.CASCADE, related_name="+", verbose_name=_("office"))
    benefit = models.CharField(_("benefit"), max_length=20, choices=Benefit.choices)
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    count = models.PositiveIntegerField(_("claims"))
    seconds = ArrayField(models.IntegerField(), verbose_name=_("durations (seconds)"))

    class Meta:
        ordering = ["day", "office_id", "benefit", "step"]
        verbose_name = _("claim step durations of a day")
        verbose_name_plural = _("claim step durations by day")
        constraints = [
            models.UniqueConstraint(fields=["office", "day", "benefit", "step"], name="claim_step_day_once"),
        ]
        indexes = [models.Index(fields=["day"], name="claim_step_day_day")]

    def __str__(self):
        return f"{self.office_id} {self.day} {self.benefit} {self.step}: {self.count}"


class ClaimStepRoll(models.Model):
    """A day whose `ClaimStepDay` rows were rolled for every office, and when (a report rolls
    the days never rolled, and a stale today). Derived data."""

    OFFICE_SCOPE = None

    day = models.DateField(_("day"), unique=True)
    rolled_at = models.DateTimeField(_("rolled at"))

    class Meta:
        ordering = ["day"]
        verbose_name = _("claim step summary roll")
        verbose_name_plural = _("claim step summary rolls")

    def __str__(self):
        return f"{self.day} ({self.rolled_at:%H:%M})"


# The medical processes (issue 20, part 4): receipts of medical-expenses claims and hospitals'
# high-cost requests, in their own module.
from benefits.medical_models import (  # noqa: E402
    HospitalBatch,
    HospitalCase,
    HospitalKind,
    HospitalRequest,
    MedicalReceipt,
    Patient,
)

__all_medical__ = [HospitalBatch, HospitalCase, HospitalKind, HospitalRequest, MedicalReceipt, Patient]
