"""Storage benchmarks: the app's time as a ratio to a floor measured in the same run on the
same inputs (BENCHMARKS.md). Run: ``.venv/bin/python bench/storage.py``.

1. unlock at the PRODUCTION KDF parameters vs bare Argon2id at the same parameters (≤ 1.2×);
2. storing a 100 MB attachment vs AES-256-GCM encrypt + write + fsync of the same bytes in
   1 MiB chunks in the same folder (≤ 2×);
3. listing 1,000 cases (first list after unlock: read + decrypt + parse the index) vs read +
   decrypt + ``json.loads`` of 1,000 small records (≤ 2×, and < 0.5 s absolute).
"""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench._common import median as _median
from bench._common import row as _row

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from imrdesktop.storage import kdf
from imrdesktop.storage.formats import vault_header
from imrdesktop.storage.vault import HEADER_NAME, Vault

PASSPHRASE = "benchmark passphrase with enough words"  # noqa: S105 - a throwaway vault
MB = 1024 * 1024


def bench_unlock(work: Path, runs: int = 3) -> dict:
    saved = os.environ.pop(kdf.FAST_KDF_ENV, None)
    try:
        path = work / "unlock-vault"
        Vault.create(path, PASSPHRASE)[0].lock()
        params = vault_header.decode((path / HEADER_NAME).read_bytes()).kdf
        assert (params.m_kib, params.t, params.p) == kdf.PRODUCTION

        def app() -> float:
            start = time.perf_counter()
            Vault.open(path, PASSPHRASE).lock()
            return time.perf_counter() - start

        def floor() -> float:
            start = time.perf_counter()
            Argon2id(
                salt=params.salt,
                length=32,
                iterations=params.t,
                lanes=params.p,
                memory_cost=params.m_kib,
            ).derive(PASSPHRASE.encode())
            return time.perf_counter() - start

        floor_s, app_s = _median(floor, runs), _median(app, runs)
    finally:
        if saved is not None:
            os.environ[kdf.FAST_KDF_ENV] = saved
    return _row(
        "unlock (production Argon2id)",
        app_s,
        floor_s,
        "<= 1.2x",
        f"Argon2id m={params.m_kib // 1024} MiB t={params.t} p={params.p}; median of {runs}",
    )


def _fast_kdf() -> None:
    """The cheap test KDF for benchmarks that do not time it (not a pytest run: both
    variables are needed, see kdf.fast_kdf_enabled)."""
    os.environ[kdf.FAST_KDF_ENV] = "1"
    os.environ[kdf.ALLOW_TEST_KDF_ENV] = "1"


def bench_attachment(work: Path, size_mb: int = 100, runs: int = 3) -> dict:
    _fast_kdf()
    data = os.urandom(size_mb * MB)
    vault, _ = Vault.create(work / "attach-vault", PASSPHRASE)
    cid = vault.create_case({"bench": True})
    case = vault.open_case(cid)

    def app() -> float:
        start = time.perf_counter()
        att = case.add_attachment(io.BytesIO(data), {"title": "bench"})
        elapsed = time.perf_counter() - start
        case.delete_attachment(att)
        return elapsed

    def floor() -> float:
        target = vault.cases_dir / "floor.bin"
        cipher = AESGCM(AESGCM.generate_key(bit_length=256))
        start = time.perf_counter()
        with open(target, "wb") as f:
            for i in range(0, len(data), MB):
                f.write(cipher.encrypt(i.to_bytes(12, "big"), data[i : i + MB], b"aad"))
            f.flush()
            os.fsync(f.fileno())
        elapsed = time.perf_counter() - start
        target.unlink()
        return elapsed

    floor_s, app_s = _median(floor, runs), _median(app, runs)
    case.close()
    vault.lock()
    return _row(
        f"store a {size_mb} MB attachment",
        app_s,
        floor_s,
        "<= 2x",
        "SQLite rollback journal for the chunks, WAL for the descriptor, synchronous=FULL, "
        "SHA-256 of the plaintext; durable on return; "
        f"median of {runs}",
    )


def bench_list(work: Path, n_cases: int = 1000, runs: int = 5) -> dict:
    _fast_kdf()
    path = work / "list-vault"
    vault, _ = Vault.create(path, PASSPHRASE)
    for i in range(n_cases):
        summary = {
            "name": f"Client {i:04d} Nguyễn",
            "status": "open",
            "next_deadline": {"date": "2025-01-01", "what": "IMR application"},
            "days_left": i % 180,
        }
        vault.create_case({"enrollee": {"name": summary["name"]}}, summary)
    vault.lock()

    def app() -> float:
        opened = Vault.open(path, PASSPHRASE)  # unlock is not timed: list_cases is
        start = time.perf_counter()
        cases = opened.list_cases()
        elapsed = time.perf_counter() - start
        assert len(cases) == n_cases
        opened.lock()
        return elapsed

    # floor: read + decrypt + json.loads of the same number of small records
    key = AESGCM.generate_key(bit_length=256)
    cipher = AESGCM(key)
    blob = io.BytesIO()
    for i in range(n_cases):
        plain = json.dumps({"name": f"Client {i:04d}", "status": "open", "days_left": i}).encode()
        nonce = secrets.token_bytes(12)
        ct = cipher.encrypt(nonce, plain, None)
        blob.write(len(ct).to_bytes(4, "big") + nonce + ct)
    records_file = work / "records.bin"
    records_file.write_bytes(blob.getvalue())

    def floor() -> float:
        start = time.perf_counter()
        data = records_file.read_bytes()
        c = AESGCM(key)
        out, pos = [], 0
        while pos < len(data):
            n = int.from_bytes(data[pos : pos + 4], "big")
            nonce, ct = data[pos + 4 : pos + 16], data[pos + 16 : pos + 16 + n]
            out.append(json.loads(c.decrypt(nonce, ct, None)))
            pos += 16 + n
        return time.perf_counter() - start

    floor_s, app_s = _median(floor, runs), _median(app, runs)
    return _row(
        f"list {n_cases} cases",
        app_s,
        floor_s,
        "<= 2x and < 0.5 s",
        f"first list_cases() after unlock (reads, decrypts, parses the index); median of {runs}",
    )


def run() -> list[dict]:
    names = (kdf.FAST_KDF_ENV, kdf.ALLOW_TEST_KDF_ENV)
    saved = {name: os.environ.get(name) for name in names}
    work = Path(tempfile.mkdtemp(prefix="imr-bench-"))
    try:
        return [bench_unlock(work), bench_attachment(work), bench_list(work)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def main() -> None:
    rows = run()
    print(f"{'benchmark':34} {'app s':>9} {'floor s':>9} {'ratio':>6}  goal")
    for r in rows:
        print(
            f"{r['name']:34} {r['app_seconds']:9.4f} {r['floor_seconds']:9.4f} "
            f"{r['ratio']:6.2f}  {r['goal']}   ({r['note']})"
        )


if __name__ == "__main__":
    main()
