# Commands for a new machine that has only Python 3: `make install` (or `make demo`) to use
# it, `make test` to work on it. Both use one venv; the test extras come with `make test` only.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARTICLE ?= data/article.txt
# pip's own notices (a newer pip exists, a root user) say nothing about this project.
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check --no-input

.PHONY: install demo test lint docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# What rendering needs, nothing more; editable, so a pull needs no reinstall.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install -e '.[test]'
	touch $@

install: $(VENV)/.installed
	@echo "Installed. Run: . $(VENV)/bin/activate   (then: article-tts render $(ARTICLE))"

demo: $(VENV)/.installed
	$(BIN)/article-tts render $(ARTICLE) -o output/article.mp3

test: $(VENV)/.installed-test
	$(BIN)/ruff check tts tests bench docs
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check tts tests bench docs
	$(BIN)/mypy

docs: $(VENV)/.installed
	$(BIN)/python docs/cli_reference.py

bench: $(VENV)/.installed-test
	$(BIN)/python bench/render_espeak.py
	$(BIN)/python bench/consonant_clusters.py
	$(BIN)/python bench/pausal_forms.py
	$(BIN)/python bench/render_gtts.py
	$(BIN)/python bench/render_edge.py
	$(BIN)/python bench/play_first_audio.py
	$(BIN)/python bench/cache_entries.py
	$(BIN)/python bench/word_onsets.py
	$(BIN)/python bench/render_piper.py
	$(BIN)/python bench/serve.py

clean:
	rm -rf $(VENV) output/*.mp3 output/*.wav .pytest_cache
