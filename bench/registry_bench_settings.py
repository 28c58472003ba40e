"""Settings for `bench/registry_bench.py` only: the project's settings with a URLconf that
adds one bare view, to compare the API against the least Django can do for one lookup."""

from sso.settings import *  # noqa: F403

ROOT_URLCONF = "bench.registry_bench_urls"
