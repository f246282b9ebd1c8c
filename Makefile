# Tandem: `make demo` runs Tandem with a demo LMS; `make test` runs every test on SQLite and PostgreSQL.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.PHONY: compile demo test test-sqlite test-postgres lint-imports translations benchmark services browser nginx clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o plugin/translations/messages.pot --no-location --omit-header .
	$(BIN)/pybabel update -i plugin/translations/messages.pot -d plugin/translations --ignore-obsolete --no-fuzzy-matching
	$(BIN)/pybabel compile -d plugin/translations

compile: $(STAMP)
	@$(BIN)/pybabel compile -d plugin/translations >/dev/null

demo: $(STAMP) compile
	$(BIN)/python -m demo

# Chromium for the accessibility and journey tests (Debian's package; never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# nginx for the production-path tests (Debian's package; the tests start their own instance on free ports).
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || (apt-get update -qq && apt-get install -y -qq nginx >/dev/null)

services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no

lint-imports: $(STAMP)
	$(BIN)/ruff check --quiet plugin lti demo benchmarks tests
	$(BIN)/lint-imports

# Two pytest workers per run (a test module stays on one worker): the suite is mostly waiting on HTTP and Chromium.
XDIST ?= -n 2 --dist loadfile

test-sqlite: $(STAMP) compile services nginx
	TANDEM_TEST_DATABASE=sqlite $(BIN)/python -m pytest -q $(XDIST)

test-postgres: $(STAMP) compile services nginx
	TANDEM_TEST_DATABASE=postgresql TANDEM_TEST_PG_URL=$(PG_URL) $(BIN)/python -m pytest -q -m "not browser" $(XDIST)

test: $(STAMP) services browser nginx lint-imports test-sqlite test-postgres

benchmark: $(STAMP) services
	$(BIN)/python benchmarks/launch.py

clean:
	rm -rf $(VENV) *.egg-info .demo
