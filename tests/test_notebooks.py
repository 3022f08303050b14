"""Every lesson follows the course's notebook conventions (nothing is executed here).

Execution itself is tested by papermill (tools/run_notebooks.py) and nbval in `make test`.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
sys.path.insert(0, str(ROOT / "tools"))
import nb as nbtool  # noqa: E402


def _code_cells(path: Path) -> list:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_lessons_exist_and_are_numbered_uniquely():
    numbers = [p.name[:2] for p in NOTEBOOKS]
    assert {"00", "02"} <= set(numbers)
    assert len(numbers) == len(set(numbers))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_code_cell_is_the_parameters_cell(path):
    first = _code_cells(path)[0]
    assert "parameters" in first.metadata.get("tags", []), f"{path.name}: first code cell untagged"
    assert re.search(r'^PROFILE = "auto"$', first.source, flags=re.M), path.name
    assert re.search(r"^SEED = 0$", first.source, flags=re.M), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_second_code_cell_applies_the_parameters(path):
    second = _code_cells(path)[1].source
    assert "import gandetexture as gdt" in second
    assert f'gdt.setup(PROFILE, SEED, lesson="{path.stem}")' in second


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_clean(path):
    text = path.read_text()
    assert nbtool.dumps(nbtool.clean(nbformat.reads(text, as_version=4))) == text, (
        f"{path.name} is not clean: run `python tools/nb.py clean {path}`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_lesson_has_objectives_summary_and_exercises(path):
    cells = nbformat.read(path, as_version=4).cells
    markdown = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "In this lesson you will" in markdown
    assert "## Summary" in markdown and "## Exercises" in markdown


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_solutions_open_with_input_and_outputs_folded(path):
    """A solution shows neither its code nor its result until clicked, in JupyterLab (input and
    outputs collapsed) and in the book (myst-nb's hide-input and hide-output: two toggles)."""
    cells = nbformat.read(path, as_version=4).cells
    solutions = [c for c in cells if "solution" in c.metadata.get("tags", [])]
    assert solutions, f"{path.name} has no solution cell"
    for cell in solutions:
        where = f"{path.name} {cell.id}"
        assert cell.cell_type == "code", where
        assert {"hide-input", "hide-output"} <= set(cell.metadata["tags"]), where
        jupyter = cell.metadata.get("jupyter", {})
        assert jupyter.get("source_hidden") is True, f"{where}: code not collapsed"
        assert jupyter.get("outputs_hidden") is True, f"{where}: outputs not collapsed"
        # What JupyterLab keeps in step with outputs_hidden (and front ends before it read).
        assert cell.metadata.get("collapsed") is True, where


def test_every_lesson_is_in_the_book_and_every_entry_exists():
    index = (ROOT / "book" / "index.md").read_text()
    entries = re.findall(r"^notebooks/(\S+)$", index, flags=re.M)
    stems = [p.stem for p in NOTEBOOKS]
    missing = [s for s in stems if s not in entries]
    assert not missing, f"lessons missing from book/index.md's table of contents: {missing}"
    dangling = [e for e in entries if e not in stems]
    assert not dangling, f"book/index.md lists lessons that do not exist: {dangling}"
    assert entries == sorted(entries), "lessons should appear in teaching order"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_lesson_is_paired_with_its_script_and_in_sync(path):
    assert path.with_suffix(".py").exists(), f"run `python tools/nb.py sync {path}`"
    assert nbtool.problems(path) == []


def test_every_script_has_its_notebook():
    scripts = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    assert [p.stem for p in scripts] == [p.stem for p in NOTEBOOKS]


def test_jupytext_pairing_is_configured():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["jupytext"]
    assert config["formats"] == "ipynb,py:percent"


SCRIPT = """# %% [markdown]
# # Title

# %% tags=["parameters"]
PROFILE = "auto"
SEED = 0

# %%
print(2)  # NBVAL_CHECK_OUTPUT

# %%
print(3)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
print(1)
"""  # noqa: E501 (the solution marker, as jupytext writes it)


def test_sync_builds_the_notebook_and_keeps_only_checked_outputs(tmp_path):
    script = tmp_path / "99_demo.py"
    script.write_text(SCRIPT)
    nbtool.main(["sync", str(script)])
    notebook = script.with_suffix(".ipynb")
    nb = nbformat.read(notebook, as_version=4)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code", "code", "code"]
    assert nb.cells[0].source == "# Title"
    assert nb.cells[1].metadata == {"tags": ["parameters"]}
    assert nb.cells[4].metadata == {"collapsed": True,
                                    "jupyter": {"outputs_hidden": True, "source_hidden": True},
                                    "tags": ["hide-input", "hide-output", "solution"]}
    assert script.read_text() == SCRIPT  # the script is already in jupytext's own form

    # A run in JupyterLab: counts, outputs and metadata noise everywhere.
    for count, cell in enumerate(nb.cells[1:], start=7):
        cell.execution_count = count
        cell.metadata["scrolled"] = True
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{count}\n")]
    nb.metadata["widgets"] = {"state": {}}
    notebook.write_text(nbformat.writes(nb))
    assert nbtool.main(["check", str(notebook)]) == 1
    nbtool.main(["clean", str(notebook)])
    assert nbtool.main(["check", str(notebook)]) == 0
    cells = nbformat.read(notebook, as_version=4).cells
    assert cells[2].execution_count == 2 and cells[2].outputs[0].text == "8\n"  # checked cell
    assert all(c.execution_count is None and not c.outputs for c in cells[1:] if c is not cells[2])

    # The author edits the script: syncing it keeps the checked cell's stored output.
    script.write_text(SCRIPT.replace("# # Title", "# # New title"))
    assert nbtool.main(["check", str(notebook)]) == 1
    nbtool.main(["sync", str(script)])
    assert nbtool.main(["check", str(notebook)]) == 0
    cells = nbformat.read(notebook, as_version=4).cells
    assert cells[0].source == "# New title" and cells[2].outputs[0].text == "8\n"


def test_clean_keeps_what_jupyterlab_folds():
    def kept(metadata, cell_type="code"):
        new = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
        return nbtool.cell_metadata(new("x", metadata=metadata))

    folded = {"collapsed": True, "jupyter": {"outputs_hidden": True, "source_hidden": True}}
    assert kept({"jupyter": {"outputs_hidden": True, "source_hidden": True}}) == folded
    assert kept({**folded, "scrolled": True, "trusted": True}) == folded  # JupyterLab's save
    assert kept({"collapsed": True}) == {"collapsed": True,  # a classic Notebook's fold
                                         "jupyter": {"outputs_hidden": True}}
    # The script (jupyter.outputs_hidden) decides over a `collapsed` the notebook still holds.
    assert kept({"collapsed": True, "jupyter": {"outputs_hidden": False}}) == {}
    assert kept({"collapsed": False, "jupyter": {"source_hidden": False}, "tags": []}) == {
        "tags": []}
    assert kept({"jupyter": {"outputs_hidden": True, "source_hidden": True}}, "markdown") == {
        "jupyter": {"source_hidden": True}}  # a markdown cell has no outputs to fold
