"""The one list of dependencies, the README's commands, and what CI runs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_names_nothing_pyproject_does_not():
    project = _pyproject()["project"]
    declared = {re.split(r"[<>=\[ ;]", d)[0].lower() for d in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        declared |= {re.split(r"[<>=\[ ;]", d)[0].lower() for d in extra}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda = [re.split(r"[<>=]", d)[0] for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert set(conda) <= {"python", "pip"}, f"environment.yml lists {conda}: use pyproject.toml"
    assert pip == ["-e .[dev]"], f"environment.yml's pip section should be -e .[dev]: {pip}"
    assert "tensorflow" in declared and "jupyterlab" in declared


def test_required_dependencies_are_declared():
    project = _pyproject()["project"]
    runtime = " ".join(project["dependencies"])
    for name in ("tensorflow>=2.16", "numpy", "matplotlib", "ipywidgets", "scikit-image", "tqdm"):
        assert name in runtime
    dev = " ".join(project["optional-dependencies"]["dev"])
    for name in ("jupyterlab", "papermill", "nbval", "pytest", "ruff", "hypothesis", "sphinx",
                 "myst-nb", "jupyter-server-mathjax"):
        assert name in dev
    assert "tensorflow[and-cuda]" in " ".join(project["optional-dependencies"]["gpu"])


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make lab" in readme
    assert re.search(r"^make test$", ci, flags=re.M)


def test_makefile_phony_names_exactly_its_targets():
    makefile = (ROOT / "Makefile").read_text()
    phony = set(re.search(r"^\.PHONY:(.*)$", makefile, flags=re.M).group(1).split())
    targets = set(re.findall(r"^([A-Za-z][\w-]*)\s*:(?!=)", makefile, flags=re.M))
    assert phony == targets, f"not targets: {phony - targets}; not in .PHONY: {targets - phony}"


def test_ci_installs_chromium_and_make_test_runs_the_browser_test_or_says_it_skipped():
    ci = (ROOT / ".ci" / "run").read_text()
    install = re.search(r"apt-get install .*\n?.*\bchromium\b", ci)
    assert install and install.start() < ci.index("\nmake test"), "install Chromium, then test"
    assert "apt-get update" in ci and 'id -u)" = 0' in ci
    script = (ROOT / "tools" / "test.sh").read_text()
    assert "pytest tests/browser" in script
    assert "browser test: SKIPPED (no Chromium: apt-get install chromium)" in script
    # the browsers test.sh looks for are the ones the browser test launches
    names = re.search(r"for name in ([\w -]+); do", script).group(1).split()
    browser_test = (ROOT / "tests" / "browser" / "test_widgets_in_browser.py").read_text()
    assert f"CHROMIUM = {tuple(names)!r}" in browser_test.replace('"', "'")
    assert "playwright" in _pyproject()["project"]["optional-dependencies"]["dev"]
    conftest = (ROOT / "tests" / "conftest.py").read_text()
    assert 'collect_ignore = ["browser"]' in conftest, "pytest tests leaves tests/browser out"
