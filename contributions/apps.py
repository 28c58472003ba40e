from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    """Monthly contribution statements, payments and receipts."""

    name = "contributions"
    verbose_name = _("Contributions")

    def ready(self):
        from contributions import rules
        from contributions.models import ContributionRate, Section40Option, SurchargeRule, VoluntaryRate

        rules.TABLES.watch(ContributionRate, VoluntaryRate, Section40Option, SurchargeRule)
