# photofinder: two commands matter — `make run` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PHOTOS ?= samples
INDEX  ?= index
QUERY  ?=

.PHONY: install run test lint gui eval bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Index PHOTOS (default: a few real photos from scikit-image) and search it in Russian.
run: $(STAMP)
	@if [ "$(PHOTOS)" = "samples" ]; then $(BIN)/photofinder samples samples; fi
	$(BIN)/photofinder index $(PHOTOS) --index $(INDEX)
	@if [ -n "$(QUERY)" ]; then \
		$(BIN)/photofinder search "$(QUERY)" --index $(INDEX); \
	else \
		for q in кошка кофе транспорт люди; do $(BIN)/photofinder search "$$q" --index $(INDEX) --top 3; done; \
	fi

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check photofinder tests benchmarks

gui: $(STAMP)
	$(BIN)/photofinder gui --index $(INDEX)

# Search quality on ../shared/data/imagenet-samples (1000 photos, ~3 min).
eval: $(STAMP)
	$(BIN)/python benchmarks/quality.py

clean:
	rm -rf $(VENV) samples build *.egg-info
