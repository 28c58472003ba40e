"""The medical processes' records (issue 20, part 4), imported by `benefits.models`:

- the receipts of a claim for medical expenses reimbursed to the insured person (emergency
  care at a hospital other than the registered one), whose limits are `BenefitParameter`
  rows (`medical.*`) and whose claim is paid like every claim;
- a hospital's request for payment of high-cost care (its cases checked against the
  registry and the dated tariff `highcost.*`), approved in two steps by two officers and paid
  to the hospital's account by bank batch (`sso.core.payouts`, as claims' orders are).

Docs: docs/benefits.md ("Medical expenses" and "High-cost care").
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sso.core.models import audited

MONEY = {"max_digits": 14, "decimal_places": 2}


class Patient(models.TextChoices):
    OUT = "out", _("Out-patient")
    IN = "in", _("In-patient")


class HospitalKind(models.TextChoices):
    PUBLIC = "public", _("Public hospital")
    PRIVATE = "private", _("Private hospital")


class MedicalReceipt(models.Model):
    """One hospital receipt of a medical-expenses claim, with its amounts per item as paid
    and as allowed by the limits in force on its treatment date."""

    OFFICE_SCOPE = "claim__office"

    claim = models.ForeignKey(
        "benefits.Claim", on_delete=models.PROTECT, related_name="medical_receipts", verbose_name=_("claim")
    )
    hospital = models.ForeignKey(
        "registry.Hospital", on_delete=models.PROTECT, related_name="+", verbose_name=_("hospital")
    )
    hospital_kind = models.CharField(_("hospital kind"), max_length=10, choices=HospitalKind.choices)
    number = models.CharField(_("receipt number"), max_length=40)
    patient = models.CharField(_("patient"), max_length=3, choices=Patient.choices)
    treated_on = models.DateField(_("treated or admitted on"))
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    care = models.DecimalField(_("medical care"), default=0, **MONEY)
    room = models.DecimalField(_("room and food"), default=0, **MONEY)
    icu = models.DecimalField(_("intensive care (ICU)"), default=0, **MONEY)
    icu_days = models.PositiveSmallIntegerField(_("days in ICU"), default=0)
    surgery = models.DecimalField(_("surgery"), default=0, **MONEY)
    surgery_minutes = models.PositiveSmallIntegerField(_("minutes of surgery"), default=0)
    total = models.DecimalField(_("paid"), **MONEY)
    allowed = models.DecimalField(_("allowed"), null=True, blank=True, **MONEY)

    history = audited()

    class Meta:
        ordering = ["claim", "treated_on", "id"]
        verbose_name = _("medical receipt")
        verbose_name_plural = _("medical receipts")
        constraints = [
            # A receipt is reimbursed once: the same number of the same hospital is refused.
            models.UniqueConstraint(fields=["hospital", "number"], name="medical_receipt_once"),
        ]

    def __str__(self):
        return f"{self.hospital_id} {self.number}"


class HospitalBatch(models.Model):
    """The approved high-cost requests paid to hospitals' accounts at one bank on one day,
    sent as one file and confirmed by the bank (the layout of claims' batches)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Made, not sent")
        SENT = "sent", _("Sent to the bank")
        CONFIRMED = "confirmed", _("Confirmed by the bank")

    OFFICE_SCOPE = "office"

    office = models.ForeignKey("core.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("office"))
    bank = models.ForeignKey("registry.Bank", on_delete=models.PROTECT, related_name="+", verbose_name=_("bank"))
    pay_on = models.DateField(_("pay on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    total = models.DecimalField(_("total"), default=0, **MONEY)
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = audited()

    class Meta:
        ordering = ["-pay_on", "-id"]
        verbose_name = _("hospital payment batch")
        verbose_name_plural = _("hospital payment batches")

    def __str__(self):
        return f"{self.bank_id} {self.pay_on}"


class HospitalRequest(models.Model):
    """A hospital's request for payment of the high-cost care of its registered insured
    persons in one month: checked case by case, approved in two steps by two officers, and
    paid to the hospital's account (a payout: `sso.core.payouts`)."""

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded, to check")
        CHECKED = "checked", _("Checked, to approve")
        APPROVED = "approved", _("Approved, to pay")
        REJECTED = "rejected", _("Rejected")
        IN_BATCH = "in_batch", _("With the bank")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Returned by the bank")

    OFFICE_SCOPE = "office"

    office = models.ForeignKey("core.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("office"))
    hospital = models.ForeignKey(
        "registry.Hospital", on_delete=models.PROTECT, related_name="+", verbose_name=_("hospital")
    )
    reference = models.CharField(_("hospital's reference"), max_length=40)
    period = models.DateField(_("month of care"))
    amount = models.DecimalField(_("amount to pay"), default=0, **MONEY)
    asked = models.DecimalField(_("amount asked"), default=0, **MONEY)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECORDED)
    bank = models.ForeignKey("registry.Bank", on_delete=models.PROTECT, related_name="+", verbose_name=_("bank"))
    account_number = models.CharField(_("account number"), max_length=20)
    account_name = models.CharField(_("account name"), max_length=200)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    note = models.TextField(_("note"), blank=True)
    batch = models.ForeignKey(HospitalBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="requests")
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=60, null=True, blank=True, unique=True)
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True)

    history = audited()

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("hospital payment request")
        verbose_name_plural = _("hospital payment requests")
        constraints = [
            models.UniqueConstraint(fields=["hospital", "reference"], name="hospital_request_once"),
        ]
        permissions = [
            ("check_hospitalrequest", _("Can check hospitals' high-cost requests (first step)")),
            ("approve_hospitalrequest", _("Can approve hospitals' high-cost requests (second step)")),
        ]

    def __str__(self):
        return f"{self.hospital_id} {self.reference}"


class HospitalCase(models.Model):
    """One patient's high-cost treatment in a hospital's request, with what the tariff in
    force on its date allows and the check's working."""

    OFFICE_SCOPE = "request__office"

    request = models.ForeignKey(HospitalRequest, on_delete=models.CASCADE, related_name="cases")
    person = models.ForeignKey(
        "registry.InsuredPerson", on_delete=models.PROTECT, related_name="+", verbose_name=_("insured person")
    )
    treated_on = models.DateField(_("treated on"))
    treatment = models.CharField(_("treatment"), max_length=40)
    # Sessions (dialysis), or the adjusted relative weight of the admission (DRG).
    units = models.DecimalField(_("units"), max_digits=8, decimal_places=4, default=1)
    asked = models.DecimalField(_("amount asked"), **MONEY)
    allowed = models.DecimalField(_("amount allowed"), **MONEY)
    working = models.JSONField(_("working"), default=list, blank=True)

    history = audited()

    class Meta:
        ordering = ["request", "id"]
        verbose_name = _("high-cost case")
        verbose_name_plural = _("high-cost cases")

    def __str__(self):
        return f"{self.person_id} {self.treatment} {self.treated_on}"
