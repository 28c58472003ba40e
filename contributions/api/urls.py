"""Contributions API: statements, payments (with idempotency keys), receipts, contribution months."""

urlpatterns = []
