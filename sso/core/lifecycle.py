"""One transition function per lifecycle.

A lifecycle (a claim's status, a payment order's, an appeal's, a reimbursement's, a
ticket's) is a table of allowed moves and one function that makes a move: it checks the
move against the table (a move the table does not hold is refused as a field error, and
nothing is written), sets the status, saves the record with `update_fields`, writes the
audit row (simple-history, stamped with the officer and the reason) and, where the
lifecycle keeps one, its step row (a claim's `ClaimStep`). Every module that changes a
status goes through `Lifecycle.move`; a bulk move in SQL takes its allowed sources from
`Lifecycle.sources`, so the table is the only place the rules are written.

Why not django-fsm(-2): its transitions are methods on the model with the side effects in
decorators, and it protects the field by refusing direct assignment. Our moves are made by
services (with the officer, a reason and a step row), several of them in bulk SQL (the
monthly payment run, the bank's confirmation file), which a per-instance decorator cannot
check; a small table that both the function and the SQL read fits them, in 100 lines.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sso.core.formats import lazy_format
from sso.core.records import stamp

# A step writer: (record, from_status, officer, note) -> None; called after the save.
StepWriter = Callable[[object, str, object, str], None]


@dataclass(frozen=True)
class Lifecycle:
    """The allowed moves of `field` on `model`: `moves[from] = {to, ...}`."""

    model: type
    moves: dict[str, frozenset[str] | set[str] | tuple[str, ...]]
    field: str = "status"
    step: StepWriter | None = None
    _choices: dict = dataclass_field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        choices = dict(self.model._meta.get_field(self.field).flatchoices)
        unknown = {status for source, targets in self.moves.items() for status in (source, *targets)} - set(choices)
        if unknown:
            raise ValueError(f"{self.model.__name__}.{self.field}: moves name unknown statuses {sorted(unknown)}")
        object.__setattr__(self, "_choices", choices)

    def allowed(self, source: str, target: str) -> bool:
        return target in self.moves.get(source, ())

    def sources(self, target: str) -> list[str]:
        """The statuses a record may move to `target` from (for a bulk move in SQL)."""
        return sorted(source for source, targets in self.moves.items() if target in targets)

    def targets(self, source: str) -> list[str]:
        return sorted(self.moves.get(source, ()))

    def check(self, record, target: str) -> None:
        """Refuse the move of `record` to `target` unless the table holds it."""
        source = getattr(record, self.field)
        if not self.allowed(source, target):
            raise ValidationError(
                {
                    self.field: ValidationError(
                        lazy_format(
                            _("This %(kind)s is %(from)s; it cannot become %(to)s."),
                            {
                                "kind": self.model._meta.verbose_name,
                                "from": self._choices.get(source, source),
                                "to": self._choices.get(target, target),
                            },
                        ),
                        code="transition",
                    )
                }
            )

    def move(
        self,
        record,
        target: str,
        *,
        officer,
        note: str = "",
        reason: str = "",
        update_fields: Iterable[str] = (),
        step: bool = True,
    ):
        """Move `record` to `target`: check, set, save (`update_fields`: the other fields
        the caller set on the record), audit row by `officer` with `reason`, and the step row
        with `note`. Returns the record. Call it inside the caller's transaction, on a record
        read `select_for_update` when two officers could move it at once."""
        self.check(record, target)
        source = getattr(record, self.field)
        setattr(record, self.field, target)
        stamp(record, officer, reason)
        record.save(update_fields=[self.field, *update_fields])
        if step and self.step is not None:
            self.step(record, source, officer, note)
        return record
