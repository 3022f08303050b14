"""Every number in the lessons' prose, and why it may be there.

A lesson's markdown must say only what its outputs show: a result that depends on the profile
or the run (a ratio, a score, a time) is printed by a cell, or stated conditionally, never
typed into prose. This script lists every sentence of the lessons' markdown cells
(``notebooks/NN_*.py``) that contains a digit, with its lesson and line, and classifies it::

    python tools/prose_numbers.py                  # the unclassified sentences; exit 1 if any
    python tools/prose_numbers.py --all            # every sentence with a number, its class
    python tools/prose_numbers.py --lessons 02 04  # only some lessons

A sentence (a heading, a table row and a list item's first sentence count as one; fenced
and indented code do not) is **fixed** when every number in it is recognised by a rule
(:data:`RULES`):

- ``math``: inside LaTeX, ``$...$`` or ``$$...$$`` (a formula);
- ``code``: inside backticks (a name, a value or a command of the code);
- ``numbering``: a heading's section number (``## 7 ·``, ``Part 1 ·``, ``Bug 3:``), a list
  item's number, a lesson number alone in a table cell;
- ``reference``: ``lesson 05``, ``lessons 04–05``, ``exercise 3``, ``bugs 4 and 5``,
  ``section 5``, ``part 1``, a notebook's file name;
- ``citation``: a year after an author (``Efros and Freeman 2001``, ``Xu et al. (2012)``);
- ``version``: a version after a product's name (``Keras 3``);
- ``profile``: an integer equal to a field of ``config.PROFILES[name]`` (``bank_size`` and
  ``eval_count`` included), ``name`` being the profile named nearest to it in the same
  sentence, and not followed by a unit of measurement (``under `cpu` (6,000 steps)``);
- ``shape``: a size or shape, ``32×32×3``, ``512²``, ``3×3``, ``16-px``, ``2-D``;
- ``formula``: an expression, ``log 4 ≈ 1.386``, ``β1 = 0.5``, ``p = 1``,
  ``100 → 256 → 512``, ``real → 1``, an interval ``[-1, 1]``; not an arrow between two
  decimals, ``0.99 → 0.83``: that is a measured change;
- ``name``: a name with digits in it, ``L1``, ``float32``, ``pix2pix``, ``c2st``;
- ``unity``: 0, 1, ½ (also written 0.5, 1.0) on their own: labels, probabilities, bounds,
  a ratio at parity; not with a unit or "of" after them (``1 s``, ``1 of 8 modes``);
- ``exercise``: in the Exercises section, a number that the lesson's solution cells write
  as a literal (``Draw 8 patches with seed 3`` and ``patches(count=8, seed=3)``).

What the rules do not recognise must be registered in ``tools/prose_numbers.toml``: a
``[[fixed]]`` entry (a constant of the code, a convention, a definition) with a short
``reason``, or,
rarely, a ``[[measured]]`` entry: a measured number and ``where`` it was measured, a file of
the repository (a docstring of the package, a JSON in ``benchmarks/``) that holds every
number of the entry's text. An entry is an exact piece of a sentence (``text``), in the
``lessons`` it names (all when absent); it covers the numbers inside that piece only, so a
number added to the sentence later is still checked. An entry that matches no sentence is
*stale* and fails the check too.

Everything else is **unclassified**: a measured, profile-dependent number typed into prose.
Remove it, say it conditionally ("if the ratio printed above is above 1, ..."), or have the
cell above print it.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import re
import sys
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path

# Not tools/numbers.py: tools/ comes first on sys.path of every script run from it, and a
# numbers.py there would hide the standard library's `numbers`, which NumPy imports.
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
REGISTRY = Path(__file__).with_name("prose_numbers.toml")

DIGIT = re.compile(r"\d")
#: One number as written in prose, with its sign, thousands commas, decimals and exponent,
#: and a unit right after it (what the report shows).
NUMBER = re.compile(r"[+−-]?\d[\d,]*(?:\.\d+)?(?:e[-−+]?\d+)?(?:\s?(?:×|%|dB|s\b|px\b))?")
#: Units after a number that make it a measurement, not a setting (rule ``profile``).
UNIT = re.compile(r"\s*(?:×|%|‰|dB\b|s\b|ms\b|seconds?\b|minutes?\b|min\b|hours?\b|"
                  r"images/s\b|pairs/s\b|steps/s\b|GFLOP)")
ABBREVIATIONS = ("e.g.", "i.e.", "al.", "etc.", "vs.", "cf.", "Fig.", "approx.")
PROFILE_NAME = re.compile(r"\b(smoke|cpu|gpu)\b")


@dataclasses.dataclass
class Sentence:
    """One sentence of a lesson's markdown (a table row or a heading counts as one)."""

    lesson: str  # "02"
    line: int  # line of the .py script where the sentence starts
    text: str
    kind: str = "prose"  # "prose", "heading", "item" (a list item's first sentence), "table"
    section: str = ""  # the heading above it
    path: Path | None = None  # the lesson's script
    covered: list[tuple[int, int, str]] = dataclasses.field(default_factory=list)

    @property
    def numbers(self) -> list[str]:
        """The numbers of the sentence, as written."""
        return [m.group().strip() for m in NUMBER.finditer(self.text)]

    def uncovered(self) -> list[str]:
        """Numbers with at least one digit that no rule or entry covers."""
        mask = [False] * len(self.text)
        for start, end, _ in self.covered:
            mask[start:end] = [True] * (end - start)
        return [m.group().strip() for m in NUMBER.finditer(self.text)
                if any(ch.isdigit() and not mask[i]
                       for i, ch in enumerate(m.group(), m.start()))]

    def cover(self, start: int, end: int, why: str) -> None:
        self.covered.append((start, end, why))

    @property
    def reasons(self) -> list[str]:
        return list(dict.fromkeys(why for _, _, why in sorted(self.covered)))


# --------------------------------------------------------------------------------------------
# Reading the lessons

def markdown_cells(path: Path) -> Iterable[tuple[int, list[str]]]:
    """``(first line number, lines without the leading '# ')`` of each markdown cell."""
    cell: list[str] | None = None
    start = 0
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        if raw.startswith("# %%"):
            if cell is not None:
                yield start, cell
            cell, start = ([], number + 1) if "[markdown]" in raw else (None, 0)
        elif cell is not None:
            cell.append(raw[2:] if raw.startswith("# ") else raw.lstrip("#"))
    if cell is not None:
        yield start, cell


def blocks(start: int, lines: list[str]) -> Iterable[tuple[str, list[tuple[int, str]]]]:
    """The cell's blocks: ``(kind, [(line number, text), ...])``.

    Kinds: ``heading``, ``table`` (one block per row), ``item`` (a list item and its
    continuation lines), ``quote``, ``prose`` (a paragraph). Fenced code and indented code
    are skipped: they are code, not sentences.
    """
    current: list[tuple[int, str]] = []
    kind = "prose"
    fenced = False
    previous_blank = True

    def flush():
        nonlocal current
        if current:
            yield kind, current
        current = []

    for offset, line in enumerate(lines):
        number = start + offset
        stripped = line.strip()
        if stripped.startswith("```"):
            yield from flush()
            fenced = not fenced
            previous_blank = False
            continue
        if fenced:
            continue
        if not stripped:
            yield from flush()
            kind, previous_blank = "prose", True
            continue
        if line.startswith("    ") and previous_blank and not current:
            continue  # indented code block
        previous_blank = False
        if re.match(r"#{1,6} ", stripped):
            yield from flush()
            yield "heading", [(number, stripped)]
            kind = "prose"
        elif stripped.startswith("|"):
            yield from flush()
            if not re.fullmatch(r"[|:\-\s]+", stripped):
                yield "table", [(number, stripped)]
            kind = "prose"
        elif re.match(r"([-*+]|\d+\.)\s", stripped):
            yield from flush()
            kind = "item"
            current = [(number, stripped)]
        elif stripped.startswith(">"):
            if kind != "quote":
                yield from flush()
            kind = "quote"
            current.append((number, stripped.lstrip("> ")))
        else:
            if kind in ("table", "heading"):
                kind = "prose"
            current.append((number, stripped))
    yield from flush()


def protected(text: str) -> list[tuple[int, int]]:
    """Spans of code (backticks) and math (``$...$``, ``$$...$$``), where no sentence ends."""
    spans = []
    for pattern in (r"`[^`]*`", r"\$\$.+?\$\$", r"(?<![\\$])\$[^$]+?\$"):
        spans += [m.span() for m in re.finditer(pattern, text)]
    return spans


def split_sentences(text: str) -> list[tuple[int, str]]:
    """``(offset, sentence)`` pieces of a block: ends at ``.``, ``?`` or ``!`` (after closing
    brackets, quotes or emphasis) followed by a space, never inside code, math or after an
    abbreviation."""
    guard = protected(text)
    cuts = [0]
    for m in re.finditer(r"[.?!][)\]\"'”’*_]*(?=\s+\S)", text):
        end = m.end()
        if any(a <= m.start() < b for a, b in guard):
            continue
        words = text[:m.start() + 1].split()
        if len(words) == 1 and re.fullmatch(r"\d+\.", words[0]):
            continue  # a numbered list item's marker
        if words and any(words[-1].endswith(abbreviation) for abbreviation in ABBREVIATIONS):
            continue
        cuts.append(end)
    cuts.append(len(text))
    pieces = []
    for a, b in zip(cuts, cuts[1:]):
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        if piece.strip():
            pieces.append((a + lead, piece.strip()))
    return pieces


def sentences(path: Path) -> list[Sentence]:
    """Every sentence of a lesson's markdown cells that contains a digit."""
    lesson = path.name[:2]
    found = []
    section = ""
    for start, lines in markdown_cells(path):
        for kind, rows in blocks(start, lines):
            if kind == "heading":
                section = rows[0][1].lstrip("#").strip()
            text, starts = "", []
            for number, row in rows:
                if text:
                    text += " "
                starts.append((len(text), number))
                text += row
            for offset, piece in split_sentences(text):
                line = max(n for s, n in starts if s <= offset)
                if DIGIT.search(piece):
                    first = offset == 0
                    found.append(Sentence(lesson, line, piece,
                                          kind if first or kind in ("table", "heading")
                                          else "prose", section, path))
    return found


# --------------------------------------------------------------------------------------------
# The rules

Rule = Callable[[Sentence], Iterable[tuple[int, int]]]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(function: Rule) -> Rule:
        RULES[name] = function
        return function
    return register


def spans(pattern: str, text: str, flags: int = 0, group: int = 0) -> list[tuple[int, int]]:
    return [m.span(group) for m in re.finditer(pattern, text, flags)]


@rule("math")
def math_rule(s: Sentence):
    return spans(r"\$\$.+?\$\$", s.text) + spans(r"(?<![\\$])\$[^$]+?\$", s.text)


@rule("code")
def code_rule(s: Sentence):
    return spans(r"`[^`]*`", s.text)


def lesson_numbers() -> set[str]:
    return {p.name[:2] for p in NOTEBOOKS.glob("[0-9][0-9]_*.py")}


@rule("numbering")
def numbering_rule(s: Sentence):
    found = []
    if s.kind == "heading":
        found += spans(r"^#+\s+(?:(?:Part|Bug|Bugs|Step|Section)\s+)?\d+(?:\s+and\s+\d+)?"
                       r"\s*[·:.]", s.text)
    if s.kind == "item":
        found += spans(r"^\d+\.(?=\s)", s.text)
    if s.kind == "table":
        lessons = lesson_numbers()
        found += [m.span(1) for m in re.finditer(r"\|\s*(\d\d)\s*(?=\|)", s.text)
                  if m.group(1) in lessons]
    return found


@rule("reference")
def reference_rule(s: Sentence):
    number = r"\d+(?:\s*(?:–|-|,|and|or|to)\s*\d+)*"
    words = r"[Ll]essons?|[Ee]xercises?|[Bb]ugs?|[Ss]ections?|[Pp]arts?"
    return (spans(rf"\b(?:{words})\s+{number}", s.text)
            + spans(r"\b\d\d_[a-z0-9_]+(?:\.ipynb|\.py)?\b", s.text))


@rule("citation")
def citation_rule(s: Sentence):
    # A year right after an author's name (or "et al.", or a journal's acronym), bracketed or
    # not: "Efros and Freeman 2001", "Xu et al. (2012)", "Liu et al., IEEE TMM 2020".
    return spans(r"(?:\b[A-Z][\w'’-]+|\bet al\.),?\s+\(?((?:19|20)\d\d)\b", s.text, group=1)


@rule("version")
def version_rule(s: Sentence):
    products = (r"Keras|TensorFlow|Python|NumPy|Pillow|scikit-image|JupyterLab|MathJax|CUDA|"
                r"ipywidgets|jupytext|papermill")
    return spans(rf"\b(?:{products})\s+v?(\d+(?:\.\d+)*)", s.text, group=1)


def profiles_module():
    """``gandetexture/config.py`` alone (the package's ``__init__`` would import TensorFlow)."""
    if "_course_config" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "_course_config", ROOT / "gandetexture" / "config.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["_course_config"] = module
        spec.loader.exec_module(module)
    return sys.modules["_course_config"]


@rule("profile")
def profile_rule(s: Sentence):
    config = profiles_module()
    names = [(m.start(), m.group()) for m in PROFILE_NAME.finditer(s.text)]
    found = []
    if not names:
        return found
    for m in re.finditer(r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?![\w.,-]?\d|-|\.\d)", s.text):
        # the profile named nearest to the number, in the same sentence
        name = min(names, key=lambda n: abs(n[0] - m.start()))[1]
        profile = config.PROFILES[name]
        values = {v for v in dataclasses.asdict(profile).values() if isinstance(v, int)}
        values |= {profile.bank_size, profile.eval_count}
        if int(m.group().replace(",", "")) in values and not UNIT.match(s.text, m.end()):
            found.append(m.span())
    return found


@rule("shape")
def shape_rule(s: Sentence):
    return (spans(r"\b\d+(?:\s*[×x]\s*\d+)+(?![\d.])", s.text)  # 32×32×3, 3×3, 2×2
            + spans(r"\b\d+²", s.text)  # 512²
            + spans(r"\b\d+-(?:px|pixel|D|d|bit)\b", s.text))  # a 16-px grid, 2-D, 100-d


@rule("formula")
def formula_rule(s: Sentence):
    value = r"[-−]?\d+(?:\.\d+)?"
    return (
        # log 4 ≈ 1.386, 2 log 2 = log 4, −log 4
        spans(rf"(?:\d+\s*)?\blog\s*\d+(?:\s*[=≈]\s*(?:\d+\s*)?(?:log\s*\d+|{value}))*", s.text)
        # a symbol set to a value: β1 = 0.5, p = 1, λ = 100, D ≈ 0.5
        + spans(rf"(?<![\w])[A-Za-zα-ωΑ-Ω][\w]{{0,2}}\s*(?:=|≈|≤|≥|<|>)\s*{value}", s.text)
        # arrows: 100 → 256 → 1024, real → 1, fake → 0.05; not a before → after of two
        # decimals (0.99 → 0.83: a measured change, not an expression)
        + [span for span in spans(r"[\w.·()]+(?:\s*→\s*[\w.·()]+)+", s.text)
           if len(re.findall(r"\d\.\d", s.text[span[0]:span[1]])) < 2]
        # an interval: [-1, 1], [0, 1]
        + spans(rf"\[\s*{value}\s*,\s*{value}\s*[\])]", s.text)
    )


@rule("name")
def name_rule(s: Sentence):
    # a name with digits in it: L1, L0, β1, log10, float32, pix2pix, c2st, 1-Lipschitz
    return (spans(r"(?<![\w.])[A-Za-zα-ωΑ-Ω][\w]*\d[\w]*", s.text)
            + spans(r"\b\d+-Lipschitz\b", s.text))


@rule("unity")
def unity_rule(s: Sentence):
    # zero, one and a half on their own: labels, probabilities (0.5: chance), bounds, the
    # level of a ratio at parity; not when a unit or "of" follows ("1 s", "1 of 8 modes")
    found = []
    for m in re.finditer(r"(?<![\w.,+−-])(?:0\.5|0\.0|1\.0|1\.00|0|1|½)(?![\w.,]?\d|\.\d)",
                         s.text):
        if not (UNIT.match(s.text, m.end()) or re.match(r"\s*(?:of|/)\b", s.text[m.end():])):
            found.append(m.span())
    return found


def solution_literals(path: Path) -> set[float]:
    """The numbers written in a lesson's solution cells (tagged ``solution``)."""
    values: set[float] = set()
    code: list[str] | None = None
    for line in path.read_text().splitlines() + ["# %%"]:
        if line.startswith("# %%"):
            if code:
                for m in re.finditer(r"(?<![\w.])\d+(?:\.\d+)?(?:e-?\d+)?", "\n".join(code)):
                    values.add(abs(float(m.group())))
            code = [] if '"solution"' in line and "[markdown]" not in line else None
        elif code is not None:
            code.append(line)
    return values


@rule("exercise")
def exercise_rule(s: Sentence):
    # a task of the Exercises section: its numbers are settings that the lesson's solution
    # cells use (seed 3, 8 patches, d_steps=5), found there as literals
    if s.section != "Exercises" or s.path is None:
        return []
    literals = solution_literals(s.path)
    return [m.span() for m in re.finditer(r"[−-]?\d[\d,]*(?:\.\d+)?", s.text)
            if abs(float(m.group().replace("−", "-").replace(",", ""))) in literals
            and not UNIT.match(s.text, m.end())]


# --------------------------------------------------------------------------------------------
# The registry

@dataclasses.dataclass
class Entry:
    kind: str  # "fixed" or "measured"
    text: str
    why: str  # the reason (fixed) or where it was measured (measured)
    lessons: tuple[str, ...] = ()
    used: int = 0

    def applies(self, lesson: str) -> bool:
        return not self.lessons or lesson in self.lessons


def load_registry(path: Path | None = None) -> list[Entry]:
    path = path or REGISTRY
    data = tomllib.loads(path.read_text()) if path.exists() else {}
    entries = []
    for kind, why in (("fixed", "reason"), ("measured", "where")):
        for item in data.get(kind, []):
            lessons = item.get("lessons", item.get("lesson", ()))
            lessons = (lessons,) if isinstance(lessons, str) else tuple(lessons)
            entries.append(Entry(kind, item["text"], item[why], lessons))
    return entries


def registry_problems(entries: list[Entry]) -> list[str]:
    """Entries that cannot be right whatever the lessons say: a text without a digit, a
    measured entry whose file is missing or does not hold the entry's numbers."""
    problems = []
    for e in entries:
        if not DIGIT.search(e.text):
            problems.append(f"{e.kind} entry {e.text!r}: no number in it")
        if e.kind == "measured":
            where = ROOT / e.why.split(":")[0].split(",")[0].strip()
            if not where.is_file():
                problems.append(f"measured entry {e.text!r}: {e.why!r} names no file")
                continue
            held = where.read_text()
            for number in NUMBER.findall(e.text):
                bare = re.sub(r"[^\d.e-]", "", number.replace("−", "-")).strip(".-")
                if bare and bare not in held:
                    problems.append(f"measured entry {e.text!r}: {bare} is not in {where.name}")
    return problems


# --------------------------------------------------------------------------------------------
# Classifying

def classify(sentence: Sentence, entries: list[Entry]) -> str:
    """``fixed``, ``registered``, ``measured`` or ``unclassified``; marks entries used."""
    for name, function in RULES.items():
        for start, end in function(sentence):
            sentence.cover(start, end, name)
    if not sentence.uncovered():
        return "fixed"
    kind = "fixed"
    for entry in entries:
        if not entry.applies(sentence.lesson):
            continue
        for m in re.finditer(re.escape(entry.text), sentence.text):
            sentence.cover(m.start(), m.end(), f"{entry.kind}: {entry.why}")
            entry.used += 1
            kind = "measured" if entry.kind == "measured" or kind == "measured" else "registered"
    if sentence.uncovered():
        return "unclassified"
    return kind


def lesson_paths(lessons: Iterable[str] | None = None) -> list[Path]:
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
    if lessons:
        wanted = {str(n).zfill(2) for n in lessons}
        paths = [p for p in paths if p.name[:2] in wanted]
    return paths


def check(lessons: Iterable[str] | None = None, registry: Path | None = None):
    """``(classified sentences, entries, stale entries, registry problems)`` for the lessons.

    Only entries limited to the checked lessons can be stale, and entries for every lesson
    only when every lesson is checked.
    """
    paths = lesson_paths(lessons)
    entries = load_registry(registry)
    results = [(s, classify(s, entries)) for p in paths for s in sentences(p)]
    checked = {p.name[:2] for p in paths}
    everything = {p.name[:2] for p in lesson_paths()} <= checked
    stale = [e for e in entries if not e.used
             and (set(e.lessons) & checked if e.lessons else everything)]
    return results, entries, stale, registry_problems(entries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="every sentence and its class")
    parser.add_argument("--lessons", nargs="*", default=None, help="lesson numbers, e.g. 02 04")
    args = parser.parse_args(argv)
    results, _, stale, problems = check(args.lessons)
    bad = [(s, c) for s, c in results if c == "unclassified"]
    for s, c in results if args.all else bad:
        detail = (f"  {', '.join(s.uncovered())}" if c == "unclassified"
                  else f"  ({'; '.join(s.reasons)})")
        print(f"{s.lesson}:{s.line:<4} {c:<12} {s.text}\n{'':17}{detail.strip()}")
    for e in stale:
        print(f"stale {e.kind} entry (matches no sentence): {e.text!r}")
    for problem in problems:
        print(problem)
    counts = {c: sum(1 for _, k in results if k == c)
              for c in ("fixed", "registered", "measured", "unclassified")}
    print(f"{len(results)} sentences with numbers: "
          + ", ".join(f"{n} {c}" for c, n in counts.items()), file=sys.stderr)
    return 1 if bad or stale or problems else 0


if __name__ == "__main__":
    sys.exit(main())
