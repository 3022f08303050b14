"""Notebook housekeeping for authors: convert, clean, refresh stored outputs, check.

Usage (from the repository root, inside the course's virtual environment)::

    python tools/nb.py new notebooks/05_x.py      # percent-format script -> notebooks/05_x.ipynb
    python tools/nb.py clean notebooks/*.ipynb    # strip outputs and metadata noise
    python tools/nb.py refresh notebooks/02_x.ipynb  # run under smoke, keep checked outputs
    python tools/nb.py check notebooks/*.ipynb    # exit 1 if any notebook is not clean

Committed notebooks keep no outputs except those of cells marked ``# NBVAL_CHECK_OUTPUT``,
whose outputs (from a ``smoke`` run) nbval compares. Metadata is reduced to the kernel spec,
cell tags and the ``jupyter.source_hidden`` flag used for exercise solutions.

In a percent-format script, cells start with ``# %%`` (code) or ``# %% [markdown]``; tags are
given as ``# %% tags=["parameters"]``; ``# %% [solution]`` makes a hidden solution code cell.
"""

from __future__ import annotations

import copy
import json
import os
import re
import sys
import tempfile
from pathlib import Path

import nbformat

CHECK_MARK = "# NBVAL_CHECK_OUTPUT"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
SOLUTION_TAGS = ["hide-input", "solution"]


def _cell_source(lines: list[str]) -> str:
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


def from_percent(text: str) -> nbformat.NotebookNode:
    """Build a notebook from a percent-format script."""
    nb = nbformat.v4.new_notebook()
    header = re.compile(r"^# %%(?:\s*\[(?P<kind>\w+)\])?(?:\s*tags=(?P<tags>\[.*\]))?\s*$")
    cells: list[tuple[str, list[str], list[str]]] = []
    for line in text.splitlines():
        match = header.match(line)
        if match:
            kind = match.group("kind") or "code"
            tags = json.loads(match.group("tags")) if match.group("tags") else []
            cells.append((kind, tags, []))
        elif cells:
            cells[-1][2].append(line)
    for kind, tags, lines in cells:
        if kind == "markdown":
            body = [re.sub(r"^# ?", "", ln) for ln in lines]
            cell = nbformat.v4.new_markdown_cell(_cell_source(body))
        else:
            cell = nbformat.v4.new_code_cell(_cell_source(lines))
            if kind == "solution":
                tags = tags + SOLUTION_TAGS
                cell.metadata["jupyter"] = {"source_hidden": True}
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    return nb


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip outputs (except checked cells'), execution counts and metadata noise."""
    nb = copy.deepcopy(nb)
    nb.metadata = nbformat.NotebookNode(
        kernelspec=KERNELSPEC, language_info={"name": "python"})
    code_index = 0
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index:03d}"
        keep = {k: v for k, v in cell.metadata.items() if k in ("tags", "jupyter")}
        if "jupyter" in keep:
            keep["jupyter"] = {k: v for k, v in keep["jupyter"].items() if k == "source_hidden"}
            if not keep["jupyter"]:
                del keep["jupyter"]
        cell.metadata = nbformat.NotebookNode(keep)
        if cell.cell_type == "code":
            code_index += 1
            cell.execution_count = None
            if CHECK_MARK in cell.source:
                # nbval skips cells with outputs but no execution count ("unrun"), so checked
                # cells keep one: their position among code cells, stable across runs.
                cell.execution_count = code_index
                for output in cell.outputs:
                    if "execution_count" in output:
                        output.execution_count = code_index
                    if "metadata" in output:
                        output.metadata = nbformat.NotebookNode()
            else:
                cell.outputs = []
    nbformat.validator.normalize(nb)
    return nb


def dumps(nb: nbformat.NotebookNode) -> str:
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def refresh(path: Path) -> None:
    """Execute a notebook under the smoke profile and store its checked cells' outputs."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env_backup = dict(os.environ)
    os.environ["GANDETEXTURE_PROFILE"] = "smoke"
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("GANDETEXTURE_OUTPUT", tmp)
        try:
            executed = NotebookClient(copy.deepcopy(nb), timeout=600, kernel_name="python3",
                                      resources={"metadata": {"path": str(path.parent)}}).execute()
        finally:
            os.environ.clear()
            os.environ.update(env_backup)
    for cell, done in zip(nb.cells, executed.cells):
        if cell.cell_type == "code" and CHECK_MARK in cell.source:
            cell.outputs = done.outputs
    path.write_text(dumps(clean(nb)))


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("new", "clean", "refresh", "check"):
        print(__doc__)
        return 2
    command, paths = argv[0], [Path(p) for p in argv[1:]]
    dirty = []
    for path in paths:
        if command == "new":
            target = path.with_suffix(".ipynb")
            target.write_text(dumps(clean(from_percent(path.read_text()))))
            print(f"wrote {target}")
        elif command == "clean":
            path.write_text(dumps(clean(nbformat.read(path, as_version=4))))
        elif command == "refresh":
            refresh(path)
            print(f"refreshed {path}")
        else:
            text = path.read_text()
            if dumps(clean(nbformat.reads(text, as_version=4))) != text:
                dirty.append(path)
    for path in dirty:
        print(f"{path}: not clean; run `python tools/nb.py clean {path}`")
    return 1 if dirty else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
