"""Runtime quota: what each quota may use now, given everyone's demand (Koordinator compat).

Requests flow **up** the tree and runtime flows **down** (Koordinator's
``GroupQuotaManager.RefreshRuntime`` with ``RuntimeQuotaCalculator`` per parent, in
``pkg/scheduler/plugins/elasticquota/core``):

* a leaf's request is what its workloads ask for; a parent's request is the sum of its
  children's *limited* requests; a non-lending quota (``allow_lent=False``) asks for at least
  its min; the limited request is the request capped by the quota's max (a key missing from
  max is unlimited). A request above max therefore never earns runtime above max.
* the tree root takes its runtime from the cluster ``total`` as the only child of a virtual
  cluster node, exactly as Koordinator's top-level quotas share the cluster total; then every
  parent splits its own runtime among its children with :func:`~invsched.quota.redistribute`,
  per resource: min first, the rest by shared weight, capped at the limited request.
* amounts are shared in Koordinator's units: milli-units for cpu, whole units (bytes, GPUs)
  for every other resource whose amounts are all whole, so rounding matches upstream exactly;
* with ``scale_min`` (Koordinator's ``EnableMinQuotaScale``, on by default), when the
  children's mins exceed what their parent has, every child's min is first scaled down to
  ``floor(available × min / Σ mins)`` (``scale_minquota_when_over_root_res.go``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, repeat
from typing import TypeVar

from invsched._validators import MAX_AMOUNT, check_amount, check_bool, check_enum, render, short
from invsched.errors import InvalidQuotaTree, InvalidRequest
from invsched.quota._share import Rounding, split_amount
from invsched.quota.tree import QuotaTree
from invsched.resources import Resources

__all__ = ["aggregate_requests", "runtime_quota"]


def aggregate_requests(
    tree: QuotaTree, requests: Mapping[str, Mapping[str, int]]
) -> dict[str, Resources]:
    """Each node's limited request: what it reports to its parent (Koordinator compat).

    For a leaf, its entry of ``requests`` (missing = nothing); for a parent, the sum of its
    children's limited requests. A non-lending node (``allow_lent=False``) then asks for at
    least its ``min`` per resource; finally the amount is capped by the node's ``max`` (a key
    missing from ``max`` is unlimited). The result is what :func:`runtime_quota` shares out,
    so every node's runtime is at most its entry here.

    Args:
        tree: the quota tree.
        requests: leaf name → the total demand of its workloads (running and pending), in
            milli-units. Only leaves may appear.

    Returns:
        Node name → limited request, for every node of the tree, in pre-order; every key seen
        in the tree or the requests is present in every entry (0 when nothing is asked).

    Raises:
        InvalidRequest: ``tree`` is not a ``QuotaTree`` or ``requests`` not a mapping; a
            request names an unknown quota or a parent quota, or holds an amount that is not
            an int in [0, 10^100) (the field is ``requests['name'].resource``).
        InvalidQuotaTree: a node of the tree holds a negative amount.

    Runtime complexity: O(n · r) for n nodes and r resource names.

    >>> from invsched.quota.tree import QuotaNode, QuotaTree
    >>> tree = QuotaTree.from_nodes([
    ...     QuotaNode(name="root", max=Resources({"cpu": 8000}), children=("a", "b")),
    ...     QuotaNode(name="a", parent="root", max=Resources({"cpu": 3000})),
    ...     QuotaNode(name="b", parent="root", max=Resources({"cpu": 8000})),
    ... ])
    >>> demand = {"a": Resources({"cpu": 5000}), "b": Resources({"cpu": 2000})}
    >>> {name: amounts["cpu"] for name, amounts in aggregate_requests(tree, demand).items()}
    {'root': 5000, 'a': 3000, 'b': 2000}
    """
    table = _Table.build(tree, requests, Resources())
    columns = [table.limited_requests(name) for name in table.names]
    return table.assemble(columns)


def runtime_quota(
    tree: QuotaTree,
    requests: Mapping[str, Mapping[str, int]],
    total: Mapping[str, int],
    *,
    scale_min: bool = True,
    rounding: Rounding = Rounding.LARGEST_REMAINDER,
) -> dict[str, Resources]:
    """Every node's runtime quota: what it may use now, given everyone's demand.

    Requests flow up (see :func:`aggregate_requests`); runtime flows down. The root's runtime
    is what it would get as the only child of the cluster: its limited request, at most
    ``total`` (or its min when it does not lend). Each parent's runtime is then split among
    its children per resource by :func:`~invsched.quota.redistribute` — the child's
    (scaled) min first, the rest in proportion to its shared weight (default: its max), never
    above its limited request. A child whose max lacks a resource (unlimited) has, for that
    resource, the weight of everything its parent shares out.

    Units: cpu is shared in milli-units; every other resource is shared in whole units
    (bytes, GPUs) whenever all its amounts are whole units, and in milli-units otherwise.
    That is Koordinator's own arithmetic (``MilliValue`` for cpu, ``Value`` for the rest), so
    the rounding matches upstream to the unit, and 3 spare GPUs go as whole GPUs to three
    quotas instead of 300m to each of ten.

    With ``scale_min`` (default, as Koordinator), when a parent's runtime for a resource is
    below the sum of its children's mins, every child's min for it counts as
    ``floor(runtime × min / Σ mins)``; without it the mins are kept and may over-commit the
    parent (then each child keeps its min or request and nobody borrows).

    Guarantees (``LARGEST_REMAINDER`` rounding): runtime ≤ limited request ≤ max; the
    children's runtimes sum to at most their parent's; the root's runtime is at most
    ``total`` with ``scale_min`` or when the root's min fits; a quota whose request is at most
    its min gets its request when every min on its path fits.

    Args:
        tree: the quota tree (validation is separate: see ``validate_tree``).
        requests: leaf name → total demand of its workloads (running + pending), milli-units.
        total: the cluster capacity available to the tree, milli-units (missing key = 0).
        scale_min: scale the children's mins down when their parent cannot cover them.
        rounding: ``LARGEST_REMAINDER`` (exact; default) or ``HALF_UP`` (older upstream).

    Returns:
        Node name → runtime, for every node, in pre-order. Every entry holds every resource
        name seen in the tree, the requests or ``total`` (0 when nothing is granted).

    Raises:
        InvalidRequest: ``tree`` is not a ``QuotaTree``, ``requests`` or ``total`` not a
            mapping, ``scale_min`` not a bool or ``rounding`` not a ``Rounding``; a request
            names an unknown or parent quota, or an amount in ``requests`` or ``total`` is not
            an int in [0, 10^100) (the message names the field).
        InvalidQuotaTree: a node of the tree holds a negative amount.

    Runtime complexity: O(n · r) plus the sorting of largest remainders, for n nodes and r
    resource names; iterative, so a 10⁴-deep tree is fine.

    >>> from invsched.quota.tree import QuotaNode, QuotaTree
    >>> def quota(name, low, high, **links):
    ...     cpu = lambda amount: Resources({"cpu": amount})
    ...     return QuotaNode(name=name, min=cpu(low), max=cpu(high), **links)
    >>> tree = QuotaTree.from_nodes([
    ...     quota("root", 100, 100, children=("a", "b", "c", "d")),
    ...     quota("a", 10, 40, parent="root"), quota("b", 15, 60, parent="root"),
    ...     quota("c", 20, 50, parent="root"), quota("d", 15, 80, parent="root"),
    ... ])
    >>> demand = {"a": {"cpu": 5}, "b": {"cpu": 20}, "c": {"cpu": 40}, "d": {"cpu": 70}}
    >>> {name: r["cpu"] for name, r in runtime_quota(tree, demand, {"cpu": 100}).items()}
    {'root': 100, 'a': 5, 'b': 20, 'c': 35, 'd': 40}
    """
    check_enum(InvalidRequest, "rounding", rounding, Rounding)
    check_bool(InvalidRequest, "scale_min", scale_min)
    table = _Table.build(tree, requests, total)
    columns = [
        table.runtime(
            name,
            table.limited_requests(name),
            total=total.get(name, 0),
            scale_min=scale_min,
            rounding=rounding,
        )
        for name in table.names
    ]
    return table.assemble(columns)


# Internals -----------------------------------------------------------------------------------

#: One row of amounts for a column table: the node's pre-order position and its (name, amount)
#: pairs.
_Row = tuple[int, Iterable[tuple[str, int]]]

_Missing = TypeVar("_Missing", int, None)


def _amounts(where: object, amounts: object) -> dict[str, int]:
    """A checked plain-dict copy of one resource vector given by the caller.

    ``where`` is the leaf a request belongs to, or ``_TOTAL`` for the cluster total; the
    field text is only built on the error path.
    """
    if type(amounts) is Resources:
        # Resources already holds only named ints; only the range is left to check.
        plain = _plain(amounts)
        if plain and not 0 <= min(plain.values()) <= max(plain.values()) < MAX_AMOUNT:
            _check_pairs(_field(where), amounts.pairs)
        return plain
    field = _field(where)
    if not isinstance(amounts, Mapping):
        raise InvalidRequest(
            field,
            "expected a mapping of resource amounts, "
            f"got {type(amounts).__name__} {render(amounts)}",
        )
    _check_pairs(field, amounts.items())
    return dict(amounts)


def _check_pairs(field: str, pairs: Iterable[tuple[object, object]]) -> None:
    """Each (name, amount): a non-empty string and an int in [0, 10^100)."""
    for key, amount in pairs:
        if not isinstance(key, str) or not key:
            raise InvalidRequest(
                field, f"a resource name must be a non-empty string, got {render(key)}"
            )
        check_amount(InvalidRequest, f"{field}.{short(key)}", amount)


def _field(where: object) -> str:
    return "total" if where is _TOTAL else f"requests[{render(where)}]"


def _plain(amounts: Resources) -> dict[str, int]:
    # ``pairs`` is the record's own sorted (name, amount) tuple: reading it directly keeps the
    # O(1)-lookup copy cheap on 10^4-node trees (the Mapping protocol scans per key).
    return dict(amounts.pairs)


def _columns(rows: Iterable[_Row], size: int, missing: _Missing) -> dict[str, list[int | _Missing]]:
    """Resource name → a column of ``size`` amounts, ``missing`` where a row lacks the name.

    Every name of every row gets a column; a row's amounts land at its position. Scattering
    the rows' pairs builds no per-node dict.

    Runtime complexity: O(a + c · size) for a amounts given and c columns.
    """
    columns: defaultdict[str, list[int | _Missing]] = defaultdict(lambda: [missing] * size)
    for index, pairs in rows:
        for name, amount in pairs:
            columns[name][index] = amount
    return dict(columns)


def _has_negative(columns: Iterable[Sequence[int | None]]) -> bool:
    """Whether any column holds a negative amount (``None``, unlimited, is not one)."""
    # Filtering on truth drops the unlimited entries (None) and the zeros, neither negative.
    return any(min(filter(None, column), default=0) < 0 for column in columns)


class _Table:
    """The tree as columns indexed by pre-order position: one list per resource and field.

    The amounts of the tree (min, max, shared weight) and of the requests are laid out once,
    per resource name, so each per-resource pass reads plain lists instead of per-node
    mappings.
    """

    def __init__(
        self, tree: QuotaTree, requests: Mapping[str, Mapping[str, int]], names: set[str]
    ) -> None:
        nodes = tree.nodes
        count = len(nodes)
        position = {node.name: index for index, node in enumerate(nodes)}
        self.node_names = [node.name for node in nodes]
        self.parents = [-1 if node.parent is None else position[node.parent] for node in nodes]
        self.lends = [node.allow_lent for node in nodes]
        own = self._request_columns(tree, requests, position)
        mins = _columns(enumerate(node.min.pairs for node in nodes), count, 0)
        maxes = _columns(enumerate(node.max.pairs for node in nodes), count, None)
        # Upstream treats an all-zero shared-weight annotation as absent (QuotaInfo update).
        shared = _columns(
            (
                (index, node.shared_weight.pairs)
                for index, node in enumerate(nodes)
                if node.shared_weight is not None and not node.shared_weight.is_zero()
            ),
            count,
            None,
        )
        # The columns hold every amount of the tree; the rare error path then names every
        # offender.
        if _has_negative(chain(mins.values(), maxes.values(), shared.values())):
            raise InvalidQuotaTree(_negative_amounts(tree))
        names.update(own, mins, maxes, shared)
        self.names = tuple(sorted(names))
        # Every name gets a column in every table, so the passes below need no fallback: a
        # name a table lacks reads as no request (0), no min (0) and an unlimited max (None).
        self.own = {name: own.get(name) or [0] * count for name in self.names}
        self.mins = {name: mins.get(name) or [0] * count for name in self.names}
        self.maxes = {name: maxes.get(name) or [None] * count for name in self.names}
        self.shared = shared
        # The root is split from the cluster total as the only member of a virtual cluster
        # node, the way Koordinator's top-level quotas share the cluster total.
        self.groups: list[tuple[int, list[int]]] = [(-1, [0])]
        self.groups.extend(
            (index, [position[child] for child in node.children])
            for index, node in enumerate(nodes)
            if node.children
        )

    @staticmethod
    def _request_columns(
        tree: QuotaTree, requests: Mapping[str, Mapping[str, int]], position: Mapping[str, int]
    ) -> dict[str, list[int]]:
        """The checked requests as columns (see :func:`_columns`), 0 where a leaf asks nothing.

        Each request is checked when it is reached, so the first faulty one raises. A
        ``Resources`` request holds only named ints, so its pairs are scattered as they are and
        only their range is checked on the way: no per-leaf copy.
        """
        nodes = tree.nodes
        columns: defaultdict[str, list[int]] = defaultdict(lambda: [0] * len(nodes))
        for leaf, amounts in requests.items():
            index = position.get(leaf) if isinstance(leaf, str) else None
            if index is None:
                raise InvalidRequest(_field(leaf), f"no quota named {render(leaf)} in the tree")
            if nodes[index].children:
                raise InvalidRequest(
                    _field(leaf), f"{render(leaf)} is a parent quota; only leaves take requests"
                )
            pairs = amounts.pairs if type(amounts) is Resources else _amounts(leaf, amounts).items()
            for name, amount in pairs:
                if not 0 <= amount < MAX_AMOUNT:
                    # Only a Resources request gets here (_amounts checks the others); its
                    # pairs are sorted, so this is its first faulty key.
                    check_amount(InvalidRequest, f"{_field(leaf)}.{short(name)}", amount)
                columns[name][index] = amount
        return dict(columns)

    @classmethod
    def build(
        cls, tree: QuotaTree, requests: Mapping[str, Mapping[str, int]], total: Mapping[str, int]
    ) -> _Table:
        """Check the inputs and index the tree."""
        if not isinstance(tree, QuotaTree):
            raise InvalidRequest("tree", f"expected a QuotaTree, got {type(tree).__name__}")
        if not isinstance(requests, Mapping):
            raise InvalidRequest(
                "requests", f"expected a mapping, got {type(requests).__name__} {render(requests)}"
            )
        return cls(tree, requests, set(_amounts(_TOTAL, total)))

    def limited_requests(self, name: str) -> list[int]:
        """Bottom-up, one resource: request raised to min when not lending, capped by max.

        Runtime complexity: O(n) for n nodes.
        """
        # Parents hold no request of their own: their entries only gather their children's.
        request = list(self.own[name])
        parents, lends = self.parents, self.lends
        mins, maxes = self.mins[name], self.maxes[name]
        for index in range(len(request) - 1, -1, -1):
            # Reverse pre-order visits every child before its parent.
            amount = request[index]
            if not lends[index] and amount < mins[index]:
                amount = mins[index]
            cap = maxes[index]
            if cap is not None and amount > cap:
                amount = cap
            request[index] = amount
            parent = parents[index]
            if parent >= 0:
                request[parent] += amount
        return request

    def runtime(
        self,
        name: str,
        limited: list[int],
        *,
        total: int,
        scale_min: bool,
        rounding: Rounding,
    ) -> list[int]:
        """Top-down, one resource: the root from ``total``, then each parent to its children.

        Runtime complexity: O(n) plus the rounding's sorts, for n nodes.
        """
        runtime = [0] * len(self.parents)
        mins = self.mins[name]
        # Koordinator shares cpu in milli-units but every other resource in whole units
        # (getQuantityValue: MilliValue for cpu, Value otherwise), so 3 spare GPUs go to three
        # quotas as whole GPUs instead of 300m to each of ten. Scaling every amount by the same
        # factor keeps the sharing exact; it is done only when all amounts are whole units.
        unit = 1 if name == "cpu" else _WHOLE_UNIT
        if unit > 1 and (
            total % unit
            or any(value % unit for value in mins)
            or any(value % unit for value in limited)
        ):
            unit = 1
        # `floors` is this pass's own copy of the mins, scaled in place where a parent cannot
        # cover its children's mins; every node is the member of exactly one split.
        floors = [value // unit for value in mins]
        if unit > 1:
            total //= unit
            limited = [value // unit for value in limited]
        weights = self.weights(name)
        lends, node_names = self.lends, self.node_names
        for parent, members in self.groups:
            # Pre-order: a parent's runtime is final before its children are split.
            amount = total if parent < 0 else runtime[parent]
            if scale_min:
                min_sum = sum([floors[index] for index in members])
                if amount < min_sum:
                    # Koordinator scales every child's min when the parent cannot cover them
                    # all (ScaleMinQuotaManager.getScaledMinQuota); exact floor, not float64.
                    for index in members:
                        floors[index] = amount * floors[index] // min_sum
            split_amount(
                amount,
                members,
                mins=floors,
                requests=limited,
                weights=weights,
                lends=lends,
                names=node_names,
                rounding=rounding,
                into=runtime,
                # Weights stay in milli-units while amounts may be in whole units.
                unlimited_weight=amount * unit,
            )
        return runtime if unit == 1 else [value * unit for value in runtime]

    def weights(self, name: str) -> list[int | None]:
        """Every node's shared weight for one resource; ``None`` stands for an unlimited max.

        Runtime complexity: O(n) for n nodes, O(1) when no node sets a shared weight for it.
        """
        # Koordinator fills a missing shared-weight key from max; a key missing from max too
        # means "unlimited" (None), which weighs as much as everything the parent shares.
        maxes = self.maxes[name]
        shared = self.shared.get(name)
        if shared is None:
            return maxes
        return [
            high if weight is None else weight for weight, high in zip(shared, maxes, strict=True)
        ]

    def assemble(self, columns: list[list[int]]) -> dict[str, Resources]:
        """Node name → Resources over every resource name, from one column per resource.

        Each column becomes its (name, amount) pairs; zipping the columns then yields every
        node's sorted pairs directly.

        Runtime complexity: O(n · r) for n nodes and r resource names.
        """
        if not columns:
            return {node: Resources() for node in self.node_names}
        pairs = [
            list(zip(repeat(name), column))
            for name, column in zip(self.names, columns, strict=True)
        ]
        return dict(
            zip(
                self.node_names,
                map(Resources.from_sorted_pairs, zip(*pairs, strict=True)),
                strict=True,
            )
        )


def _negative_amounts(tree: QuotaTree) -> list[str]:
    problems: list[str] = []
    for node in tree.nodes:
        labelled = [("min", node.min), ("max", node.max)]
        if node.shared_weight is not None:
            labelled.append(("shared_weight", node.shared_weight))
        problems.extend(
            f"{node.name}: {label} {key}={amounts[key]} is negative"
            for label, amounts in labelled
            for key in amounts.negative_keys()
        )
    return problems


#: Marks the cluster total in error messages (a leaf may well be called "total").
_TOTAL = object()

#: One whole unit (a byte, a GPU) in milli-units.
_WHOLE_UNIT = 1000
