# photofinder: two commands matter — `make run` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TRAIN  := $(VENV)/.installed-train
PHOTOS ?= samples
INDEX  ?= index
QUERY  ?=
TAGGERS ?= efficientnet-lite2 efficientnet-lite0

.PHONY: install run test lint gui screenshot eval bench train-heads train-children train-gender clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# scikit-learn (training) and OpenCV (the face detector, measured as evidence)
$(TRAIN): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,train]'
	touch $(TRAIN)

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

# -rfEs: the last lines name every failed, errored and skipped test, with why (a CI log
# shows only its tail; a missing tool is then seen, not a silent pass).
# -n: test processes (pytest-xdist), each test file in one of them (tests/conftest.py):
# a test waits on a subprocess, a window or Ray much of its time, so on 2 cores 2
# processes take 437 s where one took 613 s. TEST_PROCESSES=0: one process, no xdist.
TEST_PROCESSES ?= 2
test: $(STAMP)
	$(BIN)/python -m pytest -q -rfEs $(if $(filter 0,$(TEST_PROCESSES)),,-n $(TEST_PROCESSES) --dist loadgroup)

lint: $(STAMP)
	$(BIN)/ruff check photofinder tests benchmarks training

gui: $(STAMP)
	$(BIN)/photofinder gui --index $(INDEX)

# docs/screenshot.png, the README's picture: coco-dev (../shared/data) or the samples indexed,
# the real window on Xvfb, a query typed with xdotool (needs xvfb, xdotool, x11-xkb-utils).
screenshot: $(STAMP)
	$(BIN)/python benchmarks/screenshot.py

# Search quality on ../shared/data: one object per photo, cluttered COCO photos,
# held-out scene photos (each indexes its photos once into build/, ~30 min in all); and
# on the everyday test photos of ../gathered (training/gather.py), skipped without them.
eval: $(STAMP)
	$(BIN)/python benchmarks/quality.py
	$(BIN)/python benchmarks/coco.py
	$(BIN)/python benchmarks/coco.py --queries benchmarks/coco_activity_queries.json
	$(BIN)/python benchmarks/scenes.py
	$(BIN)/python benchmarks/coco_scenes.py
	$(BIN)/python benchmarks/everyday_photos.py
	$(BIN)/python benchmarks/everyday_kinds.py
	$(BIN)/python benchmarks/everyday_kinds.py --full --fresh
	$(BIN)/python benchmarks/season_look.py
	$(BIN)/python benchmarks/clear_sky.py
	$(BIN)/python benchmarks/children.py
	$(BIN)/python benchmarks/gender.py
	$(BIN)/python benchmarks/groups.py
	$(BIN)/python benchmarks/screenshots.py

# Every figure in docs/benchmarks.md (speed, quality, people) and docs/cluster.md, on this machine.
bench: $(TRAIN) eval
	$(BIN)/python benchmarks/regions.py
	$(BIN)/python benchmarks/region_weight.py
	$(BIN)/python benchmarks/region_sum.py
	$(BIN)/python benchmarks/river_lake.py
	$(BIN)/python benchmarks/forest.py
	$(BIN)/python benchmarks/roads.py
	$(BIN)/python benchmarks/unnamed_places.py
	$(BIN)/python benchmarks/people.py
	$(BIN)/python benchmarks/everyday_attributes.py
	$(BIN)/python benchmarks/duplicates.py
	$(BIN)/python benchmarks/speed_index.py
	$(BIN)/python benchmarks/speed_search.py
	$(BIN)/python benchmarks/checkpoints.py
	$(BIN)/python benchmarks/cluster.py

# The scene and people heads shipped in photofinder/data/heads/, from ../shared/data
# (features are cached in build/features/: the first run tags ~12,000 photos per model).
train-heads: $(TRAIN)
	for t in $(TAGGERS); do $(BIN)/python training/train_heads.py --tagger $$t || exit 1; done

# The child score shipped in photofinder/data/children.npz, from face photos gathered with
# git (training/manifests/children.csv; the repositories must be in ../.mirror) and faces-dev.
train-children: $(TRAIN)
	$(BIN)/python training/gather.py --manifest training/manifests/children.csv --out ../gathered
	$(BIN)/python training/train_children.py --gathered ../gathered

# The woman score shipped in photofinder/data/gender.npz, the same way (training/manifests/gender.csv).
train-gender: $(TRAIN)
	$(BIN)/python training/gather.py --manifest training/manifests/gender.csv --out ../gathered --max-side 640
	$(BIN)/python training/train_gender.py --gathered ../gathered

clean:
	rm -rf $(VENV) samples build *.egg-info
