# Survey-analysis notebooks for Region Västerbotten.
# `make help` lists the targets. The first two commands of the README are `make reports` and `make test`;
# both create the virtual environment (.venv) when it is missing.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JOBS ?=

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "}; /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-15s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name analysis --display-name "Python (analysis)" >/dev/null
	@touch $(STAMP)

.PHONY: venv
venv: $(STAMP) ## Create .venv and install the project with its dev tools and kernel

.PHONY: data
data: $(STAMP) ## Ingest every survey in data/raw/ (demo exports, or real ones dropped into data/raw/<survey>/)
	@for s in $$($(PY) -c 'from analysis.data.surveys import discover; print(*discover())'); do \
		$(PY) -m analysis ingest $$s || exit $$?; done

.PHONY: reports
reports: data ## Build every report (and the coding manual) on the data in data/raw into reports/
	$(PY) -m analysis run --all $(if $(JOBS),--jobs $(JOBS))
	$(PY) -m analysis code --manual reports/kodningsmanual.html
	@echo "Rapporterna finns i $(CURDIR)/reports/ — börja med reports/index.html"

.PHONY: test
test: $(STAMP) ## Run the whole test suite (incl. browser checks when Chromium is installed)
	$(PY) -m pytest

.PHONY: check-reports
check-reports: data ## Build the reports and check them in a real browser (axe, vnu, PII audit)
	$(PY) tests/browser/check_reports.py

.PHONY: bench
bench: data ## Print benchmark figures (ingest, reports vs floor, text coding, PII detection, pathological input)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit $$?; done

.PHONY: lint
lint: $(STAMP) ## ruff lint + format check, and notebooks without outputs
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests
	$(VENV)/bin/nbstripout --verify notebooks/*.ipynb notebooks/exploratory/*.ipynb

.PHONY: format
format: $(STAMP) ## ruff format + strip notebook outputs
	$(VENV)/bin/ruff check --fix src tests
	$(VENV)/bin/ruff format src tests
	$(VENV)/bin/nbstripout notebooks/*.ipynb notebooks/exploratory/*.ipynb

.PHONY: lab
lab: $(STAMP) ## Start JupyterLab with the project's kernel (start with notebooks/exploratory/)
	$(VENV)/bin/jupyter lab notebooks/

.PHONY: docs
docs: $(STAMP) ## Write the Python API reference (HTML, from the docstrings) into docs/api/
	$(VENV)/bin/pdoc --docformat numpy --no-search -o docs/api analysis analysis.data analysis.stats analysis.disclosure analysis.text analysis.surveys analysis.report analysis.pipeline analysis.cli analysis.paths analysis.errors analysis.atomic
	@echo "API-referensen finns i $(CURDIR)/docs/api/analysis.html"

.PHONY: clean
clean: ## Remove generated data and reports (never touches data/raw)
	rm -rf data/processed/*/ reports/*.html reports/executed reports/failed reports/.build tests/artifacts
