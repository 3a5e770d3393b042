"""``python -m invsched.cli``: the same as the ``invsched`` console script."""

from __future__ import annotations

import sys

from invsched.cli import main

sys.exit(main())
