"""Run every benchmark module (bench/<name>.py with a ``run()``) and print one table.

Usage: ``python -m bench [name ...]`` (e.g. ``python -m bench storage``).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = argv or sorted(
        m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_")
    )
    rows = []
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        for row in module.run():
            rows.append({"bench": name, **row})
    width = max((len(r["name"]) for r in rows), default=10)
    print(f"{'benchmark':<{width}}  {'app s':>9}  {'floor s':>9}  {'ratio':>6}  goal")
    for r in rows:
        floor = r.get("floor_seconds")
        ratio = r.get("ratio")
        print(
            f"{r['name']:<{width}}  {r['app_seconds']:>9.4f}  "
            f"{(floor if floor is not None else float('nan')):>9.4f}  "
            f"{(ratio if ratio is not None else float('nan')):>6.2f}  {r.get('goal', '')}"
        )
    out = Path("bench-results.json")
    out.write_text(json.dumps(rows, indent=2))
    print(f"(details in {out})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
