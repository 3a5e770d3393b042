"""The output layer: the plain layout for pipes, rich on a terminal, JSON and YAML."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


def _naive_guides(depths: list[int]) -> list[tuple[str, str]]:
    """The guides by their definition: for every row and level, look ahead for the next row
    at or above that level (quadratic, as a reference)."""

    def continues(index: int, level: int) -> bool:
        later = next((d for d in depths[index + 1 :] if d <= level), None)
        return later == level

    guides = []
    for index, depth in enumerate(depths):
        above = "".join("│  " if continues(index, level) else "   " for level in range(1, depth))
        mine = continues(index, depth) if depth else False
        first = above + ("├─ " if mine else "└─ ") if depth else ""
        has_children = index + 1 < len(depths) and depths[index + 1] > depth
        rest = above + ("│  " if mine else "   " if depth else "") + ("│" if has_children else "")
        guides.append((first, rest))
    return guides


@st.composite
def _preorder_depths(draw: st.DrawFn) -> list[int]:
    """Depths of a tree's rows in pre-order: a root, then each row at most one deeper."""
    depths = [0]
    for _ in range(draw(st.integers(0, 30))):
        depths.append(draw(st.integers(1, depths[-1] + 1)))
    return depths


@given(_preorder_depths())
def test_tree_guides_follow_their_definition(depths: list[int]) -> None:
    from invsched.cli._output import _guides

    assert _guides(depths) == _naive_guides(depths)


def test_tree_guides_of_a_deep_tree_are_linear() -> None:
    from invsched.cli._output import _guides

    chain = list(range(10_000))
    guides = _guides(chain)
    assert guides[-1][0] == "   " * 9_998 + "└─ "


def test_a_table_wider_than_the_terminal_keeps_every_value_whole() -> None:
    columns = tuple(f"column{index}" for index in range(8))
    values = tuple(f"{index}h59m59s" for index in range(8))
    report = Report(blocks=(Table(title="Wide", columns=columns, rows=[values]),))
    out = io.StringIO()
    render_rich(report, out, color=False, width=40)
    text = out.getvalue()
    for heading, value in zip(columns, values, strict=True):
        assert heading.upper() in text
        assert value in text


class _FullStream(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")


@pytest.mark.parametrize("stderr", [None, _FullStream()], ids=["closed", "full"])
def test_a_note_never_fails_the_command(monkeypatch: pytest.MonkeyPatch, stderr: object) -> None:
    import sys

    from invsched.cli import main
    from invsched.cli._output import note

    monkeypatch.setattr(sys, "stderr", stderr)
    note("skipped 6 Namespace objects")  # nothing raised
    out = io.StringIO()
    assert main(["validate", "examples/elasticquotatree.yaml"], out=out) == 1
    assert out.getvalue().startswith("examples/elasticquotatree.yaml: 2 violation(s)")


def test_a_note_of_many_skipped_objects_stays_short(capsys: pytest.CaptureFixture[str]) -> None:
    from invsched.cli._input import Skipped, note_skipped

    skipped = [
        Skipped(
            file="ns.yaml", document=0, field="", api_version="v1", kind="Namespace", name=f"n{i}"
        )
        for i in range(100_000)
    ]
    note_skipped(skipped, "admit")
    assert capsys.readouterr().err == (
        "invsched: note: ns.yaml: skipped 100000 Namespace objects "
        "(n0, n1, n2, n3, n4, n5, n6, n7, n8, n9 and 99,990 more): admit does not read them\n"
    )
