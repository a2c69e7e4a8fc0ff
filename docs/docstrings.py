"""A griffe extension for the docs build: the packages' Sphinx-style docstrings, made readable as Markdown.

The docstrings use Sphinx fields (``:param x:``), roles (``:class:`~pkg.Name```) and plain ``>>>`` examples, so
that ``pytest --doctest-modules`` runs them. Before mkdocstrings parses a docstring, this extension

- moves the prose after the field list (an ``Example:`` paragraph) in front of it, since the Sphinx parser would
  otherwise read it as part of the last parameter;
- turns roles into inline code (``:class:`~pkg.Name``` becomes ``Name``, ``:func:`pkg.f``` becomes ``pkg.f``);
- wraps each run of doctest lines in a fenced ``pycon`` block.

mkdocstrings loads it from ``mkdocs.yml``; nothing in the packages imports it.
"""

from __future__ import annotations

import re
from typing import Any

from griffe import Extension, Object

FIELD = re.compile(r"^:(param|type|raises?|returns?|rtype|var|ivar|cvar|yields?)\b")
ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|obj|data|exc|const|ref|doc):`(~?)([^`]+)`")


def _role_to_code(match: re.Match[str]) -> str:
    target = match.group(2)
    if "<" in target and target.endswith(">"):  # :ref:`text <target>`
        target = target[: target.index("<")].strip()
    if match.group(1):
        target = target.rsplit(".", 1)[-1]
    return f"`{target}`"


def convert_roles(text: str) -> str:
    """Sphinx roles as inline code: the last component where the target starts with ``~``."""
    return ROLE.sub(_role_to_code, text)


def fields_last(text: str) -> str:
    """Move paragraphs that follow the Sphinx field list in front of it (fields stay in their order)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if FIELD.match(line)), None)
    if start is None:
        return text
    end = len(lines)
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if line and not line[0].isspace() and not FIELD.match(line) and not lines[i - 1].strip():
            end = i
            break
    if end == len(lines):
        return text
    head, fields, tail = lines[:start], lines[start:end], lines[end:]
    while fields and not fields[-1].strip():
        fields.pop()
    return "\n".join([*head, *tail, "", *fields])


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


def to_markdown(text: str) -> str:
    """All three rewrites, in the order they must run."""
    return fence_doctests(convert_roles(fields_last(text)))


class SphinxToMarkdown(Extension):
    """Rewrite every documented object's docstring before it is parsed."""

    def on_object(self, *, obj: Object, **kwargs: Any) -> None:
        """Rewrite ``obj``'s docstring in place."""
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)
