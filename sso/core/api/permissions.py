from rest_framework.exceptions import Throttled
from rest_framework.permissions import BasePermission, DjangoModelPermissions


def anonymous_counted(request, view) -> None:
    """Count an anonymous call against its address's rate before it is refused.

    DRF checks permissions before throttles, so a call without credentials to an endpoint
    that needs them is refused (401/403) without ever being counted: a flood of them would
    cost the server its session and permission work unchecked. Each permission class below
    counts such a call here, and answers 429 once the address is over its rate."""
    user = request.user
    if user and user.is_authenticated:
        return
    from sso.core.throttling import ApiRateThrottle

    throttle = ApiRateThrottle()
    if not throttle.allow_request(request, view):
        raise Throttled(throttle.wait())


class StaffOnly(BasePermission):
    """Signed in, any role (the caller's own data, the API's description)."""

    def has_permission(self, request, view):
        anonymous_counted(request, view)
        return bool(request.user and request.user.is_authenticated)


class StaffModelPermissions(DjangoModelPermissions):
    """Model permissions for every method, reads included (Django's view_* permission)."""

    def has_permission(self, request, view):
        anonymous_counted(request, view)
        return super().has_permission(request, view)

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class HasRequiredPermissions(BasePermission):
    """Signed in and holding every permission the view lists in `required_permissions`
    (for endpoints that do work rather than read one model)."""

    def has_permission(self, request, view):
        anonymous_counted(request, view)
        user = request.user
        return bool(user and user.is_authenticated and user.has_perms(view.required_permissions))
