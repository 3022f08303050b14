"""Sphinx configuration of the course book (built offline by tools/build_book.py).

The book opens with the network off (``tools/check_offline.py`` checks a built one): MathJax 2
comes from the ``jupyter-server-mathjax`` package and is copied into ``_static/mathjax``, and
no widget JavaScript is loaded (``build_book.stage`` turns each widget into the picture it
showed; the widgets are live in JupyterLab only).
"""

import shutil
from pathlib import Path

import jupyter_server_mathjax

project = "gandetexture: GANs from texture removal to texture generation"
author = "the gandetexture developers"
copyright = "2026, the gandetexture developers"

extensions = ["myst_nb"]
nb_execution_mode = "off"  # notebooks arrive executed by papermill under a profile
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "html_image"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
suppress_warnings = ["mystnb.unknown_mime_type"]

html_theme = "sphinx_book_theme"
html_title = "gandetexture"
html_theme_options = {
    "show_navbar_depth": 1,
    "use_download_button": True,
    "home_page_in_toc": True,
}
html_static_path: list[str] = []

# MathJax 2.7, TeX input and HTML-CSS output with the STIX-Web fonts (the only web fonts the
# package ships), served from the book itself. MyST's own MathJax settings are for MathJax 3/4.
MATHJAX = Path(jupyter_server_mathjax.__file__).parent / "static"
# What that configuration loads, on demand included (TeX extensions such as boldsymbol, the
# operator tables, the STIX-Web glyph data and fonts, the font and help dialogs): 2.3 MB of
# the package's 12 MB (no SVG output, accessibility maps or other languages).
MATHJAX_FILES = ["MathJax.js", "LICENSE", "config/TeX-AMS-MML_HTMLorMML-full.js",
                 "extensions/TeX", "extensions/HTML-CSS", "extensions/FontWarnings.js",
                 "extensions/HelpDialog.js", "extensions/MatchWebFonts.js", "jax/element/mml",
                 "jax/output/HTML-CSS", "fonts/HTML-CSS/STIX-Web/woff", "localization/en"]
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
myst_update_mathjax = False
mathjax2_config = {
    "tex2jax": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]],
                "processEscapes": False, "processEnvironments": False},
    "HTML-CSS": {"availableFonts": [], "preferredFont": None, "webFont": "STIX-Web",
                 "imageFont": None},
    "menuSettings": {"zoom": "None"},
    # The hidden MathML kept for screen readers would ask for TeX fonts the package lacks
    # (fonts/HTML-CSS/TeX/otf, for \mathbb and \mathcal): let it use the page's font.
    "AssistiveMML": {"styles": {
        '.MJX_Assistive_MathML [mathvariant], .MJX_Assistive_MathML [class^="MJX-tex"]':
            {"font-family": "inherit"}}},
}
nb_ipywidgets_js: dict[str, dict[str, str]] = {}  # no html-manager from a CDN


def copy_mathjax(app) -> None:
    """Copy the MathJax files the book uses into ``<out>/_static/mathjax``."""
    if app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    for name in MATHJAX_FILES:
        source, copy = MATHJAX / name, target / name
        if source.is_dir():
            shutil.copytree(source, copy, dirs_exist_ok=True)
        else:
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)


def setup(app) -> None:
    app.connect("builder-inited", copy_mathjax)
