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

stage "papermill: every notebook under the smoke profile, into build/executed/smoke"
"$BIN/python" tools/run_notebooks.py --profile smoke

stage "book: static site from the smoke run, offline, warnings as errors"
"$BIN/python" tools/build_book.py --profile smoke

stage "nbval: every notebook, checked outputs compared (GANDETEXTURE_PROFILE=smoke)"
# Absolute: the kernels run in notebooks/, where a relative path would leave notebooks/build/.
GANDETEXTURE_PROFILE=smoke GANDETEXTURE_OUTPUT="$PWD/build/outputs/nbval" \
  "$BIN/python" -m pytest --nbval-lax notebooks -p no:cacheprovider -q

stage "pytest: the package"
"$BIN/python" -m pytest tests -q -p no:cacheprovider

printf '\nall stages passed in %ds\n' $((SECONDS - start))
