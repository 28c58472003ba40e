from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand


def _demo_modules():
    """Each app with a `demo.py` seeds its own demo data, in INSTALLED_APPS order."""
    for app in settings.INSTALLED_APPS:
        try:
            yield app, import_module(f"{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.demo":
                raise


class Command(BaseCommand):
    help = "Load the demo data (idempotent: safe to run on every start)."

    def add_arguments(self, parser):
        for _app, module in _demo_modules():
            if hasattr(module, "add_arguments"):
                module.add_arguments(parser)

    def handle(self, *args, **options):
        for _app, module in _demo_modules():
            module.seed(stdout=self.stdout, **options)
