from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    """Monthly contribution statements, payments and receipts."""

    name = "contributions"
    verbose_name = _("Contributions")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from contributions import rules
        from contributions.models import ContributionRate, Section40Option, SurchargeRule, VoluntaryRate

        for model in (ContributionRate, VoluntaryRate, Section40Option, SurchargeRule):
            post_save.connect(rules.rules_cache_clear, sender=model, dispatch_uid=f"rules-cache-{model.__name__}")
            post_delete.connect(rules.rules_cache_clear, sender=model, dispatch_uid=f"rules-cache-{model.__name__}-d")
