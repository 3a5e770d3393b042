"""``invsched size``: the memory estimate and the catalog types that hold it."""

from __future__ import annotations

import json

import pytest

from invsched.placement.sizing import Precision, estimate_gpu_memory
from tests.cli.helpers import invoke, json_output

FLEET = "examples/placement/fleet.yaml"
QWEN3_8B = ["--params", "8.2e9", "--max-model-len", "8192", "--layers", "36"]
QWEN3_8B += ["--kv-heads", "8", "--head-dim", "128", "--gpu-memory-utilization", "0.95"]


def test_table_shows_the_parts_and_the_first_fitting_types() -> None:
    outcome = invoke(
        "size", "--params", "70B", "--precision", "int4", "--gpus", "8", "--limit", "3"
    )
    assert (outcome.status, outcome.err) == (0, "")
    assert outcome.out == (
        "GPU memory for 70000000000 parameters (int4 weights)\n"
        "PART      BYTES        GIB\n"
        "weights   35000000000  32.6\n"
        "kv cache  0            0.0\n"
        "buffer    2147483648   2.0\n"
        "total     37147483648  34.6\n"
        "\n"
        "Instance types that fit: 17 of 78 (packaged catalog), 8 GPUs per replica at "
        "gpu-memory-utilization 0.9; the first 3\n"
        "INSTANCE TYPE            GPU MODEL    GPUS  GPU MEMORY  PRICE/H\n"
        "ecs.ebmgn6v.24xlarge     NVIDIA V100  8     16Gi        -\n"
        "ecs.gn5-c8g1.14xlarge    NVIDIA P100  8     16Gi        -\n"
        "ecs.gn6v-c10g1.20xlarge  NVIDIA V100  8     16Gi        -\n"
    )


def test_the_parts_add_up_to_the_library_estimate() -> None:
    data = json_output("size", *QWEN3_8B)
    total = estimate_gpu_memory(
        8_200_000_000, Precision.FP16, layers=36, kv_heads=8, head_dim=128, max_tokens=8192
    )
    assert data["memory"] == {
        "weights": 16_400_000_000,
        "kv_cache": 2 * 36 * 8 * 128 * 2 * 8192,
        "overhead": 2 * 2**30,
        "total": total,
    }
    assert data["model"] == {
        "params": 8_200_000_000,
        "precision": "fp16",
        "kv_precision": "fp16",
        "max_model_len": 8192,
        "layers": 36,
        "kv_heads": 8,
        "head_dim": 128,
        "batch": 1,
    }
    assert (data["catalog"], data["catalog_types"], data["fitting_types"]) == ("packaged", 78, 50)
    assert len(data["fitting"]) == 50
    assert data["fitting"][0]["gpu_memory"] == 24 * 2**30


def test_a_fleet_among_the_files_brings_its_catalog_and_prices() -> None:
    data = json_output("size", *QWEN3_8B, FLEET, "--limit", "5")
    assert (data["catalog"], data["catalog_types"], data["fitting_types"]) == (
        "Fleet ack-one-fleet",
        79,
        50,
    )
    a10 = data["fitting"][4]
    assert (a10["instance_type"], a10["hourly_price"]) == ("ecs.gn7i-c8g1.2xlarge", "9.74")
    assert data["skipped"] == []


def test_files_without_a_fleet_are_bad_input() -> None:
    outcome = invoke("size", "--params", "8B", "examples/elasticquotatree.yaml")
    assert (outcome.status, outcome.err) == (
        2,
        "invsched: error: examples/elasticquotatree.yaml: no Fleet document\n",
    )


def test_nothing_fits_exits_1() -> None:
    data = json_output("size", "--params", "10T", "--precision", "fp32", status=1)
    assert (data["fitting_types"], data["fitting"]) == (0, [])
    outcome = invoke("size", "--params", "10T", "--precision", "fp32")
    assert outcome.status == 1
    assert outcome.out.splitlines()[-1] == (
        "Instance types that fit: 0 of 78 (packaged catalog), 1 GPU per replica at "
        "gpu-memory-utilization 0.9: none"
    )


@pytest.mark.parametrize(
    ("text", "params"),
    [
        ("8e9", 8_000_000_000),
        ("8.2e9", 8_200_000_000),
        ("8B", 8_000_000_000),
        ("8b", 8_000_000_000),
        ("1.5T", 1_500_000_000_000),
        ("350M", 350_000_000),
        ("7000000000", 7_000_000_000),
    ],
)
def test_parameter_counts(text: str, params: int) -> None:
    data = json.loads(invoke("size", "--params", text, "-o", "json").out)
    assert data["model"]["params"] == params


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--params", "abc"],
            "argument --params: expected a parameter count above 0 and at most 1e15 (8e9, "
            "8B, 7000000000), got 'abc'",
        ),
        (
            ["--params", "0"],
            "argument --params: expected a parameter count above 0 and at most "
            "1e15 (8e9, 8B, 7000000000), got '0'",
        ),
        (
            ["--params", "1e-9999999999"],
            "argument --params: expected a parameter count above 0 and at most "
            "1e15 (8e9, 8B, 7000000000), got '1e-9999999999'",
        ),
        (
            ["--params", "8.5"],
            "argument --params: expected a whole number of parameters, got '8.5'",
        ),
        (
            ["--params", "1e30"],
            "argument --params: expected a parameter count above 0 and at most 1e15 (8e9, 8B, "
            "7000000000), got '1e30'",
        ),
        (
            ["--params", "8B", "--layers", "x"],
            "argument --layers: expected a whole number, got 'x'",
        ),
        (
            ["--params", "8B", "--gpu-memory-utilization", "0"],
            "argument --gpu-memory-utilization: expected a number above 0 and at most 1, got '0'",
        ),
        (
            ["--params", "8B", "--overhead", "1.5"],
            "argument --overhead: expected whole bytes, at least 0, got '1.5'",
        ),
        (
            ["--params", "8B", "--precision", "fp8"],
            "argument --precision: expected one of fp32, bf16, fp16, int8, int4, got 'fp8'",
        ),
    ],
)
def test_bad_options_are_usage_errors(argv: list[str], message: str) -> None:
    outcome = invoke("size", *argv)
    assert outcome.status == 2
    assert outcome.err.splitlines()[-1] == f"invsched size: error: {message}"


def test_the_kv_cache_needs_the_whole_attention_shape() -> None:
    outcome = invoke("size", "--params", "8B", "--max-model-len", "8192", "--layers", "36")
    assert (outcome.status, outcome.err) == (
        2,
        "invsched: error: the KV cache needs --kv-heads, --head-dim as well\n",
    )


def test_overhead_as_a_quantity() -> None:
    data = json_output("size", "--params", "8B", "--overhead", "512Mi")
    assert data["memory"]["overhead"] == 512 * 2**20
