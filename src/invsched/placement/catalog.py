"""The packaged catalog of Alibaba Cloud GPU instance types (``data/``, read on demand).

The CSV lists vCPU, memory, GPU model, GPU count and memory per GPU of 78 ECS GPU instance
types, from Alibaba Cloud's ECS documentation ("GPU-accelerated compute-optimized instance
families"); see ``data/README.md``. It has no prices: Alibaba publishes none that are
static, so callers pass their own.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from decimal import Decimal
from importlib import resources

from invsched._validators import FieldError, check_decimal, check_mapping, check_name, render
from invsched.errors import InvalidFleet
from invsched.placement.fleet import InstanceType
from invsched.resources import Resources

__all__ = ["CATALOG_FILE", "load_catalog"]

#: The packaged CSV, inside ``invsched.placement.data``.
CATALOG_FILE = "alibaba_gpu_instance_types.csv"

_GIB = 2**30


def _price(error: FieldError, field: str, value: object) -> Decimal:
    return check_decimal(error, field, value)


def _instance_type(row: Mapping[str, str], prices: Mapping[str, Decimal]) -> InstanceType:
    name = row["instance_type"]
    gpus = int(row["gpu_count"])
    allocatable = Resources.parse(
        {"cpu": row["vcpu"], "memory": f"{row['memory_gib']}Gi", "nvidia.com/gpu": gpus},
        field=name,
    )
    # The documentation prints GPU memory in "GB" that are binary (24 GB A10 = 24 GiB).
    gpu_memory = int(row["gpu_memory_gib"]) * _GIB if row["gpu_memory_gib"] else None
    price_text = row["price_per_hour"]
    price = prices.get(name, Decimal(price_text) if price_text else None)
    return InstanceType(
        name=name,
        allocatable=allocatable,
        gpu_model=row["gpu_model"],
        hourly_price=price,
        gpu_memory=gpu_memory,
    )


def load_catalog(prices: Mapping[str, Decimal] | None = None) -> tuple[InstanceType, ...]:
    """The packaged GPU instance types, sorted by name, with the given hourly prices.

    ``allocatable`` is the instance's full vCPU, memory and GPUs (a real node reserves a
    little for the system: pass your own catalog when that matters). ``gpu_memory`` is in
    bytes. Types missing from ``prices`` have ``hourly_price`` ``None``.

    Raises:
        InvalidFleet: ``prices`` is not a mapping, names a type that is not in the catalog,
            or a price is not a finite ``Decimal`` ≥ 0 below 10^100.

    Runtime complexity: O(r log r) for r rows (78).

    >>> from decimal import Decimal
    >>> catalog = load_catalog({"ecs.gn7i-c8g1.2xlarge": Decimal("9.74")})
    >>> a10 = next(t for t in catalog if t.name == "ecs.gn7i-c8g1.2xlarge")
    >>> len(catalog), a10.gpu_model, a10.gpu_count, a10.gpu_memory, a10.hourly_price
    (78, 'NVIDIA A10', 1, 25769803776, Decimal('9.74'))
    """
    chosen: dict[str, Decimal] = (
        {} if prices is None else check_mapping(InvalidFleet, "prices", prices, check_name, _price)
    )
    text = resources.files("invsched.placement.data").joinpath(CATALOG_FILE).read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    known = {row["instance_type"] for row in rows}
    for name in chosen:
        if name not in known:
            raise InvalidFleet(
                f"prices[{render(name)}]", "unknown instance type, not in the catalog"
            )
    return tuple(sorted((_instance_type(row, chosen) for row in rows), key=lambda t: t.name))
