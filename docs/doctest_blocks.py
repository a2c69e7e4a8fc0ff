"""A griffe extension for the docs build: doctest examples in docstrings become fenced ``pycon`` code blocks.

The docstrings use Sphinx fields and plain ``>>>`` examples (so ``pytest --doctest-modules`` runs them); Markdown
would read those lines as prose. mkdocstrings loads this extension (``mkdocs.yml``); nothing in the packages
imports it.
"""

from __future__ import annotations

from typing import Any

from griffe import Extension, Object


def fence_doctests(text: str) -> str:
    """Wrap each run of doctest lines (``>>>``/``...`` and the output after them) in a fenced ``pycon`` block.

    Lines indented deeper than the first prompt keep their extra indent; a blank line ends a block.
    """
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        stripped = lines[i].lstrip()
        if not stripped.startswith(">>>"):
            out.append(lines[i])
            i += 1
            continue
        indent = len(lines[i]) - len(stripped)
        block: list[str] = []
        while i < len(lines) and lines[i].strip():
            block.append(lines[i][indent:] if len(lines[i]) - len(lines[i].lstrip()) >= indent else lines[i].strip())
            i += 1
        if out and out[-1].strip():
            out.append("")
        out.extend(["```pycon", *block, "```", ""])
        while i < len(lines) and not lines[i].strip():
            i += 1
    return "\n".join(out).rstrip("\n")


class DoctestBlocks(Extension):
    """Fence the doctest examples of every documented object before its docstring is parsed."""

    def on_object(self, *, obj: Object, **kwargs: Any) -> None:
        """Rewrite ``obj``'s docstring in place."""
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
