# docloop: `make run` starts the whole system, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check -q
# The suite runs on SQLite and on PostgreSQL; point it at another server by overriding this.
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: run test lint audit format tesseract tessdata chromium samples clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[dev]'
	touch $@ $(VENV)/.installed

# Language data: the configured DOCLOOP_OCR_LANGUAGE codes ("+" joins languages, "," readings; a code
# ending in _fast is Debian's model linked into DOCLOOP_TESSDATA_DIR), and Malay, which the tests read with.
comma := ,
OCR_BY_TYPE := $(shell printf '%s' '$(DOCLOOP_OCR_LANGUAGE_BY_TYPE)' | $(PYTHON) -c 'import json, sys; \
  text = sys.stdin.read().strip(); print(" ".join(json.loads(text).values()) if text else "")' 2>/dev/null)
OCR_CODES := $(subst +, ,$(subst $(comma), ,$(or $(DOCLOOP_OCR_LANGUAGE),eng) $(OCR_BY_TYPE)))
OCR_LANGUAGES := $(sort msa $(filter-out eng,$(patsubst %_fast,%,$(OCR_CODES))))

tesseract:
	@missing=""; command -v tesseract >/dev/null 2>&1 || missing="tesseract-ocr"; \
	for code in $(OCR_LANGUAGES); do \
	  tesseract --list-langs 2>/dev/null | grep -qx "$$code" || \
	    missing="$$missing tesseract-ocr-$$(echo $$code | tr '_A-Z' '-a-z')"; \
	done; \
	[ -z "$$missing" ] || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing:$$missing; run 'sudo apt-get install$$missing' (Debian/Ubuntu) and try again"; exit 1; \
	  fi; }

# With DOCLOOP_TESSDATA_DIR set, the best models of the configured codes are fetched into it once
# (`docloop ocr-models`, from the npm registry) when any code's model is not there yet.
tessdata: $(VENV)/.installed tesseract
	@if [ -n "$(DOCLOOP_TESSDATA_DIR)" ]; then \
	  for code in $(OCR_CODES); do \
	    [ -e "$(DOCLOOP_TESSDATA_DIR)/$$code.traineddata" ] || missing=yes; \
	  done; \
	  [ -z "$$missing" ] || $(BIN)/docloop ocr-models $(sort $(patsubst %_fast,%,$(OCR_CODES))) \
	    --into "$(DOCLOOP_TESSDATA_DIR)"; \
	fi

chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium is missing: run 'sudo apt-get install chromium' (browser tests use Debian's Chromium)"; exit 1; \
	  fi; }

## Start everything on embedded defaults: SQLite, embedded Redis, a worker, the web app on :5000.
run: $(VENV)/.installed tesseract tessdata
	$(BIN)/docloop run

## Run the whole test suite (SQLite and PostgreSQL, real Redis, tesseract and Chromium).
test: $(VENV)/.installed-dev tesseract chromium
	$(BIN)/ruff check .
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Audit the installed dependencies for known vulnerabilities (PyPI's advisory data, through pip-audit).
## Findings and the packages it could not audit are listed; AUDIT_STRICT=1 makes findings fail the build.
audit: $(VENV)/.installed-dev
	$(BIN)/pip freeze --exclude-editable > $(VENV)/audit-requirements.txt
	$(BIN)/pip-audit --disable-pip --no-deps -r $(VENV)/audit-requirements.txt $(if $(AUDIT_STRICT),,|| true)

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Rebuild sample_docs/ (deterministic: the same bytes every time).
samples: $(VENV)/.installed-dev
	$(BIN)/python sample_docs/generate.py

clean:
	rm -rf $(VENV) instance test-artifacts .pytest_cache
