"""Sphinx configuration of the course website (built by tools/build_site.py, not by hand).

Sphinx + MyST-NB (notebooks executed at build time, outputs shown) + the Sphinx Book Theme.
Math is typeset by MathJax 3 served from the site itself (the `sphinx-mathjax-offline` package
ships it and copies it into _static), so pages render with no network; no CDN is used.
"""

from __future__ import annotations

import os

import microgrand

# the repository's public address: tools/build_site.py passes pyproject.toml's [project.urls]
# Source, the one place it is written (the theme's GitHub button, and Colab's links per notebook)
repository_url = os.environ.get("MICROGRAND_SOURCE", "")

project = "microgrand"
author = "The microgrand authors"
copyright = "The microgrand authors, MIT License"
release = microgrand.__version__

extensions = [
    "myst_nb",  # notebooks and MyST markdown
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # sets mathjax_path to the local copy it ships
]

exclude_patterns = ["_build", "**.ipynb_checkpoints"]
myst_enable_extensions = ["dollarmath", "amsmath"]

# the notebooks are executed at build time; a cell that raises breaks the build, except cells
# tagged raises-exception (tools/build_site.py tags each exercise's check, which rejects the
# placeholder on purpose)
nb_execution_mode = "force"
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autosummary_generate = True


def _escape_bars(app, what, name, obj, options, lines):  # type: ignore[no-untyped-def]
    """Docstrings are plain text with math such as |z|, which reStructuredText would read as a
    substitution: escape the bars."""
    lines[:] = [line.replace("|", "\\|") for line in lines]


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("autodoc-process-docstring", _escape_bars)


html_theme = "sphinx_book_theme"
html_title = "microgrand: backpropagation, from scratch"
html_theme_options = {
    "repository_url": repository_url,
    "use_repository_button": bool(repository_url),
    "show_toc_level": 2,
}
# an explicit mode: without it the theme logs "Got invalid theme mode" to the console
html_context = {"default_mode": "light"}
# the exercises and the Graph Lab run in the page (tryit.js starts Pyodide on the first Run;
# tools/build_site.py adds Pyodide and microgrand's wheel to _static/pyodide after the build)
html_static_path = ["_static"]
html_css_files = ["tryit.css"]
html_js_files = ["tryit.js"]
html_last_updated_fmt = None
