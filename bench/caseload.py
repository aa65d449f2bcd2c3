"""Caseload benchmarks (issue 8): a vault of 1,000 generated fictional cases. Run:
``.venv/bin/python -m bench caseload`` (or ``.venv/bin/python bench/caseload.py``).

1. opening the caseload: unlock (the fast test KDF: the production Argon2id cost is
   ``bench/storage.py``'s) + ``VaultSession.list_cases()`` (read, decrypt and parse the index,
   reconcile it with the case files, build the rows: derived status label, days left, risk,
   sort) vs the floor of reading + AES-GCM decrypting + ``json.loads`` of the same summaries
   in one blob (goal < 0.5 s);
2. the first ``list_cases()`` alone, after unlock, vs the same floor;
3. search as you type, as the GUI's case list does (casefolded "name member id case number"
   per row, built once; every word typed must be in it): the slowest keystroke of typing a
   name, a member id and a case number over the 1,000 rows vs a bare ``needle in text`` scan
   of the same strings (goal < 50 ms per keystroke).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench._common import median as _median
from bench._common import row as _row

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from imrdesktop.storage import kdf

PASSPHRASE = "benchmark passphrase with enough words"  # noqa: S105 - a throwaway vault
N_CASES = 1000
TODAY = dt.date(2026, 3, 10)

FIRST = ("Ana", "Bích", "Carlos", "Dương", "Esperanza", "Fatima", "Gia", "Hùng", "Imani", "José")
LAST = ("Nguyễn", "García", "Trần", "López", "Smith", "Lê", "Hernández", "Phạm", "Kim", "Johnson")
PLANS = ("Sample Health Plan", "Golden Sample HMO", "Fictional Care Medi-Cal")


def _fast_kdf() -> None:
    """The cheap test KDF, as tests/conftest.py sets it (both variables are needed)."""
    os.environ[kdf.FAST_KDF_ENV] = "1"
    os.environ[kdf.ALLOW_TEST_KDF_ENV] = "1"


def _day(rng: random.Random, lo: int, hi: int) -> str:
    return (TODAY - dt.timedelta(days=rng.randint(lo, hi))).isoformat()


def fictional_record(i: int, rng: random.Random, assessments: list[dict]) -> dict:
    """One generated fictional case at a random stage: timeline, facts, an assessment."""
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i:04d}"
    record: dict = {
        "enrollee": {
            "name": name,
            "phone": f"(415) 555-{i % 10000:04d}",
            "contact_preference": rng.choice(("phone", "email", "mail", "text")),
        },
        "plan": {"name": rng.choice(PLANS), "member_id": f"XKA-{rng.randint(0, 10**7):07d}"},
        "service": "Fictional treatment",
        "denial": {"action": "denied", "stated_reason": "Not medically necessary (fictional)."},
        "facts": {"regulator": "dmhc", "denial_reason": "med_necessity"},
    }
    stage = rng.randint(0, 7)
    denial = _day(rng, 60, 170)
    timeline = [{"event": "denial", "date": denial, "notes": ""}]
    steps = [
        ("grievance_filed", None),
        ("plan_answered", "upheld"),
        ("imr_mailed", None),
        ("dmhc_acknowledged", None),
        ("decision", rng.choice(("overturned", "upheld", "withdrawn", "plan_reversed"))),
        ("plan_complied", None),
    ]
    last = dt.date.fromisoformat(denial)
    for event, outcome in steps[: max(0, stage - 1)]:
        last = min(TODAY, last + dt.timedelta(days=rng.randint(2, 12)))
        item = {"event": event, "date": last.isoformat(), "notes": "", "outcome": outcome}
        timeline.append(item)
    if stage:
        record["timeline"] = timeline
    if stage != 1:
        record["assessment"] = rng.choice(assessments)
    return record


def make_vault(path: Path, n_cases: int = N_CASES) -> int:
    """A vault of ``n_cases`` generated fictional cases; returns the count."""
    from imrdesktop.services.assessment import assess_facts
    from imrdesktop.services.session import VaultSession
    from imrdesktop.storage.vault import Vault

    rng = random.Random(8)
    assessments = []
    for days in (40, 90, 150, 175, 190):
        facts = {
            "regulator": "dmhc",
            "denial_reason": "med_necessity",
            "provider_recommended_or_in_plan_visit": True,
            "plan_written_decision_date": (TODAY - dt.timedelta(days=days + 35)).isoformat(),
            "grievance": {
                "filed_date": (TODAY - dt.timedelta(days=days + 30)).isoformat(),
                "decision_date": (TODAY - dt.timedelta(days=days)).isoformat(),
                "outcome": "upheld",
            },
        }
        assessments.append(assess_facts(facts, TODAY)[1])
    vault, _key = Vault.create(path, PASSPHRASE)
    session = VaultSession(vault, today=lambda: TODAY)
    for i in range(n_cases):
        session.create_case(fictional_record(i, rng, assessments))
    session.lock()
    return n_cases


def bench_open(path: Path, work: Path, runs: int = 5) -> list[dict]:
    from imrdesktop.services.session import VaultSession
    from imrdesktop.storage.vault import Vault

    def open_and_list() -> tuple[float, float]:
        start = time.perf_counter()
        vault = Vault.open(path, PASSPHRASE)
        unlocked = time.perf_counter()
        session = VaultSession(vault, today=lambda: TODAY)
        rows = session.list_cases()
        end = time.perf_counter()
        assert len(rows) == N_CASES
        session.lock()
        return end - start, end - unlocked

    timings = [open_and_list() for _ in range(runs)]
    total = statistics.median(t[0] for t in timings)
    listed = statistics.median(t[1] for t in timings)

    # floor: the same summaries, one encrypted blob: read + decrypt + json.loads
    vault = Vault.open(path, PASSPHRASE)
    summaries = {c.case_id: c.summary for c in vault.list_cases()}
    vault.lock()
    key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    blob = work / "index-floor.bin"
    blob.write_bytes(nonce + AESGCM(key).encrypt(nonce, json.dumps(summaries).encode(), None))

    def floor() -> float:
        start = time.perf_counter()
        data = blob.read_bytes()
        loaded = json.loads(AESGCM(key).decrypt(data[:12], data[12:], None))
        elapsed = time.perf_counter() - start
        assert len(loaded) == N_CASES
        return elapsed

    floor_s = _median(floor, runs)
    return [
        _row(
            f"open caseload: unlock + list {N_CASES} cases",
            total,
            floor_s,
            "< 0.5 s",
            f"fast test KDF (production Argon2id: bench/storage.py); median of {runs}",
        ),
        _row(
            f"list_cases() of {N_CASES} after unlock",
            listed,
            floor_s,
            "< 0.5 s",
            "index read+decrypt+parse, reconcile, rows (status label, days left, risk), "
            f"sorted; floor: read+decrypt+json.loads of the same summaries; median of {runs}",
        ),
    ]


def bench_search(path: Path, runs: int = 5) -> dict:
    from imrdesktop.services.session import VaultSession
    from imrdesktop.storage.vault import Vault

    vault = Vault.open(path, PASSPHRASE)
    session = VaultSession(vault, today=lambda: TODAY)
    rows = session.list_cases()
    session.lock()
    # as the GUI's case list: built once when the rows arrive
    hays = [f"{r.name}\n{r.member_id}\n{r.case_id}".casefold() for r in rows]
    sample = rows[len(rows) // 2]
    queries = [sample.name, sample.member_id, sample.case_id, "nguyễn 04"]
    typed = [q[:n] for q in queries for n in range(1, len(q) + 1)]

    def app() -> float:
        slowest = 0.0
        for text in typed:
            start = time.perf_counter()
            needle = text.casefold().split()
            shown = [i for i, hay in enumerate(hays) if all(word in hay for word in needle)]
            slowest = max(slowest, time.perf_counter() - start)
            assert shown or not needle
        return slowest

    def floor() -> float:
        slowest = 0.0
        for text in typed:
            start = time.perf_counter()
            _shown = [hay for hay in hays if text in hay]  # the bare scan
            slowest = max(slowest, time.perf_counter() - start)
        return slowest

    floor_s, app_s = _median(floor, runs), _median(app, runs)
    return _row(
        f"search as you type over {N_CASES} rows",
        app_s,
        floor_s,
        "< 0.05 s per keystroke",
        f"slowest of {len(typed)} keystrokes (a name, a member id, a case number, two words); "
        f"filter only, the Qt view's repaint not included; median of {runs}",
    )


def run() -> list[dict]:
    names = (kdf.FAST_KDF_ENV, kdf.ALLOW_TEST_KDF_ENV)
    saved = {name: os.environ.get(name) for name in names}
    work = Path(tempfile.mkdtemp(prefix="imr-bench-caseload-"))
    try:
        _fast_kdf()
        path = work / "caseload-vault"
        start = time.perf_counter()
        make_vault(path)
        made = time.perf_counter() - start
        rows = bench_open(path, work)
        rows.append(bench_search(path))
        rows[0]["note"] += f"; vault of {N_CASES} made in {made:.1f} s"
        return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def main() -> None:
    rows = run()
    print(f"{'benchmark':44} {'app s':>9} {'floor s':>9} {'ratio':>7}  goal")
    for r in rows:
        print(
            f"{r['name']:44} {r['app_seconds']:9.4f} {r['floor_seconds']:9.4f} "
            f"{r['ratio']:7.2f}  {r['goal']}   ({r['note']})"
        )


if __name__ == "__main__":
    main()
