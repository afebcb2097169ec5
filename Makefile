# Tumbuh: two commands.
#   make demo   set up, load the demo district and serve it at http://127.0.0.1:8000
#   make test   set up, lint (ruff, bandit, mypy), check the layers (import-linter) and run the whole suite (SQLite, then PostgreSQL when reachable)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Demo children in Luwu Timur with their 2023–2025 visits, and in Luwu about a quarter as many
# (about a minute on SQLite the first time, a few seconds after); e.g. `make demo DEMO_CHILDREN=2000`
# for a quick one.
DEMO_CHILDREN ?= 25000
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider

.PHONY: setup kernel bytecode demo serve test lint lint-imports test-sqlite test-postgres test-browser deploy-check messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP) kernel bytecode

# The z-score kernel compiled ahead of time for this machine and source (tumbuh/growth/_aot.py;
# ~30 s the first time, nothing after): each process then loads it in milliseconds. Without a
# C compiler it is not built and numba's JIT serves instead.
kernel: $(STAMP)
	-$(BIN)/python -m tumbuh.growth._aot

# Python's bytecode of tumbuh's own modules, written once (a second or two). An editable
# install does not compile them, and where PYTHONDONTWRITEBYTECODE is set every process would
# compile them again: ~0.2 s of CPU at each Django command, ~50 ms at each `tumbuh zscore`.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q -j0 tumbuh >/dev/null

demo: setup
	TUMBUH_DEMO=1 $(BIN)/tumbuh migrate --noinput -v0
	TUMBUH_DEMO=1 $(BIN)/tumbuh load_demo --all-regions --children $(DEMO_CHILDREN)
	@echo "Tumbuh berjalan di / is running at http://$(HOST):$(PORT)  (Ctrl+C untuk berhenti / to stop)"
	TUMBUH_DEMO=1 $(BIN)/tumbuh runserver $(HOST):$(PORT)

test: setup lint lint-imports test-sqlite test-postgres test-browser

# Lint ([tool.ruff], [tool.bandit], [tool.mypy] in pyproject.toml): fails on any finding.
lint: setup
	@echo "== lint (ruff, bandit, mypy) =="
	$(BIN)/ruff check tumbuh bench tools
	$(BIN)/ruff format --check tumbuh bench tools
	$(BIN)/bandit -c pyproject.toml -r tumbuh -q
	TUMBUH_DEBUG=1 $(BIN)/mypy

# The layers of docs/architecture.md, as import-linter contracts ([tool.importlinter] in pyproject.toml).
lint-imports: setup
	@echo "== layers (import-linter) =="
	$(BIN)/lint-imports

test-sqlite: setup
	@echo "== suite on SQLite =="
	env -u DATABASE_URL TUMBUH_VAR_DIR=$(CURDIR)/var/test $(PYTEST) -m "not browser and not pg_cluster"

# pg_cluster: tests with a private PostgreSQL cluster of their own (a restart while pages and an import run).
test-postgres: setup
	@url=$$($(BIN)/python tools/postgres_url.py); \
	if [ -n "$$url" ]; then \
	  echo "== suite on PostgreSQL ($$url) =="; \
	  DATABASE_URL=$$url $(PYTEST) -m "not browser and not spark"; \
	else echo "== PostgreSQL not reachable: skipped (set DATABASE_URL to run it); only the tests with a cluster of their own =="; \
	  env -u DATABASE_URL TUMBUH_VAR_DIR=$(CURDIR)/var/test $(PYTEST) -m pg_cluster; fi

test-browser: setup
	@echo "== browser tests (Playwright + chromium) =="
	env -u DATABASE_URL TUMBUH_VAR_DIR=$(CURDIR)/var/test $(PYTEST) -m browser

deploy-check: setup
	DATABASE_URL=$${DATABASE_URL:-sqlite:///$(CURDIR)/var/deploy-check.sqlite3} SECRET_KEY=$${SECRET_KEY:-check-$$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')} \
	  ALLOWED_HOSTS=tumbuh.example.go.id \
	  $(BIN)/tumbuh check --deploy --fail-level WARNING

messages: setup
	cd tumbuh && TUMBUH_DEBUG=1 ../$(BIN)/tumbuh makemessages -l id --no-obsolete && TUMBUH_DEBUG=1 ../$(BIN)/tumbuh compilemessages -l id

clean:
	rm -rf $(VENV) var *.egg-info .import_linter_cache .mypy_cache .ruff_cache
