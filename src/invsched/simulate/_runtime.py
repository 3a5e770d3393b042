"""The runtime quota of every cycle, with the quota module's own arithmetic and its layout
of the tree built once.

:func:`~invsched.quota.runtime_quota` checks its arguments, lays the tree out as columns
(min, max, shared weight per resource) and shares every resource down the tree. In a
simulation the tree never changes and the demand comes from the simulator's own sums, so
:class:`RuntimeColumns` keeps that layout and shares only the resources the jobs request,
through the same per-resource pass (``_Table.runtime``): the numbers are those
``runtime_quota`` gives, which is what :func:`~invsched.admission.admit` decides with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from invsched.quota._share import Rounding
from invsched.quota.runtime import _Table
from invsched.quota.tree import QuotaTree
from invsched.resources import Resources

__all__ = ["RuntimeColumns"]


class RuntimeColumns:
    """Runtime per resource as a column over the nodes in pre-order, from leaf demand."""

    def __init__(self, tree: QuotaTree, names: Sequence[str], total: Resources) -> None:
        self.names = list(names)
        self.total = total
        self.size = len(tree.nodes)
        # Asking for nothing of every resource names them all in the table: a resource the
        # tree and the total lack still gets its (no-min, unlimited) columns.
        leaf = tree.leaves[0].name
        self.table = _Table.build(tree, {leaf: dict.fromkeys(self.names, 0)}, total)

    def columns(self, demand: Mapping[int, Mapping[str, int]]) -> dict[str, list[int]]:
        """Resource name → runtime of every node, for ``demand`` (leaf position → amounts
        requested by its running and pending units).

        Runtime complexity: O(n · k) for n nodes and k resource names.
        """
        table = self.table
        own = {name: [0] * self.size for name in self.names}
        for leaf, amounts in demand.items():
            for name, amount in amounts.items():
                own[name][leaf] = amount
        table.own = own
        return {
            name: table.runtime(
                name,
                table.limited_requests(name),
                total=self.total.get(name, 0),
                scale_min=True,
                rounding=Rounding.LARGEST_REMAINDER,
            )
            for name in self.names
        }
