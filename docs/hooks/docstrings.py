r"""A griffe extension that makes invsched's docstrings render as they read in the source.

The docstrings are written for ``help()`` and ``pytest --doctest-modules``: examples are bare
``>>>`` blocks anywhere in the text, and cross-references use Sphinx roles
(``:func:`admit```). Markdown would turn a ``>>>`` block into three nested quotes and print
the roles literally, so before mkdocstrings parses a docstring this extension

* fences every bare doctest block as ``pycon`` (a block runs from its first ``>>>`` line to
  the next blank line, as doctest reads it), at the block's own indentation;
* turns each Sphinx role into inline code: ``:class:`~invsched.errors.InvalidManifest```
  becomes ``InvalidManifest``, ``:func:`admit``` becomes ``admit``;
* ends a paragraph that introduces a reStructuredText literal block (``text::``) with one
  colon: the indented block after it is already a code block in Markdown;
* gives an attribute without a docstring the ``#:`` comment lines just above it (the
  documentation comments ``help()`` cannot show but Sphinx reads: enum members, constants).

Text already inside a fenced block is left alone. The source files are never changed.

>>> rewrite("Sum.\n\n>>> 1 + 1\n2\n\nSee :func:`~invsched.quota.redistribute`.").splitlines()
['Sum.', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'See `redistribute`.']
>>> rewrite("The grammar::\n\n    <quantity> ::= <number><suffix>").splitlines()
['The grammar:', '', '    <quantity> ::= <number><suffix>']
>>> rewrite("see :meth:`QuotaTree.from_manifest\n<invsched.quota.QuotaTree.from_manifest>`, then")
'see `QuotaTree.from_manifest`, then'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import griffe

#: A Sphinx cross-reference role: ``:func:`name```, ``:class:`~path.Name```.
_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|attr|mod|data|exc|obj|const):`(~?)([^`]+)`")
#: A role's explicit title: ``:meth:`title <target>```.
_TITLED = re.compile(r"(.*?)\s*<[^>]+>", re.DOTALL)
#: The prefix of a documentation comment.
_COMMENT = "#:"
#: The opening or closing line of a fenced code block.
_FENCE = re.compile(r"^\s*(```|~~~)")


def _role_as_code(match: re.Match[str]) -> str:
    shortened, target = match.groups()
    titled = _TITLED.fullmatch(target)
    if titled is not None:
        return f"`{titled.group(1)}`"
    return f"`{target.rsplit('.', 1)[-1] if shortened else target}`"


def _prose(lines: list[str]) -> list[str]:
    """Lines of prose with their roles as inline code (a role may span lines) and a trailing
    ``::`` as ``:``."""
    text = _ROLE.sub(_role_as_code, "\n".join(lines))
    return [line[:-1] if line.endswith("::") else line for line in text.split("\n")]


def rewrite(text: str) -> str:
    """The docstring ``text`` with bare doctest blocks fenced and Sphinx roles as inline code.

    Runtime complexity: O(len(text)).
    """
    lines: list[str] = []
    prose: list[str] = []  # prose lines not yet rewritten
    in_fence = False
    doctest_indent: str | None = None  # the indentation of the open doctest block, if any
    for line in text.splitlines():
        stripped = line.lstrip()
        if doctest_indent is not None and not stripped:
            lines.append(f"{doctest_indent}```")
            doctest_indent = None
        if doctest_indent is not None:
            lines.append(line)
            continue
        if not in_fence and not _FENCE.match(line) and not stripped.startswith(">>>"):
            prose.append(line)
            continue
        lines.extend(_prose(prose))
        prose = []
        if _FENCE.match(line):
            in_fence = not in_fence
            lines.append(line)
        elif in_fence:
            lines.append(line)
        else:
            doctest_indent = line[: len(line) - len(stripped)]
            lines.extend((f"{doctest_indent}```pycon", line))
    lines.extend(_prose(prose))
    if doctest_indent is not None:
        lines.append(f"{doctest_indent}```")
    return "\n".join(lines)


def comment_above(lines: Sequence[str], lineno: int) -> str | None:
    """The ``#:`` comment lines right above line ``lineno`` (1-based), without the prefix.

    >>> comment_above(["#: The unit has no", "#: quota.", 'NO_QUOTA = "NoQuota"'], 3)
    'The unit has no\\nquota.'
    >>> comment_above(["# a plain comment", "x = 1"], 2) is None
    True

    Runtime complexity: O(number of comment lines).
    """
    first = lineno - 1
    while first > 0 and lines[first - 1].lstrip().startswith(_COMMENT):
        first -= 1
    if first == lineno - 1:
        return None
    return "\n".join(
        line.lstrip().removeprefix(_COMMENT).strip() for line in lines[first : lineno - 1]
    )


class DocstringsAsMarkdown(griffe.Extension):
    """Rewrites every docstring of the loaded package with :func:`rewrite`."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Rewrite the docstrings of ``pkg`` and of every object defined in it."""
        seen: set[int] = set()
        pending: list[griffe.Object] = [pkg]
        while pending:
            obj = pending.pop()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if (
                obj.docstring is None
                and isinstance(obj, griffe.Attribute)
                and isinstance(obj.filepath, Path)
                and obj.lineno
            ):
                comment = comment_above(obj.lines_collection[obj.filepath], obj.lineno)
                if comment is not None:
                    obj.docstring = griffe.Docstring(comment, lineno=obj.lineno, parent=obj)
            if obj.docstring is not None:
                obj.docstring.value = rewrite(obj.docstring.value)
            pending.extend(
                member for member in obj.members.values() if not isinstance(member, griffe.Alias)
            )
