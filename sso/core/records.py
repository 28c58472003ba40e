"""What every service does to the record it writes: stamp who changed it (for the audit
trail, also outside a request, e.g. in Celery) and refuse bad input as a field error.
"""

from django.core.exceptions import ValidationError


def stamp(record, officer, reason: str = ""):
    """Mark `record` as changed by `officer` (with `reason`, shown on its history page)."""
    record._history_user = officer
    if reason:
        record._change_reason = reason
    return record


def refuse(field: str, message, code: str = "invalid"):
    """Raise a `ValidationError` on `field`; the form or API answer shows it by the field."""
    raise ValidationError({field: ValidationError(message, code=code)})


class Refusals:
    """Every fault of one input, refused together: an officer sees them all in one submit
    instead of fixing them in rounds (the address first, then the tax ID's check digit).

        faults = Refusals()
        tax_id = faults.check("tax_id", tax_id_clean, tax_id)
        if registered_on > today:
            faults.add("registered_on", _("..."), "future")
        faults.raise_any()
    """

    def __init__(self):
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message, code: str = "invalid") -> None:
        self.errors.setdefault(field, []).append(ValidationError(message, code=code))

    def add_error(self, field: str, exc: ValidationError) -> None:
        """A raised ValidationError: its own fields where it names them, else `field`."""
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                self.errors.setdefault(name, []).extend(errors)
        else:
            self.errors.setdefault(field, []).extend(exc.error_list)

    def check(self, field: str, check, *args, default=None):
        """`check(*args)`, or `default` with its refusal noted on `field`."""
        try:
            return check(*args)
        except ValidationError as exc:
            self.add_error(field, exc)
            return default

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
