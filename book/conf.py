"""Sphinx configuration of the course book (built offline by tools/build_book.py)."""

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
