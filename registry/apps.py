from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    """Employers, branches, insured persons, employment and dependants."""

    name = "registry"
    verbose_name = _("Registry")
