PYTHON_BOOT ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
VUE := front_end_pc/js/vendor/vue.global.prod.js
export PORT ?= 8000

.PHONY: run test lint format worker beat vendor pages services bench fuzz clean

$(VENV)/bin/python:
	$(PYTHON_BOOT) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	@dpkg -s libmariadb-dev >/dev/null 2>&1 || bash scripts/services.sh
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install -q -r requirements-dev.txt
	touch $(VENV)/.runtime $@

front_end_pc/node_modules/.package-lock.json: front_end_pc/package.json front_end_pc/package-lock.json
	cd front_end_pc && npm ci --no-audit --no-fund --loglevel=error

$(VUE): front_end_pc/node_modules/.package-lock.json
	mkdir -p front_end_pc/js/vendor
	cp front_end_pc/node_modules/vue/dist/vue.global.prod.js $(VUE)

vendor: $(VUE)

# The shop's pages, front_end_pc/<name>.html, from templates/pages/ (git-ignored build output).
pages: $(VENV)/.runtime
	$(PY) manage.py build_pages --pages-dir front_end_pc

## make run: the embedded demo (SQLite, embedded Redis, eager Celery) on http://127.0.0.1:$(PORT)
run: $(VENV)/.runtime vendor pages
	$(PY) scripts/run_demo.py

## make test: the whole suite against real MariaDB, a Redis of its own (unless REDIS_URL names one) and Chromium
test: services $(VENV)/.dev vendor pages
	$(PY) -m pytest $(PYTEST_ARGS)

services:
	bash scripts/services.sh

## make bench: every hot path on the production stack, against bare /health/ (BENCH_QUICK=1: a 3-minute subset)
bench: services $(VENV)/.dev vendor pages
	bash scripts/bench/run.sh

## make fuzz: schemathesis over the API's own schema at length (FUZZ_EXAMPLES per operation; the suite runs 25)
FUZZ_EXAMPLES ?= 500
fuzz: services $(VENV)/.dev vendor pages
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest tests/fuzz $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The worker and beat refuse to start without DJANGO_SETTINGS_MODULE; these targets run the dev settings.
worker beat: export DJANGO_SETTINGS_MODULE ?= meiduo_mall.settings.dev

worker: $(VENV)/.runtime
	$(VENV)/bin/celery -A celery_tasks.main worker -l info

beat: $(VENV)/.runtime
	$(VENV)/bin/celery -A celery_tasks.main beat -l info

clean:
	rm -rf var front_end_pc/js/vendor front_end_pc/node_modules
