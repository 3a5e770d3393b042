"""Queue admission and reclaim: one cycle decides every pending unit (koord-queue + Koordinator).

Records live in :mod:`invsched.admission.units`, the cycle in :mod:`invsched.admission.cycle`
and victim selection in :mod:`invsched.admission.reclaim`.
"""

from __future__ import annotations

from invsched.admission.cycle import admit
from invsched.admission.reclaim import revoke, select_victims
from invsched.admission.units import (
    AdmissionResult,
    Pending,
    Preemption,
    PreemptionReason,
    QueuePolicy,
    QueueUnit,
    Reason,
    Reclaim,
    order_key,
)

__all__ = [
    "AdmissionResult",
    "Pending",
    "Preemption",
    "PreemptionReason",
    "QueuePolicy",
    "QueueUnit",
    "Reason",
    "Reclaim",
    "admit",
    "order_key",
    "revoke",
    "select_victims",
]
