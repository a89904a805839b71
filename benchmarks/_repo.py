"""The repository on ``sys.path`` as pytest has it.

The root (for tests.support) and the handler modules' directories (imported as
top-level modules, as in Lambda).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "trading_function", ROOT / "event_router_function"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
