"""Back-office work of contribution collection. Tasks stay thin: the work is in services."""

from celery import shared_task

from contributions import backoffice


@shared_task(
    name="contributions.tasks.statement_verify",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def statement_verify(statement_id: int) -> str:
    """Cross-check an accepted (or paid) statement. Safe to re-run: findings are made once."""
    return backoffice.statement_verify(statement_id=statement_id)
