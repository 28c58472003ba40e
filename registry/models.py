"""Employers, branches, insured persons, employment spells, dependants and the reference
data they point at (hospitals, banks).

Everything that changes over time and matters to a benefit or a contribution is kept as a
dated history (section, hospital, bank account, employment), never overwritten, so a claim
is judged on what was true on the day it concerns.

Over 500 lines: Django keeps an app's models in one module, and these are the registry's
fourteen; each is short and documented.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sso.core.models import BilingualName, audited

DIGITS_10 = r"^\d{10}$"


class Hospital(BilingualName):
    """A hospital insured persons can register with (reference data, the same for every office)."""

    OFFICE_SCOPE = None

    code = models.CharField(_("code"), max_length=10, unique=True)
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, verbose_name=_("province"))
    is_active = models.BooleanField(_("accepts registrations"), default=True)

    history = audited()

    class Meta:
        ordering = ["code"]
        verbose_name = _("hospital")
        verbose_name_plural = _("hospitals")


class Bank(BilingualName):
    """A bank benefits are paid into, by its 3-digit Bank of Thailand code."""

    OFFICE_SCOPE = None

    code = models.CharField(_("bank code"), max_length=3, unique=True)
    account_digits = models.PositiveSmallIntegerField(_("account number length"), default=10)

    class Meta:
        ordering = ["code"]
        verbose_name = _("bank")
        verbose_name_plural = _("banks")


class RegistrationRule(models.Model):
    """The registration deadlines and Section 39/40 conditions in force over a period."""

    OFFICE_SCOPE = None

    valid_from = models.DateField(_("valid from"), unique=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    employee_registration_days = models.PositiveSmallIntegerField(
        _("days to register a new employee (SSO 1-03)"), default=30
    )
    leaver_notice_day = models.PositiveSmallIntegerField(
        _("leaving notice due by this day of the next month (SSO 6-09)"), default=15
    )
    s39_min_s33_months = models.PositiveSmallIntegerField(_("Section 39: Section 33 months needed"), default=12)
    s39_apply_within_months = models.PositiveSmallIntegerField(
        _("Section 39: months after leaving to apply"), default=6
    )
    s40_min_age = models.PositiveSmallIntegerField(_("Section 40: minimum age"), default=15)
    s40_max_age = models.PositiveSmallIntegerField(_("Section 40: maximum age"), default=65)

    history = audited()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("registration rule")
        verbose_name_plural = _("registration rules")

    def __str__(self):
        return f"{self.valid_from} - {self.valid_to or ''}"


class Employer(BilingualName):
    """An employer registered with the SSO (form SSO 1-01), by its 10-digit account number."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CEASED = "ceased", _("Ceased")

    OFFICE_SCOPE = "responsible_office"

    account_number = models.CharField(_("employer account number"), max_length=10, unique=True)
    tax_id = models.CharField(_("tax ID"), max_length=13, db_index=True)
    business_type = models.CharField(_("business type"), max_length=120, blank=True)
    address = models.TextField(_("address"), blank=True)
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, verbose_name=_("province"))
    responsible_office = models.ForeignKey(
        "core.Office", on_delete=models.PROTECT, related_name="employers", verbose_name=_("responsible office")
    )
    registered_on = models.DateField(_("registered on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    ceased_on = models.DateField(_("ceased on"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    # Kept by the database: the text the name search matches against.
    search_name = models.GeneratedField(
        expression=Lower(models.functions.Concat("name_th", models.Value(" "), "name_en")),
        output_field=models.TextField(),
        db_persist=True,
    )

    history = audited(excluded_fields=["search_name"])

    class Meta:
        ordering = ["account_number"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        constraints = [
            models.CheckConstraint(condition=Q(account_number__regex=DIGITS_10), name="employer_account_10_digits"),
            models.CheckConstraint(
                condition=Q(status="active", ceased_on__isnull=True) | Q(status="ceased", ceased_on__isnull=False),
                name="employer_ceased_has_date",
            ),
        ]
        # Name search (trigram GIN) indexes are made in migration 0002 where pg_trgm exists.
        indexes = [models.Index(fields=["responsible_office", "status"], name="employer_office_status")]

    def __str__(self):
        return f"{self.account_number} {self.name}"

    def get_absolute_url(self):
        return reverse("registry:employer", args=[self.pk])


class Branch(models.Model):
    """A workplace of an employer; `000000` is the head office."""

    HEAD_OFFICE = "000000"
    OFFICE_SCOPE = "employer__responsible_office"

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="branches")
    number = models.CharField(_("branch number"), max_length=6)
    name = models.CharField(_("branch name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, verbose_name=_("province"))
    is_active = models.BooleanField(_("active"), default=True)

    history = audited()

    class Meta:
        ordering = ["employer", "number"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        constraints = [
            models.UniqueConstraint(fields=["employer", "number"], name="branch_number_unique_per_employer"),
            models.CheckConstraint(condition=Q(number__regex=r"^\d{6}$"), name="branch_number_6_digits"),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"


class Section(models.TextChoices):
    """The part of the Social Security Act a person is insured under."""

    S33 = "33", _("Section 33 (employee)")
    S39 = "39", _("Section 39 (formerly employed, voluntary)")
    S40 = "40", _("Section 40 (informal worker)")


class InsuredPerson(models.Model):
    """A person insured with the SSO, by national ID (or a foreign worker's documented ID)."""

    class IdType(models.TextChoices):
        # A Thai citizen's 13-digit PIN, whose check digit must hold.
        PIN = "pin", _("Thai national ID")
        # Foreign workers: the 13-digit number on their pink card or one the SSO issued. Such
        # numbers may start with 0 or 9 and need not carry a valid check digit, so only the
        # 13 digits are checked (see docs/registry.md).
        FOREIGN = "foreign", _("Foreign worker ID")

    class Title(models.TextChoices):
        # Codes are those of the SSO 1-10 file (003 Mr, 004 Miss, 005 Mrs).
        MR = "003", _("Mr")
        MISS = "004", _("Miss")
        MRS = "005", _("Mrs")

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Insured")
        CEASED = "ceased", _("Insurance ended")
        DECEASED = "deceased", _("Deceased")
        MERGED = "merged", _("Merged into another record")

    # What a person's record says of them, as typed at the counter (forms SSO 1-03, 1-20,
    # Section 40, corrections), in the bulk file and in the API: the one list of them.
    PERSONAL_FIELDS = (
        "title",
        "first_name_th",
        "last_name_th",
        "first_name_en",
        "last_name_en",
        "birth_date",
        "sex",
        "nationality",
        "address",
        "province",
        "phone",
    )
    # Who the person is (a merge compares these): the ID, the name, birth, sex and nationality.
    IDENTITY_FIELDS = ("national_id", "id_type", *PERSONAL_FIELDS[:8], "status", "office")

    # National (see sso/core/scoping.py): any office finds, reads and serves a person; the
    # office that keeps their file is only their home.
    OFFICE_SCOPE = None
    HOME_OFFICE = "office"

    id_type = models.CharField(_("ID type"), max_length=8, choices=IdType.choices, default=IdType.PIN)
    national_id = models.CharField(_("national ID"), max_length=13, unique=True)
    title = models.CharField(_("title"), max_length=3, choices=Title.choices)
    first_name_th = models.CharField(_("first name (Thai)"), max_length=100)
    last_name_th = models.CharField(_("surname (Thai)"), max_length=100)
    first_name_en = models.CharField(_("first name (English)"), max_length=100, blank=True)
    last_name_en = models.CharField(_("surname (English)"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    nationality = models.CharField(_("nationality"), max_length=3, default="THA", help_text=_("ISO 3166 code"))
    address = models.TextField(_("address"), blank=True)
    province = models.ForeignKey(
        "core.Province", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("province")
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # The office that keeps this person's file: the current employer's office, or where a
    # Section 39/40 person registered.
    office = models.ForeignKey(
        "core.Office", on_delete=models.PROTECT, related_name="insured_persons", verbose_name=_("office")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    died_on = models.DateField(_("died on"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("merged into")
    )
    registered_on = models.DateField(_("registered on"))
    # Kept by the database: the text the name search matches against.
    search_name = models.GeneratedField(
        expression=Lower(
            models.functions.Concat(
                "first_name_th",
                models.Value(" "),
                "last_name_th",
                models.Value(" "),
                "first_name_en",
                models.Value(" "),
                "last_name_en",
            )
        ),
        output_field=models.TextField(),
        db_persist=True,
    )

    history = audited(excluded_fields=["search_name"])

    class Meta:
        ordering = ["national_id"]
        verbose_name = _("insured person")
        verbose_name_plural = _("insured persons")
        permissions = [("merge_insuredperson", _("Can merge duplicate insured person records"))]
        constraints = [
            models.CheckConstraint(condition=Q(national_id__regex=r"^\d{13}$"), name="person_national_id_13_digits"),
            models.CheckConstraint(
                condition=~Q(status="deceased") | Q(died_on__isnull=False), name="person_deceased_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False), name="person_merged_has_target"
            ),
        ]
        indexes = [
            models.Index(fields=["office", "status"], name="person_office_status"),
            models.Index(fields=["birth_date", "last_name_th"], name="person_birth_surname"),
        ]

    def __str__(self):
        return f"{self.national_id} {self.full_name}"

    def get_absolute_url(self):
        return reverse("registry:person", args=[self.pk])

    @property
    def full_name_th(self) -> str:
        return f"{self.get_title_display()} {self.first_name_th} {self.last_name_th}".strip()

    @property
    def full_name_en(self) -> str:
        return f"{self.first_name_en} {self.last_name_en}".strip()

    @property
    def full_name(self) -> str:
        if (get_language() or "th").startswith("en") and self.full_name_en:
            return self.full_name_en
        return f"{self.first_name_th} {self.last_name_th}"

    @property
    def national_id_display(self) -> str:
        n = self.national_id
        return f"{n[0]}-{n[1:5]}-{n[5:10]}-{n[10:12]}-{n[12]}"


class Dated(models.Model):
    """A row of a history: true from `valid_from` to `valid_to` (inclusive; open if null)."""

    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        abstract = True

    def covers(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class SectionSpell(Dated):
    """The section a person was insured under over a period (Section 40 with its option)."""

    OFFICE_SCOPE = None  # a person's history is national, as the person is
    HOME_OFFICE = "person__office"

    person = models.ForeignKey(InsuredPerson, on_delete=models.CASCADE, related_name="section_spells")
    section = models.CharField(_("section"), max_length=2, choices=Section.choices)
    s40_option = models.PositiveSmallIntegerField(
        _("Section 40 option"), null=True, blank=True, choices=[(1, "1"), (2, "2"), (3, "3")]
    )

    history = audited()

    class Meta:
        ordering = ["person", "valid_from"]
        verbose_name = _("section spell")
        verbose_name_plural = _("section history")
        constraints = [
            models.CheckConstraint(
                condition=Q(section="40", s40_option__isnull=False) | (~Q(section="40") & Q(s40_option__isnull=True)),
                name="sectionspell_option_only_for_40",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="sectionspell_period_in_order",
            ),
            models.UniqueConstraint(
                fields=["person"], condition=Q(valid_to__isnull=True), name="sectionspell_one_open_per_person"
            ),
        ]

    def __str__(self):
        option = f"/{self.s40_option}" if self.s40_option else ""
        return f"{self.section}{option} {self.valid_from} - {self.valid_to or ''}"


class HospitalRegistration(Dated):
    """The hospital a person was registered with over a period (changed with form SSO 9-02)."""

    OFFICE_SCOPE = None  # a person's history is national, as the person is
    HOME_OFFICE = "person__office"

    person = models.ForeignKey(InsuredPerson, on_delete=models.CASCADE, related_name="hospital_registrations")
    hospital = models.ForeignKey(Hospital, on_delete=models.PROTECT, related_name="+", verbose_name=_("hospital"))

    history = audited()

    class Meta:
        ordering = ["person", "valid_from"]
        verbose_name = _("hospital registration")
        verbose_name_plural = _("hospital registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(valid_to__isnull=True), name="hospitalregistration_one_open"
            ),
        ]

    def __str__(self):
        return f"{self.hospital_id} {self.valid_from} - {self.valid_to or ''}"


class BankAccount(Dated):
    """The bank account a person's cash benefits were paid into over a period."""

    OFFICE_SCOPE = None  # a person's history is national, as the person is
    HOME_OFFICE = "person__office"

    person = models.ForeignKey(InsuredPerson, on_delete=models.CASCADE, related_name="bank_accounts")
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="+", verbose_name=_("bank"))
    account_number = models.CharField(_("account number"), max_length=20)
    account_name = models.CharField(_("account name"), max_length=200)

    history = audited()

    class Meta:
        ordering = ["person", "valid_from"]
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(valid_to__isnull=True), name="bankaccount_one_open"),
        ]

    def __str__(self):
        return f"{self.bank_id} {self.account_number}"


class Employment(models.Model):
    """A spell of work of one insured person for one employer (SSO 1-03 in, SSO 6-09 out)."""

    class LeavingReason(models.TextChoices):
        RESIGNED = "resigned", _("Resigned")
        LAID_OFF = "laid_off", _("Laid off")
        CONTRACT_ENDED = "contract_ended", _("Contract ended")
        RETIRED = "retired", _("Retired")
        DIED = "died", _("Died")
        OTHER = "other", _("Other")

    OFFICE_SCOPE = "employer__responsible_office"

    person = models.ForeignKey(InsuredPerson, on_delete=models.PROTECT, related_name="employments")
    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="employments", verbose_name=_("employer")
    )
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="employments", verbose_name=_("branch"))
    started_on = models.DateField(_("hired on"))
    ended_on = models.DateField(_("left on"), null=True, blank=True)
    leaving_reason = models.CharField(_("reason for leaving"), max_length=16, choices=LeavingReason.choices, blank=True)
    monthly_wage = models.DecimalField(_("monthly wage"), max_digits=14, decimal_places=2, null=True, blank=True)
    # SSO 1-03 is due within 30 days of hiring; a later one is accepted and flagged.
    registered_on = models.DateField(_("registration filed on"))
    late_registration = models.BooleanField(_("registered late"), default=False)
    leaving_notified_on = models.DateField(_("leaving notified on (SSO 6-09)"), null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["person", "-started_on"]
        verbose_name = _("employment")
        verbose_name_plural = _("employment")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="employment_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, leaving_reason="")
                | Q(ended_on__isnull=False) & ~Q(leaving_reason=""),
                name="employment_end_has_reason",
            ),
            models.UniqueConstraint(
                fields=["person", "employer"],
                condition=Q(ended_on__isnull=True),
                name="employment_one_open_per_employer",
            ),
        ]
        indexes = [models.Index(fields=["employer", "ended_on"], name="employment_employer_open")]

    def __str__(self):
        return f"{self.person_id} @ {self.employer_id} {self.started_on} - {self.ended_on or ''}"


class Dependant(models.Model):
    """A child or spouse of an insured person, for child allowance and survivor benefits."""

    class Kind(models.TextChoices):
        CHILD = "child", _("Child")
        SPOUSE = "spouse", _("Spouse")

    OFFICE_SCOPE = None  # a person's history is national, as the person is
    HOME_OFFICE = "person__office"

    person = models.ForeignKey(InsuredPerson, on_delete=models.CASCADE, related_name="dependants")
    kind = models.CharField(_("relation"), max_length=8, choices=Kind.choices)
    national_id = models.CharField(_("national ID"), max_length=13, blank=True)
    birth_certificate_id = models.CharField(_("birth certificate number"), max_length=30, blank=True)
    first_name_th = models.CharField(_("first name (Thai)"), max_length=100)
    last_name_th = models.CharField(_("surname (Thai)"), max_length=100)
    birth_date = models.DateField(_("birth date"))
    died_on = models.DateField(_("died on"), null=True, blank=True)
    # A spouse counts for survivor benefits only while married.
    valid_to = models.DateField(_("relation ended on"), null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["person", "kind", "birth_date"]
        verbose_name = _("dependant")
        verbose_name_plural = _("dependants")

    def __str__(self):
        return f"{self.first_name_th} {self.last_name_th}"


class BulkUpload(models.Model):
    """A file of employee registrations (SSO 1-03) uploaded by an employer or an officer, and its outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Checking")
        REJECTED = "rejected", _("Rejected: errors found, nothing stored")
        DONE = "done", _("Stored")
        FAILED = "failed", _("Failed")

    OFFICE_SCOPE = "office"

    office = models.ForeignKey("core.Office", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    employer = models.ForeignKey(
        Employer, null=True, on_delete=models.PROTECT, related_name="bulk_uploads", verbose_name=_("employer")
    )
    # The uploader's language: a background check writes its line errors in it.
    language = models.CharField(max_length=10, default="th")
    file_name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField()
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    stored_count = models.PositiveIntegerField(_("persons registered"), default=0)
    # [{"line": 7, "field": "national_id", "message": "..."}], in the uploader's language.
    errors = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("bulk registration upload")
        verbose_name_plural = _("bulk registration uploads")

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"


class PersonMerge(models.Model):
    """One merge of a duplicate record into the record kept: exactly what moved (ids per kind
    of record), who asked, who confirmed and why, and its undoing (see registry/merging.py)."""

    OFFICE_SCOPE = "kept__office"

    kept = models.ForeignKey(InsuredPerson, on_delete=models.PROTECT, related_name="+", verbose_name=_("record kept"))
    merged = models.ForeignKey(
        InsuredPerson, on_delete=models.PROTECT, related_name="+", verbose_name=_("record merged")
    )
    # The two records' status before the merge, restored by an unmerge.
    merged_status = models.CharField(max_length=10, choices=InsuredPerson.Status.choices)
    kept_status = models.CharField(max_length=10, choices=InsuredPerson.Status.choices)
    # {"app_label.Model.field": [ids]}: the rows that moved to the record kept.
    moved = models.JSONField(default=dict, blank=True)
    # {"app_label.Model.field": [ids]}: the duplicate's open history rows the merge closed.
    closed = models.JSONField(default=dict, blank=True)
    # {"app_label.Model.field": last id}: rows added to the record kept later block an unmerge.
    watermarks = models.JSONField(default=dict, blank=True)
    # [[field, kept value, merged value, plainly different]] as shown when the merge was confirmed.
    differences = models.JSONField(default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("merged by")
    )
    merged_at = models.DateTimeField(_("merged at"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("undone by"),
    )
    undo_reason = models.TextField(_("reason for undoing"), blank=True)

    history = audited()

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = _("merge of records")
        verbose_name_plural = _("merges of records")
        permissions = [
            ("confirm_merge", _("Can confirm a merge of records that differ (four eyes)")),
            ("unmerge_insuredperson", _("Can undo a merge of insured person records")),
        ]
        constraints = [
            # A record is merged away at most once at a time.
            models.UniqueConstraint(fields=["merged"], condition=Q(undone_at__isnull=True), name="personmerge_once"),
        ]

    def __str__(self):
        return f"{self.merged_id} -> {self.kept_id} ({self.merged_at:%Y-%m-%d})"


class PersonReadLog(models.Model):
    """An officer read the record of a person another office keeps: who, whom, from which
    office, on which day and when first. One row per
    officer, person and day, written with one statement that does nothing when it exists."""

    # The reader's office and the person's both see the row: a supervisor watches their
    # staff's reads and the reads of their office's persons.
    OFFICE_SCOPE = ("reader_office", "person_office")

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("read by")
    )
    # None for an account of no office (a superuser): every office's read is logged.
    reader_office = models.ForeignKey(
        "core.Office", null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("reader's office")
    )
    person = models.ForeignKey(
        InsuredPerson, on_delete=models.CASCADE, related_name="+", verbose_name=_("insured person")
    )
    # The person's office when read (their home may move later).
    person_office = models.ForeignKey(
        "core.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("person's office")
    )
    day = models.DateField(_("day"))
    first_read_at = models.DateTimeField(_("first read at"))

    class Via(models.TextChoices):
        PAGE = "page", _("Person page")
        API = "api", _("API")
        LOOKUP = "lookup", _("Counter lookup")
        CLAIM = "claim", _("Claim form")
        PAYMENT = "payment", _("Voluntary payment")

    # Where it was first read that day.
    via = models.CharField(_("read through"), max_length=20, choices=Via.choices)

    class Meta:
        ordering = ["-first_read_at"]
        verbose_name = _("read of another office's person")
        verbose_name_plural = _("reads of other offices' persons")
        constraints = [
            models.UniqueConstraint(fields=["reader", "person", "day"], name="personreadlog_once_a_day"),
        ]
        indexes = [
            models.Index(fields=["reader_office", "-first_read_at"], name="personreadlog_reader_office"),
            models.Index(fields=["person_office", "-first_read_at"], name="personreadlog_person_office"),
        ]

    def __str__(self):
        return f"{self.reader_id} -> {self.person_id} {self.day}"
