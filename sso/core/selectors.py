from django.db.models import Count, QuerySet

from sso.core.models import Office, User
from sso.core.scoping import object_get_for_user, office_scoped


def office_list(*, user) -> QuerySet:
    return office_scoped(Office.objects.select_related("province"), user).annotate(staff_count=Count("staff"))


def office_get_for_user(*, user, code: str) -> Office:
    """One office the user may see (their own, or any for national roles), else 404."""
    return object_get_for_user(Office.objects.select_related("province"), user, code=code)


def office_staff_list(*, office: Office) -> QuerySet:
    return User.objects.filter(office=office, is_active=True).prefetch_related("groups").order_by("username")
