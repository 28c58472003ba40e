# The two commands: `make run` (set up and serve with demo data) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# Tests never need a real secret; DEBUG=1 keeps HTTPS redirects off for the test client.
TEST_ENV := DEBUG=1 SECRET_KEY=test-only-secret-key-not-for-production-use-0123456789abcdef

.PHONY: run test lint install install-dev messages clean bench-queue bench-registry bench-contributions bench-benefits bench-benefit-payments

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.run-installed $@

install: $(VENV)/.run-installed
install-dev: $(VENV)/.dev-installed

run: install
	$(PY) scripts/stack.py run

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install-dev lint
	$(TEST_ENV) $(PY) scripts/stack.py exec -- sh -c '\
	  $(PY) manage.py compilemo && \
	  $(PY) manage.py check && \
	  $(PY) manage.py makemigrations --check --dry-run && \
	  $(PY) -m pytest $(PYTEST_ARGS)'

# Refresh the .po files after changing translatable text (needs GNU gettext), then fill in Thai.
messages: install-dev
	$(TEST_ENV) DATABASE_URL=postgres://unused/x REDIS_URL=redis://unused $(PY) manage.py makemessages -l th -l en --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --no-obsolete

clean:
	rm -rf var .pytest_cache tests/artifacts

# Benchmarks print their figures (see bench/README.md); wrk comes from Debian.
bench-queue: install-dev
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) scripts/stack.py exec -- $(PY) bench/queue_bench.py $(BENCH_ARGS)

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
