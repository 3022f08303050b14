"""The GitHub workflows, the make targets they call, and the tools behind ``make test-gpu``.

Nothing here needs a GPU or the network: the workflow files are parsed (not run), every
``make X`` they call must be a target of the Makefile, and the book's staging is checked by
building a one-page book.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
sys.path.insert(0, str(ROOT / "tools"))
import build_book  # noqa: E402
import run_notebooks  # noqa: E402

RUNS_ON = {"ci.yml": "ubuntu-latest", "gpu.yml": ["self-hosted", "linux", "gpu"],
           "book.yml": "ubuntu-latest"}


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def steps(name: str) -> list[dict]:
    return [step for job in workflow(name)["jobs"].values() for step in job.get("steps", [])]


def commands(name: str) -> str:
    """Every shell command of a workflow, with the scripts it runs by ``bash FILE`` inlined."""
    text = "\n".join(step["run"] for step in steps(name) if "run" in step)
    scripts = re.findall(r"^\s*bash\s+(\S+)\s*$", text, flags=re.M)
    return "\n".join([text, *((ROOT / s).read_text() for s in scripts if (ROOT / s).is_file())])


SEPARATORS = {"&&", "||", ";", "|"}


def make_targets(command: str) -> list[str]:
    """The targets of every ``make`` command in shell text (variables ``X=y`` and options left
    out; ``make`` as an argument, e.g. ``apt-get install make``, is no call)."""
    targets = []
    for line in command.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)  # `;` and `&&` apart
        lexer.whitespace_split = True
        words = list(lexer)
        for i, word in enumerate(words):
            if word != "make" or (i and words[i - 1] not in SEPARATORS):
                continue
            for arg in words[i + 1:]:
                if arg in SEPARATORS:
                    break
                if "=" not in arg and not arg.startswith("-"):
                    targets.append(arg)
    return targets


def makefile_targets() -> set[str]:
    return set(re.findall(r"^([A-Za-z][\w-]*)\s*:(?!=)", (ROOT / "Makefile").read_text(),
                          flags=re.M))


def recipe(target: str) -> str:
    """The recipe lines of a Makefile target."""
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{re.escape(target)}\s*:.*\n((?:\t.*\n)+)", text, flags=re.M)
    assert match, f"no recipe for {target}"
    return match.group(1)


def test_make_targets_reads_shell_commands():
    assert make_targets("make book PROFILE=cpu") == ["book"]
    assert make_targets("cd x && make -s test-gpu EXTRAS=dev,gpu  # a comment") == ["test-gpu"]
    assert make_targets("python3 --version\nmake test\necho make") == ["test"]
    assert make_targets("apt-get install -y make git; make lint") == ["lint"]


@pytest.mark.parametrize("name", sorted(RUNS_ON))
def test_workflow_parses_and_runs_where_expected(name):
    flow = workflow(name)
    assert flow["name"] and flow["jobs"]
    assert True in flow or "on" in flow  # YAML 1.1 reads the key `on` as True
    runs_on = [job["runs-on"] for job in flow["jobs"].values()]
    assert RUNS_ON[name] in runs_on, runs_on


@pytest.mark.parametrize("name", sorted(RUNS_ON))
def test_every_make_target_a_workflow_calls_exists(name):
    called = make_targets(commands(name))
    assert called, f"{name} calls no make target"
    missing = set(called) - makefile_targets()
    assert not missing, f"{name} calls make {sorted(missing)}, which the Makefile lacks"


def test_ci_runs_make_test_with_python_311_or_later():
    setup = next(s for s in steps("ci.yml") if s.get("uses", "").startswith("actions/setup-python"))
    assert tuple(int(x) for x in str(setup["with"]["python-version"]).split(".")) >= (3, 11)
    assert "bash .ci/run" in commands("ci.yml")
    assert sorted(make_targets(commands("ci.yml"))) == ["test"]


def test_make_test_runs_every_lesson_under_the_capped_gpu_profile_and_builds_its_book():
    assert "bash tools/test.sh" in recipe("test")
    script = (ROOT / "tools" / "test.sh").read_text().replace("\\\n", " ")
    runs = [line for line in script.splitlines() if "tools/run_notebooks.py" in line]
    capped = [line for line in runs if "GANDETEXTURE_MAX_STEPS=1" in line]
    assert len(capped) == 1 and "--profile gpu" in capped[0] and "--only" not in capped[0]
    assert any("GANDETEXTURE_MAX_STEPS=1" in line and "build_book.py --profile gpu" in line
               for line in script.splitlines())
    assert "GANDETEXTURE_MAX_STEPS=1" in recipe("test-gpu-capped")  # the same run by hand


def test_gpu_workflow_runs_in_a_tensorflow_gpu_container_and_keeps_its_results():
    job = workflow("gpu.yml")["jobs"]["test-gpu"]
    image = job["container"]["image"]
    assert image.startswith("tensorflow/tensorflow:") and "gpu" in image
    assert "--gpus all" in job["container"]["options"]
    assert job["steps"][0]["run"].strip() == "nvidia-smi"
    assert re.search(r"^make test-gpu EXTRAS=dev,gpu$", commands("gpu.yml"), flags=re.M)
    uploaded = "\n".join(s["with"]["path"] for s in job["steps"]
                         if s.get("uses", "").startswith("actions/upload-artifact"))
    for path in ("build/executed/gpu/*.ipynb", "build/executed/gpu/timings.md",
                 "build/book/gpu"):
        assert path in uploaded, path


def test_make_test_gpu_runs_papermill_nbval_and_the_book_under_gpu():
    lines = recipe("test-gpu")
    assert "tools/run_notebooks.py --profile gpu --timings build/executed/gpu/timings.md" in lines
    assert "GANDETEXTURE_PROFILE=gpu" in lines and "--nbval-lax build/executed/gpu" in lines
    assert "tools/build_book.py --profile gpu" in lines


def test_book_workflow_publishes_the_cpu_book_on_pages():
    flow = workflow("book.yml")
    assert flow["permissions"]["pages"] == "write" and flow["permissions"]["id-token"] == "write"
    assert make_targets(commands("book.yml")) == ["book"]
    assert "PROFILE=cpu" in commands("book.yml")
    uses = {s.get("uses", "").split("@")[0]: s for s in steps("book.yml")}
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "build/book/cpu"
    assert "actions/deploy-pages" in uses


def test_readme_documents_the_gpu_target_the_devices_option_and_the_workflows():
    readme = (ROOT / "README.md").read_text()
    for text in ("make test-gpu", "--devices all", ".github/workflows/ci.yml",
                 ".github/workflows/gpu.yml", ".github/workflows/book.yml"):
        assert text in readme, text


def test_timings_table_has_a_row_per_lesson_and_a_total():
    table = run_notebooks.timings_table({"00_welcome": 30.0, "05_texture_removal": None,
                                         "06_texture_generation": 90.0}, "gpu")
    assert "profile `gpu`" in table
    assert "| 00_welcome | 30.0 | 0.5 |" in table
    assert "| 05_texture_removal | failed |  |" in table
    assert "| **total** | 120.0 | 2.0 |" in table


def _lesson(path: Path) -> None:
    """A notebook as papermill leaves it: parameters, then the injected parameters."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# A lesson"),
        nbformat.v4.new_code_cell('PROFILE = "auto"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell('# Parameters\nPROFILE = "injected"',
                                  metadata={"tags": ["injected-parameters"]}),
        nbformat.v4.new_code_cell("print(PROFILE)")]
    nbformat.write(notebook, path)


def test_the_book_hides_papermills_injected_parameters(tmp_path):
    # one book of two pages (one Sphinx run): the lesson staged, and the control, a plain copy,
    # which shows the injected cell, so the check below can see it
    src = tmp_path / "src"
    (src / "notebooks").mkdir(parents=True)
    (src / "conf.py").write_text('extensions = ["myst_nb"]\nnb_execution_mode = "off"\n')
    (src / "index.md").write_text("# Book\n\n```{toctree}\nnotebooks/staged\nnotebooks/copied\n"
                                  "```\n")
    _lesson(tmp_path / "executed.ipynb")
    build_book.stage(tmp_path / "executed.ipynb", src / "notebooks" / "staged.ipynb")
    (src / "notebooks" / "copied.ipynb").write_bytes((tmp_path / "executed.ipynb").read_bytes())
    subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-E", "-b", "html", str(src),
                    str(tmp_path / "out")], check=True, cwd=tmp_path)
    for name, staged in (("staged", True), ("copied", False)):
        page = (tmp_path / "out" / "notebooks" / f"{name}.html").read_text()
        assert '"auto"' in page  # the lesson's own parameters cell stays
        assert ('"injected"' in page) is not staged, name
