"""Build the course's static HTML book from executed notebooks, offline, warnings as errors.

    python tools/build_book.py --profile smoke   # after tools/run_notebooks.py --profile smoke

The book's sources are ``book/`` (``conf.py``, ``index.md`` with the table of contents, and
any extra pages) plus the notebooks executed under the profile in ``build/executed/<profile>/``.
They are staged in ``build/book-src/<profile>/`` and rendered by Sphinx with MyST-NB (without
re-executing) into ``build/book/<profile>/``; open ``index.html`` there. Staging removes the
cell papermill injects after each lesson's parameters cell (tag ``injected-parameters``,
e.g. ``PROFILE = "cpu"``), which would show as a second parameters cell on every page; the
profile a page was run under is printed by its set-up cell. It also turns each ipywidget into
what it showed when the lesson ran (its pictures, its controls' settings, a progress bar's
last line) and drops the widget state: the book loads no widget JavaScript (the widgets are
live in JupyterLab). The book opens offline: MathJax is served from it (``book/conf.py``), and
the build fails if a page loads anything from another host or a file the book lacks
(``tools/check_offline.py``).
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_offline  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="smoke", choices=["smoke", "cpu", "gpu"])
    args = parser.parse_args()
    # A capped run (GANDETEXTURE_MAX_STEPS, as make test-gpu-capped does) is in <profile>-max<N>.
    from gandetexture.config import resolve_profile

    folder = resolve_profile(args.profile).folder
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
    if result.returncode != 0:
        return result.returncode
    problems, pages = check_offline.scan(out)  # what a page loads must be in the book
    if problems:
        print("\n".join(problems))
    print(f"book written to {out / 'index.html'}: {pages} pages, "
          f"{len(problems) or 'nothing'} loaded from outside it")
    return 1 if problems else 0


def stage(source: Path, target: Path) -> None:
    """Copy an executed notebook for the book, its papermill-injected parameters tagged
    ``remove-cell`` (MyST-NB then leaves the cell, input and output, out of the page)."""
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
    static_widgets(notebook)
    nbformat.write(notebook, target)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def static_widgets(notebook: nbformat.NotebookNode) -> None:
    """Replace every widget output by what it showed, from the widget state the run saved:
    a line of text (its controls' settings, or a progress bar's words) then its pictures; a
    widget with neither is left out. The state itself is dropped (nothing left to render)."""
    widgets = notebook.metadata.pop("widgets", {})
    state = widgets.get(WIDGET_STATE, {}).get("state", {})
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.outputs:
            view = output.get("data", {}).get(WIDGET_VIEW)
            outputs += [output] if view is None else _shown(view.get("model_id", ""), state)
        cell.outputs = outputs


def _shown(model_id: str, state: dict) -> list[nbformat.NotebookNode]:
    """What one widget showed: a text output and image outputs, walking its children."""
    words, settings, images = [], [], []

    def walk(key: str) -> None:
        model = state.get(key.removeprefix("IPY_MODEL_"))
        if model is None:
            return
        s, name = model.get("state", {}), model.get("model_name", "")
        if name == "ImageModel" and s.get("format") in ("png", "jpeg"):
            mime = f"image/{s['format']}"
            size = {k: str(s[k]) for k in ("width", "height") if str(s.get(k, "")).isdigit()}
            images.extend((mime, b["data"], {mime: size} if size else {})
                          for b in model.get("buffers", [])
                          if b.get("path") == ["value"] and b.get("encoding") == "base64")
        elif name in ("HTMLModel", "LabelModel") and s.get("value"):
            text = html.unescape(re.sub(r"<[^>]+>", "", s["value"])).replace("\u2007", " ")
            words.append(text.strip())
        elif s.get("description") and ("value" in s or "_options_labels" in s) \
                and name != "FileUploadModel":  # its value is the files sent, not a setting
            settings.append(f"{s['description']} = {_setting(s)}")
        for child in s.get("children", []):
            walk(child)

    walk(model_id)
    text = "; ".join(t for t in (" ".join(w for w in words if w), ", ".join(settings)) if t)
    if settings and images:
        text = f"starting state (move the controls in JupyterLab): {text}"
    outputs = [nbformat.v4.new_output("display_data", data={"text/plain": text})] if text else []
    return outputs + [nbformat.v4.new_output("display_data", data={mime: data}, metadata=size)
                      for mime, data, size in images]


def _setting(s: dict) -> str:
    if "_options_labels" in s and s.get("index") is not None:
        return str(s["_options_labels"][s["index"]])
    try:
        return format(s["value"], s.get("readout_format", ""))
    except (TypeError, ValueError, KeyError):
        return str(s.get("value"))


if __name__ == "__main__":
    sys.exit(main())
