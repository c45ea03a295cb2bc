# Two commands for people: `make lab` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8888

.PHONY: lab labs learner-labs test venv bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installed editable so that edits to vlab/ and datasets/ show up in a running lab.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

venv: $(VENV)/.installed

lab: $(VENV)/.installed
	$(BIN)/vlab lab --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n 2 --dist loadfile --nbval-lax --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg tests labs

bench: $(VENV)/.installed-test
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lint: $(VENV)/.installed-test
	$(BIN)/ruff check vlab tests benchmarks conftest.py

clean:
	rm -rf $(VENV) build dist *.egg-info

# For lab authors: re-run every lab so the committed outputs are current (nbval compares them).
labs: $(VENV)/.installed-test
	$(BIN)/python -m vlab.authoring labs/*.ipynb

# For instructors: the learner edition (no instructor cells, no outputs), exactly what `vlab lab` serves, in build/learner-labs/.
learner-labs: $(VENV)/.installed
	$(BIN)/python -m vlab.authoring --learner-copy build/learner-labs labs/*.ipynb $(wildcard labs/*.svg) references.md
