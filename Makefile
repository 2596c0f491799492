# Two commands on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
# The CPU wheel of torch; a looser pin would pull a multi-GB CUDA build.
TORCH := torch==2.13.0

.PHONY: demo test lint format docs bench clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH)
	$(PY) -m pip install -q -e '.[dev,tensorboard,parquet,labels]'
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/nndoctor demo

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

test: lint
	$(PY) -m pytest

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix src tests benchmarks
	$(VENV)/bin/ruff format src tests benchmarks

docs: $(VENV)/.installed
	$(PY) -m nndoctor.docs README.md

bench: $(VENV)/.installed
	$(PY) benchmarks/detect.py
	$(PY) benchmarks/overhead.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
