"""GPU memory sizing: the seed's 7B rule and Qwen3-8B on a 24 GiB A10."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invsched.errors import InvalidRequest
from invsched.placement import Precision, estimate_gpu_memory, instance_types_that_fit, load_catalog

GIB = 2**30


# Qwen3-8B (Hugging Face model card and config.json): 8.2B parameters, 36 layers,
# 8 KV heads (GQA, 32 query heads), head_dim 128; vLLM's max_model_len 8192 for the seed.
def qwen3_8b(
    precision: Precision,
    *,
    max_tokens: int = 8192,
    batch: int = 1,
    overhead: int = 2 * GIB,
    kv_precision: Precision | None = None,
) -> int:
    return estimate_gpu_memory(
        8_200_000_000,
        precision,
        layers=36,
        kv_heads=8,
        head_dim=128,
        max_tokens=max_tokens,
        batch=batch,
        overhead=overhead,
        kv_precision=kv_precision,
    )


def test_seven_billion_at_fp16_is_fourteen_gigabytes_of_weights() -> None:
    # The seed document: 7e9 parameters × 2 bytes = 14 GB.
    assert estimate_gpu_memory(7_000_000_000, Precision.FP16, overhead=0) == 14_000_000_000


@pytest.mark.parametrize(
    ("precision", "expected"),
    [
        (Precision.FP32, 28_000_000_000),
        (Precision.BF16, 14_000_000_000),
        (Precision.INT8, 7_000_000_000),
        (Precision.INT4, 3_500_000_000),
    ],
)
def test_bytes_per_parameter(precision: Precision, expected: int) -> None:
    assert estimate_gpu_memory(7_000_000_000, precision, overhead=0) == expected


def test_int4_rounds_up_to_whole_bytes() -> None:
    assert estimate_gpu_memory(3, Precision.INT4, overhead=0) == 2


def test_kv_cache_is_two_times_layers_heads_dim_bytes_tokens_batch() -> None:
    weights = 8_200_000_000 * 2
    kv = 2 * 36 * 8 * 128 * 2 * 8192  # 1,207,959,552 bytes = 1.125 GiB
    assert kv == 1_207_959_552
    assert qwen3_8b(Precision.BF16, overhead=0) == weights + kv
    assert qwen3_8b(Precision.BF16, batch=4, overhead=GIB) == weights + 4 * kv + GIB


def test_kv_cache_precision_can_differ_from_the_weights() -> None:
    int4_weights_fp16_cache = qwen3_8b(Precision.INT4, kv_precision=Precision.FP16, overhead=0)
    assert int4_weights_fp16_cache == 4_100_000_000 + 1_207_959_552


def test_qwen3_8b_with_8192_tokens_fits_a_24_gib_a10_at_095() -> None:
    needed = qwen3_8b(Precision.BF16)
    assert needed == 16_400_000_000 + 1_207_959_552 + 2 * GIB  # ≈ 18.4 GiB
    fitting = instance_types_that_fit(
        load_catalog(), needed, gpu_memory_utilization=Decimal("0.95")
    )
    names = [t.name for t in fitting]
    assert "ecs.gn7i-c8g1.2xlarge" in names
    assert fitting[0].gpu_memory == 24 * GIB  # the smallest GPUs that fit are 24 GiB
    assert all(t.gpu_memory is not None and t.gpu_memory >= 24 * GIB for t in fitting)
    assert "ecs.gn6i-c4g1.xlarge" not in names  # a 16 GiB T4 does not


def test_tensor_parallel_spreads_the_memory_over_gpus() -> None:
    needed = estimate_gpu_memory(70_000_000_000, Precision.BF16, overhead=0)  # 140 GB
    two = instance_types_that_fit(
        load_catalog(), needed, gpu_memory_utilization=Decimal("0.9"), gpus=2
    )
    assert {t.gpu_memory for t in two} == {80 * GIB, 96 * GIB}
    assert all(t.gpu_count >= 2 for t in two)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: estimate_gpu_memory(-1, Precision.FP16), "params: must be ≥ 0, got -1"),
        (
            lambda: estimate_gpu_memory(7.0, Precision.FP16),  # type: ignore[arg-type]
            "params: expected an int, got float 7.0",
        ),
        (
            lambda: estimate_gpu_memory(7, "fp16"),  # type: ignore[arg-type]
            "precision: expected one of Precision.FP32, Precision.BF16, Precision.FP16, "
            "Precision.INT8, Precision.INT4, got 'fp16'",
        ),
        (
            lambda: estimate_gpu_memory(7, Precision.FP16, batch=True),
            "batch: expected an int, got bool True",
        ),
        (
            lambda: instance_types_that_fit([], 1, gpu_memory_utilization=Decimal("1.5")),
            "gpu_memory_utilization: must be in (0, 1], got Decimal('1.5')",
        ),
        (
            lambda: instance_types_that_fit(
                [],
                1,
                gpu_memory_utilization=0.9,  # type: ignore[arg-type]
            ),
            "gpu_memory_utilization: expected a Decimal, got float 0.9",
        ),
        (lambda: instance_types_that_fit([], 1, gpus=0), "gpus: must be ≥ 1, got 0"),
    ],
)
def test_bad_input_names_the_field(call: object, message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        call()  # type: ignore[operator]
    assert str(caught.value) == message
