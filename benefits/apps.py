from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    """Benefit claims: record, examine, adjudicate, pay."""

    name = "benefits"
    verbose_name = _("Benefits")

    def ready(self):
        from benefits.models import BenefitParameter
        from benefits.rules import parameters

        parameters.TABLES.watch(BenefitParameter)

        from benefits import selectors
        from sso.core import providers

        # The registry's data-completeness panel shows what each benefit's rules need.
        providers.provide(providers.BENEFIT_NEEDS, selectors.benefit_needs)
        # The queue's ticket page lists the documents a claim service needs.
        providers.provide(providers.SERVICE_DOCUMENTS, selectors.service_documents)
