"""``invsched size``: the GPU memory a model needs to serve, and the instance types that hold it.

Memory = weights (parameters × bytes per parameter) + KV cache for ``--max-model-len``
tokens (with the model's ``--layers``, ``--kv-heads`` and ``--head-dim``) + a buffer
(``--overhead``, 2Gi by default). A type fits when ``--gpus`` of its GPUs, used up to
``--gpu-memory-utilization`` (vLLM's default 0.9), hold it. The catalog is the packaged
Alibaba Cloud GPU catalog, or the catalog (with its prices) of the ``Fleet`` among the files
when files are given. Exit 1 when no type fits. JSON schema: ``schemas/size.json``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TextIO

from invsched.cli._command import (
    EXIT_FINDINGS,
    EXIT_OK,
    BadInput,
    Command,
    choice,
    decimal_option,
    parse_enum,
)
from invsched.cli._input import Skipped, note_skipped, read_inputs
from invsched.cli._output import Format, Report, Table, Text, emit
from invsched.errors import InvschedError
from invsched.placement.catalog import load_catalog
from invsched.placement.fleet import InstanceType
from invsched.placement.sizing import (
    DEFAULT_OVERHEAD,
    Precision,
    estimate_gpu_memory,
    instance_types_that_fit,
)
from invsched.quantity import parse_quantity
from invsched.resources import format_amount

__all__: list[str] = []

_GIB: Final = 2**30
#: Suffixes of ``--params``: thousand, million, billion (as in "8B"), trillion.
_SCALE: Final = {"k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}
#: The most parameters ``--params`` takes (10^15: a thousand times today's largest models).
_MAX_PARAMS: Final = 10**15
_KV_OPTIONS: Final = ("max_model_len", "layers", "kv_heads", "head_dim")
#: The ``Manifests`` fields this command reads (when given files).
_READS: Final = frozenset({"fleet"})


def _params(text: str) -> int:
    """``--params``: ``8e9``, ``8B``, ``8.2e9``, ``70b``, ``7000000000``."""
    number, scale = text.strip(), 1
    if number[-1:].lower() in _SCALE:
        number, scale = number[:-1], _SCALE[number[-1].lower()]
    try:
        value = Decimal(number)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0 or value.adjusted() > 15:
        raise argparse.ArgumentTypeError(
            f"expected a parameter count above 0 and at most 1e15 (8e9, 8B, 7000000000), "
            f"got {text!r}"
        )
    count = value * scale
    if count < 1:  # 1e-9999999999 underflows to 0 in decimal arithmetic
        raise argparse.ArgumentTypeError(
            f"expected a parameter count above 0 and at most 1e15 (8e9, 8B, 7000000000), "
            f"got {text!r}"
        )
    if count != count.to_integral_value() or count > _MAX_PARAMS:
        raise argparse.ArgumentTypeError(f"expected a whole number of parameters, got {text!r}")
    return int(count)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 < value <= 10**9:
        raise argparse.ArgumentTypeError(f"expected a number from 1 to 10^9, got {text!r}")
    return value


def _bytes(text: str) -> int:
    """``--overhead``: a quantity of bytes (``2Gi``, ``512Mi``, ``0``)."""
    try:
        milli = parse_quantity(text)
    except InvschedError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if milli < 0 or milli % 1000:
        raise argparse.ArgumentTypeError(f"expected whole bytes, at least 0, got {text!r}")
    return milli // 1000


def _share(text: str) -> Decimal:
    """``--gpu-memory-utilization``: an exact number in (0, 1]."""
    value = decimal_option(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number above 0 and at most 1, got {text!r}")
    return value


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    precisions = ", ".join(choice(p) for p in Precision)
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="manifests holding a Fleet, whose catalog replaces the packaged one",
    )
    parser.add_argument(
        "--params",
        type=_params,
        required=True,
        metavar="COUNT",
        help="parameters: 8e9, 8B or 8000000000",
    )
    parser.add_argument(
        "--precision",
        type=parse_enum(Precision),
        default=Precision.FP16,
        metavar="FORMAT",
        help=f"format of the weights: {precisions} (default: fp16)",
    )
    parser.add_argument(
        "--kv-precision",
        type=parse_enum(Precision),
        metavar="FORMAT",
        help="format of the KV cache (default: that of the weights)",
    )
    parser.add_argument(
        "--max-model-len",
        type=_count,
        metavar="TOKENS",
        help="tokens per sequence the KV cache holds",
    )
    for option, meaning in (
        ("--layers", "the model's num_hidden_layers"),
        ("--kv-heads", "the model's num_key_value_heads"),
        ("--head-dim", "the model's head_dim"),
    ):
        parser.add_argument(option, type=_count, metavar="N", help=meaning)
    parser.add_argument(
        "--batch", type=_count, default=1, metavar="N", help="sequences at once (default 1)"
    )
    parser.add_argument(
        "--overhead",
        type=_bytes,
        default=DEFAULT_OVERHEAD,
        metavar="BYTES",
        help="buffer for activations and CUDA graphs, in bytes or a quantity (default 2Gi)",
    )
    parser.add_argument(
        "--gpu-memory-utilization",
        type=_share,
        default=Decimal("0.9"),
        metavar="SHARE",
        help="share of each GPU's memory the server may use, in (0, 1] (default 0.9)",
    )
    parser.add_argument(
        "--gpus",
        type=_count,
        default=1,
        metavar="N",
        help="GPUs per replica (tensor parallel; default 1)",
    )
    parser.add_argument(
        "--limit",
        type=_count,
        metavar="N",
        help="list at most N fitting types (default: all)",
    )


def _check_kv_options(args: argparse.Namespace) -> None:
    given = [name for name in _KV_OPTIONS if getattr(args, name) is not None]
    if given and len(given) < len(_KV_OPTIONS):
        missing = ", ".join(
            "--" + name.replace("_", "-") for name in _KV_OPTIONS if name not in given
        )
        raise BadInput(f"the KV cache needs {missing} as well")


def _gib(amount: int) -> str:
    return str((Decimal(amount) / _GIB).quantize(Decimal("0.1")))


def _memory(amount: int | None) -> str:
    return "-" if amount is None else format_amount("memory", amount * 1000)


def _type_data(item: InstanceType) -> dict[str, Any]:
    return {
        "instance_type": item.name,
        "gpu_model": item.gpu_model,
        "gpus": item.gpu_count,
        "gpu_memory": item.gpu_memory,
        "hourly_price": None if item.hourly_price is None else str(item.hourly_price),
    }


def _model_line(model: dict[str, Any]) -> str:
    parts = [f"{model['precision']} weights"]
    if model["max_model_len"] is not None:
        parts.append(f"{model['kv_precision']} KV cache for {model['max_model_len']} tokens")
        parts.append(f"batch {model['batch']}")
    return f"GPU memory for {model['params']} parameters ({', '.join(parts)})"


def _report(data: dict[str, Any]) -> Report:
    memory = data["memory"]
    parts = Table(
        title=_model_line(data["model"]),
        columns=("part", "bytes", "GiB"),
        rows=[
            (label, str(memory[key]), _gib(memory[key]))
            for label, key in (
                ("weights", "weights"),
                ("kv cache", "kv_cache"),
                ("buffer", "overhead"),
                ("total", "total"),
            )
        ],
    )
    fitting = data["fitting"]
    gpus = "1 GPU" if data["gpus"] == 1 else f"{data['gpus']} GPUs"
    title = (
        f"Instance types that fit: {data['fitting_types']} of {data['catalog_types']} "
        f"({data['catalog']} catalog), {gpus} per replica at gpu-memory-utilization "
        f"{data['gpu_memory_utilization']}"
    )
    if len(fitting) < data["fitting_types"]:
        title += f"; the first {len(fitting)}"
    types = Table(
        title=title,
        columns=("instance type", "gpu model", "gpus", "gpu memory", "price/h"),
        rows=[
            (
                item["instance_type"],
                item["gpu_model"] or "-",
                str(item["gpus"]),
                _memory(item["gpu_memory"]),
                item["hourly_price"] or "-",
            )
            for item in fitting
        ],
    )
    blocks: list[Table | Text] = [parts, types]
    return Report(blocks=tuple(blocks))


def _size(args: argparse.Namespace, catalog: Sequence[InstanceType], source: str) -> dict[str, Any]:
    kv_precision = args.kv_precision or args.precision
    cache = {
        "layers": args.layers or 0,
        "kv_heads": args.kv_heads or 0,
        "head_dim": args.head_dim or 0,
        "max_tokens": args.max_model_len or 0,
        "batch": args.batch,
    }
    total = estimate_gpu_memory(
        args.params, args.precision, overhead=args.overhead, kv_precision=kv_precision, **cache
    )
    weights = estimate_gpu_memory(args.params, args.precision, overhead=0)
    fitting = instance_types_that_fit(
        catalog, total, gpu_memory_utilization=args.gpu_memory_utilization, gpus=args.gpus
    )
    return {
        "model": {
            "params": args.params,
            "precision": choice(args.precision),
            "kv_precision": choice(kv_precision),
            "max_model_len": args.max_model_len,
            "layers": args.layers,
            "kv_heads": args.kv_heads,
            "head_dim": args.head_dim,
            "batch": args.batch,
        },
        "memory": {
            "weights": weights,
            "kv_cache": total - weights - args.overhead,
            "overhead": args.overhead,
            "total": total,
        },
        "gpus": args.gpus,
        "gpu_memory_utilization": str(args.gpu_memory_utilization),
        "catalog": source,
        "catalog_types": len(catalog),
        "fitting_types": len(fitting),
        "fitting": [_type_data(item) for item in fitting[: args.limit]],
    }


def _catalog(args: argparse.Namespace) -> tuple[tuple[InstanceType, ...], str, list[Skipped]]:
    """The catalog to size against, where it comes from, and what the files held besides."""
    if not args.files:
        return load_catalog(), "packaged", []
    inputs = read_inputs(args.files)
    fleet = inputs.manifests.fleet
    if fleet is None:
        raise BadInput(f"{inputs.names}: no Fleet document")
    skipped = list(inputs.skipped(_READS))
    if args.output is Format.TABLE:
        note_skipped(skipped, "size")
    return fleet.fleet.catalog, f"Fleet {fleet.name}", skipped


def _run(args: argparse.Namespace, out: TextIO) -> int:
    _check_kv_options(args)
    catalog, source, skipped = _catalog(args)
    data = _size(args, catalog, source)
    data["skipped"] = [item.data() for item in skipped]
    emit(data, args.output, lambda: _report(data), out)
    return EXIT_OK if data["fitting_types"] else EXIT_FINDINGS


_COMMAND: Final = Command(
    name="size",
    summary="GPU memory a model needs, and the instance types that hold it",
    description=__doc__ or "",
    files="",
    add_arguments=_add_arguments,
    run=_run,
)
