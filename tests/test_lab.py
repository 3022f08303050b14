"""`make lab` (tools/lab.py) opens the course as root and as a normal user, browser or none,
with the repository's settings (jupyter-config/): no news prompt, lessons unmodified on opening.

The server tests start the real command on a free localhost port, with no display (the headless
case: it must print the URL), wait until the first lesson is served, ask the server for the
settings and the lesson JupyterLab would load, and shut it down.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("jupyterlab")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import lab  # noqa: E402

NOBODY = 65534
STARTUP_S = 25
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NEWS = "@jupyterlab/apputils-extension:notification"  # the plugin whose settings hold fetchNews


def _headless_env() -> dict[str, str]:
    hidden = ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER")
    return {k: v for k, v in os.environ.items() if k not in hidden}


def test_allow_root_exactly_when_the_effective_user_is_root():
    assert "--allow-root" in lab.build_command(euid=0)
    assert "--allow-root" not in lab.build_command(euid=1000)
    assert ("--allow-root" in lab.build_command()) == (os.geteuid() == 0)


def test_headless_opens_no_browser_and_keeps_the_printed_port():
    command = lab.build_command(euid=1000, headless=True, port=8890)
    assert command[:4] == [sys.executable, "-m", "jupyterlab", "notebooks/00_welcome.ipynb"]
    assert {"--no-browser", "--port=8890", "--ServerApp.port_retries=0"} <= set(command)
    given = lab.build_command(["--port", "9000"], euid=1000, headless=True)
    assert "--port=8888" not in given and given[-2:] == ["--port", "9000"]
    assert "--no-browser" not in lab.build_command(euid=1000, headless=False)


def test_no_display_on_linux_means_no_browser():
    assert not lab.browser_available({}, platform="linux")
    assert lab.browser_available({"BROWSER": "firefox"}, platform="linux")


def test_dry_run_prints_the_command_line():
    env = _headless_env()
    env.pop("JUPYTER_CONFIG_PATH", None)
    out = subprocess.run([sys.executable, "tools/lab.py", "--dry-run"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == f"JUPYTER_CONFIG_PATH={ROOT / 'jupyter-config'}"  # the repository's settings
    assert out[2:5] == ["-m", "jupyterlab", "notebooks/00_welcome.ipynb"]
    assert ("--no-browser" in out) == (not lab.browser_available(env))
    assert ("--allow-root" in out) == (os.geteuid() == 0)


@pytest.mark.parametrize("euid", [0, 1000])
def test_dry_run_as_root_and_as_a_normal_user(euid, monkeypatch, capsys):
    monkeypatch.setattr(lab.os, "geteuid", lambda: euid)
    assert lab.main(["--dry-run"]) == 0
    assert ("--allow-root" in capsys.readouterr().out.split()) == (euid == 0)


def test_the_repository_config_comes_first_and_others_stay():
    config = str(ROOT / "jupyter-config")
    assert lab.lab_environment({})["JUPYTER_CONFIG_PATH"] == config
    mine = lab.lab_environment({"JUPYTER_CONFIG_PATH": os.pathsep.join(["/etc/mine", config]),
                                "HOME": "/home/teacher"})
    assert mine["JUPYTER_CONFIG_PATH"] == os.pathsep.join([config, "/etc/mine"])
    assert mine["HOME"] == "/home/teacher"


def _course_config():
    """The traitlets configuration jupyter-config/jupyter_server_config.py makes."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("jupyter_server_config.py", path=str(lab.CONFIG_DIR)).load_config()


def test_settings_turn_off_the_news_and_update_checks():
    config = _course_config()
    settings = Path(config.LabApp.app_settings_dir)
    assert settings == ROOT / "jupyter-config" / "lab-settings"  # in the repository
    overrides = json.loads((settings / "overrides.json").read_text())
    assert overrides[NEWS] == {"fetchNews": "false", "checkForUpdates": False}
    # Each setting exists in the installed JupyterLab and the value is one its schema allows
    # (a misspelt one would be ignored, and the prompt back).
    from jupyterlab.commands import get_app_dir

    schemas = Path(get_app_dir()) / "schemas"
    for plugin, values in overrides.items():
        package, name = plugin.split(":")
        schema = json.loads((schemas / package / f"{name}.json").read_text())
        for key, value in values.items():
            prop = schema["properties"][key]
            allowed = [one["const"] for one in prop.get("oneOf", [])] or [True, False]
            assert value in allowed, (plugin, key, value)
    assert "Never" in [o["title"] for o in schema["properties"]["fetchNews"]["oneOf"]
                       if o["const"] == overrides[NEWS]["fetchNews"]]


def _jupyterlab_opens(model: dict) -> dict:
    """What JupyterLab 4.x makes of a notebook it opened and started its kernel for; the notebook
    shows as modified when this differs from ``model``.

    A code cell's `jupyter.outputs_hidden` and `collapsed` are kept equal (@jupyter/ydoc
    YCodeCell.setMetadata); the kernel's `language_info` and spec replace the notebook's
    (NotebookPanel._updateLanguage, _updateSpec: ipykernel's in this environment).
    """
    from ipykernel.ipkernel import IPythonKernel
    from ipykernel.kernelspec import get_kernel_dict

    opened = copy.deepcopy(model)
    for cell in opened["cells"]:
        meta = cell["metadata"]
        if meta.get("collapsed") is not None:
            meta.setdefault("jupyter", {})["outputs_hidden"] = meta["collapsed"]
        elif meta.get("jupyter", {}).get("outputs_hidden") is not None:
            meta["collapsed"] = meta["jupyter"]["outputs_hidden"]
    spec = get_kernel_dict()
    opened["metadata"]["kernelspec"] = {"name": "python3", "display_name": spec["display_name"],
                                        "language": spec["language"]}
    opened["metadata"]["language_info"] = copy.deepcopy(IPythonKernel.language_info)
    return opened


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_a_lesson_opens_unmodified(path):
    """The lesson as the course's contents manager hands it to JupyterLab is what JupyterLab
    turns it into on opening (so no "modified" dot), and nbformat has nothing to change."""
    text = path.read_text()
    nb = json.loads(text)
    assert (nb["nbformat"], nb["nbformat_minor"]) == (4, 5)  # cell ids kept as they are
    changes, normalized = nbformat.validator.normalize(copy.deepcopy(nb))
    assert changes == 0 and normalized == nb
    nbformat.validate(nbformat.reads(text, as_version=4))

    manager = _course_config().ServerApp.contents_manager_class(root_dir=str(path.parent))
    served = asyncio.run(manager.get(path.name))["content"]
    served = json.loads(json.dumps(served))  # as JSON on the wire
    assert _jupyterlab_opens(served) == served
    # Without the contents manager, the stored language_info alone would change on opening.
    assert _jupyterlab_opens(nb)["metadata"] != nb["metadata"]


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_make_lab_runs_tools_lab():
    out = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "tools/lab.py" in out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _effective_uid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[2])
    raise AssertionError("no Uid line")


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _serve(prefix: list[str], home: Path) -> tuple[list[str], int, str, dict, dict]:
    """Run tools/lab.py until lesson 00 is served; return its command line, euid and output,
    the news settings' schema JupyterLab gets and lesson 00 as JupyterLab gets it."""
    port, token = _free_port(), "gandetexture-test"
    env = _headless_env()
    env.update(HOME=str(home), JUPYTER_TOKEN=token, JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               IPYTHONDIR=str(home / "ipython"))
    log = home / "lab.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            prefix + [sys.executable, "tools/lab.py", "--ip=127.0.0.1", f"--port={port}"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api/contents/00_welcome.ipynb?content=0&token={token}"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            assert proc.poll() is None, f"JupyterLab exited:\n{log.read_text()}"
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, f"not up in {STARTUP_S} s:\n{log.read_text()}"
                time.sleep(0.3)
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().decode().split("\0")
        base = f"http://127.0.0.1:{port}"
        news = _get(f"{base}/lab/api/settings/{NEWS}?token={token}")
        lesson = _get(f"{base}/api/contents/00_welcome.ipynb?content=1&token={token}")
        return cmdline, _effective_uid(proc.pid), log.read_text(), news, lesson
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("user", ["current", "nobody"])
def test_lab_serves_the_first_lesson_and_prints_its_url(user):
    prefix = []
    if user == "nobody":
        if os.geteuid() != 0 or shutil.which("setpriv") is None:
            pytest.skip("running as a normal user needs root and setpriv")
        prefix = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        probe = subprocess.run(prefix + ["sh", "-c", 'exec "$0" -c "import jupyterlab"',
                                         sys.executable], capture_output=True, text=True)
        if probe.returncode:
            pytest.skip(f"user nobody cannot run this environment's Python: {probe.stderr[-200:]}")
    home = Path(tempfile.mkdtemp(prefix="gandetexture-lab-"))
    home.chmod(0o777)  # writable by `nobody` too
    try:
        cmdline, euid, output, news, lesson = _serve(prefix, home)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert euid == (NOBODY if user == "nobody" else os.geteuid())
    assert ("--allow-root" in cmdline) == (euid == 0), cmdline
    assert "--no-browser" in cmdline
    assert "/lab/tree/00_welcome.ipynb?token=gandetexture-test" in output
    assert "ssh -L" in output
    # The repository's settings reached JupyterLab: news never fetched, so never asked about.
    assert news["schema"]["properties"]["fetchNews"]["default"] == "false"
    assert news["schema"]["properties"]["checkForUpdates"]["default"] is False
    assert _jupyterlab_opens(lesson["content"]) == lesson["content"]
