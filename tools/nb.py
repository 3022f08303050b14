"""Notebook housekeeping for authors: a thin wrapper over jupytext and nbstripout.

Every lesson is a pair: ``notebooks/NN_x.py`` (jupytext ``py:percent``, the source a reviewer
diffs) and ``notebooks/NN_x.ipynb`` (what learners open). The pairing is configured in
pyproject.toml's ``[tool.jupytext]``, so JupyterLab (with jupytext) saves both. Usage, from the
repository root inside the course's virtual environment::

    python tools/nb.py sync notebooks/05_x.py        # script -> notebook (keeps checked outputs)
    python tools/nb.py sync notebooks/05_x.ipynb     # notebook -> script
    python tools/nb.py refresh notebooks/05_x.ipynb  # run under smoke, store checked outputs
    python tools/nb.py clean notebooks/*.ipynb       # strip outputs and metadata noise
    python tools/nb.py check notebooks/*.ipynb       # exit 1 if not clean or script out of sync

The file named to ``sync`` is the source; the other one of the pair is rewritten (a new
script gets its notebook). Committed notebooks keep no outputs except those of cells whose
source contains ``# NBVAL_CHECK_OUTPUT`` (outputs of a ``smoke`` run, which nbval compares).
Metadata is reduced to the kernel spec, cell tags and JupyterLab's folds (``jupyter.source_hidden``
and ``jupyter.outputs_hidden``, with the ``collapsed`` JupyterLab keeps equal to the latter).

In the script, cells start with ``# %%`` (code) or ``# %% [markdown]``; metadata follows on the
same line: ``# %% tags=["parameters"]``, and an exercise solution, code and outputs folded, is
``# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output",
"solution"]`` (one line).
"""

from __future__ import annotations

import copy
import os
import sys
import tempfile
from pathlib import Path

import jupytext
import nbformat
from jupytext.combine import combine_inputs_with_outputs
from jupytext.config import load_jupytext_configuration_file
from nbstripout import strip_output

CHECK_MARK = "# NBVAL_CHECK_OUTPUT"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
SCRIPT_FORMAT = "py:percent"
HIDDEN = ("outputs_hidden", "source_hidden")  # the folds of JupyterLab kept in `jupyter`
# The repository's [tool.jupytext] settings, the ones JupyterLab's jupytext uses too.
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
CONFIG = load_jupytext_configuration_file(str(PYPROJECT))


def cell_metadata(cell: nbformat.NotebookNode) -> dict:
    """What a committed cell keeps: its tags and what JupyterLab folds (input, outputs).

    ``jupyter.source_hidden`` / ``jupyter.outputs_hidden`` are JupyterLab's collapsed input and
    outputs (an exercise solution sets both), kept only when true. JupyterLab mirrors
    ``outputs_hidden`` into a code cell's older ``collapsed`` field (what other front ends read)
    and saves both, so a code cell with folded outputs gets ``collapsed`` too: a save from
    JupyterLab then adds nothing. ``outputs_hidden`` (the one in the script) decides;
    ``collapsed`` alone (a notebook from another front end) counts as ``outputs_hidden``.
    """
    meta = cell.get("metadata", {})
    jupyter = dict(meta.get("jupyter", {}))
    if cell.cell_type == "code" and "outputs_hidden" not in jupyter and "collapsed" in meta:
        jupyter["outputs_hidden"] = meta["collapsed"]
    hidden = [k for k in HIDDEN if jupyter.get(k) is True and (k == "source_hidden"
                                                                or cell.cell_type == "code")]
    keep = {"collapsed": True} if "outputs_hidden" in hidden else {}
    if hidden:
        keep["jupyter"] = {k: True for k in hidden}
    if "tags" in meta:
        keep["tags"] = meta["tags"]
    return keep  # keys in nbformat's (sorted) order, so the script's order never depends on it


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip outputs (except checked cells'), execution counts and metadata noise."""
    nb = copy.deepcopy(nb)
    nb.metadata = nbformat.NotebookNode(kernelspec=KERNELSPEC, language_info={"name": "python"})
    for cell in nb.cells:
        cell.metadata = nbformat.NotebookNode(cell_metadata(cell))
        if cell.cell_type == "code" and CHECK_MARK in cell.source:
            cell.metadata.keep_output = True  # nbstripout's per-cell switch, removed below
    strip_output(nb, keep_output=False, keep_count=False, keep_id=True)
    code_index = 0
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index:03d}"
        if cell.cell_type != "code":
            continue
        code_index += 1
        if cell.metadata.pop("keep_output", False):
            # nbval treats a cell with outputs but no execution count as "unrun" and fails, so
            # checked cells keep one: their position among code cells, stable across runs.
            cell.execution_count = code_index
            for output in cell.outputs:
                if "execution_count" in output:
                    output.execution_count = code_index
                if "metadata" in output:
                    output.metadata = nbformat.NotebookNode()
    nbformat.validator.normalize(nb)
    return nb


def dumps(nb: nbformat.NotebookNode) -> str:
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def script_text(nb: nbformat.NotebookNode) -> str:
    """The paired percent script of a notebook, as jupytext writes it under the repo's config."""
    return jupytext.writes(nb, fmt=SCRIPT_FORMAT, config=CONFIG)


def sync(path: Path) -> None:
    """Rewrite the other file of the pair from ``path`` (a ``.py`` script or an ``.ipynb``)."""
    notebook, script = path.with_suffix(".ipynb"), path.with_suffix(".py")
    if path.suffix == ".py":
        nb = jupytext.read(script, fmt=SCRIPT_FORMAT, config=CONFIG)
        if notebook.exists():  # keep the stored outputs of cells whose source is unchanged
            nb = combine_inputs_with_outputs(nb, nbformat.read(notebook, as_version=4))
    else:
        nb = nbformat.read(notebook, as_version=4)
    nb = clean(nb)
    notebook.write_text(dumps(nb))
    script.write_text(script_text(nb))


def problems(path: Path) -> list[str]:
    """Why the notebook at ``path`` (and its paired script) fails ``check``; empty if it passes."""
    notebook, script = path.with_suffix(".ipynb"), path.with_suffix(".py")
    text = notebook.read_text()
    nb = nbformat.reads(text, as_version=4)
    found = []
    if dumps(clean(nb)) != text:
        found.append(f"{notebook}: not clean; run `python tools/nb.py clean {notebook}`")
    if not script.exists():
        found.append(f"{notebook}: no paired script; run `python tools/nb.py sync {notebook}`")
    elif script.read_text() != script_text(clean(nb)):
        found.append(f"{script}: out of sync with {notebook.name}; run "
                     f"`python tools/nb.py sync {script}` (script edited) or "
                     f"`python tools/nb.py sync {notebook}` (notebook edited)")
    return found


def refresh(path: Path) -> None:
    """Execute a notebook under the smoke profile and store its checked cells' outputs."""
    from nbclient import NotebookClient

    path = path.with_suffix(".ipynb")
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
    path.with_suffix(".py").write_text(script_text(clean(nb)))


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("sync", "clean", "refresh", "check"):
        print(__doc__)
        return 2
    command, paths = argv[0], [Path(p) for p in argv[1:]]
    failures = []
    for path in paths:
        if command == "sync":
            sync(path)
            other = path.with_suffix(".py" if path.suffix == ".ipynb" else ".ipynb")
            print(f"synced {path} -> {other}")
        elif command == "clean":
            path.write_text(dumps(clean(nbformat.read(path, as_version=4))))
        elif command == "refresh":
            refresh(path)
            print(f"refreshed {path.with_suffix('.ipynb')}")
        else:
            failures += problems(path)
    for message in failures:
        print(message)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
