"""The seed ElasticQuotaTree (examples/elasticquotatree.yaml), loaded once per call."""

from __future__ import annotations

from pathlib import Path

import yaml

from invsched.quota import QuotaTree

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "elasticquotatree.yaml"


def seed_tree() -> QuotaTree:
    """The seed tree, read from the example manifest as a user would."""
    documents = list(yaml.safe_load_all(EXAMPLE.read_text(encoding="utf-8")))
    return QuotaTree.from_manifest(documents[-1])
