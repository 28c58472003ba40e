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
