"""The teachers' page, book/teachers.md: in the book's table of contents, its timing table has
every lesson (measured times as numbers, the rest written ``TBD``), and every lesson section it
names exists. Reads files only; nothing is built or run.

A section is named as ``lesson NN › *Heading*``: the heading exactly as in the lesson's
markdown (``## Heading`` or ``### Heading``), which the test looks up in ``NN_*.ipynb``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "book" / "teachers.md"
LESSONS = {p.name[:2]: p for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))}
POINTER = re.compile(r"lesson (\d\d) › \*([^*]+)\*")
TIME = re.compile(r"^(\d+(\.\d+)?|TBD|—)$")  # a measurement, not measured yet, or no such run


def sections(text: str, level: str = "##") -> dict[str, str]:
    """``{heading: body}`` of the page's sections at one heading level."""
    parts = re.split(rf"^{level} (.+)$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def headings(notebook: Path) -> set[str]:
    """Every markdown heading of a lesson (outside fenced code), without its ``#``s."""
    found = set()
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "markdown":
            continue
        fenced = False
        for line in cell.source.splitlines():
            if line.lstrip().startswith("```"):
                fenced = not fenced
            elif not fenced and re.match(r"#{1,6} ", line):
                found.add(line.lstrip("#").strip())
    return found


def table(body: str) -> list[list[str]]:
    """The first markdown table of ``body``, header first, separator row dropped."""
    rows = [line for line in body.splitlines() if line.startswith("|")]
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    return [cells[0], *cells[2:]]


@pytest.fixture(scope="module")
def page() -> str:
    assert PAGE.is_file(), "book/teachers.md is missing"
    return PAGE.read_text()


def test_the_page_is_in_the_books_table_of_contents():
    index = (ROOT / "book" / "index.md").read_text()
    trees = re.findall(r"^```\{toctree\}\n(.*?)^```", index, flags=re.M | re.S)
    entries = [line.strip() for tree in trees for line in tree.splitlines()
               if line.strip() and not line.startswith(":")]
    assert "teachers" in entries


def test_the_readme_links_to_the_page():
    readme = (ROOT / "README.md").read_text()
    assert "## For teachers" in readme
    assert "(book/teachers.md)" in sections(readme)["For teachers"]


def test_the_timing_table_has_every_lesson(page):
    header, *rows = table(sections(page)["Minutes per lesson"])
    assert len(header) == 6 and all(len(row) == len(header) for row in rows), header
    numbers = [row[0] for row in rows if row[0].isdigit()]
    assert numbers == sorted(LESSONS), "one row per lesson, in order"
    for row in rows:
        for cell in row[2:]:
            assert TIME.match(cell), f"lesson {row[0]}: {cell!r} is neither a time nor TBD"
    lessons = [row for row in rows if row[0].isdigit()]
    assert all(row[2] != "TBD" and row[3] != "TBD" for row in lessons), "smoke, cpu measured"


def test_cpu_minutes_are_the_readmes(page):
    """The cpu column repeats README.md's lesson table: the two must not drift apart."""
    rows = table(sections(page)["Minutes per lesson"])[1:]
    ours = {row[0]: row[3] for row in rows if row[0].isdigit()}
    header, *readme = table(sections((ROOT / "README.md").read_text())["Lessons"])
    cpu = next(i for i, name in enumerate(header) if "cpu" in name and "PRETRAINED" not in name)
    assert ours == {row[0]: row[cpu] for row in readme}


def test_the_faq_answers_point_to_lesson_sections(page):
    questions = sections(sections(page)["Questions learners ask"], "###")
    assert 8 <= len(questions) <= 12
    for question, answer in questions.items():
        assert question.endswith("?"), question
        assert POINTER.search(" ".join(answer.split())), f"{question}: no lesson section named"


def test_every_section_named_exists_in_its_lesson(page):
    pointers = POINTER.findall(" ".join(page.split()))  # a name may wrap across lines
    assert len(pointers) >= 12
    known = {number: headings(path) for number, path in LESSONS.items()}
    wrong = [f"lesson {n} › {h}" for n, h in pointers if n not in known or h not in known[n]]
    assert not wrong, f"no such lesson or heading: {wrong}"
