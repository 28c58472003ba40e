"""Settings for `bench/queue_bench.py --compare` only: the project's settings with a URLconf
that adds call-next and the ticket issue as a plain Django view and as the bare DRF view."""

from sso.settings import *  # noqa: F403
from sso.settings import STORAGES

ROOT_URLCONF = "bench.queue_bench_urls"
# As bench/registry_bench_settings.py: no collectstatic manifest needed.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
