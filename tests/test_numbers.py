"""Lessons' prose states no measured number that a cell does not print (issue 17, item 1).

``tools/prose_numbers.py`` lists every sentence of the lessons' markdown that contains a digit
and classifies it: a fixed fact recognised by a rule, a fact registered in
``tools/prose_numbers.toml``, or unclassified (a measured, profile-dependent number typed into
prose). Here: no lesson has an unclassified sentence, the registry has no stale or unfounded
entry, and the rules do what their docstrings say. Reads files only; nothing is executed.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("prose_numbers", ROOT / "tools" / "prose_numbers.py")
numbers = importlib.util.module_from_spec(spec)
sys.modules["prose_numbers"] = numbers
spec.loader.exec_module(numbers)

LESSONS = sorted(p.name[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
KNOWN_EXCEPTIONS: dict[str, str] = {}  # lesson: why its prose may not pass yet


@pytest.mark.parametrize("lesson", [
    pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN_EXCEPTIONS[n], strict=False))
    if n in KNOWN_EXCEPTIONS else n for n in LESSONS])
def test_no_measured_number_typed_into_prose(lesson):
    results, _, _, _ = numbers.check([lesson])
    unclassified = [f"{s.lesson}:{s.line} {s.text}  [{', '.join(s.uncovered())}]"
                    for s, kind in results if kind == "unclassified"]
    assert not unclassified, (
        "numbers in prose that no rule or registry entry explains (print them from a cell, "
        "say them conditionally, or register a fixed fact in tools/prose_numbers.toml):\n"
        + "\n".join(unclassified))


def test_registry_entries_are_used_and_founded():
    checked = [n for n in LESSONS if n not in KNOWN_EXCEPTIONS]
    _, entries, stale, problems = numbers.check(checked)
    assert entries, "tools/prose_numbers.toml holds no entry"
    assert not problems
    stale = [e.text for e in stale if not e.lessons or set(e.lessons) <= set(checked)]
    assert not stale, f"registry entries that match no sentence: {stale}"
    assert all(e.why.strip() for e in entries), "every entry needs a reason or a place"


def test_measured_entries_are_rare():
    entries = numbers.load_registry()
    measured = [e for e in entries if e.kind == "measured"]
    assert len(measured) <= len(entries) // 5, [e.text for e in measured]


# --- the rules, one sentence at a time ------------------------------------------------------

def classify(text: str, entries=(), lesson: str = "02", kind: str = "prose",
             section: str = "", path: Path | None = None) -> tuple[str, list[str]]:
    sentence = numbers.Sentence(lesson, 1, text, kind, section, path)
    return numbers.classify(sentence, list(entries)), sentence.uncovered()


@pytest.mark.parametrize("text", [
    "we measured a contrast (std) 1.8× the real patches'",
    "the residual generator gains +0.34 dB",
    "training takes about 3 minutes on a laptop",
    "LSGAN finds 4 of 8 modes",
    "the generator trains 20,000 steps",  # no profile named: a number of a run
    "under `cpu` the whole lesson takes 6,000 s",  # a profile's value, but a unit: measured
    "after 2001 steps the wall has joints",  # a year's digits, but no author
    "as painted, brick 0.99 → 0.83",  # a before → after of two decimals: measured
])
def test_measured_numbers_are_unclassified(text):
    assert classify(text)[0] == "unclassified"


@pytest.mark.parametrize("text, rule", [
    ("The discriminator's loss at chance is $\\log 4 \\approx 1.39$.", "math"),
    ("the tests pin Adam to a relative `1e-6`", "code"),
    ("Under `cpu` (6,000 steps) the samples look like gravel.", "profile"),
    ("longer training helps (the `gpu` profile trains 20,000 steps)", "profile"),
    ("random 32×32×3 patches, 3×3 convolutions and 512² images", "shape"),
    ("a 16-px grid on a 2-D plane", "shape"),
    ("Adam with β1 = 0.5 and log 2 ≈ 0.693", "formula"),
    ("generator 100 → 256 → 512 → 1024", "formula"),
    ("values in [-1, 1]", "formula"),
    ("image quilting (Efros and Freeman 2001) and Xu et al. (2012)", "citation"),
    ("In Keras 3 an optimizer is built for the variables it first sees.", "version"),
    ("lessons 04–05 and exercise 3, see bugs 4 and 5", "reference"),
    ("the L1 term, float32 and the c2st", "name"),
    ("real images with label 1 and generated ones with label 0", "unity"),
])
def test_fixed_facts_are_recognised(text, rule):
    kind, left = classify(text)
    assert kind == "fixed", left
    sentence = numbers.Sentence("02", 1, text)
    numbers.classify(sentence, [])
    assert rule in sentence.reasons


def test_profile_values_count_only_for_the_profile_named_nearest():
    assert classify("under `smoke` the batch is 8")[0] == "fixed"
    assert classify("under `cpu` the batch is 8")[0] == "unclassified"  # cpu's batch is 32
    # smoke's depth is 2, but the number sits next to cpu, whose values hold no 2
    assert classify("`smoke` runs in seconds, `cpu` takes minutes on 2 cores")[0] == "unclassified"


def test_one_is_a_constant_but_not_a_count():
    assert classify("the ratio is about 1 when there is no seam")[0] == "fixed"
    assert classify("WGAN-GP covers 1 of the modes")[0] == "unclassified"
    assert classify("it took 1 s")[0] == "unclassified"


def test_headings_and_list_items_are_numbered_not_measured():
    assert classify("## 7 · A toy GAN", kind="heading")[0] == "fixed"
    assert classify("### Bug 3: gradients", kind="heading")[0] == "fixed"
    assert classify("2. Train on grass alone.", kind="item")[0] == "fixed"
    assert classify("2. Train on grass alone.", kind="prose")[0] == "unclassified"


def test_exercises_may_use_the_numbers_of_their_solutions(tmp_path):
    lesson = tmp_path / "02_x.py"
    lesson.write_text(textwrap.dedent('''\
        # %% [markdown]
        # ## Exercises
        #
        # 1. Draw 8 patches of size 48 with seed 3, then 5 more.

        # %% tags=["solution"]
        show(patches(size=48, count=8, seed=3))
    '''))
    [sentence] = [s for s in numbers.sentences(lesson) if "Draw" in s.text]
    assert sentence.section == "Exercises"
    assert numbers.classify(sentence, []) == "unclassified"
    assert sentence.uncovered() == ["5"]  # not in the solution


def test_sentences_split_where_prose_ends_only(tmp_path):
    lesson = tmp_path / "03_x.py"
    lesson.write_text(textwrap.dedent('''\
        # %% [markdown]
        # # 03 · A title
        #
        # Rolling guidance (Zhang et al. 2014) blurs, e.g. below 0.5 it stops. Then `x. 2`
        # is code. A second sentence with 7 in it.
        #
        # 1. First item with 8 things.
        #
        # | a | 1.5 |
        # |---|---|
        #
        # ```python
        # print(3.14)
        # ```
        #
        #     indented 42

        # %%
        x = 99
    '''))
    found = [(s.line, s.kind, s.text) for s in numbers.sentences(lesson)]
    assert found == [
        (2, "heading", "# 03 · A title"),
        (4, "prose", "Rolling guidance (Zhang et al. 2014) blurs, e.g. below 0.5 it stops."),
        (4, "prose", "Then `x. 2` is code."),
        (5, "prose", "A second sentence with 7 in it."),
        (7, "item", "1. First item with 8 things."),
        (9, "table", "| a | 1.5 |"),
    ]


def test_a_registry_entry_covers_its_own_text_only(tmp_path):
    entry = numbers.Entry("fixed", "within 3 standard deviations", "toy.count_modes")
    kind, left = classify("within 3 standard deviations, 4 of 8 modes", [entry])
    assert kind == "unclassified" and left == ["4", "8"]
    kind, left = classify("within 3 standard deviations of a centre", [entry])
    assert kind == "registered" and entry.used == 2


def test_entries_limited_to_a_lesson_stay_there():
    entry = numbers.Entry("fixed", "16 images", "fixed_z", ("02",))
    assert classify("draws 16 images", [entry], lesson="02")[0] == "registered"
    assert classify("draws 16 images", [entry], lesson="06")[0] == "unclassified"


def test_a_measured_entry_must_name_a_file_holding_its_numbers(tmp_path):
    held = numbers.Entry("measured", "about 2e-4", "tests/test_distribute.py: docstring")
    wrong = numbers.Entry("measured", "about 3e-4", "tests/test_distribute.py")
    missing = numbers.Entry("measured", "about 2e-4", "tests/no_such_file.py")
    digitless = numbers.Entry("fixed", "about twice", "no number")
    problems = numbers.registry_problems([held, wrong, missing, digitless])
    assert len(problems) == 3
    assert "3e-4 is not in test_distribute.py" in problems[0]
    assert "names no file" in problems[1] and "no number" in problems[2]


def test_the_command_fails_on_an_unclassified_sentence(tmp_path, monkeypatch, capsys):
    (tmp_path / "00_a.py").write_text("# %% [markdown]\n# It took 3 minutes.\n")
    (tmp_path / "01_b.py").write_text("# %% [markdown]\n# See lesson 00.\n")
    registry = tmp_path / "registry.toml"
    registry.write_text('[[fixed]]\ntext = "42 things"\nreason = "unused"\n')
    monkeypatch.setattr(numbers, "NOTEBOOKS", tmp_path)
    monkeypatch.setattr(numbers, "REGISTRY", registry)
    assert numbers.main(["--lessons", "01"]) == 0
    assert numbers.main(["--lessons", "00"]) == 1
    assert "00:2" in capsys.readouterr().out
    assert numbers.main([]) == 1  # and the unused entry is stale
    assert "stale fixed entry" in capsys.readouterr().out
    assert numbers.main(["--all", "--lessons", "01"]) == 0
    assert "reference" in capsys.readouterr().out
