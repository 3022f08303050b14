"""Write the student edition of the course: every lesson with its exercise solutions taken out.

    python tools/student.py                       # into build/student/ (what `make student` runs)
    python tools/student.py --out /tmp/handout    # elsewhere
    python tools/student.py --force               # also replace student notebooks that changed

Each lesson ``notebooks/NN_x.ipynb`` becomes ``<out>/notebooks/NN_x.ipynb``: the same cells
(markdown, code, the papermill ``parameters`` cell, metadata), every output cleared, and each
exercise solution (a code cell tagged ``solution``) replaced by a visible stub cell tagged
``exercise``: ``# your turn: exercise N`` and the exercise's text as a hint, comments only.

The edition keeps the repository's layout (``<out>/notebooks/``, ``<out>/benchmarks/``) because
lessons read files relative to their folder: lessons 04 and 05 read ``../benchmarks/*.json``,
copied here. Lessons write everything else where ``gandetexture.output_dir`` says
(``$GANDETEXTURE_OUTPUT``, else ``outputs/`` at the repository root), never next to themselves,
so running the edition never writes into ``notebooks/``; the tool itself refuses an ``--out``
whose notebooks would land on the lessons.

Hints: a solution answers the numbered list under the nearest ``## Exercises`` heading above it
(the numbered items of the markdown cells from that heading down to the solution). As many
solution cells as exercises: one each, in order. Otherwise a cell answers the exercises its
comments number (``# 2. ...``); failing that, a single cell answers them all (lesson 00's one
cell for two exercises), and any other mismatch is paired in order, the last cell taking the
exercises left (a note is printed). A hint is the exercise's first sentences, as many as fit in
:data:`HINT_CHARS` characters (at least one; ``…`` marks a cut).

A student notebook already in ``<out>`` that differs from the fresh one (a student's work, or a
lesson changed since) is kept, with a note, unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import copy
import re
import shutil
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "notebooks"
DEFAULT_OUT = ROOT / "build" / "student"
#: Files the lessons read relative to their folder, as paths from the repository root.
EXTRA_FILES = ("benchmarks/train_step.json", "benchmarks/adversarial_worth.json",
               "benchmarks/texture_ablation.json", "benchmarks/c2st_seeds.json",
               "benchmarks/degrid.json", "benchmarks/judge_check.json",
               "benchmarks/d_batchnorm.json", "benchmarks/d_regularisers.json",
               "benchmarks/remover_ablation.json", "benchmarks/degrid_paintings.json",
               "benchmarks/remover_guided.json", "benchmarks/blend_gate.json",
               "benchmarks/spectrum_match.json", "benchmarks/truncation.json",
               "benchmarks/judge_checkerboard.json")
SOLUTION, EXERCISE = "solution", "exercise"
#: Tags a solution carries only to fold itself (JupyterLab, the book); a stub shows itself.
FOLD_TAGS = ("hide-input", "hide-output", "hide-cell", "remove-input", "remove-output")
HINT_CHARS = 300
WIDTH = 96

_HEADING = re.compile(r"^#+\s*Exercises?\b", re.IGNORECASE | re.MULTILINE)
_ITEM = re.compile(r"^\s{0,3}(\d+)[.)]\s+(.*)$")
_MARKER = re.compile(r"^#\s*(\d+)[.)]\s", re.MULTILINE)
_VERBATIM = re.compile(r"`[^`]*`|\$[^$]*\$")  # code spans and inline maths: no sentence ends
_SENTENCE_END = re.compile(r"[.?!](?=\s+[A-Z(*`$\"']|\s*$)")


@dataclass
class Stub:
    """What replaces one solution cell: the exercises it answers, as (number, text) pairs."""

    index: int
    exercises: list[tuple[int, str]]


def is_solution(cell: nbformat.NotebookNode) -> bool:
    """Whether ``cell`` is an exercise solution (a code cell tagged ``solution``)."""
    return cell.cell_type == "code" and SOLUTION in cell.get("metadata", {}).get("tags", [])


def numbered_items(markdown: str) -> list[tuple[int, str]]:
    """The items of the numbered lists in ``markdown``, each as (number, one-line text).

    An item runs from its ``N.`` line to the next item, blank line or heading; its lines are
    joined with single spaces.
    """
    items: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    for line in markdown.splitlines():
        match = _ITEM.match(line)
        if match:
            current = [match.group(2).strip()]
            items.append((int(match.group(1)), current))
        elif not line.strip() or line.lstrip().startswith("#"):
            current = None
        elif current is not None:
            current.append(line.strip())
    return [(number, " ".join(lines)) for number, lines in items]


def exercise_source(cells: list, index: int) -> int | None:
    """Index of the markdown cell whose exercises the solution at ``index`` answers: the nearest
    one above with an ``Exercises`` heading, else the nearest one with a numbered list."""
    above = [i for i in range(index - 1, -1, -1) if cells[i].cell_type == "markdown"]
    for i in above:
        if _HEADING.search(cells[i].source):
            return i
    return next((i for i in above if numbered_items(cells[i].source)), None)


def exercises_from(cells: list, start: int, index: int) -> list[tuple[int, str]]:
    """The numbered exercises of the markdown cells from ``start`` (after its ``Exercises``
    heading, if it has one) down to the cell before ``index``."""
    text = "\n".join(c.source for c in cells[start:index] if c.cell_type == "markdown")
    heading = _HEADING.search(text)
    return numbered_items(text[heading.end():] if heading else text)


def pair(cells: list) -> list[Stub]:
    """Which exercises each solution cell of a lesson answers (see the module's docstring)."""
    groups: dict[int | None, list[int]] = {}
    for index, cell in enumerate(cells):
        if is_solution(cell):
            groups.setdefault(exercise_source(cells, index), []).append(index)
    stubs = []
    for start, indices in groups.items():
        found = exercises_from(cells, start, indices[0]) if start is not None else []
        by_number = dict(found)
        marked = [[int(n) for n in _MARKER.findall(cells[i].source) if int(n) in by_number]
                  for i in indices]
        if len(indices) == len(found):
            shares = [[item] for item in found]
        elif all(marked):
            shares = [[(n, by_number[n]) for n in dict.fromkeys(m)] for m in marked]
        elif len(indices) == 1:
            shares = [found]
        else:
            print(f"note: {len(indices)} solution cells for {len(found)} exercises, paired in "
                  "order", file=sys.stderr)
            shares = [found[k:k + 1] for k in range(len(indices) - 1)]
            shares.append(found[len(indices) - 1:] or found[-1:])
        stubs += [Stub(i, share) for i, share in zip(indices, shares)]
    return stubs


def first_sentences(text: str, limit: int = HINT_CHARS) -> str:
    """The leading sentences of ``text`` that fit in ``limit`` characters (at least the first),
    with ``…`` when some are left out. Code spans and ``$maths$`` never end a sentence."""
    masked = _VERBATIM.sub(lambda m: "x" * len(m.group()), text)
    ends = [m.end() for m in _SENTENCE_END.finditer(masked)]
    if not ends or ends[-1] < len(text.rstrip()):
        ends.append(len(text))
    keep = ends[0]
    for end in ends[1:]:
        if end > limit:
            break
        keep = end
    hint = text[:keep].strip()
    return hint if keep >= len(text.rstrip()) else hint + " …"


def stub_source(exercises: list[tuple[int, str]]) -> str:
    """The stub's code: ``# your turn: exercise N`` and each exercise's hint, comments only."""
    numbers = [str(n) for n, _ in exercises]
    if not numbers:
        return "# your turn: write your answer to the exercise above here"
    which = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
    lines = [f"# your turn: exercise{'s' if len(numbers) > 1 else ''} {which}"]
    for number, text in exercises:
        hint = first_sentences(text)
        if len(exercises) == 1:
            lines += textwrap.wrap(hint, WIDTH, initial_indent="# ", subsequent_indent="# ",
                                   break_long_words=False, break_on_hyphens=False)
        else:
            lines += textwrap.wrap(hint, WIDTH, initial_indent=f"# {number}. ",
                                   subsequent_indent="#    ", break_long_words=False,
                                   break_on_hyphens=False)
    return "\n".join(lines)


def stub_cell(solution: nbformat.NotebookNode, stub: Stub) -> nbformat.NotebookNode:
    """A visible code cell tagged ``exercise`` in place of ``solution`` (same id and tags, less
    ``solution`` and the folding ones; no folds, no outputs)."""
    cell = nbformat.v4.new_code_cell(stub_source(stub.exercises))
    if "id" in solution:
        cell.id = solution.id
    tags = [t for t in solution.metadata.get("tags", []) if t not in (SOLUTION, *FOLD_TAGS)]
    cell.metadata = nbformat.NotebookNode(tags=[*tags, EXERCISE])
    return cell


def student_notebook(lesson: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student edition of one lesson: outputs cleared, solutions replaced by stubs."""
    nb = copy.deepcopy(lesson)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    for stub in pair(nb.cells):
        nb.cells[stub.index] = stub_cell(nb.cells[stub.index], stub)
    return nb


def lesson_paths(lessons: Path = LESSONS) -> list[Path]:
    """The lesson notebooks of a folder, in order (``NN_name.ipynb``)."""
    return sorted(lessons.glob("[0-9][0-9]_*.ipynb"))


def check_out(out: Path, lessons: Path) -> None:
    """Refuse an ``out`` whose notebooks would be written over, or among, the lessons."""
    target, source = (out / "notebooks").resolve(), lessons.resolve()
    if target == source or source in target.parents or source in out.resolve().parents:
        raise SystemExit(f"--out {out}: the student notebooks would land in {lessons}")


def write_edition(out: Path = DEFAULT_OUT, lessons: Path = LESSONS,
                  force: bool = False) -> list[Path]:
    """Write the student edition of ``lessons`` into ``out`` (see the module's docstring).

    Extra files (:data:`EXTRA_FILES`) are copied from ``lessons``'s parent. Returns the student
    notebooks written; one that exists and differs is kept unless ``force``.
    """
    check_out(out, lessons)
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    for name in EXTRA_FILES:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(lessons.parent / name, out / name)
    written = []
    for path in lesson_paths(lessons):
        nb = student_notebook(nbformat.read(path, as_version=4))
        nbformat.validate(nb)
        text = nbformat.writes(nb).rstrip("\n") + "\n"
        target = out / "notebooks" / path.name
        if target.exists() and target.read_text() != text and not force:
            print(f"kept {target}: it differs from the fresh edition (--force replaces it)")
            continue
        target.write_text(text)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="folder of the edition (default: build/student)")
    parser.add_argument("--lessons", type=Path, default=LESSONS,
                        help="folder of the lesson notebooks (default: notebooks/)")
    parser.add_argument("--force", action="store_true",
                        help="replace student notebooks that differ from the fresh edition")
    args = parser.parse_args(argv)
    written = write_edition(args.out, args.lessons, args.force)
    print(f"wrote {len(written)} student notebooks into {args.out / 'notebooks'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
