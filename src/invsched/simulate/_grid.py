"""The grid of a parameter sweep: its keys, their values, and the scenario of each point.

A grid is a mapping from a key to the values to try. The points are the cartesian product
of its entries, in the order given, the last entry varying fastest. Keys that must change
together — moving GPUs of ``min`` from one quota to its sibling keeps their parent's sum —
form one entry: a tuple of keys, with a tuple of values (one per key) per step; such an
entry is one axis of the grid, and the command line writes it ``KEY1:KEY2=V1:W1,V2:W2``.

The keys, their grammar and their values are those of :mod:`invsched.simulate._grid_keys`.
A point may change a quota's ``min`` or ``max`` only so far as the tree stays as valid as the
scenario's own tree under Koordinator's rules (:data:`~invsched.quota.Profile.KOORDINATOR`):
raising a leaf's min past its parent's, or above its own max, is refused before any
simulation runs, naming the point and the broken rule.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import attrs

from invsched._validators import render, typed
from invsched.errors import InvalidRequest
from invsched.quota import QuotaTree
from invsched.quota.validation import Profile, Rule, validate_tree
from invsched.simulate._grid_keys import (
    GridKey,
    GridSetting,
    GridValue,
    _doctest_tree,  # noqa: F401 (used by the doctests)
)
from invsched.simulate.records import Scenario

__all__ = [
    "Grid",
    "GridAxis",
    "GridKey",
    "GridPoint",
    "GridSetting",
    "GridValue",
    "grid_points",
]

#: A grid: key → a sequence of values, or a tuple of keys varying together → a sequence of
#: tuples of values (one per key). Typed loosely on purpose: a literal grid mixes value types
#: (``{"policy": ["Block"], "total.cpu": [4, 8]}`` is a ``dict[str, object]`` to a type
#: checker), and every key and value is checked when the grid is read.
Grid: TypeAlias = Mapping[Any, Any]


@attrs.frozen(kw_only=True)
class GridAxis:
    """One axis of a grid: one key, or several keys that vary together, and their steps.

    Attributes:
        keys: the keys, read, in the order given.
        steps: the values of each step, one per key, read and checked.

    >>> axis = GridAxis.read(("total.cpu", "policy"), [(2, "block"), (4, "priority")],
    ...                      _doctest_tree(["team"]))
    >>> axis.text, [axis.show(step) for step in axis.steps]
    ('total.cpu:policy', ['2:Block', '4:Priority'])
    """

    keys: tuple[GridKey, ...]
    steps: tuple[tuple[GridValue, ...], ...]

    @property
    def text(self) -> str:
        """The keys as the command line writes them: joined by ``:``."""
        return ":".join(key.text for key in self.keys)

    def show(self, step: Sequence[GridValue]) -> str:
        """A step's values as text, joined by ``:``."""
        return ":".join(key.show(value) for key, value in zip(self.keys, step, strict=True))

    @classmethod
    def read(cls, key: object, values: object, tree: QuotaTree) -> GridAxis:
        """An axis from a grid entry: a key and its values, or a tuple of keys and a tuple
        of values (one per key) per step.

        Raises:
            InvalidRequest: a bad key or value (see the module docstring), a step whose
                length is not the number of keys, a step listed twice, no step.

        Runtime complexity: O(s · k) for s steps of k keys (plus the keys' lookups).
        """
        linked = isinstance(key, tuple)
        texts: tuple[object, ...] = key if isinstance(key, tuple) else (key,)
        if not texts:
            raise InvalidRequest("grid", "a tuple of keys must name at least one key")
        keys = tuple(GridKey.parse(text, tree) for text in texts)
        where = f"grid[{render(':'.join(key.text for key in keys))}]"
        if isinstance(values, str | bytes) or not isinstance(values, Sequence) or not values:
            raise InvalidRequest(
                where, f"expected a non-empty sequence of values, got {typed(values)}"
            )
        steps: list[tuple[GridValue, ...]] = []
        listed: set[tuple[GridValue, ...]] = set()  # O(1) repeats (values are hashable)
        for given in values:
            row: Sequence[object] = (given,)
            if linked:
                if not isinstance(given, tuple) or len(given) != len(keys):
                    raise InvalidRequest(
                        where, f"expected a tuple of {len(keys)} values, got {typed(given)}"
                    )
                row = given
            step = tuple(key.read(value) for key, value in zip(keys, row, strict=True))
            if step in listed:
                raise InvalidRequest(where, f"value {render(given)} is listed twice")
            listed.add(step)
            steps.append(step)
        return cls(keys=keys, steps=tuple(steps))


@attrs.frozen(kw_only=True)
class GridPoint:
    """One point of a grid: its settings, their text, and the scenario they give.

    Attributes:
        settings: ``(key, value)`` per grid key, in the grid's key order.
        label: ``"key=value, …"`` with values as text (quantities canonical).
        scenario: the base scenario with the settings applied.
    """

    settings: tuple[tuple[str, GridValue], ...]
    label: str
    scenario: Scenario


def grid_points(
    scenario: Scenario, grid: Grid
) -> tuple[tuple[GridAxis, ...], tuple[GridPoint, ...]]:
    """Read ``grid`` against ``scenario`` and build every point's scenario.

    Returns:
        The axes, read, in the grid's order; and the points of their cartesian product, the
        last axis varying fastest (``itertools.product``). An empty grid is one point: the
        scenario itself.

    Raises:
        InvalidRequest: a bad grid (see the module docstring).

    Runtime complexity: O(p · (k + n · r)) for p points of k keys over a tree of n nodes and
    r resources (a point that changes the tree is validated).

    >>> from invsched.resources import Resources
    >>> base = Scenario(tree=_doctest_tree(["team"]), total=Resources({"cpu": 4000}))
    >>> axes, points = grid_points(base, {"policy": ["Block"], "total.cpu": [2, 4]})
    >>> [point.label for point in points]
    ['policy=Block, total.cpu=2', 'policy=Block, total.cpu=4']
    """
    axes = _read_grid(grid, scenario.tree)
    known = _violations(scenario.tree)
    keys = [key for axis in axes for key in axis.keys]
    points: list[GridPoint] = []
    for steps in itertools.product(*(axis.steps for axis in axes)):
        values = [value for step in steps for value in step]
        label = ", ".join(
            f"{key.text}={key.show(value)}" for key, value in zip(keys, values, strict=True)
        )
        changed = scenario
        # Capacity first: it scales the tree, and a min or max the point sets is absolute.
        for key, value in sorted(
            zip(keys, values, strict=True),
            key=lambda pair: pair[0].setting is not GridSetting.CAPACITY,
        ):
            changed = key.apply(changed, value)
        if changed.tree is not scenario.tree:
            _check_tree(changed.tree, known, label)
        settings = tuple((key.text, value) for key, value in zip(keys, values, strict=True))
        points.append(GridPoint(settings=settings, label=label, scenario=changed))
    return axes, tuple(points)


def _read_grid(grid: object, tree: QuotaTree) -> tuple[GridAxis, ...]:
    """The grid's axes, read and checked; no two keys may set the same value."""
    if not isinstance(grid, Mapping):
        raise InvalidRequest("grid", f"expected a mapping of key to values, got {typed(grid)}")
    axes: list[GridAxis] = []
    targets: dict[tuple[GridSetting, str | None, str | None], str] = {}
    for key, values in grid.items():
        axis = GridAxis.read(key, values, tree)
        for read in axis.keys:
            clash = targets.get(read.target)
            if clash is not None:
                raise InvalidRequest(
                    "grid", f"keys {render(clash)} and {render(read.text)} set the same value"
                )
            targets[read.target] = read.text
        axes.append(axis)
    return tuple(axes)


def _violations(tree: QuotaTree) -> dict[tuple[Rule, str, str], str]:
    report = validate_tree(tree, Profile.KOORDINATOR)
    return {(v.rule, v.node, v.resource): v.message for v in report.violations}


def _check_tree(tree: QuotaTree, known: Mapping[tuple[Rule, str, str], str], label: str) -> None:
    """Refuse a point whose tree breaks a rule that the base tree keeps."""
    new = [message for found, message in _violations(tree).items() if found not in known]
    if new:
        raise InvalidRequest(
            f"grid point {label}", f"the quota tree becomes invalid: {'; '.join(new)}"
        )
