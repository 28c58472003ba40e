from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords


class AuditedHistory(models.Model):
    """Extra columns on every history row: the office the change was made from."""

    history_office = models.ForeignKey(
        "core.Office",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        verbose_name=_("office"),
    )

    class Meta:
        abstract = True


class _HistoryDescriptorOnce(HistoryDescriptor):
    """simple_history's `record.history` builds a new manager class (`from_queryset`) on every
    access, and every audited save reads it: about half a millisecond each, four times in a
    statement-plus-payment. The class depends only on the descriptor, so build it once."""

    def __get__(self, instance, owner):
        manager_class = self.__dict__.get("_manager_class")
        if manager_class is None:
            manager_class = self._manager_class = self.manager_class.from_queryset(self.queryset_class)
        return manager_class(self.model, instance)


class AuditedRecords(HistoricalRecords):
    """HistoricalRecords whose `history` descriptor builds its manager class once."""

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if type(descriptor) is HistoryDescriptor:
            setattr(
                sender,
                self.manager_name,
                _HistoryDescriptorOnce(
                    descriptor.model, manager=descriptor.manager_class, queryset=descriptor.queryset_class
                ),
            )


def audited(**kwargs) -> HistoricalRecords:
    """The history manager every business record uses (who, when, which office, what changed)."""
    return AuditedRecords(bases=[AuditedHistory], **kwargs)


class BilingualName(models.Model):
    """Records named in Thai and English; `name` follows the active language."""

    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "th").startswith("en") else self.name_th


class Province(BilingualName):
    """One of Thailand's 77 provinces (code from TIS 1099, e.g. 10 = Bangkok)."""

    code = models.CharField(_("code"), max_length=2, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class Office(BilingualName):
    """One SSO office where staff work and walk-in customers are served."""

    class Kind(models.TextChoices):
        HEAD = "head", _("Head office")
        AREA = "area", _("Area office")
        PROVINCIAL = "provincial", _("Provincial office")

    # Office-scoped querysets filter on this path to the office (see sso.core.scoping).
    OFFICE_SCOPE = "pk"

    code = models.CharField(_("code"), max_length=10, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, verbose_name=_("province"))
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # One line shown on the office's public screens (the waiting-room board), set by its supervisor.
    public_notice = models.CharField(_("announcement on the public screens"), max_length=200, blank=True)

    history = audited()

    class Meta:
        ordering = ["code"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        permissions = [
            ("view_all_offices", _("Can see the data of every office")),
            ("view_audit_history", _("Can see the change history of records")),
            ("view_reports", _("Can see the service-time and back-office reports")),
            ("set_public_notice", _("Can set the announcement line of the office's public screens")),
        ]


class User(AbstractUser):
    """A member of staff; each belongs to one office and holds roles (groups)."""

    OFFICE_SCOPE = "office"

    office = models.ForeignKey(
        Office,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("office"),
    )

    # Role (group) changes are recorded too: who gave whom which rights is part of the audit.
    history = audited(excluded_fields=["password", "last_login"], m2m_fields=["groups"])

    class Meta:
        ordering = ["username"]
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")

    @property
    def role_codes(self) -> list[str]:
        return sorted(group.name for group in self.groups.all())


class ApiTokenInfo(models.Model):
    """An API token's lifetime and use: when it expires, whether a registered system client
    holds it, and when it was last used (written at most once a minute)."""

    OFFICE_SCOPE = "token__user__office"

    # Its own id: the token's key (authtoken's primary key) must not show in admin URLs.
    token = models.OneToOneField(
        "authtoken.Token", on_delete=models.CASCADE, related_name="info", verbose_name=_("token")
    )
    system_client = models.BooleanField(
        _("system client"),
        default=False,
        help_text=_("A registered system (a kiosk, a bank): its token lasts days, not hours."),
    )
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-expires_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.token.user} #{self.pk}"


class EvidenceReport(models.Model):
    """One kept edition of an office's monthly evidence report (office None: the national
    edition): the PDF as it was generated, never changed. Generating a month again adds a
    version; the earlier ones stay, since inspectors may have seen them."""

    OFFICE_SCOPE = "office"

    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("office")
    )
    month = models.DateField(_("month"))  # its first day
    version = models.PositiveSmallIntegerField(_("version"))
    generated_at = models.DateTimeField(_("generated"))
    generated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("generated by")
    )  # None: the beat on the 1st of the month
    pdf = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    # Who generated which edition is audited; the PDF bytes stay out of the history rows.
    history = audited(excluded_fields=["pdf"])

    class Meta:
        ordering = ["-month", "office__code", "-version"]
        verbose_name = _("evidence report")
        verbose_name_plural = _("evidence reports")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "month", "version"], nulls_distinct=False, name="evidence_report_version_unique"
            )
        ]

    def __str__(self):
        return f"{self.office.code if self.office_id else 'national'} {self.month:%Y-%m} v{self.version}"


class Device(models.Model):
    """A screen of one office that the public uses or sees (a ticket kiosk, the waiting-room
    board, a counter display, a satisfaction tablet), registered by the office's administrator.
    Once paired it holds a device credential (a random token in a signed cookie; only its hash
    is kept here) that opens that kind's pages for its office and nothing else, until revoked."""

    OFFICE_SCOPE = "office"

    class Kind(models.TextChoices):
        KIOSK = "kiosk", _("Ticket kiosk")
        BOARD = "board", _("Waiting-room board")
        COUNTER_DISPLAY = "counter_display", _("Counter display")
        SATISFACTION = "satisfaction", _("Satisfaction tablet")

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="devices", verbose_name=_("office"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, help_text=_("Where it stands, e.g. 'Kiosk by the entrance'."))
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    # sha256 of the one-time pairing code shown to the administrator, and when it stops working.
    pairing_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    pairing_expires_at = models.DateTimeField(_("pairing code valid until"), null=True, blank=True, editable=False)
    # sha256 of the device credential's token (the cookie holds the token, signed).
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    paired_at = models.DateTimeField(_("paired"), null=True, blank=True, editable=False)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    # Registration, pairing and revocation are audited; the hashes and the last contact are not.
    history = audited(excluded_fields=["pairing_code_hash", "token_hash", "last_contact_at"])

    class Meta:
        ordering = ["office__code", "kind", "name"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


class RuleChange(models.Model):
    """A change of a rule table proposed by one head-office rules administrator: a new row
    from a future date (its figures in `values`), which takes effect only once a second one
    confirms it (then `row_id` is the row added); or withdrawn. See `sso.core.rule_changes`."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed, waiting for a second administrator")
        CONFIRMED = "confirmed", _("Confirmed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # No OFFICE_SCOPE: a national rule's change, shown on the rules page and its history there
    # (not among an office's recent changes).
    table = models.CharField(_("rule table"), max_length=100)
    values = models.JSONField(_("values"), default=dict)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    legal_reference = models.CharField(_("legal instrument"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed or withdrawn by"),
    )
    decided_at = models.DateTimeField(_("confirmed or withdrawn at"), null=True, blank=True)
    row_id = models.PositiveBigIntegerField(_("row added"), null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("rule change")
        verbose_name_plural = _("rule changes")
        indexes = [models.Index(fields=["table", "status"], name="rulechange_table_status")]
        permissions = [("manage_rules", _("Can propose and confirm changes of the rule tables (head office)"))]

    def __str__(self):
        return f"{self.table} {self.valid_from}"
