from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    """Benefit claims: record, examine, adjudicate, pay."""

    name = "benefits"
    verbose_name = _("Benefits")
