"""Open the course in JupyterLab: what `make lab` runs (after installing).

    python tools/lab.py                  # start JupyterLab on lesson 00
    python tools/lab.py --dry-run        # print the command line (and its environment) only
    python tools/lab.py --ip=0.0.0.0     # any other argument goes to `jupyter lab`

As root (containers, cloud notebooks, classroom images) it adds ``--allow-root``, without which
JupyterLab refuses to start. On a machine where no browser can be launched (no display, no
browser found) it starts with ``--no-browser`` on a free port and prints the URL to open, with
a hint for forwarding the port over ssh.

JupyterLab reads the course's settings from the repository, never from the teacher's machine:
``jupyter-config/`` goes first on ``JUPYTER_CONFIG_PATH`` (see its ``jupyter_server_config.py``:
no news prompt and no request to the internet, lessons not marked as modified on opening).
"""

from __future__ import annotations

import os
import secrets
import shlex
import socket
import sys
import webbrowser
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST_LESSON = "notebooks/00_welcome.ipynb"
CONFIG_DIR = ROOT / "jupyter-config"  # the course's JupyterLab configuration and settings
DEFAULT_PORT = 8888


def browser_available(env: dict[str, str] | None = None, platform: str = sys.platform) -> bool:
    """Whether JupyterLab could open a browser here: not on a Linux box without a display."""
    env = os.environ if env is None else env
    if env.get("BROWSER"):
        return True
    if platform.startswith("linux") and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return False  # a server or container (a text browser would only take over the terminal)
    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


def free_port(start: int = DEFAULT_PORT, tries: int = 100) -> int:
    """The first port from ``start`` that nothing listens on at localhost."""
    for port in range(start, start + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in {start}..{start + tries - 1}")


def given_port(args: Sequence[str]) -> int | None:
    """The port passed as ``--port=N`` or ``--port N``, if any."""
    for index, arg in enumerate(args):
        if arg.startswith("--port="):
            return int(arg.split("=", 1)[1])
        if arg == "--port" and index + 1 < len(args):
            return int(args[index + 1])
    return None


def lab_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's) with ``CONFIG_DIR`` first on ``JUPYTER_CONFIG_PATH``."""
    env = dict(os.environ if env is None else env)
    others = [p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep)
              if p and Path(p) != CONFIG_DIR]
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(CONFIG_DIR), *others])
    return env


def build_command(args: Sequence[str] = (), euid: int | None = None, headless: bool = False,
                  port: int = DEFAULT_PORT) -> list[str]:
    """The `jupyter lab` command line: ``--allow-root`` exactly when ``euid`` is 0 (root).

    Headless, JupyterLab opens no browser and serves on ``port`` (unless ``args`` name one),
    never moving to another one: the printed URL has to be right.
    """
    euid = getattr(os, "geteuid", lambda: -1)() if euid is None else euid  # none on Windows
    # `python -m jupyterlab` is `jupyter lab` run by this very Python (the course's environment).
    command = [sys.executable, "-m", "jupyterlab", FIRST_LESSON]
    if euid == 0:
        command.append("--allow-root")
    if headless:
        command.append("--no-browser")
        if given_port(args) is None:
            command.append(f"--port={port}")
        command.append("--ServerApp.port_retries=0")
    return command + list(args)


def main(argv: list[str]) -> int:
    dry_run = "--dry-run" in argv
    args = [a for a in argv if a != "--dry-run"]
    headless = not browser_available()
    port = given_port(args) or (DEFAULT_PORT if dry_run or not headless else free_port())
    command = build_command(args, headless=headless, port=port)
    env = lab_environment()
    if dry_run:
        config_path = shlex.quote(env["JUPYTER_CONFIG_PATH"])
        print(f"JUPYTER_CONFIG_PATH={config_path} {shlex.join(command)}")
        return 0
    if headless:
        token = env.setdefault("JUPYTER_TOKEN", secrets.token_hex(24))
        # JupyterLab serves the lesson's folder (notebooks/), so the path is relative to it.
        url = f"http://localhost:{port}/lab/tree/{Path(FIRST_LESSON).name}?token={token}"
        print(f"\nNo browser can be opened here. Once JupyterLab is up, open in a browser:\n\n"
              f"    {url}\n\nOn a remote machine, forward the port from your own computer first: "
              f"ssh -L {port}:localhost:{port} user@host\n", flush=True)
    os.chdir(ROOT)
    os.execvpe(command[0], command, env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
