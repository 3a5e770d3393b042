"""The admission oracle: every invariant an admission cycle's answer must keep.

:func:`check_admission` re-derives, from the inputs and the result alone, every invariant an
:class:`~invsched.admission.AdmissionResult` must satisfy, by **replaying** the decisions in
their order: victims leave, the admitted unit must then fit every limit, and putting any one
of its victims back must break that fit. It shares no code with the cycle it checks.

The invariants are checked one function each, in
:mod:`invsched.testing._admission_checks`, on the facts the replay of
:mod:`invsched.testing._admission_replay` records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from invsched.admission import AdmissionResult, QueueUnit, Reclaim
from invsched.quota import QuotaTree
from invsched.testing._admission_checks import (
    DECISION_CHECKS,
    INPUT_CHECKS,
    REPLAY_CHECKS,
    SHAPE_CHECKS,
)
from invsched.testing._admission_replay import AdmissionCase, replay

__all__ = ["assert_admission_consistent", "check_admission"]


def check_admission(
    tree: QuotaTree,
    total: Mapping[str, int],
    pending: Sequence[QueueUnit],
    running: Sequence[QueueUnit],
    result: AdmissionResult,
    *,
    oversell: int | Fraction | Decimal = 1,
    reclaim: Reclaim | None = None,
) -> tuple[str, ...]:
    """The invariants ``result`` breaks, as readable sentences (empty when consistent).

    One check per invariant, in stages (a stage runs only if the ones before it found
    nothing, as later stages rely on what earlier ones vouch for). Checked: ``usage`` and
    ``runtime`` cover every node; every pending unit appears exactly once in ``admitted`` or
    ``pending`` and nothing else does; every detail is non-empty; units without a leaf quota
    (and only they) are ``NO_QUOTA``; ``REQUEST_EXCEEDS_MAX_EVER`` exactly when the request
    alone exceeds max × oversell on the path; admitted units have a leaf quota; ``runtime``
    equals ``runtime_quota`` over demand = running + pending; victims are distinct
    preemptible running units, each preempted for an admitted unit. Then the decisions are
    replayed in order: a ``RECLAIM`` victim comes from another leaf that, just before, used
    more than its runtime on a resource the preemptor requests; a ``WITHIN_QUOTA`` victim is
    of the same leaf and strictly lower priority; after its victims leave, each admitted unit
    fits max × oversell on its path, its runtime (or min, non-preemptible) and the total;
    putting any one victim back breaks that fit; the replayed usage equals ``usage``; no
    node ends above max × oversell, nor the cluster above the total, on a resource that
    an admitted unit requests.

    With ``reclaim`` given (the option :func:`~invsched.admission.admit` ran with), the
    answer is held to ``admit``'s whole contract, not only to the quota invariants. The
    replay then follows the documented order of consideration (units whose leaf stays
    within its min first, then the rest, each in queue order), so the admitted units must
    come in that order, and each pending unit is checked when its turn comes: it must break
    a limit then, its reason must name the first kind of limit broken (max on the path,
    then runtime — min for a non-preemptible unit —, then the total); and a unit left
    pending on an ancestor's max or the total must be one that taking back everything the
    quotas above their runtime lend could not admit.

    Runtime complexity: O((u + v²) · d · k) for u units, v victims per preemptor, depth d
    and k resource names.

    >>> from invsched.admission import admit
    >>> from invsched.quota import QuotaNode
    >>> from invsched.resources import Resources
    >>> cpu = Resources({"cpu": 4000})
    >>> tree = QuotaTree.from_nodes([QuotaNode(name="root", max=cpu, namespaces=("a",))])
    >>> units = [QueueUnit(name="x", namespace="a", request=cpu, created=0)]
    >>> check_admission(tree, cpu, units, (), admit(tree, units, total=cpu))
    ()
    """
    rate = Fraction(oversell) if not isinstance(oversell, Fraction) else oversell
    case = AdmissionCase(
        tree=tree,
        total=total,
        pending=tuple(pending),
        running=tuple(running),
        result=result,
        oversell=rate,
        reclaim=reclaim,
    )
    # Each stage vouches for what the next one indexes by (see _admission_checks).
    for stage in (SHAPE_CHECKS, DECISION_CHECKS, INPUT_CHECKS):
        problems = [problem for check in stage for problem in check(case)]
        if problems:
            return tuple(problems)
    trace = replay(case)
    return tuple(problem for check in REPLAY_CHECKS for problem in check(case, trace))


def assert_admission_consistent(
    tree: QuotaTree,
    total: Mapping[str, int],
    pending: Sequence[QueueUnit],
    running: Sequence[QueueUnit],
    result: AdmissionResult,
    *,
    oversell: int | Fraction | Decimal = 1,
    reclaim: Reclaim | None = None,
) -> None:
    """Raise ``AssertionError`` listing every invariant :func:`check_admission` finds broken.

    Runtime complexity: as :func:`check_admission`.

    >>> from invsched.admission import admit
    >>> from invsched.quota import QuotaNode
    >>> tree = QuotaTree.from_nodes([QuotaNode(name="root", namespaces=("a",))])
    >>> assert_admission_consistent(tree, {}, (), (), admit(tree, (), total={}))
    """
    problems = check_admission(
        tree, total, pending, running, result, oversell=oversell, reclaim=reclaim
    )
    if problems:
        raise AssertionError("inconsistent admission:\n  " + "\n  ".join(problems))
