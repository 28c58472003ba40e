from rest_framework.permissions import BasePermission, DjangoModelPermissions


class StaffModelPermissions(DjangoModelPermissions):
    """Model permissions for every method, reads included (Django's view_* permission)."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class HasRequiredPermissions(BasePermission):
    """Signed in and holding every permission the view lists in `required_permissions`
    (for endpoints that do work rather than read one model)."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perms(view.required_permissions))
