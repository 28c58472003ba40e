"""The database router of the reports database (settings' DATABASE_ROUTERS, only when
REPORTS_DATABASE_URL is set): reads of the report summary tables go where `sso.core.db`
says report reads go; every write goes to the primary; nothing is migrated on the replica.

The summary tables are named by label, not imported (sso.core imports no app)."""

from django.db import DEFAULT_DB_ALIAS

from sso.core.db import REPORTS, reports_alias

# Derived tables only the reports read (rolled on the primary, never edited by a person).
SUMMARY_MODELS = frozenset(
    {"queueing.queuesummary", "queueing.queuerollup", "benefits.claimstepday", "contributions.collectionday"}
)


class ReportsRouter:
    def db_for_read(self, model, **hints):
        if model._meta.label_lower in SUMMARY_MODELS:
            return reports_alias()
        return None

    def db_for_write(self, model, **hints):
        # Also for a row read from the replica and saved again.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # One database's rows, the replica's being a copy of the primary's.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPORTS else None
