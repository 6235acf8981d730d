# The two commands of the README: `make run` and `make test`; `make bench` measures (README, Performance).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Installs come from the lock files (exact versions and hashes, README "Install"): requirements.txt for
# production (the Docker image), requirements-dev.txt for development and tests (the same pins plus the dev
# extra). uv is the pinned one that the first `make` bootstraps from PyPI into .tools/
# (scripts/uv-requirements.txt, hash-checked); `make UV=/path/to/uv` uses another. uv never downloads a
# Python: it uses $(PYTHON).
TOOLS := .tools
UV ?= $(TOOLS)/bin/uv
UV_BOOTSTRAP := $(filter $(TOOLS)/bin/uv,$(UV))
UV_ENV := UV_PYTHON=$(PYTHON) UV_PYTHON_DOWNLOADS=never
LOCKS := requirements.txt requirements-dev.txt
COMPILE = $(UV_ENV) $(UV) pip compile pyproject.toml --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock"

.PHONY: install run test fuzz bench lint schema clean lock upgrade

$(TOOLS)/bin/uv: scripts/uv-requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) is required"; exit 1; }
	rm -rf $(TOOLS)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --require-hashes --target $(TOOLS) \
		-r scripts/uv-requirements.txt
	touch $@

# Exactly what requirements-dev.txt lists, every file's hash checked; anything else in .venv is removed.
$(STAMP): pyproject.toml $(LOCKS) | $(UV_BOOTSTRAP)
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) is required"; exit 1; }
	@$(PYTHON) scripts/lockcheck.py check $(LOCKS)
	test -x $(BIN)/python || $(UV_ENV) $(UV) venv --quiet $(VENV)
	$(UV_ENV) $(UV) pip sync --quiet --require-hashes --python $(BIN)/python requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# Re-lock after pyproject.toml changed (a merge that added dependencies): every unchanged pin is kept. A
# lock file left with merge conflict markers is first replaced by its version before the merge.
lock: $(UV_BOOTSTRAP)
	@for f in $(LOCKS); do \
		if grep -qE '^(<<<<<<<|=======|>>>>>>>)' $$f 2>/dev/null; then \
			echo "$$f has merge conflicts: re-locking from its version before the merge"; \
			git show HEAD:$$f >$$f 2>/dev/null || git show MERGE_HEAD:$$f >$$f 2>/dev/null || rm -f $$f; \
		fi; \
	done
	$(COMPILE) -o requirements.txt
	$(COMPILE) --extra dev --constraint requirements.txt -o requirements-dev.txt
	$(PYTHON) scripts/lockcheck.py stamp $(LOCKS)
	$(MAKE) install

# Every dependency to the newest version pyproject.toml allows.
upgrade: $(UV_BOOTSTRAP)
	$(COMPILE) --upgrade -o requirements.txt
	$(COMPILE) --upgrade --extra dev --constraint requirements.txt -o requirements-dev.txt
	$(PYTHON) scripts/lockcheck.py stamp $(LOCKS)
	$(MAKE) install

run: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo
	@# The Procfile's two processes: the worker in the background (stopped with the web server), the web
	@# server in the foreground. On the SQLite default the worker runs the periodic jobs only (README).
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py procrastinate worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
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
	rm -rf $(VENV) $(TOOLS) db.sqlite3 .pytest_cache bench/work
