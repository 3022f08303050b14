"""`make lab` (tools/lab.py) opens the course as root and as a normal user, browser or none.

The server tests start the real command on a free localhost port, with no display (the headless
case: it must print the URL), wait until the first lesson is served, and shut it down.
"""

from __future__ import annotations

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

import pytest

pytest.importorskip("jupyterlab")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import lab  # noqa: E402

NOBODY = 65534
STARTUP_S = 25


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
    out = subprocess.run([sys.executable, "tools/lab.py", "--dry-run"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    assert out[1:4] == ["-m", "jupyterlab", "notebooks/00_welcome.ipynb"]
    assert ("--no-browser" in out) == (not lab.browser_available(env))
    assert ("--allow-root" in out) == (os.geteuid() == 0)


@pytest.mark.parametrize("euid", [0, 1000])
def test_dry_run_as_root_and_as_a_normal_user(euid, monkeypatch, capsys):
    monkeypatch.setattr(lab.os, "geteuid", lambda: euid)
    assert lab.main(["--dry-run"]) == 0
    assert ("--allow-root" in capsys.readouterr().out.split()) == (euid == 0)


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


def _serve(prefix: list[str], home: Path) -> tuple[list[str], int, str]:
    """Run tools/lab.py until lesson 00 is served; return its command line, euid and output."""
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
        return cmdline, _effective_uid(proc.pid), log.read_text()
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
        cmdline, euid, output = _serve(prefix, home)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert euid == (NOBODY if user == "nobody" else os.geteuid())
    assert ("--allow-root" in cmdline) == (euid == 0), cmdline
    assert "--no-browser" in cmdline
    assert "/lab/tree/00_welcome.ipynb?token=gandetexture-test" in output
    assert "ssh -L" in output
