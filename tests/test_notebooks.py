"""Every lesson follows the course's notebook conventions (nothing is executed here).

Execution itself is tested by papermill (tools/run_notebooks.py) and nbval in `make test`.
"""

from __future__ import annotations

import re
import sys
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
def test_lesson_has_objectives_summary_and_hidden_solutions(path):
    cells = nbformat.read(path, as_version=4).cells
    markdown = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "In this lesson you will" in markdown
    assert "## Summary" in markdown and "## Exercises" in markdown
    solutions = [c for c in cells if "solution" in c.metadata.get("tags", [])]
    assert solutions, f"{path.name} has no solution cell"
    for cell in solutions:
        assert "hide-input" in cell.metadata["tags"]
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True


def test_every_lesson_is_in_the_book_and_every_entry_exists():
    index = (ROOT / "book" / "index.md").read_text()
    entries = re.findall(r"^notebooks/(\S+)$", index, flags=re.M)
    stems = [p.stem for p in NOTEBOOKS]
    missing = [s for s in stems if s not in entries]
    assert not missing, f"lessons missing from book/index.md's table of contents: {missing}"
    dangling = [e for e in entries if e not in stems]
    assert not dangling, f"book/index.md lists lessons that do not exist: {dangling}"
    assert entries == sorted(entries), "lessons should appear in teaching order"


def test_nb_tool_round_trips_a_percent_script():
    script = '# %% [markdown]\n# # Title\n\n# %% tags=["parameters"]\nPROFILE = "auto"\n' \
             "SEED = 0\n\n# %% [solution]\nprint(1)\n"
    notebook = nbtool.clean(nbtool.from_percent(script))
    assert [c.cell_type for c in notebook.cells] == ["markdown", "code", "code"]
    assert notebook.cells[0].source == "# Title"
    assert notebook.cells[1].metadata["tags"] == ["parameters"]
    assert notebook.cells[2].metadata["jupyter"] == {"source_hidden": True}
