"""GPU memory sizing for LLM inference: weights + KV cache + a buffer, in integer bytes.

The rule of ACK's inventory-aware scheduling guide: GPU memory = parameters × bytes per
parameter (7B at FP16 = 7e9 × 2 = 14 GB of weights), plus the KV cache for the longest
context, plus a buffer (activations, CUDA graphs, allocator slack). The KV cache holds a key
and a value vector per layer, KV head and token:
``2 × layers × kv_heads × head_dim × bytes × max_tokens × batch``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from invsched._validators import check_count, check_decimal, check_enum, check_tuple_of, render
from invsched.errors import InvalidRequest
from invsched.placement.fleet import InstanceType

__all__ = ["DEFAULT_OVERHEAD", "Precision", "estimate_gpu_memory", "instance_types_that_fit"]

#: The default buffer: 2 GiB for activations, CUDA graphs and allocator slack.
DEFAULT_OVERHEAD = 2 * 2**30


class Precision(enum.Enum):
    """Numeric format of weights (or KV cache); ``half_bytes`` keeps INT4 integral."""

    FP32 = "fp32"
    BF16 = "bf16"
    FP16 = "fp16"
    INT8 = "int8"
    INT4 = "int4"

    @property
    def half_bytes(self) -> int:
        """Size of one value in half-bytes (FP32 8, BF16/FP16 4, INT8 2, INT4 1)."""
        return {"fp32": 8, "bf16": 4, "fp16": 4, "int8": 2, "int4": 1}[self.value]


def estimate_gpu_memory(
    params: int,
    precision: Precision,
    *,
    layers: int = 0,
    kv_heads: int = 0,
    head_dim: int = 0,
    max_tokens: int = 0,
    batch: int = 1,
    overhead: int = DEFAULT_OVERHEAD,
    kv_precision: Precision | None = None,
) -> int:
    """Bytes of GPU memory to serve a model: weights + KV cache + ``overhead``.

    Args:
        params: number of parameters.
        precision: format of the weights.
        layers: hidden layers (``num_hidden_layers`` of the model config); 0 leaves out the
            KV cache, as does 0 for ``kv_heads`` or ``head_dim``.
        kv_heads: key/value attention heads (``num_key_value_heads``).
        head_dim: the size of one head (``head_dim``).
        max_tokens: tokens per sequence to hold (``max_model_len``).
        batch: sequences held at once.
        overhead: buffer bytes added on top.
        kv_precision: format of the KV cache; defaults to ``precision``.

    Weights and KV cache round up to whole bytes.

    Raises:
        InvalidRequest: a count is not an ``int`` ≥ 0 below 10^100, or a precision is not a
            ``Precision``.

    Runtime complexity: O(1).

    >>> estimate_gpu_memory(7_000_000_000, Precision.FP16, overhead=0)
    14000000000
    >>> estimate_gpu_memory(8, Precision.INT4, overhead=0)
    4
    """
    for name, value in (
        ("params", params),
        ("layers", layers),
        ("kv_heads", kv_heads),
        ("head_dim", head_dim),
        ("max_tokens", max_tokens),
        ("batch", batch),
        ("overhead", overhead),
    ):
        check_count(InvalidRequest, name, value)
    check_enum(InvalidRequest, "precision", precision, Precision)
    kv = (
        precision
        if kv_precision is None
        else check_enum(InvalidRequest, "kv_precision", kv_precision, Precision)
    )
    weights = -(-params * precision.half_bytes // 2)
    cache = -(-2 * layers * kv_heads * head_dim * kv.half_bytes * max_tokens * batch // 2)
    return weights + cache + overhead


def instance_types_that_fit(
    catalog: Iterable[InstanceType],
    memory: int,
    *,
    gpu_memory_utilization: Decimal = Decimal("0.9"),
    gpus: int = 1,
) -> tuple[InstanceType, ...]:
    """The instance types whose ``gpus`` GPUs hold ``memory`` bytes at the given utilisation.

    A type fits when it has at least ``gpus`` GPUs and ``gpus × gpu_memory ×
    gpu_memory_utilization ≥ memory`` (vLLM's ``--gpu-memory-utilization``, default 0.9;
    ``gpus`` is the tensor-parallel size). Types whose GPU memory is unknown never fit.
    The result is sorted by GPU memory, then GPU count, then name (smallest first).

    Raises:
        InvalidRequest: ``catalog`` is not a sequence of :class:`InstanceType`, ``memory`` or
            ``gpus`` is not an ``int`` ≥ 0 (``gpus`` ≥ 1) below 10^100, or the utilisation is
            not a ``Decimal`` in (0, 1].

    Runtime complexity: O(t log t) for t catalog entries.

    >>> from invsched.resources import Resources
    >>> a10 = InstanceType(name="a10", allocatable=Resources.parse({"nvidia.com/gpu": 1}),
    ...     gpu_memory=24 * 2**30)
    >>> [t.name for t in instance_types_that_fit([a10], 20 * 2**30)]
    ['a10']
    >>> instance_types_that_fit([a10], 23 * 2**30)
    ()
    """
    types = check_tuple_of(InvalidRequest, "catalog", catalog, InstanceType)
    check_count(InvalidRequest, "memory", memory)
    check_count(InvalidRequest, "gpus", gpus, minimum=1)
    check_decimal(InvalidRequest, "gpu_memory_utilization", gpu_memory_utilization)
    if not 0 < gpu_memory_utilization <= 1:
        raise InvalidRequest(
            "gpu_memory_utilization", f"must be in (0, 1], got {render(gpu_memory_utilization)}"
        )
    share = Fraction(gpu_memory_utilization)
    fitting = [
        item
        for item in types
        if item.gpu_memory is not None
        and item.gpu_count >= gpus
        and gpus * item.gpu_memory * share >= memory
    ]
    return tuple(sorted(fitting, key=lambda t: (t.gpu_memory or 0, t.gpu_count, t.name)))
