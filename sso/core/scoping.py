"""Office scoping, enforced here and nowhere else.

Scoping guards the work, not the people. An office's work is its own: statements, receipts,
claims, tickets, work queues, the employers it is responsible for (their accounts and
employment). A person is national: an insured person and their histories (sections,
hospital, bank account, dependants) are read and served at any office, so their models say
`OFFICE_SCOPE = None`, like national reference data, and name the office that keeps their
file in `HOME_OFFICE` (the search ranks it first; a read from another office is logged by
the registry). See docs/architecture.md, "National records and office work".

Staff see the work of their own office; roles holding `core.view_all_offices` see every
office. Each model that is scoped names the path from a row to its office in
`OFFICE_SCOPE` (e.g. "office", "employer__responsible_office"), or a tuple of paths when a
row belongs to two offices (a read of another office's person: the reader's and the
person's); None for national records. Views and API views fetch through `office_scoped`
(lists) and `object_get_for_user` (one record), so a record of another office answers 404,
the same as a record that does not exist.
"""

from django.db.models import Model, Q, QuerySet
from django.http import Http404

ALL_OFFICES_PERMISSION = "core.view_all_offices"


def sees_all_offices(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(ALL_OFFICES_PERMISSION))


def office_scoped(queryset: QuerySet, user) -> QuerySet:
    """The rows of `queryset` that `user` may see."""
    if not (user and user.is_authenticated):
        return queryset.none()
    if sees_all_offices(user):
        return queryset
    if not hasattr(queryset.model, "OFFICE_SCOPE"):
        raise TypeError(f"{queryset.model.__name__} has no OFFICE_SCOPE: it cannot be office-scoped.")
    path = queryset.model.OFFICE_SCOPE
    if path is None:  # national reference data: the same for every office
        return queryset
    if user.office_id is None:
        return queryset.none()
    if isinstance(path, tuple):  # a row of two offices: either one sees it
        condition = Q()
        for one in path:
            condition |= Q(**{one: user.office_id})
        return queryset.filter(condition)
    return queryset.filter(**{path: user.office_id})


def scope_office_id(user) -> int | None:
    """The office a user's lookups are limited to, for code that filters in SQL itself:
    None for roles that see every office, -1 (no office matches) for a user without one."""
    if sees_all_offices(user):
        return None
    return user.office_id if user.office_id is not None else -1


def object_get_for_user(queryset_or_model, user, **lookup) -> Model:
    """One record that `user` may see, or 404."""
    queryset = (
        queryset_or_model if isinstance(queryset_or_model, QuerySet) else queryset_or_model._default_manager.all()
    )
    try:
        return office_scoped(queryset, user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError):
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None


def office_scope_sql(model, user, alias: str) -> tuple[str, list]:
    """The office scope of `office_scoped` as a SQL condition on `alias` (the model's table in
    a hand-written query), with its parameters: ("", []) when the user sees every office or
    the model is national reference data. Only for a model whose OFFICE_SCOPE is one of its
    own foreign keys (e.g. "office"); a longer path belongs in the ORM."""
    path = model.OFFICE_SCOPE
    if path is None or sees_all_offices(user):
        return "", []
    if isinstance(path, tuple) or "__" in path:
        raise TypeError(f"{model.__name__}.OFFICE_SCOPE {path!r} spans tables: scope it with office_scoped.")
    if not (user and user.is_authenticated) or user.office_id is None:
        return "FALSE", []
    column = model._meta.get_field(path).column
    return f"{alias}.{column} = %s", [user.office_id]
