#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (and so CI, through .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
export TF_CPP_MIN_LOG_LEVEL=3 PYTHONUNBUFFERED=1
start=$SECONDS
stage() { printf '\n===== %s (%ds elapsed) =====\n' "$1" $((SECONDS - start)); }

stage "ruff: package, tests, tools, benchmarks and notebooks"
"$BIN/ruff" check gandetexture tests tools benchmarks notebooks
"$BIN/python" tools/nb.py check notebooks/*.ipynb

stage "nbval: every notebook under smoke, checked outputs compared, each under 90 s"
# Absolute: the kernels run in notebooks/, where a relative path would leave notebooks/build/.
# notebooks/conftest.py adds up each lesson's cells and fails a lesson over 90 s.
GANDETEXTURE_PROFILE=smoke GANDETEXTURE_OUTPUT="$PWD/build/outputs/nbval" \
  "$BIN/python" -m pytest --nbval-lax notebooks -p no:cacheprovider -q

stage "papermill: every notebook under gpu, steps capped at 1 (gpu-sized networks and splits)"
# GANDETEXTURE_MAX_STEPS is a testing aid (gandetexture/config.py): the gpu profile's
# networks, image sizes and evaluation splits, one training step each, batches of 8.
export GANDETEXTURE_MAX_STEPS=1
"$BIN/python" tools/run_notebooks.py --profile gpu \
  --timings build/executed/gpu-max1/timings.md

stage "book: static site from the capped gpu run, offline, warnings as errors"
"$BIN/python" tools/build_book.py --profile gpu
unset GANDETEXTURE_MAX_STEPS

stage "pytest: the package"
"$BIN/python" -m pytest tests -q -p no:cacheprovider

printf '\nall stages passed in %ds\n' $((SECONDS - start))
