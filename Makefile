# counsel's two everyday commands. Each makes its own virtual environment (.venv) and
# installs what it needs; scripts/system-deps says which system packages are missing and,
# run as root on Debian or Ubuntu, installs them.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app counsel
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint db demo clean

run: $(VENV)/.run-deps
	$(FLASK) db upgrade
	$(FLASK) demo $(if $(DEMO_PASSWORD),--password "$(DEMO_PASSWORD)")
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.test-deps
	$(VENV)/bin/ruff check .
	scripts/test-all

lint: $(VENV)/.test-deps
	$(VENV)/bin/ruff check .

$(VENV)/.run-deps: pyproject.toml
	scripts/system-deps run
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml
	scripts/system-deps test
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.run-deps $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
