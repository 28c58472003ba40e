"""Merging a duplicate insured person record into the record kept, and undoing it.

The records that point at a person are found from the model graph (`references`): every
foreign key to InsuredPerson and every generic foreign key (a queue ticket's case) of every
model, simple-history's historical copies aside (they keep what was true then). Each is
named in `POLICIES`, which says what a merge does with the duplicate's rows and how a clash
with a unique rule resolves. A reference missing from the table stops every merge, and
tests/test_registry_merge.py fails, so a new model that points at a person cannot be forgotten.

The rows move by one UPDATE per kind of record. Most belong to other apps, which the registry
otherwise never writes: a merge is the one operation that must reach every record of a person,
and it does so through the graph, without knowing another app's fields. Audited kinds get their
audit rows (`history_copy`); the `PersonMerge` row lists every id that moved, which is what an
unmerge moves back.

When an unmerge is refused (`person_unmerge`): when a row that moved no longer belongs to the
record kept (deleted, or moved on by a later merge), when a moved row of an audited kind was
changed after the merge (its decision or history may now rest on both records' data), when the
record kept was itself merged since, and when a claim was recorded on the record kept after
the merge (it may count the months that would move back).

Over 500 lines: the merge, its preview and its undo read the same policy table and must
change together.
"""

import datetime
import difflib
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.db.models import Model, Q, UniqueConstraint
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalChanges

from registry.models import Dated, InsuredPerson, PersonMerge
from sso.core.audit import history_copy
from sso.core.formats import date_display, lazy_format
from sso.core.records import refuse, stamp

DAY = datetime.timedelta(days=1)
CONFIRM_MERGE = "registry.confirm_merge"
UNMERGE = "registry.unmerge_insuredperson"
# Two Thai names this alike are "similar" (the same threshold as the duplicates check).
NAME_SIMILARITY = 0.75

MOVE = "move"  # the rows move; a clash with a unique rule refuses the merge and names it
MOVE_CLOSING = "move_closing"  # as MOVE, but the duplicate's open row of a history is closed first
STAY = "stay"  # not moved: the bookkeeping of merges itself


@dataclass(frozen=True)
class Policy:
    action: str
    why: str
    clash_message: Promise | None = None
    # Keys the services keep unique per person though the database does not (blank values ignored).
    also_unique: tuple[tuple[str, ...], ...] = ()
    # Rows of this kind added to the record kept after a merge block its undoing.
    guards_unmerge: bool = False


POLICIES = {
    "registry.InsuredPerson.merged_into": Policy(
        STAY, "Records merged earlier into the duplicate keep pointing at it; the merge sets its own pointer."
    ),
    "registry.PersonMerge.kept": Policy(STAY, "The record of a merge names both records as they were."),
    "registry.PersonMerge.merged": Policy(STAY, "The record of a merge names both records as they were."),
    "registry.PersonReadLog.person": Policy(STAY, "A read names the record that was read, as it was."),
    "registry.SectionSpell.person": Policy(
        MOVE_CLOSING,
        "One open section per person: the kept record's stays open, the duplicate's closes the day before it starts.",
    ),
    "registry.HospitalRegistration.person": Policy(
        MOVE_CLOSING, "One current hospital: the kept record's stays, the duplicate's closes the day before it starts."
    ),
    "registry.BankAccount.person": Policy(
        MOVE_CLOSING, "One current account: the kept record's stays, the duplicate's closes the day before it starts."
    ),
    "registry.Employment.person": Policy(
        MOVE,
        "Two open jobs with one employer would be one job twice: refused until one is ended.",
        clash_message=_("Both records hold an open job with the same employer; end one first."),
    ),
    "registry.Dependant.person": Policy(
        MOVE,
        "The same child twice could draw the child allowance twice: refused, the duplicate dependant is removed first.",
        clash_message=_("The same child or spouse is recorded on both records; remove the duplicate dependant first."),
        also_unique=(("national_id",), ("birth_certificate_id",)),
    ),
    "contributions.StatementLine.person": Policy(
        MOVE,
        "Both records on one statement: the employer corrects it with an amending statement first.",
        clash_message=_(
            "Both records are listed on the same contribution statement; the employer must correct it first."
        ),
    ),
    "contributions.ContributionMonth.person": Policy(
        MOVE,
        "Months of one period paid by two payments are both kept (two employers; the rules count a period once). "
        "The same payment and period on both records cannot happen without a statement clash.",
    ),
    "contributions.Payment.person": Policy(MOVE, "Voluntary payments follow the person; no unique rule."),
    "contributions.Finding.person": Policy(MOVE, "Findings follow the person; a clash needs a shared statement."),
    "contributions.Reimbursement.person": Policy(MOVE, "Reimbursements follow the person."),
    "benefits.Claim.person": Policy(
        MOVE,
        "Two live claims for one event would pay it twice: refused until one is withdrawn or rejected.",
        clash_message=_("Both records have a claim for the same event; withdraw or reject one first."),
        guards_unmerge=True,
    ),
    "queueing.Ticket.case": Policy(MOVE, "A ticket whose case was the duplicate opens the record kept."),
    "benefits.HospitalCase.person": Policy(MOVE, "A hospital's high-cost cases follow the person; no unique rule."),
}


# The model graph ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """One field through which a model points at an insured person."""

    label: str
    model: type[Model]
    field: str
    content_type_field: str | None = None  # set for a generic foreign key

    def lookup(self, person_id) -> dict:
        if self.content_type_field:
            return {self.content_type_field: _person_type(), self.field: person_id}
        return {f"{self.field}_id": person_id}

    def rows(self, person_id):
        return self.model._default_manager.filter(**self.lookup(person_id))

    def pointing(self, person_id) -> dict:
        return {self.field if self.content_type_field else f"{self.field}_id": person_id}

    @property
    def own_fields(self) -> set[str]:
        return {self.field, self.content_type_field} - {None}

    @property
    def policy(self) -> Policy:
        return POLICIES[self.label]

    @property
    def audited(self) -> bool:
        return hasattr(self.model, "history")


def _person_type() -> ContentType:
    return ContentType.objects.get_for_model(InsuredPerson)


def references() -> list[Reference]:
    """Every field of every model that points at an insured person."""
    found = []
    for model in apps.get_models():
        if issubclass(model, HistoricalChanges):
            continue
        for model_field in model._meta.get_fields():
            if getattr(model_field, "concrete", False) and model_field.related_model is InsuredPerson:
                if model_field.many_to_many:
                    raise ImproperlyConfigured(f"{model._meta.label}.{model_field.name}: merge cannot move a M2M.")
                found.append(Reference(f"{model._meta.label}.{model_field.name}", model, model_field.name))
        for private in model._meta.private_fields:
            if isinstance(private, GenericForeignKey):
                found.append(
                    Reference(f"{model._meta.label}.{private.name}", model, private.fk_field, private.ct_field)
                )
    return found


def _references_checked() -> list[Reference]:
    refs = references()
    unknown = [ref.label for ref in refs if ref.label not in POLICIES]
    if unknown:
        raise ImproperlyConfigured(f"No merge policy for {', '.join(unknown)} (registry/merging.py POLICIES).")
    return refs


# Clashes --------------------------------------------------------------------------------


@dataclass
class Clash:
    reference: Reference
    rule: str
    merged_row: int
    kept_row: int


def _unique_keys(ref: Reference):
    """(name, other fields, condition, nulls count as equal, blanks ignored) of each unique
    rule the reference takes part in."""
    meta = ref.model._meta
    for constraint in meta.constraints:
        if isinstance(constraint, UniqueConstraint) and ref.own_fields & set(constraint.fields):
            others = tuple(name for name in constraint.fields if name not in ref.own_fields)
            yield constraint.name, others, constraint.condition, constraint.nulls_distinct is False, False
    for fields in meta.unique_together:
        if ref.own_fields & set(fields):
            yield ",".join(fields), tuple(name for name in fields if name not in ref.own_fields), None, False, False
    if meta.get_field(ref.field).unique:
        yield ref.field, (), None, False, False
    for fields in ref.policy.also_unique:
        yield ",".join(fields), fields, None, False, True


def clashes(ref: Reference, kept_id, merged_id) -> list[Clash]:
    found = []
    for name, others, condition, nulls_equal, blanks_ignored in _unique_keys(ref):
        kept_rows, merged_rows = ref.rows(kept_id), ref.rows(merged_id)
        if condition is not None:
            kept_rows, merged_rows = kept_rows.filter(condition), merged_rows.filter(condition)
        kept = {tuple(values): pk for pk, *values in kept_rows.values_list("pk", *others)}
        if not kept:
            continue
        for pk, *values in merged_rows.values_list("pk", *others):
            if any(v is None for v in values) and not nulls_equal:
                continue
            if blanks_ignored and any(v in (None, "") for v in values):
                continue
            if tuple(values) in kept:
                found.append(Clash(ref, name, pk, kept[tuple(values)]))
    return found


# The preview ----------------------------------------------------------------------------

IDENTITY_FIELDS = InsuredPerson.IDENTITY_FIELDS


def _shown(person: InsuredPerson, name: str) -> str:
    value = getattr(person, name)
    if name == "national_id":
        return person.national_id_display
    if isinstance(value, datetime.date):
        return date_display(value)
    if person._meta.get_field(name).choices:
        return str(getattr(person, f"get_{name}_display")())
    return str(value or "—")


def _norm(text: str) -> str:
    return " ".join((text or "").split()).lower()


def names_differ_clearly(a: InsuredPerson, b: InsuredPerson) -> bool:
    """Neither the first name nor the surname in Thai is the same, and the whole names are not
    alike: not a typo, not a surname changed by marriage."""
    if _norm(a.first_name_th) == _norm(b.first_name_th) or _norm(a.last_name_th) == _norm(b.last_name_th):
        return False
    full_a = f"{_norm(a.first_name_th)} {_norm(a.last_name_th)}"
    full_b = f"{_norm(b.first_name_th)} {_norm(b.last_name_th)}"
    return difflib.SequenceMatcher(None, full_a, full_b).ratio() < NAME_SIMILARITY


@dataclass
class Difference:
    name: str
    label: str
    kept: str
    merged: str
    plain: bool  # plainly different: the merge needs a supervisor's confirmation


@dataclass
class MergePreview:
    """What a merge would do, shown before it is confirmed."""

    kept: InsuredPerson
    merged: InsuredPerson
    differences: list[Difference] = field(default_factory=list)
    moves: list[tuple[str, int]] = field(default_factory=list)  # kind of record, how many
    closes: list[tuple[str, int]] = field(default_factory=list)  # open history rows the merge closes
    refusals: list[str] = field(default_factory=list)  # clashes that stop the merge

    @property
    def needs_confirmation(self) -> bool:
        return any(difference.plain for difference in self.differences)

    @property
    def moved_total(self) -> int:
        return sum(count for _kind, count in self.moves)


def _differences(kept: InsuredPerson, merged: InsuredPerson) -> list[Difference]:
    names_plain = names_differ_clearly(kept, merged)
    deceased = InsuredPerson.Status.DECEASED
    plain = {
        "sex": kept.sex != merged.sex,
        "birth_date": kept.birth_date != merged.birth_date,
        "first_name_th": names_plain,
        "last_name_th": names_plain,
        "status": (kept.status == deceased) != (merged.status == deceased),
    }
    found = []
    for name in IDENTITY_FIELDS:
        shown_kept, shown_merged = _shown(kept, name), _shown(merged, name)
        if shown_kept != shown_merged:
            label = str(InsuredPerson._meta.get_field(name).verbose_name)
            found.append(Difference(name, label, shown_kept, shown_merged, plain.get(name, False)))
    return found


def _plan(kept: InsuredPerson, merged: InsuredPerson):
    """The preview, and per reference the rows that move and the clashes found."""
    preview = MergePreview(kept=kept, merged=merged, differences=_differences(kept, merged))
    if InsuredPerson.Status.MERGED in (kept.status, merged.status):
        preview.refusals.append(str(_("One of the records was already merged.")))
    plan = []
    for ref in _references_checked():
        if ref.policy.action == STAY:
            continue
        ids = sorted(ref.rows(merged.pk).values_list("pk", flat=True))
        if not ids:
            continue
        kind = str(ref.model._meta.verbose_name_plural)
        preview.moves.append((kind, len(ids)))
        found = clashes(ref, kept.pk, merged.pk)
        closing = []
        if ref.policy.action == MOVE_CLOSING and issubclass(ref.model, Dated):
            closing = [clash for clash in found if _open(ref, clash.merged_row)]
            found = [clash for clash in found if clash not in closing]
            if closing:
                preview.closes.append((kind, len(closing)))
        if found:
            preview.refusals.append(
                str(
                    ref.policy.clash_message
                    or lazy_format(
                        _("%(count)s of the duplicate's %(kind)s clash with the record kept (%(rule)s)."),
                        {"count": len(found), "kind": kind, "rule": found[0].rule},
                    )
                )
            )
        plan.append((ref, ids, closing))
    return preview, plan


def _open(ref: Reference, pk) -> bool:
    return ref.model._default_manager.filter(pk=pk, valid_to__isnull=True).exists()


def person_merge_preview(*, keep: InsuredPerson, drop: InsuredPerson) -> MergePreview:
    """Field by field how the two records differ, and what a merge would move."""
    return _plan(keep, drop)[0]


# Merge and unmerge ----------------------------------------------------------------------


def _locked(*pks) -> dict:
    # In id order, so two merges of the same pair cannot deadlock.
    return {person.pk: person for person in InsuredPerson.objects.select_for_update().filter(pk__in=pks).order_by("pk")}


@transaction.atomic
def person_merge(
    *, officer, keep: InsuredPerson, drop: InsuredPerson, reason: str = "", confirmed_by=None
) -> InsuredPerson:
    """Merge the duplicate record `drop` into `keep`: every record that points at it moves (see
    `POLICIES`), it stays on file marked merged, pointing at the survivor, and a `PersonMerge`
    row lists what moved. Records that differ plainly (sex, birth date, name, death) need a
    reason and a supervisor's confirmation (four eyes). Refused, with nothing stored, on a clash."""
    if keep.pk == drop.pk:
        refuse("drop", _("Choose two different records."), "same")
    locked = _locked(keep.pk, drop.pk)
    keep, drop = locked[keep.pk], locked[drop.pk]
    if InsuredPerson.Status.MERGED in (keep.status, drop.status):
        refuse("drop", _("One of the records was already merged."), "merged")
    preview, plan = _plan(keep, drop)
    if preview.refusals:
        refuse("drop", " ".join(preview.refusals), "conflict")
    reason = reason.strip()
    if preview.needs_confirmation:
        if not reason:
            refuse(
                "reason",
                _("These records differ plainly (sex, birth date, name or death): give the reason for merging them."),
                "required",
            )
        if (
            confirmed_by is None
            or confirmed_by.pk == officer.pk
            or not confirmed_by.is_active
            or not confirmed_by.has_perm(CONFIRM_MERGE)
        ):
            refuse(
                "confirmed_by",
                _("Records that differ plainly are merged only with a second officer, a supervisor, confirming."),
                "four_eyes",
            )
    else:
        confirmed_by = None
    now = timezone.now()
    moved, closed, watermarks = {}, {}, {}
    for ref, ids, closing in plan:
        if closing:
            for clash in closing:
                row = ref.model._default_manager.get(pk=clash.merged_row)
                kept_row = ref.model._default_manager.get(pk=clash.kept_row)
                ref.model._default_manager.filter(pk=row.pk).update(
                    valid_to=max(row.valid_from, kept_row.valid_from - DAY)
                )
            closed[ref.label] = [clash.merged_row for clash in closing]
        ref.model._default_manager.filter(pk__in=ids).update(**ref.pointing(keep.pk))
        if ref.audited:
            history_copy(ref.model, ids, history_type="~", officer=officer, when=now)
        moved[ref.label] = ids
    for ref in _references_checked():
        if ref.policy.guards_unmerge:
            last = ref.model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
            watermarks[ref.label] = last or 0
    merge = PersonMerge(
        kept=keep,
        merged=drop,
        merged_status=drop.status,
        kept_status=keep.status,
        moved=moved,
        closed=closed,
        watermarks=watermarks,
        differences=[[d.name, d.kept, d.merged, d.plain] for d in preview.differences],
        reason=reason,
        merged_by=officer,
        merged_at=now,
        confirmed_by=confirmed_by,
    )
    stamp(merge, officer).save()
    drop.status, drop.merged_into = InsuredPerson.Status.MERGED, keep
    stamp(drop, officer).save(update_fields=["status", "merged_into"])
    if keep.status == InsuredPerson.Status.CEASED and keep.employments.filter(ended_on__isnull=True).exists():
        keep.status = InsuredPerson.Status.ACTIVE
        stamp(keep, officer).save(update_fields=["status"])
    return keep


def unmerge_problems(merge: PersonMerge) -> list[str]:
    """Why undoing `merge` would be unsafe (empty when it may be undone)."""
    if merge.undone_at is not None:
        return [str(_("This merge was already undone."))]
    refs = {ref.label: ref for ref in _references_checked()}
    kept = InsuredPerson.objects.get(pk=merge.kept_id)
    merged = InsuredPerson.objects.get(pk=merge.merged_id)
    problems = []
    if kept.status == InsuredPerson.Status.MERGED:
        problems.append(str(_("The record kept was itself merged into another since: undo that merge first.")))
    if merged.status != InsuredPerson.Status.MERGED or merged.merged_into_id != kept.pk:
        problems.append(str(_("The merged record no longer points at the record kept.")))
    for label, ids in merge.moved.items():
        ref = refs.get(label)
        kind = str(ref.model._meta.verbose_name_plural) if ref else label
        if ref is None or ref.rows(kept.pk).filter(pk__in=ids).count() != len(ids):
            problems.append(
                str(lazy_format(_("Some %(kind)s that moved are no longer on the record kept."), {"kind": kind}))
            )
            continue
        if ref.audited:
            changed = ref.model.history.filter(id__in=ids, history_date__gt=merge.merged_at).values("id").distinct()
            if count := changed.count():
                problems.append(
                    str(
                        lazy_format(
                            _("%(count)s of the %(kind)s that moved were changed after the merge."),
                            {"count": count, "kind": kind},
                        )
                    )
                )
    for label, last in merge.watermarks.items():
        ref = refs.get(label)
        if ref is not None and (count := ref.rows(kept.pk).filter(pk__gt=last).count()):
            problems.append(
                str(
                    lazy_format(
                        _("%(count)s %(kind)s were recorded on the record kept after the merge."),
                        {"count": count, "kind": ref.model._meta.verbose_name_plural},
                    )
                )
            )
    return problems


@transaction.atomic
def person_unmerge(*, officer, merge: PersonMerge, reason: str) -> InsuredPerson:
    """Undo a merge (supervisors): every row that moved goes back to the merged record, the
    open rows the merge closed open again, and the merged record has its status back."""
    if not officer.has_perm(UNMERGE):
        raise PermissionDenied(_("Only a supervisor may undo a merge."))
    if not reason.strip():
        refuse("reason", _("Give the reason for undoing the merge."), "required")
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    locked = _locked(merge.kept_id, merge.merged_id)
    kept, merged = locked[merge.kept_id], locked[merge.merged_id]
    if problems := unmerge_problems(merge):
        refuse("merge", " ".join(problems), "unsafe")
    refs = {ref.label: ref for ref in _references_checked()}
    now = timezone.now()
    for label, ids in merge.moved.items():
        ref = refs[label]
        ref.model._default_manager.filter(pk__in=ids).update(**ref.pointing(merged.pk))
        if ref.audited:
            history_copy(ref.model, ids, history_type="~", officer=officer, when=now)
    for label, ids in merge.closed.items():
        ref = refs[label]
        ref.model._default_manager.filter(pk__in=ids).update(valid_to=None)
        if ref.audited:
            history_copy(ref.model, ids, history_type="~", officer=officer, when=now)
    merged.status, merged.merged_into = merge.merged_status, None
    stamp(merged, officer).save(update_fields=["status", "merged_into"])
    if (
        merge.kept_status == InsuredPerson.Status.CEASED
        and kept.status == InsuredPerson.Status.ACTIVE
        and not kept.employments.filter(ended_on__isnull=True).exists()
    ):
        kept.status = InsuredPerson.Status.CEASED
        stamp(kept, officer).save(update_fields=["status"])
    merge.undone_at, merge.undone_by, merge.undo_reason = now, officer, reason.strip()
    stamp(merge, officer).save(update_fields=["undone_at", "undone_by", "undo_reason"])
    return merged


def merges_of(person: InsuredPerson) -> list[PersonMerge]:
    """The merges in force that involve `person` (into it, or of it), newest first."""
    return list(
        PersonMerge.objects.filter(Q(kept=person) | Q(merged=person), undone_at__isnull=True)
        .select_related("kept", "merged", "merged_by", "confirmed_by")
        .order_by("-merged_at")
    )
