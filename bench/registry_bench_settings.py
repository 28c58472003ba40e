"""Settings for `bench/registry_bench.py` only: the project's settings with a URLconf that
adds one bare view, to compare the API against the least Django can do for one lookup."""

from sso.settings import *  # noqa: F403
from sso.settings import STORAGES

ROOT_URLCONF = "bench.registry_bench_urls"
# Pages name their static files without the collectstatic manifest (the benchmark fetches
# none), so it needs no collectstatic run nor a var/static that another run may remove.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
