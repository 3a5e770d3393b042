"""Least-cost nodes per type when pools list several types: a small MIP solved by HiGHS.

When a pool may take several instance types, types compete for its headroom and the vectors
of nodes per type that can be bought together form a polymatroid (:mod:`_flow`); a knapsack
cover over a polymatroid is weakly NP-hard and has no simple table like the single-type case.
It is solved as a mixed-integer program whose size does not depend on the number of clusters
(pools of one region with the same types are merged into one group):

* integer ``n_t ∈ [0, U_t]`` per type, continuous ``x_{g,t} ≥ 0`` per (group, type): by
  integrality of network flows, integer ``n`` can be routed iff a fractional ``x`` exists;
* ``n_t = Σ_g x_{g,t}``; ``Σ_t x_{g,t} ≤ headroom_g``; ``Σ_{g in r} x_{g,t} ≤ stock_{r,t}``;
  ``Σ_t per_node_t · n_t ≥ shortfall``.

The lexicographic objective is solved in stages, each adding the previous optimum as a
constraint: least cost (prices scaled to integers), then fewest nodes, then, type by type in
the caller's tie-break order, the most nodes of that type (skipped when the incumbent is
already at its bound, and never needed for the last type). Floating point never decides the
answer alone: after every stage the rounded vector is checked with integer arithmetic
(bounds, cover, the stage constraints and a max-flow routing it); if a check fails the whole
solve is repeated without presolve and with tolerances of 1e-10, and a second failure
raises. HiGHS is imported on first use, with one thread (deterministic) and no output.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from invsched.errors import InvschedError
from invsched.placement._flow import Transport

__all__ = ["SolverError", "cheapest_routed"]


class SolverError(InvschedError, RuntimeError):
    """HiGHS returned a vector that integer arithmetic refutes, even with tight tolerances.

    Not a verdict on the input: the library refuses to return an answer it cannot prove.
    """


def cheapest_routed(
    shortfall: int,
    transport: Transport,
    order: Sequence[int],
    costs: Sequence[int],
    sizes: Sequence[int],
) -> list[int] | None:
    """Nodes per type index: least cost, fewest nodes, then most of ``order[0]``, ``order[1]``….

    ``costs`` and ``sizes`` are integers per type index (price scaled to a common integer
    unit, replicas per node). ``None`` when no routable vector covers ``shortfall``.

    Raises:
        SolverError: HiGHS failed twice to return a vector that passes the exact checks.

    Runtime complexity: at most t + 1 MIP solves of t integer and O(g · t) continuous
    variables (t types, g groups); each is a branch and bound over the t integers, so
    exponential in t in the worst case but independent of clusters, shortfall and stock.

    >>> from decimal import Decimal
    >>> from invsched.placement.estimate import GrowablePool, InstanceFit
    >>> offer = GrowablePool(cluster="c", region="r", pool="p", headroom=2, types=("a", "b", "c"))
    >>> shapes = [InstanceFit(name=n, per_node=k, price=Decimal(p))
    ...     for n, k, p in (("a", 1, 1), ("b", 1, 2), ("c", 3, 7))]
    >>> transport = Transport([offer], shapes, {("r", n): 5 for n in "abc"})
    >>> cheapest_routed(3, transport, [0, 1, 2], [1, 2, 7], [1, 1, 3])  # one "c" node
    [0, 0, 1]
    """
    for strict in (False, True):
        try:
            return _Model(shortfall, transport, costs, sizes, strict=strict).solve(order)
        except _Refuted:
            continue
    raise SolverError("HiGHS returned a provisioning vector that exact arithmetic refutes")


class _Refuted(Exception):
    """A stage's answer failed the exact checks (or the solver stopped short of optimal)."""


class _Model:
    def __init__(
        self,
        shortfall: int,
        transport: Transport,
        costs: Sequence[int],
        sizes: Sequence[int],
        *,
        strict: bool,
    ) -> None:
        from highspy import _core as highs  # noqa: PLC0415 (heavy: only multi-type pools)

        self.shortfall = shortfall
        self.transport = transport
        self.costs = costs
        self.sizes = sizes
        self.types = len(transport.names)
        self.limits: list[tuple[int, int]] = [(0, bound) for bound in transport.bounds]
        self.caps: list[tuple[list[int], int]] = []  # exact copies of stage constraints
        self.status = highs.HighsModelStatus
        self.infinity = highs.kHighsInf
        self.solver = _solver(highs, strict=strict)
        rows, arcs = _rows(transport, shortfall, sizes, self.infinity)
        self.solver.passModel(_lp(highs, transport, rows, arcs, self.infinity))

    def solve(self, order: Sequence[int]) -> list[int] | None:
        """The staged solve; ``None`` if infeasible.

        Raises:
            _Refuted: a stage's vector failed the exact checks.
        """
        everything = list(range(self.types))
        first = self._stage(everything, list(self.costs))
        if first is None:
            # Infeasibility is checked too: the greedy gives the exact capacity.
            most = _dot(self.sizes, self.transport.max_nodes(self.sizes))
            if most >= self.shortfall:
                raise _Refuted
            return None
        self._cap(everything, list(self.costs), _dot(self.costs, first))
        best = self._settled(self._stage(everything, [1] * self.types))
        nodes = sum(best)
        self._cap(everything, [1] * self.types, nodes)
        fixed_nodes = fixed_replicas = 0
        for position, kind in enumerate(order):
            # A least vector holds no more of a type than the nodes and replicas left need.
            need = max(self.shortfall - fixed_replicas, 0)
            upper = min(self.limits[kind][1], nodes - fixed_nodes, -(-need // self.sizes[kind]))
            if best[kind] < upper and position < len(order) - 1:
                weights = [0] * self.types
                weights[kind] = -1
                best = self._settled(self._stage(everything, weights))
            self._fix(kind, best[kind])
            fixed_nodes += best[kind]
            fixed_replicas += best[kind] * self.sizes[kind]
        return best

    @staticmethod
    def _settled(vector: list[int] | None) -> list[int]:
        if vector is None:  # an optimum is known to exist: the solver is wrong
            raise _Refuted
        return vector

    def _stage(self, columns: list[int], weights: list[int]) -> list[int] | None:
        solver = self.solver
        solver.changeColsCost(len(columns), columns, [float(w) for w in weights])
        solver.run()
        status = solver.getModelStatus()
        if status == self.status.kInfeasible:
            return None
        if status != self.status.kOptimal:
            raise _Refuted
        values = solver.getSolution().col_value[: self.types]
        vector = [round(value) for value in values]
        claimed = solver.getInfo().objective_function_value
        if abs(_dot(weights, vector) - claimed) > 0.5 or not self._valid(vector):
            raise _Refuted
        return vector

    def _valid(self, vector: list[int]) -> bool:
        """Exact checks: bounds, fixed types, stage caps, cover, and a routing max-flow."""
        if any(not low <= n <= high for n, (low, high) in zip(vector, self.limits, strict=True)):
            return False
        if any(_dot(weights, vector) > cap for weights, cap in self.caps):
            return False
        if _dot(self.sizes, vector) < self.shortfall:
            return False
        return self.transport.router(vector) is not None

    def _cap(self, columns: list[int], weights: list[int], cap: int) -> None:
        self.caps.append((weights, cap))
        self.solver.addRow(
            -self.infinity,
            float(cap),
            len(columns),
            columns,
            [float(w) for w in weights],
        )

    def _fix(self, kind: int, count: int) -> None:
        self.limits[kind] = (count, count)
        self.solver.changeColBounds(kind, float(count), float(count))


def _dot(weights: Sequence[int], vector: Sequence[int]) -> int:
    return sum(w * n for w, n in zip(weights, vector, strict=True))


_Row = tuple[float, float, list[int], list[float]]


def _solver(highs: Any, *, strict: bool) -> Any:
    """A quiet, single-threaded, gap-free HiGHS; ``strict`` drops presolve and tightens."""
    # The public highspy.Highs prints a banner on the process's stdout when built, which
    # would corrupt machine-readable CLI output; its base class does not.
    if hasattr(highs, "_Highs"):
        solver = highs._Highs()
    else:  # a future highspy without the quiet base class
        import highspy  # noqa: PLC0415

        solver = highspy.Highs()  # type: ignore[no-untyped-call]
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("threads", 1)
    solver.setOptionValue("mip_rel_gap", 0.0)
    solver.setOptionValue("mip_abs_gap", 0.0)
    # Symmetry detection costs more than it saves on models of a few integers.
    solver.setOptionValue("mip_detect_symmetry", False)
    if strict:
        solver.setOptionValue("presolve", "off")
        for option in (
            "mip_feasibility_tolerance",
            "primal_feasibility_tolerance",
            "dual_feasibility_tolerance",
        ):
            solver.setOptionValue(option, 1e-10)
    return solver


def _rows(
    transport: Transport, shortfall: int, sizes: Sequence[int], inf: float
) -> tuple[list[_Row], list[tuple[int, int]]]:
    """The constraint rows (flow balance, headroom, stock, cover) and the flow arcs."""
    types = len(transport.names)
    arcs = [(g, t) for g, (_, kinds) in enumerate(transport.groups) for t in kinds]
    # Column of each flow variable x_{g,t}, listed by type, by group and by stock pair.
    by_type: list[list[int]] = [[] for _ in range(types)]
    by_group: list[list[int]] = [[] for _ in transport.groups]
    by_pair: dict[tuple[str, int], list[int]] = {pair: [] for pair in transport.stock}
    for column, (group, kind) in enumerate(arcs, start=types):
        by_type[kind].append(column)
        by_group[group].append(column)
        by_pair[(transport.groups[group][0], kind)].append(column)
    rows: list[_Row] = [
        (0.0, 0.0, [kind, *flows], [1.0] + [-1.0] * len(flows))  # n_t − Σ_g x_{g,t} = 0
        for kind, flows in enumerate(by_type)
    ]
    for flows, headroom in zip(by_group, transport.headroom, strict=True):
        rows.append((-inf, float(headroom), flows, [1.0] * len(flows)))
    for pair, flows in by_pair.items():
        rows.append((-inf, float(transport.stock[pair]), flows, [1.0] * len(flows)))
    rows.append((float(shortfall), inf, list(range(types)), [float(s) for s in sizes]))
    return rows, arcs


def _lp(
    highs: Any, transport: Transport, rows: list[_Row], arcs: list[tuple[int, int]], inf: float
) -> Any:
    """The HiGHS model: integer n_t columns, then continuous flow columns, rows row-wise."""
    types = len(transport.names)
    columns = types + len(arcs)
    lp = highs.HighsLp()
    lp.num_col_ = columns
    lp.num_row_ = len(rows)
    lp.col_cost_ = [0.0] * columns
    lp.col_lower_ = [0.0] * columns
    lp.col_upper_ = [float(bound) for bound in transport.bounds] + [inf] * len(arcs)
    lp.row_lower_ = [row[0] for row in rows]
    lp.row_upper_ = [row[1] for row in rows]
    lp.a_matrix_.format_ = highs.MatrixFormat.kRowwise
    starts = [0]
    for row in rows:
        starts.append(starts[-1] + len(row[2]))
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = [index for row in rows for index in row[2]]
    lp.a_matrix_.value_ = [value for row in rows for value in row[3]]
    integer, continuous = highs.HighsVarType.kInteger, highs.HighsVarType.kContinuous
    lp.integrality_ = [integer] * types + [continuous] * len(arcs)
    return lp
