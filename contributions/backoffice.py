"""The back office's cross-checks of accepted statements and the verifier's resolutions."""

from django.db import transaction
from django.utils import timezone

from contributions.models import Statement


@transaction.atomic
def statement_verify(*, statement_id: int) -> str:
    statement = Statement.objects.select_for_update().get(pk=statement_id)
    if statement.verification == Statement.Verification.PENDING:
        statement.verification = Statement.Verification.CLEAR
        statement.verified_at = timezone.now()
        statement.save(update_fields=["verification", "verified_at"])
    return statement.verification
