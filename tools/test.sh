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

stage "nbval: every notebook under smoke, checked outputs compared, each under 90 s; beside it: browser"
# The lessons' widgets in JupyterLab + Chromium (tests/browser, Playwright with the system's
# browser, screenshots in build/browser/), beside nbval (mostly one core: a kernel runs one
# cell at a time), if a Chromium is installed (.ci/run installs Debian's). nbval's lessons are
# timed under that load, so a lesson within 90 s here is within it on a quiet machine too.
mkdir -p build
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

stage "papermill: every notebook under smoke (PRETRAINED where a lesson has it), beside pytest"
# The two run side by side (two cores; each is partly single-threaded Python), so papermill's
# own 90 s limit is lifted here: nbval above timed each lesson. nbval ran the lessons as
# they are (PRETRAINED = False); papermill takes the other branch of the lessons with that
# parameter (the shipped models), so both are executed once and the book shows the second.
"$BIN/python" tools/run_notebooks.py --profile smoke --pretrained-where-possible \
  --max-seconds 1e9 > build/papermill-smoke.log 2>&1 &
papermill=$!
status=0
"$BIN/python" -m pytest tests -q -p no:cacheprovider || status=$?
wait "$papermill" || { cat build/papermill-smoke.log; exit 1; }
grep -E "^(---|    |FAIL|[0-9]+ passed)" build/papermill-smoke.log
[ "$status" -eq 0 ] || exit "$status"

stage "book: static site from the smoke run, offline, warnings as errors"
"$BIN/python" tools/build_book.py --profile smoke

printf '\nall stages passed in %ds\n' $((SECONDS - start))
