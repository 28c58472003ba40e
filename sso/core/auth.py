"""Permissions read once per user and kept in the cache (Redis).

Every API call checks the caller's permissions; Django's ModelBackend reads them with two
queries per request. Here they come from one cache read, and any change of a user's
roles, a role's permissions or a user's own permissions drops the affected entries.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models.signals import m2m_changed

TIMEOUT = 3600


def _key(user_id) -> str:
    return f"core:perms:{user_id}"


def _user_key(user) -> str:
    # The join time guards against a reused id (a restored database, a test run).
    return f"{_key(user.pk)}:{user.date_joined.timestamp() if user.date_joined else 0}"


class CachedPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            perms = cache.get(_user_key(user_obj))
            if perms is None:
                perms = super().get_all_permissions(user_obj)
                cache.set(_user_key(user_obj), perms, TIMEOUT)
            user_obj._perm_cache = perms
        return user_obj._perm_cache


def permissions_forget(user_ids) -> None:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(pk__in=list(user_ids))
    cache.delete_many([_user_key(user) for user in users.only("pk", "date_joined")])


def _user_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # group.user_set changed: the users named in pk_set, or all of the group's on clear
        permissions_forget(pk_set or instance.user_set.values_list("pk", flat=True))
    else:
        permissions_forget([instance.pk])


def _group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:  # group.permissions changed
        groups = [instance]
    elif pk_set:  # permission.group_set changed for these groups
        groups = Group.objects.filter(pk__in=pk_set)
    else:  # permission.group_set cleared: forget everyone's
        groups = Group.objects.all()
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(groups__in=list(groups)).values_list("pk", flat=True)
    permissions_forget(set(users))


def _user_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action.startswith("post_"):
        permissions_forget((pk_set or []) if reverse else [instance.pk])


def connect_signals(user_model):
    m2m_changed.connect(_user_groups_changed, sender=user_model.groups.through, dispatch_uid="core.perms.groups")
    m2m_changed.connect(_group_permissions_changed, sender=Group.permissions.through, dispatch_uid="core.perms.group")
    m2m_changed.connect(
        _user_permissions_changed, sender=user_model.user_permissions.through, dispatch_uid="core.perms.user"
    )
