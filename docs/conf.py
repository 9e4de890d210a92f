"""Sphinx configuration of the documentation site (issue 14, "A documentation site").

Build it with one command from the repository root (warnings are errors)::

    python -m sphinx -E -W --keep-going -b html docs docs/_build/html

Sphinx with MyST-Parser and myst-nb: the existing pages are Markdown with ``$…$`` math, the notebooks
are executed at build time and autodoc reads the docstrings. MathJax is served from the site itself
(``sphinx-mathjax-offline`` copies MathJax 3 into ``_static/mathjax``), so the math renders offline.
The extras are in ``pyproject.toml``'s ``docs`` extra.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# autodoc imports this checkout's packages (theory, proofs, figures), not an installed copy
sys.path.insert(0, str(ROOT))

project = "weight-decay-theory"
author = "weight-decay-theory maintainers"
copyright = "weight-decay-theory maintainers"

extensions = [
    "myst_nb",  # registers myst_parser itself; .md pages and .ipynb notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",  # the docstrings' Google-style "Args:", "Raises:", "Attributes:" sections
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # sets mathjax_path to the MathJax 3 it copies into _static/mathjax
]

root_doc = "index"
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "notebooks/**/_*"]

# Markdown: $…$ / $$…$$ math, LaTeX environments, and GitHub-style heading anchors, which the
# hand-written pages link to (docs/claims.md links reference.md#l2eigen-eigenbasis-shrinkage)
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_dmath_double_inline = True
myst_heading_anchors = 4

# notebooks: executed at every build (a cache keeps unchanged ones), and an error fails the build
nb_execution_mode = "cache"
# Markdown that a notebook cell outputs (the exercises' prompts and verdicts) is MyST, so its $…$ math is
# rendered like the pages' (the default, CommonMark, leaves it as raw TeX)
nb_render_markdown_format = "myst"
nb_execution_raise_on_error = True
nb_execution_timeout = 300
nb_execution_show_tb = True

# autodoc: signatures without the long annotated defaults; members in source order
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options: dict[str, Any] = {"members": True, "show-inheritance": False}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
# "Attributes:" as fields of their class, not as separate entries that repeat the dataclass fields
napoleon_use_ivar = True

html_theme = "furo"
html_title = "weight-decay-theory"
html_static_path: list[str] = []

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"

# a raw HTML anchor alone on its line, as the generated pages write one before each section
_ANCHOR = re.compile(r'^<a id="([^"<>\s]+)"></a>[ \t]*$', re.MULTILINE)
_GLOB_TOCTREE = re.compile(r"```\{toctree\}\n(?:[^`]*\n)?:glob:\n[^`]*```\n")


def anchors_to_targets(text: str) -> str:
    """Turn each ``<a id="x"></a>`` line into the MyST target ``(x)=``.

    The generated pages (``proofs/DERIVATIONS.md`` from ``wdt proofs``, ``docs/claims.md`` from
    ``python -m theory.harness.docs``) mark sections with raw HTML anchors, which GitHub honours, and
    link to them with ``[…](#x)``. Sphinx resolves such a link only to a target it knows; a raw HTML
    anchor is not one, so ``[…](#apx)`` would be a broken link (a warning, so an error under ``-W``).
    """
    return _ANCHOR.sub(r"(\1)=", text)


def _source_read(app: Any, docname: str, content: list[str]) -> None:
    content[0] = anchors_to_targets(content[0])
    if docname == "notebooks" and not any(NOTEBOOKS.glob("*.ipynb")):
        # Sphinx warns (an error under -W, and unsuppressable) on a glob that matches nothing
        content[0] = _GLOB_TOCTREE.sub("There are no notebooks in `docs/notebooks/` yet.\n", content[0])


def _include_read(app: Any, relative_path: Path, parent_docname: str, content: list[str]) -> None:
    content[0] = anchors_to_targets(content[0])


def setup(app: Any) -> dict[str, Any]:
    app.connect("source-read", _source_read)
    app.connect("include-read", _include_read)
    return {"parallel_read_safe": True}
