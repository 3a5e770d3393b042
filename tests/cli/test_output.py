"""The output layer: the plain layout for pipes, rich on a terminal, JSON and YAML."""

from __future__ import annotations

import io

import pytest

from invsched.cli import _output
from invsched.cli._output import Format, Report, Table, Text, emit, render_plain, render_rich

TREE = Table(
    title="Quotas",
    columns=("quota", "resource", "min"),
    rows=[
        ("root", ("cpu", "nvidia.com/gpu"), ("100", "16")),
        ("team-a", ("cpu",), ("40",)),
        ("video", (), ()),
        ("team-b", "cpu", "60"),
    ],
    depths=[0, 1, 2, 1],
)


def test_plain_layout_repeats_single_line_cells_and_indents_the_tree() -> None:
    assert render_plain(Report(blocks=(TREE, Text(lines=("done",))))) == (
        "Quotas\n"
        "QUOTA      RESOURCE        MIN\n"
        "root       cpu             100\n"
        "root       nvidia.com/gpu  16\n"
        "  team-a   cpu             40\n"
        "    video\n"
        "  team-b   cpu             60\n"
        "\n"
        "done\n"
    )


def test_plain_layout_of_an_empty_table_is_one_line() -> None:
    empty = Table(title="Preempted (0)", columns=("victim",))
    assert render_plain(Report(blocks=(empty,))) == "Preempted (0): none\n"


def test_plain_layout_pads_by_terminal_cells() -> None:
    # A wide character takes two cells: the next column still lines up.
    table = Table(title="", columns=("name", "n"), rows=[("数据", "1"), ("ab", "2")])
    assert render_plain(Report(blocks=(table,))) == "NAME  N\n数据  1\nab    2\n"


def test_a_row_must_have_one_cell_per_column() -> None:
    with pytest.raises(AssertionError, match="a row does not have 2 cells"):
        Table(title="t", columns=("a", "b"), rows=[("x",)])


def _rich(report: Report, *, color: bool) -> str:
    out = io.StringIO()
    render_rich(report, out, color=color, width=60)
    return out.getvalue()


def test_rich_draws_tree_guides_without_colour() -> None:
    text = _rich(Report(blocks=(TREE,)), color=False)
    assert "\x1b[" not in text
    lines = [line.rstrip() for line in text.splitlines()]
    assert lines[0] == "Quotas"
    assert lines[3:] == [
        "root          cpu              100",
        "│             nvidia.com/gpu   16",
        "├─ team-a     cpu              40",
        "│  └─ video",
        "└─ team-b     cpu              60",
    ]


def test_rich_uses_colour_when_allowed() -> None:
    assert "\x1b[1m" in _rich(Report(blocks=(TREE,)), color=True)


def test_rich_shows_an_empty_table_as_one_line() -> None:
    empty = Table(title="Pending (0)", columns=("unit",))
    assert _rich(Report(blocks=(empty,)), color=False) == "Pending (0): none\n"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


REPORT = Report(blocks=(Table(title="T", columns=("a",), rows=[("x",)]),))


def test_emit_draws_with_rich_on_a_terminal_and_honours_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    terminal = _Terminal()
    emit({}, Format.TABLE, lambda: REPORT, terminal)
    assert "\x1b[1m" in terminal.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    terminal = _Terminal()
    emit({}, Format.TABLE, lambda: REPORT, terminal)
    assert "\x1b[" not in terminal.getvalue()
    assert terminal.getvalue().splitlines()[0] == "T"


def test_an_empty_no_color_does_not_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "")
    assert _output.color_wanted()


def test_emit_writes_plain_text_into_a_pipe() -> None:
    stream = io.StringIO()
    emit({}, Format.TABLE, lambda: REPORT, stream)
    assert stream.getvalue() == "T\nA\nx\n"


def test_emit_machine_forms_never_build_the_report() -> None:
    def fail() -> Report:
        raise AssertionError("the report is for people")

    data = {"name": "vidéo", "count": 2, "items": [None]}
    stream = io.StringIO()
    emit(data, Format.JSON, fail, stream)
    assert stream.getvalue() == (
        '{\n  "name": "vidéo",\n  "count": 2,\n  "items": [\n    null\n  ]\n}\n'
    )
    stream = io.StringIO()
    emit(data, Format.YAML, fail, stream)
    assert stream.getvalue() == "name: vidéo\ncount: 2\nitems:\n- null\n"
