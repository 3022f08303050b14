"""The book opens offline: a one-page book built with the course's ``book/conf.py`` loads
nothing from another host, serves its own MathJax, and shows widgets as what they showed.

``tools/check_offline.py`` does the same check on a whole built book (``make test`` runs it on
the book it builds); with Chromium installed, the last test also opens the page headless with
every host but ``127.0.0.1`` unresolvable and checks that the equation renders.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_book  # noqa: E402
import check_offline  # noqa: E402

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium-headless-shell", "chromium",
                                                       "chromium-browser", "google-chrome"))
                 if p), None)


def _png() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def _model(name: str, buffers=None, **state) -> dict:
    model = {"model_name": name, "model_module": "@jupyter-widgets/controls",
             "model_module_version": "2.0.0", "state": {"_model_name": name, **state}}
    return {**model, "buffers": buffers} if buffers else model


def _lesson(path: Path) -> None:
    """A lesson as papermill leaves it: math in markdown, a slider-and-picture widget and a
    tqdm progress bar, with the widget state the run saved."""
    state = {
        "box": _model("VBoxModel", children=["IPY_MODEL_slider", "IPY_MODEL_image"]),
        "slider": _model("FloatSliderModel", description="strength", value=0.1,
                         readout_format=".2f"),
        "image": _model("ImageModel", format="png", width="64",
                        buffers=[{"path": ["value"], "encoding": "base64", "data": _png()}]),
        "bar": _model("HBoxModel", children=["IPY_MODEL_left", "IPY_MODEL_right"]),
        "left": _model("HTMLModel", value="train:\u2007100%"),
        "right": _model("HTMLModel", value="\u20074/4\u2007[00:01&lt;00:00]"),
    }
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.metadata["widgets"] = {build_book.WIDGET_STATE: {
        "state": state, "version_major": 2, "version_minor": 0}}

    def view(model_id: str) -> nbformat.NotebookNode:
        return nbformat.v4.new_output("display_data", data={
            build_book.WIDGET_VIEW: {"model_id": model_id, "version_major": 2,
                                     "version_minor": 0},
            "text/plain": "VBox(...)"})

    notebook.cells = [
        nbformat.v4.new_markdown_cell("# A lesson\n\nThe loss $D(x) = \\sigma(f(x))$, and\n\n"
                                      "$$\\min_G \\max_D \\mathbb{E}[\\log D(x)]$$"),
        nbformat.v4.new_code_cell("widgets.strength_slider(...)", outputs=[view("box")]),
        nbformat.v4.new_code_cell("train(...)", outputs=[view("bar")])]
    nbformat.write(notebook, path)


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """A one-page book built like tools/build_book.py builds the course's: its conf.py, the
    lesson staged, Sphinx with warnings as errors."""
    tmp = tmp_path_factory.mktemp("book")
    src = tmp / "src"
    (src / "notebooks").mkdir(parents=True)
    shutil.copy(ROOT / "book" / "conf.py", src / "conf.py")
    (src / "index.md").write_text("# Book\n\nInline $a^2 + b^2 = c^2$.\n\n"
                                  "```{toctree}\nnotebooks/lesson\n```\n")
    _lesson(tmp / "executed.ipynb")
    build_book.stage(tmp / "executed.ipynb", src / "notebooks" / "lesson.ipynb")
    subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-E", "-b", "html", str(src),
                    str(tmp / "out")], check=True, cwd=tmp)
    return tmp / "out"


def test_the_book_loads_nothing_from_another_host(book):
    problems, pages = check_offline.scan(book)
    assert pages >= 3 and problems == []
    page = (book / "notebooks" / "lesson.html").read_text()
    assert "cdn." not in page and "jsdelivr" not in page and "require.min.js" not in page


def test_mathjax_is_served_from_the_book(book):
    for page in (book / "index.html", book / "notebooks" / "lesson.html"):
        html = page.read_text()
        src = html.split('src="')
        mathjax = [s.split('"')[0] for s in src if "MathJax.js" in s.split('"')[0]]
        assert len(mathjax) == 1, f"{page.name} loads MathJax {len(mathjax)} times"
        assert not check_offline.is_external(mathjax[0])
        assert (page.parent / mathjax[0].split("?")[0]).is_file()
        assert "STIX-Web" in html  # the configuration names the fonts that are shipped
    fonts = book / "_static" / "mathjax" / "fonts" / "HTML-CSS" / "STIX-Web" / "woff"
    assert (fonts / "STIXMathJax_Main-Regular.woff").is_file()
    size = sum(f.stat().st_size for f in (book / "_static" / "mathjax").rglob("*") if f.is_file())
    assert size < 3_000_000, f"MathJax copy is {size / 1e6:.1f} MB"


def test_widgets_become_what_they_showed(book):
    page = (book / "notebooks" / "lesson.html").read_text()
    assert "widget-state+json" not in page and "widget-view+json" not in page
    assert "starting state (move the controls in JupyterLab): strength = 0.10" in page
    assert "train: 100% 4/4 [00:01&lt;00:00]" in page  # the bar's last words, unescaped once
    assert "VBox(...)" not in page
    assert len(re.findall(r'<img [^>]*width="64"', page)) == 1  # at the widget's width


def test_the_scan_reports_external_and_missing_resources(tmp_path):
    (tmp_path / "style.css").write_text('@import "https://fonts.example.org/f.css";\n'
                                        'a { background: url(data:image/png;base64,AA==) }\n'
                                        "b { background: url('gone.png') }\n")
    (tmp_path / "index.html").write_text(
        '<html><head><link rel="stylesheet" href="style.css">'
        '<script src="//cdn.example.org/x.js"></script></head>'
        '<body><a href="https://example.org/">a link loads nothing</a>'
        '<img src="here.png" srcset="here.png 1x, http://img.example.org/y.png 2x">'
        '<div style="background: url(https://img.example.org/z.png)"></div></body></html>')
    (tmp_path / "here.png").write_bytes(b"")
    problems, pages = check_offline.scan(tmp_path)
    assert pages == 1
    assert problems == sorted([
        "external: index.html loads //cdn.example.org/x.js",
        "external: index.html loads http://img.example.org/y.png",
        "external: index.html loads https://img.example.org/z.png",
        "external: style.css loads https://fonts.example.org/f.css",
        "missing: style.css loads gone.png"])


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium to open the page headless")
def test_the_page_renders_its_equations_with_the_network_off(book):
    pages = check_offline.book_pages(book)
    assert {"index.html", "lesson.html"} <= {p.name for p in pages}
    problems, fetched = check_offline.browse(book, CHROMIUM, pages)
    assert problems == []
    assert "/_static/mathjax/config/TeX-AMS-MML_HTMLorMML-full.js" in fetched


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium to open the page headless")
def test_the_browser_check_sees_what_a_page_asks_of_other_hosts(tmp_path):
    # the browser's own requests (updates, sign-in) are left out by initiator: the check
    # must still see the page's own, from a script tag and from script at run time
    (tmp_path / "index.html").write_text(
        '<html><body><script src="http://cdn.example.org/x.js"></script>'
        '<img src="gone.png"><script>fetch("https://api.example.net/data")</script>'
        "</body></html>")
    problems, _ = check_offline.browse(tmp_path, CHROMIUM, [tmp_path / "index.html"])
    assert problems == ["request: index.html asked for api.example.net",
                        "request: index.html asked for cdn.example.org",
                        "missing: index.html asked for /gone.png (404)"]
