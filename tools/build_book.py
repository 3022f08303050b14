"""Build the course's static HTML book from executed notebooks, offline, warnings as errors.

    python tools/build_book.py --profile smoke   # after tools/run_notebooks.py --profile smoke

The book's sources are ``book/`` (``conf.py``, ``index.md`` with the table of contents, and
any extra pages) plus the notebooks executed under the profile in ``build/executed/<profile>/``.
They are staged in ``build/book-src/<profile>/`` and rendered by Sphinx with MyST-NB (without
re-executing) into ``build/book/<profile>/``; open ``index.html`` there. Staging removes the
cell papermill injects after each lesson's parameters cell (tag ``injected-parameters``,
e.g. ``PROFILE = "cpu"``), which would show as a second parameters cell on every page; the
profile a page was run under is printed by its set-up cell.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="smoke", choices=["smoke", "cpu", "gpu"])
    args = parser.parse_args()
    # A capped run (GANDETEXTURE_MAX_STEPS, as `make test` does) lives in <profile>-max<N>.
    cap = os.environ.get("GANDETEXTURE_MAX_STEPS", "").strip()
    folder = f"{args.profile}-max{cap}" if cap else args.profile
    executed = ROOT / "build" / "executed" / folder
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    missing = [nb.name for nb in notebooks if not (executed / nb.name).exists()]
    if missing:
        print(f"not executed under {args.profile!r} yet: {', '.join(missing)}; run "
              f"`python tools/run_notebooks.py --profile {args.profile}` first")
        return 1
    src = ROOT / "build" / "book-src" / folder
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(ROOT / "book", src, ignore=shutil.ignore_patterns("_build"))
    (src / "notebooks").mkdir()
    for nb in notebooks:
        stage(executed / nb.name, src / "notebooks" / nb.name)
    out = ROOT / "build" / "book" / folder
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-E",
               "-b", "html", str(src), str(out)]
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode == 0:
        print(f"book written to {out / 'index.html'}")
    return result.returncode


def stage(source: Path, target: Path) -> None:
    """Copy an executed notebook for the book, its papermill-injected parameters tagged
    ``remove-cell`` (MyST-NB then leaves the cell, input and output, out of the page)."""
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
    nbformat.write(notebook, target)


if __name__ == "__main__":
    sys.exit(main())
