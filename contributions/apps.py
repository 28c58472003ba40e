from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    """Monthly contribution statements, payments and receipts."""

    name = "contributions"
    verbose_name = _("Contributions")

    def ready(self):
        from contributions import rules
        from contributions.models import (
            CollectionRule,
            ContributionRate,
            Section40Option,
            SurchargeRule,
            VoluntaryRate,
        )

        rules.TABLES.watch(ContributionRate, VoluntaryRate, Section40Option, SurchargeRule, CollectionRule)

        from contributions import selectors
        from sso.core import providers

        # The registry's Section 39 rule counts the months paid under Section 33.
        providers.provide(providers.PAID_MONTHS_COUNT, selectors.paid_months_count)
