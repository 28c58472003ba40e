from sso.core.menu import menu_for
from sso.core.roles import role_names


def staff_menu(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {"staff_menu": menu_for(user), "staff_roles": role_names(user)}
