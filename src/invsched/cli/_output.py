"""How a command shows its outcome: plain text when piped, rich tables on a terminal, or data.

A command describes its human output once, as a :class:`Report` of blocks (:class:`Table`
and :class:`Text`), and its machine output as plain data (mappings, lists, strings, ints,
booleans, ``None``). :func:`emit` then picks the form:

* ``-o json`` / ``-o yaml``: the data, with a stable schema (``cli/schemas/<command>.json``);
* ``-o table`` (the default) on a terminal: rich tables, tree guides in the first column of a
  tree, colour unless ``NO_COLOR`` is set to a non-empty value;
* ``-o table`` into a pipe or a file: the plain layout of :func:`render_plain`, which never
  draws boxes or colours, so that ``grep`` and ``awk`` see one record per line.

The plain layout, which the documentation shows and the tests compare:

* blocks are separated by one blank line;
* a table is its title on one line, then a header of upper-case column names, then one line
  per row; columns are left-aligned, padded to their widest cell and separated by two
  spaces; no line ends in spaces;
* a table without rows is the single line ``<title>: none``;
* a cell may hold several lines (one per resource, say): its row then spans as many lines,
  and every single-line cell of the row is repeated on each of them, so that each line is
  a whole record for ``grep``;
* in a tree, the first column is indented by two spaces per level.
"""

from __future__ import annotations

import enum
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, Final, TextIO

import attrs
import yaml
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table as RichTable
from rich.text import Text as RichText

__all__ = [
    "Cell",
    "Format",
    "Report",
    "Table",
    "Text",
    "color_wanted",
    "emit",
    "listing",
    "note",
    "one_line",
    "render_plain",
    "render_rich",
    "to_stderr",
]

#: One cell: a line of text, or several lines (one per resource, say).
Cell = str | tuple[str, ...]


class Format(enum.Enum):
    """The output forms of ``-o``."""

    TABLE = "table"
    JSON = "json"
    YAML = "yaml"


def _to_rows(rows: Sequence[Sequence[Cell]]) -> tuple[tuple[Cell, ...], ...]:
    return tuple(tuple(row) for row in rows)


def _to_depths(depths: Sequence[int]) -> tuple[int, ...]:
    return tuple(depths)


@attrs.frozen(kw_only=True)
class Table:
    """A titled table; with ``depths``, a tree whose first column is indented by level.

    Attributes:
        title: shown above the table (and alone, as ``<title>: none``, without rows).
        columns: the column names (upper case in the plain layout).
        rows: one tuple of cells per row, as many as ``columns``.
        depths: for a tree, each row's level (0 for the root), in pre-order; empty for a
            flat table.

    >>> Table(title="Pods", columns=("name",), rows=[("a",)]).rows
    (('a',),)
    """

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...] = attrs.field(default=(), converter=_to_rows)
    depths: tuple[int, ...] = attrs.field(default=(), converter=_to_depths)

    def __attrs_post_init__(self) -> None:
        if any(len(row) != len(self.columns) for row in self.rows):
            raise AssertionError(f"{self.title}: a row does not have {len(self.columns)} cells")
        if self.depths and len(self.depths) != len(self.rows):
            raise AssertionError(f"{self.title}: {len(self.depths)} depths for the rows")


@attrs.frozen(kw_only=True)
class Text:
    """Lines of text shown as they are.

    >>> Text(lines=("a", "b")).lines
    ('a', 'b')
    """

    lines: tuple[str, ...]


@attrs.frozen(kw_only=True)
class Report:
    """A command's human output: blocks shown in order, one blank line apart.

    >>> Report(blocks=(Text(lines=("hello",)),)).blocks[0].lines
    ('hello',)
    """

    blocks: tuple[Table | Text, ...]


# The plain layout ---------------------------------------------------------------------------


def _lines(cell: Cell) -> tuple[str, ...]:
    return (cell,) if isinstance(cell, str) else cell


def _line(lines: tuple[str, ...], line: int) -> str:
    """Line ``line`` of a cell: a single-line cell repeats, a shorter one is blank."""
    if line < len(lines):
        return lines[line]
    return lines[0] if len(lines) == 1 else ""


def _record_lines(table: Table) -> list[list[str]]:
    """Every row expanded to its lines: multi-line cells line by line, others repeated."""
    records: list[list[str]] = []
    for index, row in enumerate(table.rows):
        cells = [_lines(cell) for cell in row]
        height = max((len(lines) for lines in cells), default=1)
        indent = "  " * table.depths[index] if table.depths else ""
        for line in range(height):
            record = [_line(lines, line) for lines in cells]
            record[0] = indent + record[0]
            records.append(record)
    return records


def _plain_table(table: Table) -> list[str]:
    if not table.rows:
        return [f"{table.title}: none"]
    header = [column.upper() for column in table.columns]
    records = [header, *_record_lines(table)]
    widths = [max(cell_len(record[i]) for record in records) for i in range(len(header))]
    lines = [table.title] if table.title else []
    for record in records:
        padded = (
            cell + " " * (width - cell_len(cell))
            for cell, width in zip(record, widths, strict=True)
        )
        lines.append("  ".join(padded).rstrip())
    return lines


def render_plain(report: Report) -> str:
    """The report in the plain layout described in the module docstring.

    Runtime complexity: O(size of the report).

    >>> table = Table(title="Quotas", columns=("quota", "cpu"),
    ...               rows=[("root", "4"), ("team-a", ("1", "2"))], depths=[0, 1])
    >>> print(render_plain(Report(blocks=(table, Text(lines=("done",))))), end="")
    Quotas
    QUOTA     CPU
    root      4
      team-a  1
      team-a  2
    <BLANKLINE>
    done
    """
    sections = [
        _plain_table(block) if isinstance(block, Table) else list(block.lines)
        for block in report.blocks
    ]
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"


# Rich, on a terminal ------------------------------------------------------------------------


def _guides(depths: Sequence[int]) -> list[tuple[str, str]]:
    """Tree guides for rows at ``depths`` (pre-order): for each row, the prefix of its first
    line (``├─ ``, ``└─ ``) and of its further lines (``│  `` where a branch goes on).

    Runtime complexity: O(Σ depth) for the prefixes; one backward pass finds, for each row,
    whether a sibling follows it, in amortised O(1) per row.
    """
    count = len(depths)
    # continues[i]: a later row at depth[i] comes before the subtree closes above it.
    continues = [False] * count
    # later[d]: seen so far (going backwards), a row at depth d with no shallower row between.
    later: list[bool] = []
    for index in range(count - 1, -1, -1):
        depth = depths[index]
        continues[index] = depth < len(later) and later[depth]
        del later[depth + 1 :]  # this row closes every deeper branch for the rows before it
        later.extend([False] * (depth + 1 - len(later)))
        later[depth] = True
    guides: list[tuple[str, str]] = []
    open_levels: list[bool] = []  # open_levels[level - 1]: the branch at level goes on
    for index, depth in enumerate(depths):
        del open_levels[max(depth - 1, 0) :]
        above = "".join("│  " if going else "   " for going in open_levels)
        mine = continues[index] if depth else False
        first = above + ("├─ " if mine else "└─ ") if depth else ""
        has_children = index + 1 < count and depths[index + 1] > depth
        rest = above + ("│  " if mine else "   " if depth else "") + ("│" if has_children else "")
        guides.append((first, rest))
        if depth:
            open_levels.append(mine)
    return guides


#: The widest line a table may take when it runs past the terminal's edge.
_WIDEST: Final = 10_000


def _rich_table(table: Table) -> RichTable:
    shown = RichTable(
        box=box.SIMPLE_HEAD,
        header_style="bold",
        show_edge=False,
        pad_edge=False,
    )
    last = len(table.columns) - 1
    for index, column in enumerate(table.columns):
        shown.add_column(column.upper(), no_wrap=index < last, overflow="fold")
    guides = _guides(table.depths) if table.depths else [("", "")] * len(table.rows)
    for (first, rest), row in zip(guides, table.rows, strict=True):
        cells = ["\n".join(_lines(cell)) for cell in row]
        height = max(len(_lines(cell)) for cell in row)
        head = _lines(row[0])
        cells[0] = "\n".join(
            (first if line == 0 else rest) + (_line(head, line) if line < len(head) else "")
            for line in range(height)
        )
        shown.add_row(*(RichText(cell) for cell in cells))
    return shown


def render_rich(report: Report, out: TextIO, *, color: bool, width: int | None = None) -> None:
    """Draw the report with rich on ``out`` (a terminal).

    Args:
        report: what to show.
        out: the terminal.
        color: use colour and bold (``False`` when ``NO_COLOR`` is set).
        width: the terminal width (default: rich's detection).

    Runtime complexity: O(size of the report).
    """
    console = Console(
        file=out,
        force_terminal=True,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
        width=width,
    )
    for index, block in enumerate(report.blocks):
        if index:
            console.print()
        if isinstance(block, Text):
            for line in block.lines:
                console.print(RichText(line))
        elif block.rows:
            if block.title:
                console.print(RichText(block.title, style="bold"))
            table = _rich_table(block)
            # A table wider than the terminal keeps its natural width and runs past the
            # edge (as kubectl's do): squeezing it would cut numbers short or drop columns.
            unbounded = console.options.update(max_width=_WIDEST)
            natural = Measurement.get(console, unbounded, table).maximum
            width = console.width
            if natural > width:
                console.width = natural  # print() never draws wider than the console
                console.print(table, crop=False)
                console.width = width
            else:
                console.print(table)
        else:
            console.print(RichText(f"{block.title}: none"))


# Choosing the form --------------------------------------------------------------------------


def _is_terminal(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError, OSError):  # a closed or fake stream
        return False


def color_wanted() -> bool:
    """Colour unless ``NO_COLOR`` is set to a non-empty value (https://no-color.org).

    Runtime complexity: O(1).
    """
    return not os.environ.get("NO_COLOR")


def emit(data: Any, output: Format, report: Callable[[], Report], out: TextIO) -> None:
    """Write a command's outcome to ``out`` in the form ``output`` asks for.

    Args:
        data: the machine form (JSON-ready plain data).
        output: the form.
        report: builds the human form (called only for ``Format.TABLE``).
        out: the stream.

    Runtime complexity: O(size of the output).

    >>> import io
    >>> stream = io.StringIO()
    >>> emit({"ok": True}, Format.JSON, lambda: Report(blocks=()), stream)
    >>> stream.getvalue()
    '{\\n  "ok": true\\n}\\n'
    """
    if output is Format.JSON:
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    elif output is Format.YAML:
        out.write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    elif _is_terminal(out):
        render_rich(report(), out, color=color_wanted())
    else:
        out.write(render_plain(report()))


def one_line(text: str) -> str:
    """``text`` with every control character escaped, so that a message stays one line.

    Runtime complexity: O(len(text)).

    >>> one_line("a\\nb")
    'a\\\\nb'
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def listing(names: Sequence[str], most: int) -> str:
    """``names`` joined by commas, the first ``most`` of them and how many more.

    Runtime complexity: O(most).

    >>> listing(["a", "b", "c"], 2), listing(["a"], 2)
    ('a, b and 1 more', 'a')
    """
    shown = ", ".join(names[:most])
    return shown if len(names) <= most else f"{shown} and {len(names) - most:,} more"


def note(message: str) -> None:
    """Tell the person at the terminal something that is not the output, on standard error.

    Runtime complexity: O(len(message)).
    """
    to_stderr(f"invsched: note: {one_line(message)}\n")


def to_stderr(text: str) -> None:
    """Write ``text`` to standard error if there is one that takes it: a closed (``None``)
    or full standard error never changes what a command decides or its exit status.

    Runtime complexity: O(len(text)).
    """
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError):  # nowhere left to report to
        pass
