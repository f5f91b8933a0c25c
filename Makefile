# The two commands a newcomer types: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST := $(BIN)/python -m pytest -q -n 2 --dist loadfile

.PHONY: install demo test lint check test-sqlite test-postgresql browser bench clean messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/soulmark serve --demo

# The whole suite on SQLite, then again on PostgreSQL when a server answers
# (CI sets SOULMARK_REQUIRE_PG=1 so a missing server fails instead of skipping).
test: check browser test-sqlite test-postgresql

check: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test-sqlite: $(STAMP)
	$(PYTEST)

test-postgresql: $(STAMP)
	@if $(BIN)/python -m tests.pg_ready; then \
		SOULMARK_TEST_DB=postgresql $(PYTEST) -m "not browser"; \
	elif [ -n "$$SOULMARK_REQUIRE_PG" ]; then \
		echo "PostgreSQL is required but not reachable on 127.0.0.1:5432"; exit 1; \
	else \
		echo "PostgreSQL not reachable on 127.0.0.1:5432: skipping the PostgreSQL pass"; \
	fi

# Browser tests drive Debian's Chromium, and the deploy test Debian's nginx (docs/deploy.md);
# install them when missing (needs root, as in CI).
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && \
		(apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) || \
		echo "chromium is missing and cannot be installed here: browser tests will skip"; }
	@test -x /usr/sbin/nginx || { [ "$$(id -u)" = 0 ] && \
		(apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null) || \
		echo "nginx is missing and cannot be installed here: the deploy test will skip"; }

lint: $(STAMP)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

# Re-extract every translatable string and merge it into each catalog (docs/i18n.md).
LOCALE := src/soulmark/locale
messages: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg --no-location --no-wrap --sort-output --project soulmark \
		-o $(LOCALE)/soulmark.pot src/soulmark
	$(BIN)/pybabel -q update -i $(LOCALE)/soulmark.pot -d $(LOCALE) -D soulmark \
		--no-fuzzy-matching --no-wrap --ignore-pot-creation-date

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
