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

from collections.abc import Mapping
from itertools import chain

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
        InvalidRequest: a request names an unknown quota or a parent quota, or holds a
            negative or non-int amount (the field is ``requests['name'].resource``).
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
        InvalidRequest: a request names an unknown or parent quota, or an amount in
            ``requests`` or ``total`` is negative or not an int (the message names the field).
        InvalidQuotaTree: a node of the tree holds a negative amount.

    Runtime complexity: O(n · r) plus the sorting of largest remainders, for n nodes and r
    resource names; iterative, so a 10⁴-deep tree is fine.

    >>> from invsched.quota.tree import QuotaNode, QuotaTree
    >>> def quota(name, low, high, **links):
    ...     cpu = lambda amount: Resources({"cpu": amount})
    ...     return QuotaNode(name=name, min=cpu(low), max=cpu(high), **links)
    >>> tree = QuotaTree.from_nodes([
    ...     quota("root", 100, 100, children=("A", "B", "C", "D")),
    ...     quota("A", 10, 40, parent="root"), quota("B", 15, 60, parent="root"),
    ...     quota("C", 20, 50, parent="root"), quota("D", 15, 80, parent="root"),
    ... ])
    >>> demand = {"A": {"cpu": 5}, "B": {"cpu": 20}, "C": {"cpu": 40}, "D": {"cpu": 70}}
    >>> {name: r["cpu"] for name, r in runtime_quota(tree, demand, {"cpu": 100}).items()}
    {'root': 100, 'A': 5, 'B': 20, 'C': 35, 'D': 40}
    """
    if not isinstance(rounding, Rounding):
        raise InvalidRequest("rounding", f"expected a Rounding, got {rounding!r}")
    if type(scale_min) is not bool:
        raise InvalidRequest("scale_min", f"expected a bool, got {scale_min!r}")
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


def _amounts(where: object, amounts: object) -> dict[str, int]:
    """A checked plain-dict copy of one resource vector given by the caller.

    ``where`` is the leaf a request belongs to, or ``_TOTAL`` for the cluster total; the
    field text is only built on the error path.
    """
    if type(amounts) is Resources:
        # Resources already holds only named ints; only the sign is left to check.
        plain = _plain(amounts)
        if plain and min(plain.values()) < 0:
            key = amounts.negative_keys()[0]
            field = _field(where)
            raise InvalidRequest(f"{field}.{key}", f"must not be negative, got {amounts[key]}")
        return plain
    field = _field(where)
    if not isinstance(amounts, Mapping):
        raise InvalidRequest(field, f"expected a mapping of resource amounts, got {amounts!r}")
    for key, amount in amounts.items():
        if not isinstance(key, str) or not key:
            raise InvalidRequest(field, f"a resource name must be a non-empty string, got {key!r}")
        if type(amount) is not int:
            raise InvalidRequest(
                f"{field}.{key}", f"expected an int of milli-units, got {type(amount).__name__}"
            )
        if amount < 0:
            raise InvalidRequest(f"{field}.{key}", f"must not be negative, got {amount}")
    return dict(amounts)


def _field(where: object) -> str:
    return "total" if where is _TOTAL else f"requests[{where!r}]"


def _plain(amounts: Resources) -> dict[str, int]:
    # ``items_`` is the record's own sorted (name, amount) tuple: reading it directly keeps the
    # O(1)-lookup copy cheap on 10^4-node trees (the Mapping protocol scans per key).
    return dict(amounts.items_)


class _Table:
    """The tree as parallel lists indexed by pre-order position, with plain-dict amounts."""

    def __init__(
        self, tree: QuotaTree, requests: Mapping[str, Mapping[str, int]], names: set[str]
    ) -> None:
        nodes = tree.nodes
        position = {node.name: index for index, node in enumerate(nodes)}
        self.node_names = [node.name for node in nodes]
        self.parents = [-1 if node.parent is None else position[node.parent] for node in nodes]
        self.is_leaf = [not node.children for node in nodes]
        self.lends = [node.allow_lent for node in nodes]
        own: dict[int, dict[str, int]] = {}
        for leaf, amounts in requests.items():
            index = position.get(leaf) if isinstance(leaf, str) else None
            if index is None:
                raise InvalidRequest(_field(leaf), f"no quota named {leaf!r} in the tree")
            if not self.is_leaf[index]:
                raise InvalidRequest(
                    _field(leaf), f"{leaf!r} is a parent quota; only leaves take requests"
                )
            own[index] = _amounts(leaf, amounts)
        self.own = [own.get(index, _NOTHING) for index in range(len(nodes))]
        self.mins = [_plain(node.min) for node in nodes]
        self.maxes = [_plain(node.max) for node in nodes]
        # Upstream treats an all-zero shared-weight annotation as absent (QuotaInfo update).
        self.weights = [
            None
            if node.shared_weight is None or node.shared_weight.is_zero()
            else _plain(node.shared_weight)
            for node in nodes
        ]
        tables = (self.mins, self.maxes, [weight for weight in self.weights if weight])
        for table in (*tables, own.values()):
            names.update(*table)
        # One C-level pass finds whether any amount is negative; the rare error path then
        # names every offender.
        if min(chain.from_iterable(amounts.values() for amounts in chain(*tables)), default=0) < 0:
            raise InvalidQuotaTree(_negative_amounts(tree))
        self.names = tuple(sorted(names))
        # The root is split from the cluster total as the only member of a virtual cluster
        # node, the way Koordinator's top-level quotas share the cluster total.
        self.groups: list[tuple[int, list[int], list[str], list[bool]]] = [
            (-1, [0], [nodes[0].name], [nodes[0].allow_lent])
        ]
        for index, node in enumerate(nodes):
            if node.children:
                members = [position[child] for child in node.children]
                self.groups.append(
                    (index, members, list(node.children), [self.lends[m] for m in members])
                )

    @classmethod
    def build(
        cls, tree: QuotaTree, requests: Mapping[str, Mapping[str, int]], total: Mapping[str, int]
    ) -> _Table:
        """Check the inputs and index the tree."""
        if not isinstance(tree, QuotaTree):
            raise InvalidRequest("tree", f"expected a QuotaTree, got {type(tree).__name__}")
        if not isinstance(requests, Mapping):
            raise InvalidRequest("requests", f"expected a mapping, got {type(requests).__name__}")
        return cls(tree, requests, set(_amounts(_TOTAL, total)))

    def limited_requests(self, name: str) -> list[int]:
        """Bottom-up, one resource: request raised to min when not lending, capped by max."""
        count = len(self.parents)
        request = [0] * count
        parents, is_leaf, lends = self.parents, self.is_leaf, self.lends
        own, mins, maxes = self.own, self.mins, self.maxes
        for index in range(count - 1, -1, -1):
            # Reverse pre-order visits every child before its parent.
            amount = own[index].get(name, 0) if is_leaf[index] else request[index]
            if not lends[index]:
                amount = max(amount, mins[index].get(name, 0))
            cap = maxes[index].get(name)
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
        """Top-down, one resource: the root from ``total``, then each parent to its children."""
        runtime = [0] * len(self.parents)
        min_column = [amounts.get(name, 0) for amounts in self.mins]
        # Koordinator shares cpu in milli-units but every other resource in whole units
        # (getQuantityValue: MilliValue for cpu, Value otherwise), so 3 spare GPUs go to three
        # quotas as whole GPUs instead of 300m to each of ten. Scaling every amount by the same
        # factor keeps the sharing exact; it is done only when all amounts are whole units.
        unit = 1 if name == "cpu" else _WHOLE_UNIT
        if unit > 1 and (
            total % unit
            or any(value % unit for value in min_column)
            or any(value % unit for value in limited)
        ):
            unit = 1
        if unit > 1:
            total //= unit
            min_column = [value // unit for value in min_column]
            limited = [value // unit for value in limited]
        # Koordinator fills a missing shared-weight key from max; a key missing from max too
        # means "unlimited" (None here), which weighs as much as everything the parent shares.
        weight_column = [
            weights[name] if weights is not None and name in weights else high.get(name)
            for weights, high in zip(self.weights, self.maxes, strict=True)
        ]
        for parent, members, member_names, member_lends in self.groups:
            # Pre-order: a parent's runtime is final before its children are split.
            amount = total if parent < 0 else runtime[parent]
            mins = [min_column[index] for index in members]
            if scale_min:
                min_sum = sum(mins)
                if amount < min_sum:
                    # Koordinator scales every child's min when the parent cannot cover them
                    # all (ScaleMinQuotaManager.getScaledMinQuota); exact floor, not float64.
                    mins = [amount * value // min_sum for value in mins]
            weights = [weight_column[index] for index in members]
            parts = split_amount(
                amount,
                names=member_names,
                mins=mins,
                requests=[limited[index] for index in members],
                weights=[amount if weight is None else weight for weight in weights],
                lends=member_lends,
                rounding=rounding,
            )
            for index, part in zip(members, parts, strict=True):
                runtime[index] = part
        return runtime if unit == 1 else [value * unit for value in runtime]

    def assemble(self, columns: list[list[int]]) -> dict[str, Resources]:
        """Node name → Resources over every resource name, from one column per resource."""
        names = self.names
        if not columns:
            return {node: Resources() for node in self.node_names}
        return {
            node: Resources._from_sorted_items(tuple(zip(names, amounts, strict=True)))
            for node, amounts in zip(self.node_names, zip(*columns, strict=True), strict=True)
        }


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


_NOTHING: dict[str, int] = {}

#: Marks the cluster total in error messages (a leaf may well be called "total").
_TOTAL = object()

#: One whole unit (a byte, a GPU) in milli-units.
_WHOLE_UNIT = 1000
