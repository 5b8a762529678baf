# The two commands of the quick start are `make demo` and `make test`; each installs
# what it needs into .venv first (idempotent: a stamp file tracks the lock file).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BERTOPIC := bertopic==0.17.4
KERNEL := corpus

.PHONY: install demo test test-fast lint typecheck bench lab browser clean-store lock

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	# BERTopic's metadata requires sentence-transformers (and so torch); it fits from
	# precomputed embeddings without it, so it is installed without its dependencies.
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps $(BERTOPIC)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (corpus)" >/dev/null
	touch $(STAMP)

# The demo corpus through every notebook; prints where the HTML report is.
demo: install
	$(VENV)/bin/corpus run pipelines/demo.yaml
	@echo "Latest run: runs/demo/latest/ (open runs/demo/latest/06-report.html)"

test: install browser
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not slow"

lint: install
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

typecheck: install
	$(VENV)/bin/mypy

# Every benchmark (BENCH=--quick for small sizes); writes benchmarks/RESULTS.md.
bench: install
	nice $(PY) benchmarks/run_all.py $(BENCH)

# JupyterLab on the project's kernel; token authentication stays on (see the URL it prints).
# As root (containers, CI machines) Jupyter needs --allow-root.
lab: install
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=$(CURDIR) \
		--MappingKernelManager.default_kernel_name=$(KERNEL) \
		$(if $(filter 0,$(shell id -u)),--allow-root) notebooks/01-corpus.ipynb

# Headless Chromium for the HTML report tests (CI runs as root on a fresh machine).
browser:
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# Regenerate the pinned lock file from the current environment.
lock:
	$(PY) -m pip freeze --exclude-editable | grep -v -i -E '^(bertopic|corpus)==' > requirements.lock
