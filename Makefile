# ratenet: two commands on a fresh machine with Python 3 and make.
#   make demo   -- set up the environment and run the main job
#   make test   -- set up the environment and run lint, type check and every test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.ratenet-installed
CORE_STAMP := $(VENV)/.ratenet-core-installed
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

# make test (and the other development targets): ratenet with the test, app and sweep extras
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "ratenet: installing ratenet with the extras dev, app, sweep into $(VENV) (pip)..."
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,app,sweep]'
	@touch $(STAMP) $(CORE_STAMP)

# make demo: ratenet and its core dependencies only, with pip's own progress
$(CORE_STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "ratenet: creating the virtual environment $(VENV)"; \
		$(PYTHON) -m venv $(VENV); }
	@echo "ratenet: installing ratenet and its core dependencies into $(VENV) (pip)..."
	$(BIN)/python -m pip install -e .
	@touch $(CORE_STAMP)

demo: $(CORE_STAMP)
	@echo "ratenet: answering the tutorial's questions; report in $(OUT)/tutorial/report.html"
	$(BIN)/ratenet tutorial --out $(OUT)/tutorial

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples docs/conf.py docs/api/_generate.py

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
