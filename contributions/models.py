"""Monthly contribution statements (SSO 1-10), payments, receipts and the rules they follow.

Every rate, ceiling and surcharge figure is a row of an effective-dated table here
(`ContributionRate`, `VoluntaryRate`, `Section40Option`, `SurchargeRule`, `CollectionRule`), read by
`contributions.rules`; no figure of `thai-sso-rules.md` is a constant in code.
A wage period is stored as the first day of its month.

Over 500 lines: the app's models in one module, each with its docstring, as in every app
(ten models whose foreign keys point at each other).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sso.core.formats import date_display, month_numeric
from sso.core.models import audited

MONEY = {"max_digits": 14, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2}


# Rules --------------------------------------------------------------------------------


class EffectiveDated(models.Model):
    """A rule row in force for the wage periods from `valid_from` to `valid_to` (inclusive)."""

    OFFICE_SCOPE = None

    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("source or reason"), max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["-valid_from"]

    def __str__(self):
        return f"{self._meta.verbose_name} {month_numeric(self.valid_from)}-{date_display(self.valid_to)}"


class ContributionRate(EffectiveDated):
    """The Section 33 rates, wage floor and ceiling in force for a range of wage periods,
    nationally or (for a temporary cut) in one province."""

    province = models.ForeignKey(
        "core.Province",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("province"),
        help_text=_("Empty: the whole country. A province row overrides the national rates there."),
    )
    employee_rate = models.DecimalField(_("employee rate (%)"), **PERCENT)
    employer_rate = models.DecimalField(_("employer rate (%)"), **PERCENT)
    government_rate = models.DecimalField(_("government rate (%)"), **PERCENT)
    wage_floor = models.DecimalField(_("wage floor"), **MONEY)
    wage_ceiling = models.DecimalField(_("wage ceiling"), **MONEY)

    history = audited()

    class Meta(EffectiveDated.Meta):
        verbose_name = _("contribution rate")
        verbose_name_plural = _("contribution rates")
        constraints = [
            models.UniqueConstraint(fields=["valid_from", "province"], name="contribution_rate_once"),
            models.UniqueConstraint(
                fields=["valid_from"], condition=Q(province__isnull=True), name="contribution_rate_national_once"
            ),
        ]


class VoluntaryRate(EffectiveDated):
    """Section 39 (formerly employed, voluntary): the fixed wage base and the rate."""

    section39_base = models.DecimalField(_("Section 39 wage base"), **MONEY)
    section39_rate = models.DecimalField(_("Section 39 rate (%)"), **PERCENT)
    section39_government = models.DecimalField(_("Section 39 government share"), default=0, **MONEY)

    history = audited()

    class Meta(EffectiveDated.Meta):
        verbose_name = _("Section 39 rate")
        verbose_name_plural = _("Section 39 rates")
        constraints = [models.UniqueConstraint(fields=["valid_from"], name="voluntary_rate_once")]


class Section40Option(EffectiveDated):
    """One Section 40 (informal worker) option: what the person pays a month and what the
    government adds."""

    option = models.PositiveSmallIntegerField(_("option"))
    person_amount = models.DecimalField(_("person pays a month"), **MONEY)
    government_amount = models.DecimalField(_("government adds a month"), **MONEY)
    description = models.CharField(_("cover"), max_length=200, blank=True)

    history = audited()

    class Meta(EffectiveDated.Meta):
        ordering = ["-valid_from", "option"]
        verbose_name = _("Section 40 option")
        verbose_name_plural = _("Section 40 options")
        constraints = [models.UniqueConstraint(fields=["valid_from", "option"], name="section40_option_once")]


class SurchargeRule(EffectiveDated):
    """Late payment: the due day of the month after the wage month and the monthly surcharge."""

    due_day = models.PositiveSmallIntegerField(_("due by day of the next month"), default=15)
    monthly_rate = models.DecimalField(_("surcharge a month (%)"), **PERCENT)
    started_month_counts = models.BooleanField(
        _("a started month counts as a month"),
        default=True,
        help_text=_("The Act's counting of part-months was not found; this is a parameter."),
    )

    history = audited()

    class Meta(EffectiveDated.Meta):
        verbose_name = _("surcharge rule")
        verbose_name_plural = _("surcharge rules")
        constraints = [models.UniqueConstraint(fields=["valid_from"], name="surcharge_rule_once")]


class CollectionRule(EffectiveDated):
    """The working figures of collection that are SSO practice rather than rates, in force for
    a range of wage periods: how many months one voluntary (Section 39 or 40) payment may cover,
    and what the back office's cross-check of a statement flags (a person of this age or more
    in Section 33; a wage this many times the person's usual wage, the median of the months
    before, or that fraction of it)."""

    voluntary_max_months = models.PositiveSmallIntegerField(_("voluntary payment: months at once, at most"))
    over_age_years = models.PositiveSmallIntegerField(_("cross-check: Section 33 at this age or more"))
    wage_outlier_factor = models.DecimalField(
        _("cross-check: a wage this many times the usual one, or this fraction of it"), max_digits=6, decimal_places=2
    )
    wage_history_months = models.PositiveSmallIntegerField(_("cross-check: months read for the usual wage"))

    history = audited()

    class Meta(EffectiveDated.Meta):
        verbose_name = _("collection rule")
        verbose_name_plural = _("collection rules")
        constraints = [models.UniqueConstraint(fields=["valid_from"], name="collection_rule_once")]


# Statements ---------------------------------------------------------------------------


class Source(models.TextChoices):
    COUNTER = "counter", _("Keyed at the counter")
    FILE = "file", _("SSO 1-10 file")
    EXCEL = "excel", _("Excel form")
    API = "api", _("Employer system (API)")


class Statement(models.Model):
    """Form SSO 1-10: one employer branch's contributions for one wage month."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted, not paid")
        PAID = "paid", _("Paid")
        VOID = "void", _("Void")

    class Verification(models.TextChoices):
        PENDING = "pending", _("Waiting for the back office")
        CLEAR = "clear", _("Verified, nothing found")
        FINDINGS = "findings", _("Findings to resolve")
        RESOLVED = "resolved", _("Findings resolved")

    OFFICE_SCOPE = "office"

    office = models.ForeignKey("core.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("office"))
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, related_name="statements", verbose_name=_("employer")
    )
    branch = models.ForeignKey(
        "registry.Branch", on_delete=models.PROTECT, related_name="statements", verbose_name=_("branch")
    )
    period = models.DateField(_("wage period"), help_text=_("The first day of the wage month."))
    amends = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
        verbose_name=_("amends statement"),
    )
    source = models.CharField(_("entered as"), max_length=8, choices=Source.choices)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    # The payment date an SSO 1-10 file's header gives (DDMMYY, B.E.): kept as filed, and
    # written back when the statement is downloaded as a file.
    header_paid_on = models.DateField(_("payment date in the file's header"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACCEPTED)
    verification = models.CharField(
        _("verification"), max_length=8, choices=Verification.choices, default=Verification.PENDING
    )
    # The rule applied, copied so that a later change of the table never changes a filed statement.
    employee_rate = models.DecimalField(_("employee rate (%)"), **PERCENT)
    employer_rate = models.DecimalField(_("employer rate (%)"), **PERCENT)
    government_rate = models.DecimalField(_("government rate (%)"), **PERCENT)
    wage_floor = models.DecimalField(_("wage floor"), **MONEY)
    wage_ceiling = models.DecimalField(_("wage ceiling"), **MONEY)
    head_count = models.PositiveIntegerField(_("employees"))
    total_wages = models.DecimalField(_("total wages"), **MONEY)
    employee_total = models.DecimalField(_("employee share"), **MONEY)
    employer_total = models.DecimalField(_("employer share"), **MONEY)
    government_total = models.DecimalField(_("government share"), **MONEY)
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("received by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    history = audited(excluded_fields=["verified_at"])

    class Meta:
        ordering = ["-period", "employer_id", "branch_id"]
        verbose_name = _("contribution statement")
        verbose_name_plural = _("contribution statements")
        constraints = [
            # One original statement per branch and wage period; corrections are amendments.
            models.UniqueConstraint(
                fields=["branch", "period"],
                condition=Q(amends__isnull=True) & ~Q(status="void"),
                name="statement_one_per_branch_period",
            ),
        ]
        indexes = [
            models.Index(fields=["office", "period", "status"], name="statement_office_period"),
            models.Index(fields=["employer", "period"], name="statement_employer_period"),
            # The reports' daily roll-up of statements received (CollectionDay).
            models.Index(fields=["received_at"], name="statement_received"),
            models.Index(
                fields=["office", "verification"],
                condition=Q(verification="findings"),
                name="statement_findings_open",
            ),
        ]
        permissions = [
            ("verify_statement", _("Can verify contribution statements in the back office")),
            ("view_arrears", _("Can see the arrears list")),
        ]

    def __str__(self):
        return f"SSO 1-10 {self.employer.account_number}/{self.branch.number} {month_numeric(self.period)}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("contributions:statement_detail", args=[self.pk])

    @property
    def total(self):
        return self.employee_total + self.employer_total


class StatementLine(models.Model):
    """One employee on a statement: the wage and the shares computed from it."""

    OFFICE_SCOPE = "statement__office"

    # Both foreign keys are served by the indexes in Meta: no separate index of their own.
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines", db_index=False)
    line_number = models.PositiveIntegerField(_("line"))
    person = models.ForeignKey(
        "registry.InsuredPerson",
        on_delete=models.PROTECT,
        related_name="statement_lines",
        verbose_name=_("person"),
        db_index=False,
    )
    wage = models.DecimalField(_("wage"), **MONEY)
    contribution_wage = models.DecimalField(_("contribution wage"), **MONEY)
    employee_amount = models.DecimalField(_("employee share"), **MONEY)
    employer_amount = models.DecimalField(_("employer share"), **MONEY)

    class Meta:
        ordering = ["statement_id", "line_number"]
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        constraints = [
            models.UniqueConstraint(fields=["statement", "person"], name="statement_line_person_once"),
        ]
        indexes = [models.Index(fields=["person"], name="statement_line_person")]

    def __str__(self):
        return f"{self.statement_id}/{self.line_number}"


# Payments and receipts ----------------------------------------------------------------


class Payment(models.Model):
    """Money received: for a statement (Section 33) or a voluntary contribution (39 or 40)."""

    class Kind(models.TextChoices):
        STATEMENT = "statement", _("Contribution statement")
        SECTION39 = "section39", _("Section 39 contribution")
        SECTION40 = "section40", _("Section 40 contribution")

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        CHEQUE = "cheque", _("Cheque")
        CARD = "card", _("Card")
        TRANSFER = "transfer", _("Bank transfer")

    class Channel(models.TextChoices):
        COUNTER = "counter", _("Counter")
        BANK = "bank", _("Bank")
        POST = "post", _("Post office")
        INTERNET = "internet", _("Internet")

    class Status(models.TextChoices):
        POSTED = "posted", _("Posted")
        VOID = "void", _("Void")

    OFFICE_SCOPE = "office"

    office = models.ForeignKey("core.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("office"))
    kind = models.CharField(_("for"), max_length=10, choices=Kind.choices)
    statement = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.PROTECT, related_name="payments", verbose_name=_("statement")
    )
    person = models.ForeignKey(
        "registry.InsuredPerson",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="voluntary_payments",
        verbose_name=_("insured person"),
    )
    period_from = models.DateField(_("first wage period"))
    period_to = models.DateField(_("last wage period"))
    section40_option = models.PositiveSmallIntegerField(_("Section 40 option"), null=True, blank=True)
    method = models.CharField(_("paid by"), max_length=10, choices=Method.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.COUNTER)
    reference = models.CharField(_("cheque or transfer reference"), max_length=60, blank=True)
    contribution_amount = models.DecimalField(_("contributions"), **MONEY)
    surcharge_amount = models.DecimalField(_("late surcharge"), default=0, **MONEY)
    surcharge_months = models.PositiveSmallIntegerField(_("months late"), default=0)
    government_amount = models.DecimalField(_("government share"), default=0, **MONEY)
    amount = models.DecimalField(_("amount received"), **MONEY)
    paid_on = models.DateField(_("paid on"))
    posted_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("posted by")
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, null=True, blank=True, unique=True)
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default=Status.POSTED)
    # A counter payment dated other than the day it is posted: why, and the supervisor who
    # confirmed it on the officer's screen (four eyes).
    date_reason = models.CharField(
        _("reason for the payment date"), max_length=300, blank=True, default="", db_default=""
    )
    date_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("payment date confirmed by"),
    )

    history = audited()

    class Meta:
        ordering = ["-posted_at"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        permissions = [
            ("confirm_payment_date", _("Can confirm a counter payment dated other than today (four eyes)")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="statement", statement__isnull=False) | Q(~Q(kind="statement"), person__isnull=False),
                name="payment_has_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["office", "paid_on"], name="payment_office_day"),
            # The reports' daily roll-up of every office's payments (CollectionDay).
            models.Index(fields=["paid_on"], name="payment_day"),
            models.Index(fields=["person", "period_from"], name="payment_person_period"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


class ReceiptSeries(models.Model):
    """The last receipt number issued by an office in a year: the series has no gaps."""

    OFFICE_SCOPE = "office"

    office = models.ForeignKey("core.Office", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year (B.E.)"))
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="receipt_series_once")]

    def __str__(self):
        return f"{self.office_id}/{self.year}: {self.last_number}"


class Receipt(models.Model):
    """The receipt for one payment, numbered in an unbroken series per office and year.
    A void keeps its number and records who voided it and why."""

    OFFICE_SCOPE = "office"

    office = models.ForeignKey("core.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("office"))
    year = models.PositiveSmallIntegerField(_("year (B.E.)"))
    number = models.PositiveIntegerField(_("number"))
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField(_("reason for the void"), max_length=300, blank=True)

    history = audited()

    class Meta:
        ordering = ["-year", "-number"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [models.UniqueConstraint(fields=["office", "year", "number"], name="receipt_number_once")]
        permissions = [("void_receipt", _("Can void a receipt"))]

    def __str__(self):
        return self.display_number

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("contributions:receipt_detail", args=[self.pk])

    @property
    def display_number(self) -> str:
        return f"{self.office.code}-{self.year}-{self.number:07d}"


class ContributionMonth(models.Model):
    """One month of contributions paid for a person (by one employer, or voluntarily):
    what the benefit rules count. Written when the payment is posted."""

    OFFICE_SCOPE = "person__office"

    # Served by the (person, period) index and the unique (payment, person, period) constraint.
    person = models.ForeignKey(
        "registry.InsuredPerson", on_delete=models.CASCADE, related_name="contribution_months", db_index=False
    )
    period = models.DateField(_("wage period"))
    section = models.CharField(_("section"), max_length=2)
    employer = models.ForeignKey("registry.Employer", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    wage = models.DecimalField(_("contribution wage"), **MONEY)
    amount = models.DecimalField(_("person's contribution"), **MONEY)
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="months", db_index=False)

    class Meta:
        ordering = ["person_id", "-period"]
        verbose_name = _("contribution month")
        verbose_name_plural = _("contribution months")
        constraints = [
            models.UniqueConstraint(fields=["payment", "person", "period"], name="contribution_month_once"),
        ]
        # The eligibility count reads (person, period) only: an index-only scan.
        indexes = [models.Index(fields=["person", "period"], name="contribution_month_person")]

    def __str__(self):
        return f"{self.person_id} {month_numeric(self.period)} ({self.section})"


# Back office --------------------------------------------------------------------------


class Finding(models.Model):
    """Something the back office's cross-check found on an accepted statement, for a verifier."""

    class Kind(models.TextChoices):
        NOT_EMPLOYED = "not_employed", _("Not employed by this employer in the period")
        OTHER_BRANCH = "other_branch", _("Employed at another branch")
        WAGE_OUTLIER = "wage_outlier", _("Wage far from the person's history")
        OVER_AGE = "over_age", _("Over 60 in Section 33")
        DECEASED = "deceased", _("Person deceased before the period")
        DUPLICATE_PAYMENT = "duplicate_payment", _("Statement paid twice")
        ABOVE_CEILING = "above_ceiling", _("Paid by two employers above the ceiling")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted as filed")
        CORRECTED = "corrected", _("Corrected by an amending statement")
        REFERRED = "referred", _("Referred")

    OFFICE_SCOPE = "statement__office"

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="findings")
    line = models.ForeignKey(StatementLine, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        "registry.InsuredPerson", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("finding"), max_length=20, choices=Kind.choices)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution_note = models.TextField(_("note"), blank=True)

    history = audited()

    class Meta:
        ordering = ["found_at", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            # The cross-check may run twice (retries, acks late): it finds each thing once.
            models.UniqueConstraint(fields=["statement", "kind", "person"], nulls_distinct=False, name="finding_once"),
        ]
        indexes = [models.Index(fields=["status", "found_at"], name="finding_open")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.statement_id})"


class Reimbursement(models.Model):
    """Money to pay back: a statement paid twice, or an employee's share above the ceiling
    when two employers paid for the same month. The back office pays it in a batch."""

    class Kind(models.TextChoices):
        DUPLICATE_PAYMENT = "duplicate_payment", _("Statement paid twice")
        ABOVE_CEILING = "above_ceiling", _("Employee's share above the ceiling")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        IN_BATCH = "in_batch", _("With the bank")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Returned by the bank")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn: its payment was voided or now pays the statement")
        CANCELLED = "cancelled", _("Cancelled after the bank returned it")

    OFFICE_SCOPE = "office"

    office = models.ForeignKey("core.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("office"))
    kind = models.CharField(_("reason"), max_length=20, choices=Kind.choices)
    employer = models.ForeignKey("registry.Employer", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "registry.InsuredPerson", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="reimbursements")
    period = models.DateField(_("wage period"))
    amount = models.DecimalField(_("amount"), **MONEY)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    batch = models.ForeignKey(
        "ReimbursementBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="reimbursements"
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    # Where to pay (given at approval, or the person's open bank account): paid by bank batch
    # through sso.core.payouts, as benefits' orders are. No bank: a cheque, batch paid by hand.
    bank = models.ForeignKey(
        "registry.Bank", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("bank")
    )
    account_number = models.CharField(_("account number"), max_length=20, blank=True)
    account_name = models.CharField(_("account name"), max_length=200, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=60, null=True, blank=True, unique=True)
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True)

    history = audited()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reimbursement")
        verbose_name_plural = _("reimbursements")
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "kind", "person"], nulls_distinct=False, name="reimbursement_once"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


class ReimbursementBatch(models.Model):
    """A batch of approved reimbursements paid out together: the transfers to one bank, sent
    as the bank's file and confirmed by its confirmation (sso.core.payouts), or without a bank
    (cheques at the office) marked paid by hand."""

    class Status(models.TextChoices):
        OPEN = "open", _("Made, not sent")
        SENT = "sent", _("Sent to the bank")
        CONFIRMED = "confirmed", _("Confirmed by the bank")

    OFFICE_SCOPE = "office"

    office = models.ForeignKey("core.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("office"))
    bank = models.ForeignKey(
        "registry.Bank", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("bank")
    )
    pay_on = models.DateField(_("pay on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(_("total"), **MONEY)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reimbursement batch")
        verbose_name_plural = _("reimbursement batches")

    def __str__(self):
        return f"{self.office_id} {self.created_at:%Y-%m-%d} {self.total}"


# Reports' summaries -------------------------------------------------------------------


class CollectionDay(models.Model):
    """One office's day of collection for the reports: the payments posted through one
    channel (`measure` "payment", `key` the channel, by `paid_on`, void ones left out) or the
    statements received from one source (`measure` "statement", `key` the source, by the day
    received, void ones left out), with their count and amount.

    Derived data, not audited: `services.collection_summary_roll` rebuilds a day's rows from
    `Payment` and `Statement` idempotently (delete and insert in one transaction), so a late
    correction (a receipt voided, a bank's payment posted for an earlier day) is one re-roll
    of that day away. The back office's report reads these rows, not a year of payments."""

    class Measure(models.TextChoices):
        PAYMENT = "payment", _("Payments by channel")
        STATEMENT = "statement", _("Statements by source")

    OFFICE_SCOPE = "office"

    day = models.DateField(_("day"))
    office = models.ForeignKey("core.Office", on_delete=models.CASCADE, related_name="+", verbose_name=_("office"))
    measure = models.CharField(_("measure"), max_length=10, choices=Measure.choices)
    key = models.CharField(_("channel or source"), max_length=10)
    count = models.PositiveIntegerField(_("count"))
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["day", "office_id", "measure", "key"]
        verbose_name = _("collection day")
        verbose_name_plural = _("collection days")
        constraints = [
            models.UniqueConstraint(fields=["office", "day", "measure", "key"], name="collection_day_once"),
        ]
        indexes = [models.Index(fields=["day"], name="collection_day_day")]

    def __str__(self):
        return f"{self.office_id} {self.day} {self.measure} {self.key}: {self.count}"


class CollectionRoll(models.Model):
    """A day whose `CollectionDay` rows were rolled for every office, and when: a report
    rolls the days of its range never rolled, and today again when its roll is over a minute
    old. Derived data, like the rows it marks."""

    OFFICE_SCOPE = None

    day = models.DateField(_("day"), unique=True)
    rolled_at = models.DateTimeField(_("rolled at"))

    class Meta:
        ordering = ["day"]
        verbose_name = _("collection summary roll")
        verbose_name_plural = _("collection summary rolls")

    def __str__(self):
        return f"{self.day} ({self.rolled_at:%H:%M})"


class ArrearsNotice(models.Model):
    """A letter to an employer in arrears (issue 15, part 2): the months due and what they came
    to on the day it was issued, as printed, and when and how it was sent."""

    class Channel(models.TextChoices):
        REGISTERED_POST = "registered", _("Registered post with return receipt")
        HAND = "hand", _("Handed over")
        EMAIL = "email", _("E-mail")

    OFFICE_SCOPE = "office"

    office = models.ForeignKey("core.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("office"))
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, related_name="+", verbose_name=_("employer")
    )
    as_of = models.DateField(_("amounts as of"))
    period_first = models.DateField(_("oldest month due"))
    period_last = models.DateField(_("latest month due"))
    # The months as printed: [{"branch": "000000", "period": "2026-10-01", "contributions":
    # "1234.00", "surcharge": "24.68", "estimated": true}, ...], oldest first.
    months = models.JSONField(_("months due"))
    contributions = models.DecimalField(_("contributions due"), **MONEY)
    surcharge = models.DecimalField(_("surcharge to date"), **MONEY)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    sent_via = models.CharField(_("sent by"), max_length=10, choices=Channel.choices, blank=True)
    sent_reference = models.CharField(_("post or message reference"), max_length=60, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sending recorded by"),
    )

    history = audited()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("arrears notice")
        verbose_name_plural = _("arrears notices")
        indexes = [models.Index(fields=["employer", "-id"], name="arrears_notice_employer")]

    def __str__(self):
        return f"{self.reference} {self.employer_id}"

    @property
    def reference(self) -> str:
        return f"{self.office_id}/{self.pk}"

    @property
    def total(self):
        return self.contributions + self.surcharge
