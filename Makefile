# `make run` serves the app with demo content; `make test` runs the whole suite.
# Both create .venv and install what they need on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Test processes each have their own SQLite files, PostgreSQL database and Redis database.
# Whole files go to the workers, the files with slow tests first (tests/conftest.py orders them); the
# slowest tests are listed at the end.
# One more process than cores: the real-server tests spend much of their time waiting on a server or a
# cut connection, and a third worker uses that time (on 2 cores: 287 s instead of 300 s).
# Python writes its compiled modules to __pycache__ even where the environment says not to
# (PYTHONDONTWRITEBYTECODE): without them each test process compiles the app and rewrites the tests' asserts
# again, 7 s of CPU each, and each server a test starts compiles the app again.
unexport PYTHONDONTWRITEBYTECODE
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

# The catalogs (README: "How to add a language"). tests/test_catalogs.py extracts with the same options and fails
# while messages.pot differs from what the code marks.
CATALOGS := corrections/translations
EXTRACT_OPTIONS := -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 --add-comments=Translators: --add-location=file --sort-output \
	--no-wrap --project=corrections --copyright-holder="corrections contributors"

.PHONY: run test install clean messages catalogs

$(BIN)/corrections: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/corrections

run: install
	$(BIN)/corrections db upgrade
	$(BIN)/corrections seed-demo --if-empty
	$(BIN)/corrections serve --host 127.0.0.1 --port 8000

test: install
	$(BIN)/ruff check corrections tests
	$(BIN)/lint-imports
	$(BIN)/bandit --quiet --recursive corrections --severity-level medium
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=15 $(PYTEST_ARGS)

# Extract the marked strings into messages.pot, then bring each language's messages.po up to date with it.
messages: install
	$(BIN)/pybabel extract $(EXTRACT_OPTIONS) -o $(CATALOGS)/messages.pot .
	if ls $(CATALOGS)/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel update -i $(CATALOGS)/messages.pot -d $(CATALOGS) --no-wrap --ignore-obsolete; fi

# Compile each messages.po into the messages.mo the app reads (committed: a fresh clone runs without this step).
catalogs: install
	if ls $(CATALOGS)/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel compile -d $(CATALOGS) --statistics; fi

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .import_linter_cache
