"""Walk-in queue: services and counters of an office, tickets, calls and visits.

Tickets are called first come, first served within a counter's services, after the
priority policy (see `Ticket.Priority`); every visit is timed against the announced
service targets (`ServiceTarget`). A finished ticket may be rated once from the customer's
phone (`Rating`). A customer who consents is sent messages of their ticket (`TicketNotice`,
`NoticeMessage`).

Over 500 lines: the queue's records (services, counters, visits, tickets and their calls and
steps, the summary rows, closures, planner runs and ratings) are one model graph, kept in one
module as every app keeps its models.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sso.core.models import BilingualName, audited


class ServiceKind(models.TextChoices):
    CONTRIBUTION = "contribution", _("Contribution payment")
    REGISTRATION = "registration", _("Registration")
    SICKNESS = "sickness", _("Sickness claim")
    MATERNITY = "maternity", _("Maternity claim")
    INVALIDITY = "invalidity", _("Invalidity claim")
    DEATH = "death", _("Death claim")
    CHILD_ALLOWANCE = "child_allowance", _("Child allowance")
    OLD_AGE = "old_age", _("Old-age benefit")
    UNEMPLOYMENT = "unemployment", _("Unemployment benefit")
    ENQUIRY = "enquiry", _("Enquiry")


class ServiceTarget(models.Model):
    """An announced service-time target for one kind of service, valid over a period."""

    kind = models.CharField(_("service"), max_length=20, choices=ServiceKind.choices)
    minutes = models.PositiveIntegerField(_("target (minutes)"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    history = audited()
    OFFICE_SCOPE = None  # national: every office works to the same targets

    class Meta:
        ordering = ["kind", "-valid_from"]
        verbose_name = _("service-time target")
        verbose_name_plural = _("service-time targets")
        constraints = [
            models.UniqueConstraint(fields=["kind", "valid_from"], name="servicetarget_one_per_kind_and_start"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="servicetarget_period_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.minutes} min"


class Service(BilingualName):
    """A service an office offers at its counters, with the letter its tickets carry."""

    OFFICE_SCOPE = "office"

    office = models.ForeignKey("core.Office", on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("service"), max_length=20, choices=ServiceKind.choices)
    prefix = models.CharField(_("ticket prefix"), max_length=2)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    # What to bring beyond a claim's documents (benefits' DocumentRequirement): one per line,
    # shown on the ticket's page on the customer's phone.
    documents_th = models.TextField(_("documents to bring (Thai)"), blank=True, help_text=_("One per line."))
    documents_en = models.TextField(_("documents to bring (English)"), blank=True, help_text=_("One per line."))

    history = audited()

    class Meta:
        ordering = ["office", "sort_order", "prefix"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(fields=["office", "kind"], name="service_one_kind_per_office"),
            models.UniqueConstraint(fields=["office", "prefix"], name="service_one_prefix_per_office"),
        ]


class Counter(models.Model):
    """A service point of an office, the services it serves, and the officer signed in there."""

    OFFICE_SCOPE = "office"

    office = models.ForeignKey("core.Office", on_delete=models.CASCADE, related_name="counters")
    number = models.PositiveSmallIntegerField(_("counter number"))
    services = models.ManyToManyField(Service, related_name="counters", verbose_name=_("services"))
    officer = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="counter",
        verbose_name=_("officer signed in"),
    )
    signed_in_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The office's public screens standing at this counter (sso.core.Device, paired by the
    # administrator): its display of the number served, its satisfaction tablet.
    display = models.OneToOneField(
        "core.Device",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="counter_shown",
        limit_choices_to={"kind": "counter_display"},
        verbose_name=_("counter display"),
    )
    tablet = models.OneToOneField(
        "core.Device",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="counter_rated",
        limit_choices_to={"kind": "satisfaction"},
        verbose_name=_("satisfaction tablet"),
    )

    history = audited()

    class Meta:
        ordering = ["office", "number"]
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        constraints = [models.UniqueConstraint(fields=["office", "number"], name="counter_number_unique_in_office")]

    def __str__(self):
        return str(_("Counter %(number)s") % {"number": self.number})

    def clean(self):
        from django.core.exceptions import ValidationError

        for name, kind in (("display", "counter_display"), ("tablet", "satisfaction")):
            device = getattr(self, name)
            if device is not None and (device.office_id != self.office_id or device.kind != kind):
                raise ValidationError({name: _("Choose a screen of this kind of the counter's own office.")})


class Visit(models.Model):
    """One customer's visit: all their tickets, so a transfer keeps the visit clock running."""

    OFFICE_SCOPE = "office"

    office = models.ForeignKey("core.Office", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(_("arrived at"))
    finished_at = models.DateTimeField(_("left at"), null=True, blank=True)

    class Meta:
        verbose_name = _("visit")

    def __str__(self):
        return f"visit {self.pk} ({self.started_at:%Y-%m-%d %H:%M})"


class TicketSequence(models.Model):
    """The last number given per office, day and prefix: numbers run without gaps or repeats."""

    office = models.ForeignKey("core.Office", on_delete=models.CASCADE, related_name="+")
    service_day = models.DateField()
    prefix = models.CharField(max_length=2)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "service_day", "prefix"], name="ticketsequence_unique"),
        ]

    def __str__(self):
        return f"{self.office_id} {self.service_day} {self.prefix}: {self.last_number}"


class Ticket(models.Model):
    """A queue ticket: who waits for which service, and every moment of its service."""

    OFFICE_SCOPE = "office"

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called")
        SERVING = "serving", _("Being served")
        DONE = "done", _("Done")

    class Outcome(models.TextChoices):
        COMPLETED = "completed", _("Completed")
        DOCUMENTS_MISSING = "documents_missing", _("Documents missing")
        REFERRED = "referred", _("Referred elsewhere")
        TRANSFERRED = "transferred", _("Transferred")
        NO_SHOW = "no_show", _("No-show")
        CANCELLED = "cancelled", _("Cancelled")

    class CustomerKind(models.TextChoices):
        EMPLOYER = "employer", _("Employer")
        INSURED = "insured", _("Insured person")

    class Priority(models.IntegerChoices):
        """The priority policy: priority tickets of a service are called before regular
        ones; within each class, first come first served. A transferred ticket keeps the
        time its visit began, so it is not sent to the back of the next queue."""

        PRIORITY = 0, _("Priority (elderly 60+, disabled, pregnant, monk)")
        REGULAR = 1, _("Regular")

    # Every call rewrites the ticket twice (called, then done) and each rewrite adds an entry
    # to every index of the table: foreign keys that no query looks up by have none (office
    # leads the composite indexes below; officer, target counter and case are never searched
    # alone).
    office = models.ForeignKey("core.Office", on_delete=models.PROTECT, related_name="+", db_index=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="tickets")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="tickets")
    service_day = models.DateField(_("day"))
    prefix = models.CharField(max_length=2)
    number = models.PositiveIntegerField(_("number"))
    customer_kind = models.CharField(_("customer"), max_length=10, choices=CustomerKind.choices)
    customer_ref = models.CharField(_("national ID or account number"), max_length=13, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.REGULAR)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    # The moment this ticket's place in the queue was taken (the visit's start for transfers).
    queued_at = models.DateTimeField()
    issued_at = models.DateTimeField(_("issued at"))
    first_called_at = models.DateTimeField(_("first called at"), null=True, blank=True)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(_("service started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("service finished at"), null=True, blank=True)
    # A counter's tickets are only ever looked up while open, through ticket_one_per_counter:
    # with an index of its own, a cached plan took that one and read every ticket the
    # counter ever served (30,000 in a busy month) on each call.
    counter = models.ForeignKey(
        Counter, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    target_counter = models.ForeignKey(
        Counter, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    transferred_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="transferred_to"
    )
    case_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, db_index=False)
    case_id = models.PositiveBigIntegerField(null=True, blank=True)
    case = GenericForeignKey("case_type", "case_id")

    # No history table: a ticket's own timestamps, officer and TicketCall rows are its
    # trail, and an extra history row on every call would halve the calling rate.

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        permissions = [
            ("serve_counter", _("Can serve tickets at a counter")),
            ("view_board", _("Can show the display board")),
            ("view_queue_live", _("Can watch the queue and service times")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["office", "service_day", "prefix", "number"], name="ticket_number_unique"),
            # A counter serves at most one ticket at a time.
            models.UniqueConstraint(
                fields=["counter"], condition=Q(status__in=["called", "serving"]), name="ticket_one_per_counter"
            ),
            models.CheckConstraint(
                condition=Q(status="done", outcome__gt="") | (~Q(status="done") & Q(outcome="")),
                name="ticket_outcome_iff_done",
            ),
        ]
        indexes = [
            # The head of each office's waiting queue, in calling order.
            models.Index(
                fields=["office", "service_day", "priority", "queued_at", "id"],
                condition=Q(status="waiting"),
                name="ticket_waiting_queue",
            ),
            models.Index(fields=["office", "service_day", "status"], name="ticket_office_day_status"),
            # The ticket of a case (few tickets have one: the index holds only those).
            models.Index(fields=["case_type", "case_id"], condition=Q(case_id__isnull=False), name="ticket_case"),
            # A customer's tickets by day, at any office (the repeat visits): only those naming one.
            models.Index(
                fields=["customer_ref", "service_day"], condition=~Q(customer_ref=""), name="ticket_customer_day"
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def code(self) -> str:
        return f"{self.prefix}{self.number:03d}"


class TicketCall(models.Model):
    """One call of a ticket to a counter (a recall is another row)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="calls")
    # One row per call: the counter is looked up through ticketcall_counter_recent, the
    # officer never (see Ticket on indexes).
    counter = models.ForeignKey(Counter, on_delete=models.PROTECT, related_name="+", db_index=False)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    called_at = models.DateTimeField()

    class Meta:
        ordering = ["-called_at"]
        indexes = [models.Index(fields=["counter", "-called_at"], name="ticketcall_counter_recent")]

    def __str__(self):
        return f"{self.ticket_id} -> counter {self.counter_id} at {self.called_at:%H:%M:%S}"


class TicketEvent(models.Model):
    """A step of the customer's case done while their ticket was being served: the claim
    recorded or decided, the receipt issued (sso.core.signals.case_event, heard by
    queueing.apps). The first of each kind per ticket is kept (a second is ignored): the
    process of the visit ends there (QueueSummary's process time).

    Derived data, not a record: written by the signal's listener from steps the other apps
    keep (with their own audit), never edited, not audited."""

    class Kind(models.TextChoices):
        CLAIM_RECORDED = "claim_recorded", _("Claim recorded")
        CLAIM_DECIDED = "claim_decided", _("Claim decided")
        RECEIPT_ISSUED = "receipt_issued", _("Receipt issued")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("ticket event")
        # Also the index of a ticket's events (the roll-up's join).
        constraints = [models.UniqueConstraint(fields=["ticket", "kind"], name="ticketevent_one_per_kind")]

    def __str__(self):
        return f"{self.ticket_id} {self.kind} {self.at:%H:%M:%S}"


# The histograms' last bucket: a duration over HISTOGRAM_CAP - 1 minutes counts in it.
HISTOGRAM_CAP = 480


class QueueCounts(models.Model):
    """The queue's figures of a group of tickets (see QueueSummary) without their histograms:
    counts, and each duration's sum and maximum."""

    # Counts of tickets: all of them, new visits (not transfers), and by outcome.
    tickets = models.PositiveIntegerField(default=0)
    arrivals = models.PositiveIntegerField(default=0)
    served = models.PositiveIntegerField(default=0)  # completed, documents missing, referred
    documents_missing = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    transfers = models.PositiveIntegerField(default=0)
    # Visits that ended here (served) for a service with a target that day, and those of
    # them within it.
    targeted = models.PositiveIntegerField(default=0)
    within_target = models.PositiveIntegerField(default=0)
    # Wait: issued -> first call (every ticket called). Service: start -> finish. Visit:
    # the visit's start -> this, its last service's finish (served tickets: one a visit).
    waited = models.PositiveIntegerField(default=0)  # the tickets called: the wait's count
    wait_seconds = models.BigIntegerField(default=0)
    wait_max = models.PositiveIntegerField(default=0)
    service_seconds = models.BigIntegerField(default=0)
    service_max = models.PositiveIntegerField(default=0)
    visit_seconds = models.BigIntegerField(default=0)
    visit_max = models.PositiveIntegerField(default=0)
    # The process, end to end: the visit's start -> its case's step on this ticket (a receipt
    # issued for contributions; a claim decided at the counter, else recorded, for claims:
    # TicketEvent). Counted on every ticket with such a step (`processed`), of them those of a
    # service with a target that day (`process_targeted`) and those within it (`process_within`).
    processed = models.PositiveIntegerField(default=0)
    process_targeted = models.PositiveIntegerField(default=0)
    process_within = models.PositiveIntegerField(default=0)
    process_seconds = models.BigIntegerField(default=0)
    process_max = models.PositiveIntegerField(default=0)

    rolled_at = models.DateTimeField()

    class Meta:
        abstract = True


class QueueFigures(QueueCounts):
    """QueueCounts with each duration as a histogram of whole minutes (see QueueRollup), which
    add up element by element (queue_histogram_sum, migration 0013)."""

    wait_hist = ArrayField(models.PositiveIntegerField(), default=list)
    service_hist = ArrayField(models.PositiveIntegerField(), default=list)
    visit_hist = ArrayField(models.PositiveIntegerField(), default=list)
    process_hist = ArrayField(models.PositiveIntegerField(), default=list)

    class Meta:
        abstract = True


class QueueSummary(QueueCounts):
    """The queue's counts of one office's day for one service, hour of issue, priority class,
    counter and officer: the tickets issued that hour and what became of them.

    Derived data, not a record: rebuilt for a whole day by `queue_summary_roll` (delete and
    insert, idempotent; a late correction re-rolls the day), never edited, not audited. The
    reports read only these rows and their roll-ups (QueueRollup; queueing.selectors,
    `queue_measures`), never the tickets: these rows for what needs the hour (arrivals and
    average waits by hour), with no histogram. A row holds about 1.4 tickets; its four
    histograms made the table larger than the tickets' (7.8 GB for 10,000,000 tickets), and
    nothing reads percentiles by the hour: the roll-ups keep them.
    """

    office = models.ForeignKey("core.Office", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+", db_index=False)
    hour = models.PositiveSmallIntegerField()  # of issue, local time
    priority = models.PositiveSmallIntegerField(choices=Ticket.Priority.choices)
    # The counter and officer of the ticket's last call (none: never called).
    counter = models.ForeignKey(Counter, null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("queue summary")
        indexes = [
            models.Index(fields=["office", "day"], name="queuesummary_office_day"),
            models.Index(fields=["day"], name="queuesummary_day"),
        ]

    def __str__(self):
        return f"{self.office_id} {self.day} {self.service_id} {self.hour}h"


class QueueRollup(QueueFigures):
    """The queue's figures of one office's day or month for one service and priority class:
    the summary rows (QueueSummary) without the hour, and (`detail`) by the counter and officer
    of the last call or (not `detail`) over them all, with each duration's histogram.

    Each duration is kept as a histogram of whole minutes, rounded up: element b (0-based; the
    array is PostgreSQL's, 1-based) counts the durations over b - 1 and up to b minutes
    (element 0: none at all), the last element HISTOGRAM_CAP every one longer; the array ends
    at its last non-zero element. Histograms add element by element, so the percentiles and
    the share within a target over any range are exact to the minute; the sums (seconds) give
    the averages and the maxima (seconds) the longest. What the report pages read when they need
    no hour: a month of the national page is one row per office, service and priority class,
    not one per hour, counter and officer.

    Derived data like QueueSummary, rolled with it (`queue_summary_roll`): the day rows with
    the day's summary rows, the month rows (`day`: the month's first day) once the month has
    ended, from its day rows. A range reads the month rows of its whole past months and the
    day rows of the rest (queueing.selectors, `queue_measures`)."""

    class Span(models.TextChoices):
        DAY = "day", _("Day")
        MONTH = "month", _("Month")

    office = models.ForeignKey("core.Office", on_delete=models.CASCADE, related_name="+", db_index=False)
    span = models.CharField(max_length=5, choices=Span.choices)
    day = models.DateField()  # the day, or the month's first day
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+", db_index=False)
    priority = models.PositiveSmallIntegerField(choices=Ticket.Priority.choices)
    # By counter and officer (detail), or over them all (counter and officer empty).
    detail = models.BooleanField()
    counter = models.ForeignKey(Counter, null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("queue roll-up")
        indexes = [models.Index(fields=["span", "detail", "day", "office"], name="queuerollup_span_day")]

    def __str__(self):
        return f"{self.office_id} {self.span} {self.day} {self.service_id}"


class OfficeClosure(models.Model):
    """A day an office is closed besides the weekends and Thai public holidays (a local
    holiday, a move, a system outage): the queue planner forecasts no one for it."""

    OFFICE_SCOPE = "office"

    office = models.ForeignKey("core.Office", on_delete=models.CASCADE, related_name="+", verbose_name=_("office"))
    day = models.DateField(_("day"))
    reason = models.CharField(_("reason"), max_length=200)

    history = audited()

    class Meta:
        ordering = ["office", "day"]
        verbose_name = _("office closure")
        verbose_name_plural = _("office closures")
        constraints = [models.UniqueConstraint(fields=["office", "day"], name="officeclosure_one_per_day")]

    def __str__(self):
        return f"{self.office_id} {self.day}: {self.reason}"


class PlannerRun(models.Model):
    """A supervisor's run of the queue planner for a coming day of their office: the
    forecast of its arrivals, the day simulated with the office's counters and the planner's
    check against recorded days, worked out by a worker and kept in `result` (figures that
    the page and its charts read again).

    Derived figures, not a business record: nothing is edited, so nothing is audited (who
    asked for it, and when, is on the row)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    OFFICE_SCOPE = "office"

    office = models.ForeignKey("core.Office", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField(_("day"))
    replications = models.PositiveSmallIntegerField(_("replications"), default=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    requested_at = models.DateTimeField(_("requested at"))
    finished_at = models.DateTimeField(null=True, blank=True)
    # The plan search's standard: this share of each service's visits within its target, in
    # this share of the replications; and the spare desks (counters beyond the office's) it
    # may open.
    within_percent = models.PositiveSmallIntegerField(_("visits within the standard (%)"), default=90)
    confidence_percent = models.PositiveSmallIntegerField(_("replications meeting it (%)"), default=90)
    spare_desks = models.PositiveSmallIntegerField(_("spare desks"), default=0)
    # A supervisor's plan to simulate ([{"number", "services", "opens", "closes"}], seconds
    # since midnight), edited from `parent`'s; none: the run searches for the plan.
    plan = models.JSONField(null=True, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Head office's what-if: {"offices": [office ids], "shares": [percent of contribution
    # payers moved to the bank and internet channels]}; the run simulates each office's day
    # with its counters for each share.
    what_if = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("planner run")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["office", "-requested_at"], name="plannerrun_office_recent")]
        permissions = [("plan_counters", _("Can forecast and simulate the office's queue"))]

    def __str__(self):
        return f"{self.office_id} {self.day} {self.status}"

    def get_absolute_url(self):
        return reverse("queueing:planner_run", args=[self.pk])


class Rating(models.Model):
    """A customer's rating (1-5) of a finished ticket's service, given once from their phone:
    tied to the office, service, counter and officer that served it."""

    OFFICE_SCOPE = "office"

    class Score(models.IntegerChoices):
        VERY_BAD = 1, _("Very dissatisfied")
        BAD = 2, _("Dissatisfied")
        FAIR = 3, _("Neither")
        GOOD = 4, _("Satisfied")
        VERY_GOOD = 5, _("Very satisfied")

    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="rating")
    office = models.ForeignKey("core.Office", on_delete=models.PROTECT, related_name="+", db_index=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+", db_index=False)
    counter = models.ForeignKey(Counter, null=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    day = models.DateField(_("day"))  # the ticket's service day
    score = models.PositiveSmallIntegerField(_("rating"), choices=Score.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"))

    history = audited()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        indexes = [models.Index(fields=["office", "day"], name="rating_office_day")]
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5")]

    def __str__(self):
        return f"{self.ticket_id}: {self.score}"


class TicketNotice(models.Model):
    """A customer's consent, given at the kiosk or the counter, to be told of their ticket by
    message: when `ahead` or fewer people are ahead, and when it is called. The phone number is
    kept only until the call's message is sent (or the day ends), and is never in the history."""

    OFFICE_SCOPE = "office"

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="notice")
    office = models.ForeignKey("core.Office", on_delete=models.PROTECT, related_name="+", db_index=False)
    service_day = models.DateField(_("day"))
    phone = models.CharField(_("phone number"), max_length=16, blank=True)  # E.164; erased once done
    ahead = models.PositiveSmallIntegerField(_("tell me when this many are ahead"))
    language = models.CharField(max_length=8, default="th")
    consented_at = models.DateTimeField(_("consent given"))

    history = audited(excluded_fields=["phone"])

    class Meta:
        verbose_name = _("ticket message consent")
        verbose_name_plural = _("ticket message consents")
        indexes = [models.Index(fields=["office", "service_day"], name="ticketnotice_office_day")]

    def __str__(self):
        return f"{self.ticket_id}: {self.ahead}"


class NoticeMessage(models.Model):
    """One message of a ticket's notice (people ahead, or the call): made once per event (the
    unique pair), then sent by a task that retries until the gateway takes it."""

    class Event(models.TextChoices):
        AHEAD = "ahead", _("People ahead")
        CALLED = "called", _("Called")

    class Status(models.TextChoices):
        PENDING = "pending", _("To send")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not needed")

    notice = models.ForeignKey(TicketNotice, on_delete=models.CASCADE, related_name="messages")
    event = models.CharField(max_length=10, choices=Event.choices)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # the gateway's reference
    text = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        constraints = [models.UniqueConstraint(fields=["notice", "event"], name="noticemessage_once_per_event")]

    def __str__(self):
        return f"{self.notice_id} {self.event}: {self.status}"
