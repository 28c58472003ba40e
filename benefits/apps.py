from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    """Benefit claims: record, examine, adjudicate, pay."""

    name = "benefits"
    verbose_name = _("Benefits")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from benefits import rules
        from benefits.models import BenefitParameter

        post_save.connect(rules.rules_cache_clear, sender=BenefitParameter, dispatch_uid="benefit-parameters-cache")
        post_delete.connect(rules.rules_cache_clear, sender=BenefitParameter, dispatch_uid="benefit-parameters-cache-d")
