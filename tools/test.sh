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

stage "nbval: every notebook under smoke, checked outputs compared, each under 90 s; beside it: browser, papermill"
# papermill, in the background through this stage and the next (pytest): every lesson under
# the gpu profile with each training capped at one step (GANDETEXTURE_MAX_STEPS=1, config.py:
# gpu-sized networks, images, evaluation and plots, with smoke's image counts), taking the
# branch of PRETRAINED that nbval did not (True: the shipped models). So each branch of each
# lesson runs once, and every lesson once under gpu; the gpu-sized trainings that
# PRETRAINED skips run in tests/ (test_texture.py: lesson 06's texture GAN, capped, periodic,
# on a blend; test_removal.py: lesson 05's remover, capped). nbval below times each lesson
# against 90 s beside it, so papermill's own limit is lifted. A fresh output folder each
# time: a capped run never resumes an old one.
# The book of that run is built as soon as it ends, so that it too runs beside pytest.
mkdir -p build
rm -rf build/outputs/papermill
{
  GANDETEXTURE_OUTPUT="$PWD/build/outputs/papermill" GANDETEXTURE_MAX_STEPS=1 \
    "$BIN/python" tools/run_notebooks.py --profile gpu --pretrained-where-possible \
    --max-seconds 1e9 --timings build/executed/gpu-max1/timings.md &&
    echo "===== book: static site from papermill's capped gpu run, offline, warnings as errors" &&
    GANDETEXTURE_MAX_STEPS=1 "$BIN/python" tools/build_book.py --profile gpu
} > build/papermill.log 2>&1 &
papermill=$!
# The lessons' widgets in JupyterLab + Chromium (tests/browser, Playwright with the system's
# browser, screenshots in build/browser/), if a Chromium is installed (.ci/run installs
# Debian's).
chromium=""
for name in chromium chromium-headless-shell google-chrome; do
  chromium=$(command -v "$name") && break
done
if [ -n "$chromium" ]; then
  "$BIN/python" -m pytest tests/browser -q -p no:cacheprovider > build/browser-test.log 2>&1 &
  browser=$!
fi
# Absolute: the kernels run in notebooks/, where a relative path would leave notebooks/build/.
# notebooks/conftest.py adds up each lesson's cells and fails a lesson over 90 s.
GANDETEXTURE_PROFILE=smoke GANDETEXTURE_OUTPUT="$PWD/build/outputs/nbval" \
  "$BIN/python" -m pytest --nbval-lax notebooks -p no:cacheprovider -q
if [ -n "$chromium" ]; then
  wait "$browser" || { cat build/browser-test.log; exit 1; }
  echo "browser test ($chromium): $(tail -n 1 build/browser-test.log)"
else
  echo "browser test: SKIPPED (no Chromium: apt-get install chromium)"
fi

stage "pytest: the package's tests in two workers, beside papermill (capped gpu) and its book"
# Two workers (pytest-xdist), whole files to each (a module's fixtures are computed once):
# once papermill ends, one process alone would leave a core idle (measured: half the machine
# idle for the last 3.5 minutes of a 14.5-minute run).
status=0
"$BIN/python" -m pytest tests -q -p no:cacheprovider -n 2 --dist loadfile --durations=15 || status=$?
wait "$papermill" || { cat build/papermill.log; exit 1; }
grep -E "^(---|    |FAIL|[0-9]+ passed|=====|book written)" build/papermill.log
[ "$status" -eq 0 ] || exit "$status"

printf '\nall stages passed in %ds\n' $((SECONDS - start))
