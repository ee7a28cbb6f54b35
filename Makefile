# Two commands for a new machine that has only Python 3: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARTICLE ?= data/article.txt

.PHONY: demo test lint bench clean

$(BIN)/article-tts: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/article-tts
	$(BIN)/article-tts render $(ARTICLE) -o output/article.mp3

test: $(BIN)/article-tts
	$(BIN)/ruff check tts tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(BIN)/article-tts
	$(BIN)/ruff check tts tests bench
	$(BIN)/mypy

bench: $(BIN)/article-tts
	$(BIN)/python bench/render_espeak.py
	$(BIN)/python bench/consonant_clusters.py
	$(BIN)/python bench/pausal_forms.py
	$(BIN)/python bench/render_gtts.py
	$(BIN)/python bench/play_first_audio.py
	$(BIN)/python bench/cache_entries.py
	$(BIN)/python bench/word_onsets.py
	$(BIN)/python bench/serve.py

clean:
	rm -rf $(VENV) output/*.mp3 output/*.wav .pytest_cache
