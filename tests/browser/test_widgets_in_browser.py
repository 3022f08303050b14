"""The lessons' widgets in a real browser: JupyterLab + Chromium, driven by Playwright.

    .venv/bin/python -m pytest tests/browser -q      # under 2 minutes on 2 cores

A session fixture starts JupyterLab headless on a free localhost port (a token, ``127.0.0.1``
only) with the repository's settings (``tools/lab.py``'s ``JUPYTER_CONFIG_PATH``:
``jupyter-config/``), ``GANDETEXTURE_PROFILE=smoke`` and ``GANDETEXTURE_OUTPUT`` in a temporary
folder. Every lesson of ``LESSONS`` is opened in Chromium, in a page of its own, and all run
every cell from the Run menu at once; each lesson's test waits until every code cell of its page
has its number and the kernel is idle, then drives the lesson's last widget as a learner would:
moves sliders with the arrow keys, picks the next option of drop-downs, uploads files through
the upload button's file chooser. After each action it waits for the kernel and asserts that the
bytes of an image the widget shows changed (fetched back from the ``<img>``), or, for a refused
upload, that they did not and a one-line warning shows; and that no cell shows a traceback.
Screenshots of the widget before and after and of the page go to ``build/browser/`` (with the
JupyterLab log and each lesson's seconds).

Each lesson is a *trimmed copy* in a temporary folder: its cells up to and including the last
one that uses ``widgets.``, so that the cells after the widget are not run, and the committed
notebooks are never opened (JupyterLab autosaves what it runs). Lesson 01's widget is near its
end, so its copy is nearly the whole lesson; lesson 06's picker follows its first samples, so
its copy trains the three textures but skips the judge and everything after (54 s of kernel
time beside the other two, against 91 s when the picker ended the lesson); lesson 09's ends
with its uploads. To test a new lesson's widget, add a line to ``LESSONS`` (a lesson not
written yet is skipped).

Not part of ``pytest tests`` (``tests/conftest.py`` leaves ``tests/browser`` out): it needs a
browser and runs three lessons; ``make test`` runs it as a stage of its own (``tools/test.sh``),
or prints that it skipped it when no Chromium is installed.

Why Playwright's Python package and the system's Chromium, not Galata
--------------------------------------------------------------------
Galata, JupyterLab's own UI-testing framework, is Playwright's *JavaScript* test runner with
JupyterLab helpers: it needs Node.js and npm, its tests are TypeScript in a separate package, and
it expects Playwright's downloaded browser build (``npx playwright install``). This course has
one toolchain, Python from ``pyproject.toml``: Playwright's Python package is one more ``dev``
dependency (a wheel, no browser inside), the test is a pytest test beside the others, and the
browser is the distribution's Chromium (``apt-get install chromium``, found on ``PATH`` and
passed as ``executable_path``), so CI downloads nothing outside PyPI and Debian. What Galata
would add (helpers such as "run all cells and wait") is a few lines here.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "browser"
sys.path.insert(0, str(ROOT / "tools"))
import lab  # noqa: E402  (tools/lab.py: the repository's JupyterLab settings, a free port)

#: Browsers tried in this order on PATH (tools/test.sh checks the same names to skip this).
CHROMIUM = ("chromium", "chromium-headless-shell", "google-chrome")

#: lesson -> what to do with its last widget, in order, each control by its label: move a
#: slider, pick the next option of a drop-down, upload a file of ``upload_files()``: each
#: must change an image; a ``refused`` upload must leave them and show a one-line warning.
#: The slowest lesson (06) comes last: the others' widgets are driven while its cells run.
LESSONS = {
    "01_texture_and_structure": [("slider", "scale"), ("dropdown", "family")],
    "09_playground": [("slider", "seed"), ("slider", "strength"), ("dropdown", "filter"),
                      ("slider", "setting"), ("dropdown", "image"),
                      ("upload", "your image", "grey.png"), ("upload", "your image", "large.jpg"),
                      ("refused", "your image", "notes.txt")],
    "06_texture_generation": [("slider", "seed"), ("dropdown", "exemplar")],
}

WIDGET = ".jp-OutputArea-output:has(.jupyter-widgets)"  # (it has no data-mime-type)
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
RUN_ALL_S = 240  # the longest a trimmed lesson may take to run, in the browser
CHANGE_S = 30  # the longest a control may take to redraw its image


def find_chromium() -> str | None:
    """The first of ``CHROMIUM`` on ``PATH``, or None."""
    return next(filter(None, map(shutil.which, CHROMIUM)), None)


def trimmed_copy(name: str, folder: Path) -> Path:
    """``notebooks/<name>.ipynb`` into ``folder``, cut after its last cell that uses ``widgets.``
    (the whole lesson when none does), outputs cleared."""
    notebook = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    code = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    uses = [i for i in code if "widgets." in notebook.cells[i].source]
    notebook.cells = notebook.cells[:(uses[-1] + 1) if uses else len(notebook.cells)]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    path = folder / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


# --------------------------------------------------------------------------- JupyterLab, Chromium


@pytest.fixture(scope="session")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        pytest.skip(f"no Chromium on PATH ({', '.join(CHROMIUM)}): apt-get install chromium")
    return path


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory):
    """A JupyterLab server as ``make lab`` configures it, serving a temporary folder; yields
    ``(base_url, token, folder)``. Its log goes to build/browser/jupyterlab.log."""
    pytest.importorskip("jupyterlab")
    base = tmp_path_factory.mktemp("lab")
    folder, state = base / "notebooks", base / "state"
    folder.mkdir()
    port, token = lab.free_port(8890), secrets.token_hex(16)
    env = lab.lab_environment()
    env.update(GANDETEXTURE_PROFILE="smoke", GANDETEXTURE_OUTPUT=str(base / "outputs"),
               TF_CPP_MIN_LOG_LEVEL="3", JUPYTER_RUNTIME_DIR=str(state / "runtime"))
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}",
               # no tab, layout or setting of whoever ran JupyterLab here before
               f"--LabApp.workspaces_dir={state / 'workspaces'}",
               f"--LabApp.user_settings_dir={state / 'settings'}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    SHOTS.mkdir(parents=True, exist_ok=True)
    log = open(SHOTS / "jupyterlab.log", "w")  # closed below
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start; see build/browser/jupyterlab.log"
                                       ) from None
                time.sleep(0.3)
        yield url, token, folder
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="session")
def browser(chromium):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        # executable_path: the system's browser; Playwright's own is never downloaded.
        # (/dev/shm is small in containers: Chromium's pages crash there without the flag)
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=["--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def running(request, browser, jupyterlab):
    """Every lesson of ``LESSONS`` this session tests (``-k`` may leave some out) open in a page
    of its own, all of them running their cells at once: the kernels share the cores, and the
    slowest lesson's time hides the others'. Yields ``(pages, start)``: ``{name: page}`` and
    when they started. A lesson not written yet has no page."""
    tested = {item.callspec.params.get("name") for item in request.session.items
              if hasattr(item, "callspec")}
    pages, start = {}, time.monotonic()
    for name in LESSONS:
        if name in tested and (ROOT / "notebooks" / f"{name}.ipynb").exists():
            context = browser.new_context(viewport={"width": 1280, "height": 1400})
            pages[name] = page = context.new_page()
            page.set_default_timeout(30_000)
            open_lesson(page, jupyterlab, name, wait=False)  # all load at once
    for page in pages.values():
        wait_for_kernel(page)
        start_run_all(page)
    yield pages, start
    for page in pages.values():
        page.context.close()


# --------------------------------------------------------------------------- helpers


def open_lesson(page, jupyterlab, name: str, wait: bool = True) -> None:
    """Copy lesson ``name`` (trimmed) into the server's folder and open it; returns when its
    kernel is idle (``wait``), or at once (then :func:`wait_for_kernel`)."""
    url, token, folder = jupyterlab
    trimmed_copy(name, folder)
    # a workspace of its own: no tab of another lesson restored beside it
    page.goto(f"{url}/lab/workspaces/{name}/tree/{name}.ipynb?reset&token={token}",
              wait_until="commit")
    if wait:
        wait_for_kernel(page)


def wait_for_kernel(page) -> None:
    """Wait until the notebook shows its cells and the status bar "Python 3 (ipykernel) | Idle"
    (before, "No Kernel | Initializing": running cells then would ask which kernel to start)."""
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
    idle(page)


def start_run_all(page) -> None:
    """Run › Run All Cells."""
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def wait_ran_all(page, name: str, timeout_s: float = RUN_ALL_S) -> None:
    """Wait until every code cell shows its execution count (none ``[*]`` nor ``[ ]``), or one
    shows a traceback, and the kernel is idle."""
    try:
        page.wait_for_function(RAN_ALL, timeout=timeout_s * 1000, polling=500)
    except Exception as error:  # playwright's TimeoutError: say where it stopped
        page.screenshot(path=SHOTS / f"{name}.timeout.png")
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        raise AssertionError(f"cells not run within {timeout_s} s: prompts {prompts}; errors "
                             f"{errors(page)}; see build/browser/{name}.timeout.png") from error


def run_all(page, name: str, timeout_s: float = RUN_ALL_S) -> None:
    """Run all cells of the lesson open in ``page`` and wait until they ran."""
    start_run_all(page)
    wait_ran_all(page, name, timeout_s)


RAN_ALL = """() => {
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
    const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
    const numbered = p => /^\\[\\d+\\]:$/.test(p.textContent.trim());
    const failed = [...document.querySelectorAll('.jp-OutputArea-output')]
        .some(o => o.textContent.includes('Traceback'));  // the run stops at an error
    return prompts.length > 0 && (prompts.every(numbered) || failed)
        && (!indicator || indicator.dataset.status === 'idle');
}"""


def shut_down(jupyterlab, name: str) -> None:
    """Shut down the kernel of lesson ``name`` (through the server's REST API)."""
    url, token, _ = jupyterlab
    headers = {"Authorization": f"token {token}"}
    with urllib.request.urlopen(urllib.request.Request(f"{url}/api/sessions",
                                                       headers=headers)) as response:
        sessions = json.load(response)
    for session in sessions:
        if session["path"] == f"{name}.ipynb":
            urllib.request.urlopen(urllib.request.Request(
                f"{url}/api/sessions/{session['id']}", method="DELETE", headers=headers))


def widget(page, index: int = -1):
    """The widget output (a cell's output area holding an ipywidget), the last one by default."""
    widgets = page.locator(WIDGET)
    return widgets.last if index == -1 else widgets.nth(index)


def widget_images(area) -> list[tuple[str, int, str]]:
    """``(src, byte count, hash)`` of every image a widget shows: the ``src`` of its ``<img>``
    (a blob: URL ipywidgets makes anew on every change) and its bytes, fetched back."""
    area.locator("img").first.wait_for()
    return area.locator("img").evaluate_all("""images => Promise.all(images.map(async img => {
        const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
        let hash = 0x811c9dc5;
        for (const b of bytes) hash = Math.imul(hash ^ b, 16777619) >>> 0;
        return [img.src, bytes.length, hash.toString(16)];
    }))""")


def settled_images(page, area) -> list[tuple[str, int, str]]:
    """:func:`widget_images` once the kernel is idle and two looks 0.3 s apart agree."""
    idle(page)
    images = widget_images(area)
    while True:
        time.sleep(0.3)
        again = widget_images(area)
        if again == images:
            return images
        images = again


def idle(page, timeout_s: float = 60) -> None:
    """Wait until the status bar says the kernel is idle ("Python 3 (ipykernel) | Idle")."""
    page.locator("#jp-main-statusbar").get_by_text(re.compile(r"^(?!No Kernel).*\| Idle$")
                                                    ).wait_for(timeout=timeout_s * 1000)


def control(area, kind: str, label: str):
    """The control labelled ``label``: a slider's handle, a drop-down's ``<select>``, or an
    upload button (its label is its text)."""
    if kind == "upload":
        return area.locator(".widget-upload", has_text=label)
    labelled = area.page.locator(f".widget-label:text-is('{label}')")
    inner = {"slider": ".noUi-handle", "dropdown": "select"}[kind]
    return area.locator(f".widget-{kind}", has=labelled).locator(inner)


def move_slider(area, label: str, presses: int = 2) -> None:
    """Focus the slider labelled ``label`` and press the right arrow ``presses`` times."""
    handle = control(area, "slider", label)
    handle.focus()
    for _ in range(presses):
        handle.press("ArrowRight")


def pick(area, label: str) -> str:
    """Pick in the drop-down labelled ``label`` the option after the selected one; returns it."""
    select = control(area, "dropdown", label)
    options = select.locator("option").all_inner_texts()
    current = select.evaluate("s => s.options[s.selectedIndex].textContent")
    choice = options[(options.index(current) + 1) % len(options)]
    select.select_option(label=choice)
    return choice


def upload(area, label: str, name: str) -> None:
    """Click the upload button ``label`` and choose file ``name`` of :func:`upload_files` in
    the file chooser it opens."""
    mime = {".png": "image/png", ".jpg": "image/jpeg"}.get(Path(name).suffix, "text/plain")
    with area.page.expect_file_chooser() as chooser:
        control(area, "upload", label).click()
    chooser.value.set_files(files=[{"name": name, "mimeType": mime,
                                    "buffer": upload_files()[name]}])


def upload_files() -> dict[str, bytes]:
    """A 77×129 grey PNG, a 1500×1100 JPEG and a text file, as a learner might upload."""
    import io

    import numpy as np
    from PIL import Image

    def encoded(array, fmt):
        buffer = io.BytesIO()
        Image.fromarray(array).save(buffer, format=fmt)
        return buffer.getvalue()

    y, x = np.mgrid[:1100, :1500]
    photo = np.stack([x * 255 // 1500, y * 255 // 1100, (x // 50 + y // 50) % 2 * 255], -1)
    return {"grey.png": encoded(np.random.default_rng(0).integers(0, 256, (129, 77), np.uint8),
                                "PNG"),
            "large.jpg": encoded(photo.astype(np.uint8), "JPEG"),
            "notes.txt": b"not a picture\n"}


def wait_for_new_image(area, before: list, timeout_s: float = CHANGE_S) -> None:
    """Wait until one of the widget's images has another ``src`` than in ``before``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if [image[0] for image in widget_images(area)] != [image[0] for image in before]:
            return
        time.sleep(0.2)
    raise AssertionError(f"the widget's image did not change within {timeout_s} s")


def errors(page) -> list[str]:
    """Texts of outputs that show an error: a traceback or error on stderr (where JupyterLab
    shows exceptions too), or a widget JupyterLab could not display."""
    shown = [t for t in page.locator(STDERR).all_inner_texts()
             if "Traceback" in t or "Error" in t]
    shown += [t for t in page.locator(".jp-OutputArea-output").all_inner_texts()
              if "Error displaying widget" in t or "Traceback (most recent call last)" in t]
    return list(dict.fromkeys(shown))  # a traceback is both


# --------------------------------------------------------------------------- the test


def act(page, area, action: tuple) -> None:
    """Do one ``LESSONS`` action and check what it shows: a new image, or (``refused``) the
    same images and a one-line warning in the widget."""
    kind, label, *args = action
    before = settled_images(page, area)
    if kind == "slider":
        move_slider(area, label)
    elif kind == "dropdown":
        pick(area, label)
    else:
        upload(area, label, *args)
    if kind == "refused":
        warning = area.get_by_text("⚠")
        warning.wait_for(timeout=CHANGE_S * 1000)
        assert "\n" not in warning.inner_text().strip(), "a warning of more than one line"
        assert settled_images(page, area) == before, f"{action}: the images changed"
        return
    wait_for_new_image(area, before)
    after = settled_images(page, area)
    assert [i[1:] for i in after] != [i[1:] for i in before], f"{action}: same image bytes"
    assert "⚠" not in area.inner_text(), f"{action}: {area.inner_text()}"


@pytest.mark.parametrize("name", list(LESSONS))
def test_widgets_redraw_in_the_browser(running, jupyterlab, name):
    pages, start = running
    if name not in pages:
        pytest.skip(f"notebooks/{name}.ipynb is not written yet")
    page = pages[name]
    wait_ran_all(page, name)
    ran = time.monotonic() - start
    assert not errors(page), f"{name}: a cell shows an error:\n" + "\n".join(errors(page))
    area = widget(page)
    area.scroll_into_view_if_needed()
    area.screenshot(path=SHOTS / f"{name}.before.png")
    assert all(size > 100 for _, size, _ in widget_images(area)), f"{name}: an empty image"
    for action in LESSONS[name]:
        act(page, area, action)
    area.screenshot(path=SHOTS / f"{name}.after.png")
    page.screenshot(path=SHOTS / f"{name}.page.png")
    assert not errors(page), f"{name}: an output shows an error:\n" + "\n".join(errors(page))
    shut_down(jupyterlab, name)
    (SHOTS / f"{name}.json").write_text(json.dumps(
        {"lesson": name, "cells_ran_after_s": round(ran, 1),
         "done_after_s": round(time.monotonic() - start, 1)}) + "\n")
