"""nbval's time budget: under ``smoke`` every lesson must run in under 90 s (the CI budget).

nbval runs each cell as a test item; this plugin adds up the cells' times per notebook,
prints the table at the end and fails the session when a lesson is over the budget. Set
``GANDETEXTURE_NBVAL_BUDGET`` (seconds; 0 turns it off) to change it. The kernel's start is
not counted; papermill's run (``tools/run_notebooks.py``) times whole notebooks instead.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import pytest

_SECONDS: dict[str, float] = defaultdict(float)


def _budget() -> float:
    if os.environ.get("GANDETEXTURE_PROFILE", "").strip().lower() != "smoke":
        return 0.0
    return float(os.environ.get("GANDETEXTURE_NBVAL_BUDGET", "90"))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _SECONDS[Path(path).stem] += report.duration


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _SECONDS:
        return
    budget = _budget()
    print("\n| lesson | seconds (nbval) |\n|---|---|")
    for name, seconds in sorted(_SECONDS.items()):
        print(f"| {name} | {seconds:.1f} |")
    over = [f"{name} ({seconds:.1f} s)" for name, seconds in _SECONDS.items()
            if budget and seconds > budget]
    if over:
        print(f"over the {budget:.0f} s smoke budget: {', '.join(over)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
