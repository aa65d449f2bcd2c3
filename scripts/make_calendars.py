"""Regenerate resources/calendars/ca-holidays.json from the rules of RULES.md E.1 / E.3.

    .venv/bin/python scripts/make_calendars.py [--first 2024] [--last 2035] [--check]

The ``holidays`` package (pinned minimum in pyproject.toml) only supplies raw dates of named
holidays; the whitelists and observance rules are ours (imrdesktop/domain/calendars.py).
``--check`` compares with the committed file instead of writing it (exit 1 if different).
Review the diff of every regenerated year against the published CalHR and court calendars
before committing (docs/calendars.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from imrdesktop.domain.calendars import calendar_data  # noqa: E402

OUT = ROOT / "resources" / "calendars" / "ca-holidays.json"


def build(first: int, last: int) -> str:
    import holidays

    data = calendar_data(range(first, last + 1), holidays.__version__)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=int, default=2024)
    parser.add_argument("--last", type=int, default=2035)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = build(args.first, args.last)
    if args.check:
        same = OUT.is_file() and OUT.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{OUT} differs from the rules")
        return 0 if same else 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
