# The two commands of README.md. Both work on a fresh Debian machine with only Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_EMPLOYEES ?= 600
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test venv lint browser pdflibs clean bench

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' || { echo "Butuh Python 3.11 sebagai $(PYTHON) (atur dengan PYTHON=...)."; exit 1; }
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV) || { \
	  echo "Membuat venv gagal; memasang python3-venv (butuh root)..."; \
	  apt-get update -q && apt-get install -y -q python3-venv && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP) pdflibs
	$(PY) -m ekinerja migrate --noinput
	$(PY) -m ekinerja demo-data --employees $(DEMO_EMPLOYEES) --if-empty
	@echo ""
	@echo "e-Kinerja berjalan di http://$(HOST):$(PORT)/  (hentikan dengan Ctrl+C)"
	$(PY) -m ekinerja runserver $(HOST):$(PORT)

browser:
	@./scripts/ensure-chromium

pdflibs:
	@./scripts/ensure-pdf-libs

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m ekinerja makemigrations --check --dry-run --settings=ekinerja.settings.test

test: $(STAMP) browser pdflibs lint
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
