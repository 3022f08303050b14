# gandetexture — the two commands of README.md are `make lab` and `make test`.
# Everything runs inside .venv, created and filled from pyproject.toml on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PROFILE ?= cpu
EXTRAS ?= dev

export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONUNBUFFERED := 1

.PHONY: install lab test test-gpu test-gpu-capped lint unit nbval notebooks book student pretrained clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# uv resolves the same versions as pip from the same pyproject.toml, in about a quarter of
	# the time (a fresh .venv on 2 cores: 19 s against 70 s); pip where uv cannot be had.
	# --compile-bytecode as pip does by default: with PYTHONDONTWRITEBYTECODE set, no .pyc is
	# ever written otherwise (DEVELOPERS.md, Environment, has why and the measured effect)
	{ $(BIN)/python -m pip install --quiet uv && \
	  $(BIN)/uv pip install --python $(BIN)/python --quiet --compile-bytecode -e '.[$(EXTRAS)]'; } || \
	  { echo "uv failed: installing with pip instead"; \
	    $(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'; }
	touch $(STAMP)

install: $(STAMP)

## Set up everything and open the course in JupyterLab (adds --allow-root for root; on a
## machine with no browser, prints the URL to open and how to forward the port).
LAB_ARGS ?=
lab: install
	$(BIN)/python tools/lab.py $(LAB_ARGS)

## Install and run every test: lint, package tests, notebooks (nbval + papermill), the book.
test: install
	bash tools/test.sh

## On a machine with a GPU (.github/workflows/gpu.yml, or by hand; a fresh .venv gets
## .[dev,gpu]): every lesson under the full gpu profile with papermill, into
## build/executed/gpu with a per-lesson timing table (timings.md); nbval re-runs those
## executed copies under gpu and compares their checked cells with that run; then the book of
## that run, build/book/gpu. Every lesson runs twice (papermill, then nbval).
test-gpu: EXTRAS = dev,gpu
test-gpu: install
	$(BIN)/python tools/run_notebooks.py --profile gpu --timings build/executed/gpu/timings.md
	GANDETEXTURE_PROFILE=gpu GANDETEXTURE_OUTPUT="$(CURDIR)/build/outputs/nbval-gpu" \
		$(BIN)/python -m pytest --nbval-lax build/executed/gpu -p no:cacheprovider
	$(BIN)/python tools/build_book.py --profile gpu

## Every lesson under the gpu profile on any machine, every training capped at one step
## (GANDETEXTURE_MAX_STEPS=1: gpu-sized networks, images and evaluation, batches of 8, smoke's
## image counts), the lessons as they are, then the book of that run. `make test` runs the
## same capped lessons (there with PRETRAINED = True but in 05).
test-gpu-capped: install
	GANDETEXTURE_MAX_STEPS=1 $(BIN)/python tools/run_notebooks.py --profile gpu \
		--timings build/executed/gpu-max1/timings.md
	GANDETEXTURE_MAX_STEPS=1 $(BIN)/python tools/build_book.py --profile gpu

lint: install
	$(BIN)/ruff check gandetexture tests tools benchmarks notebooks
	$(BIN)/python tools/nb.py check notebooks/*.ipynb

unit: install
	$(BIN)/python -m pytest tests

nbval: install
	GANDETEXTURE_PROFILE=smoke GANDETEXTURE_OUTPUT="$(CURDIR)/build/outputs/nbval" \
		$(BIN)/python -m pytest --nbval-lax notebooks -p no:cacheprovider

## Execute every lesson headless under PROFILE into build/executed/PROFILE (never in place).
notebooks: install
	$(BIN)/python tools/run_notebooks.py --profile $(PROFILE)

## Build the book (static HTML) from the notebooks executed under PROFILE.
book: notebooks
	$(BIN)/python tools/build_book.py --profile $(PROFILE)

## The student edition, build/student/: every lesson with each exercise solution replaced by
## a stub (`# your turn`, the exercise's hint) and no outputs, in build/student/notebooks/ (the
## repository's layout, so the lessons' relative paths work). A student notebook that changed
## there is kept; `make student STUDENT_ARGS=--force` replaces it.
STUDENT_ARGS ?=
student: install
	$(BIN)/python tools/student.py $(STUDENT_ARGS)

## Train again every model the package ships (gandetexture/models, gandetexture.pretrained)
## with the package's own command line under cpu, and record their metrics.json (and lesson
## 07's tuned filter settings). On 2 cores the remover alone trains for about 8 minutes and
## lesson 02's GAN for 3; not part of CI (tests/test_pretrained*.py check the shipped ones).
pretrained: install
	$(BIN)/python tools/pretrained.py

clean:
	rm -rf build
