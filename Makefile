# The two commands of the README: `make run` and `make test`; `make bench` measures (README, Performance).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test fuzz bench lint schema clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) is required"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:8000

# The layer contracts run with the tests too, so a new import cycle between apps fails CI.
test: $(STAMP)
	$(BIN)/lint-imports --no-cache
	scripts/with-postgres.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

# Not part of `make test` (about an hour on 2 cores): schemathesis with FUZZ_EXAMPLES (default 1 000) examples
# per operation across the six roles plus stateful sequences, and the IM callback under worker kills and
# database cuts with FUZZ_CALLBACKS messages; prints the counts.
fuzz: $(STAMP)
	FUZZ_FULL=1 scripts/with-postgres.sh $(BIN)/python -m pytest -q -s -p no:cacheprovider \
		tests/platform/test_fuzz.py tests/messages/test_callback_faults.py

# Not part of `make test`: loads a 1 000 000-message dataset into a throwaway PostgreSQL and drives load
# with wrk (about 10 minutes on 2 cores); prints one table and writes bench/results.json.
bench: $(STAMP)
	PY=$(BIN)/python bench/run.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

schema: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache bench/work
