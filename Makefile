# ratenet: two commands on a fresh machine with Python 3 and make.
#   make demo   -- set up the environment and run the main job
#   make test   -- set up the environment and run lint, type check and every test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.ratenet-installed
OUT    ?= out
PYTEST_ARGS ?=

.PHONY: demo test quick lint typecheck bench bench-peers docs clean help

help:
	@echo "make demo   - build the tutorial report in $(OUT)/tutorial"
	@echo "make test   - lint, type check and the whole test suite"
	@echo "make quick  - the fast tests only (-m 'not slow')"
	@echo "make bench  - run the benchmarks (writes benchmarks/RESULTS*.md)"
	@echo "make docs   - build the documentation site in docs/_build/html (warnings are errors)"
	@echo "make bench-peers - install BrainPy in benchmarks/.venv-peers for the comparison"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,app,sweep]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ratenet tutorial --out $(OUT)/tutorial

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples docs/conf.py

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) lint typecheck
	@bash tools/ensure-browser.sh || true
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

quick: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m "not slow" $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# The documentation site: guides, API reference, CLI reference and the executed gallery.
DOCS_STAMP := $(VENV)/.ratenet-docs-installed
$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[docs,sweep]'
	@touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	$(BIN)/python -m sphinx -b html -E -W --keep-going docs docs/_build/html
	@echo "docs: open docs/_build/html/index.html"

# BrainPy (with JAX) for the ring benchmark's comparison, in its own environment
bench-peers:
	@test -x benchmarks/.venv-peers/bin/python || $(PYTHON) -m venv benchmarks/.venv-peers
	benchmarks/.venv-peers/bin/python -m pip install -q brainpy jax

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache test-artifacts docs/_build docs/gallery
