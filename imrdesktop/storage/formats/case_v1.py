"""Case file format 1.x: one SQLite database per client case.

Plaintext: SQLite's page structure, ``application_id`` = 0x494D5243 ("IMRC"),
``user_version`` = major × 100 + minor, and the ``meta`` table (magic, format, random case
id, vault id, algorithm ids, chunk size, the wrapped data key, header hash and MAC). Every
row holding client data is AES-256-GCM ciphertext whose associated data binds the case id,
the table, the row id and its version. See docs/storage-format.md for the full layout.
"""

from __future__ import annotations

import hashlib
import sqlite3
import struct

MAJOR, MINOR = 1, 0
APPLICATION_ID = 0x494D5243
USER_VERSION = MAJOR * 100 + MINOR
MAGIC = b"IMRCASE\x00"
AEAD_ID = b"aes-256-gcm"
CHUNK_SIZE = 1024 * 1024
PAGE_SIZE = 4096

TABLES = (
    "CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL)",
    "CREATE TABLE record(rec_id INTEGER PRIMARY KEY, ver INTEGER NOT NULL,"
    " nonce BLOB NOT NULL, ct BLOB NOT NULL)",
    "CREATE TABLE blob(blob_id INTEGER NOT NULL, ver INTEGER NOT NULL, nonce BLOB NOT NULL,"
    " ct BLOB NOT NULL, PRIMARY KEY(blob_id, ver))",
    "CREATE TABLE chunk(blob_id INTEGER NOT NULL, cver INTEGER NOT NULL, idx INTEGER NOT NULL,"
    " ct BLOB NOT NULL, PRIMARY KEY(blob_id, cver, idx))",
    "CREATE TABLE manifest(id INTEGER PRIMARY KEY CHECK (id = 1), nonce BLOB NOT NULL,"
    " ct BLOB NOT NULL)",
)

# sqlite_schema as SQLite stores it for TABLES (type, name, tbl_name, sql), sorted by name.
EXPECTED_SCHEMA = sorted(
    [
        ("table", "meta", "meta", TABLES[0]),
        ("index", "sqlite_autoindex_meta_1", "meta", None),
        ("table", "record", "record", TABLES[1]),
        ("table", "blob", "blob", TABLES[2]),
        ("index", "sqlite_autoindex_blob_1", "blob", None),
        ("table", "chunk", "chunk", TABLES[3]),
        ("index", "sqlite_autoindex_chunk_1", "chunk", None),
        ("table", "manifest", "manifest", TABLES[4]),
    ],
    key=lambda row: row[1],
)

META_KEYS = frozenset(
    {
        "magic",
        "format",
        "case_id",
        "vault_id",
        "aead",
        "chunk_size",
        "dek",
        "header_sha256",
        "header_mac",
    }
)
HASHED_META_KEYS = META_KEYS - {"header_sha256", "header_mac"}


def schema_matches(conn: sqlite3.Connection, minor: int) -> bool:
    """Exact comparison of sqlite_schema with the expected text (newer minors may add objects)."""
    rows = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name"
    ).fetchall()
    if minor <= MINOR:
        return rows == EXPECTED_SCHEMA
    present = set(rows)
    return all(row in present for row in EXPECTED_SCHEMA)


def format_bytes(major: int = MAJOR, minor: int = MINOR) -> bytes:
    return struct.pack(">HH", major, minor)


def header_bytes(meta: dict[str, bytes]) -> bytes:
    """Canonical, length-prefixed encoding of every meta row but the hash and MAC."""
    out = [b"IMRC1/header\x00"]
    for key in sorted(k for k in meta if k not in ("header_sha256", "header_mac")):
        kb = key.encode("utf-8")
        out.append(struct.pack(">H", len(kb)) + kb + struct.pack(">I", len(meta[key])) + meta[key])
    return b"".join(out)


def header_sha256(meta: dict[str, bytes]) -> bytes:
    return hashlib.sha256(header_bytes(meta)).digest()


def _u64(n: int) -> bytes:
    return n.to_bytes(8, "big", signed=True)


def dek_aad(vault_id: str, case_id: str) -> bytes:
    return b"IMRC1/dek\x00" + vault_id.encode("ascii") + b"\x00" + case_id.encode("ascii")


def record_aad(case_id: str, rec_id: int, ver: int) -> bytes:
    return b"IMRC1/record\x00" + case_id.encode("ascii") + _u64(rec_id) + _u64(ver)


def blob_aad(case_id: str, blob_id: int, ver: int) -> bytes:
    return b"IMRC1/blob\x00" + case_id.encode("ascii") + _u64(blob_id) + _u64(ver)


def chunk_aad(case_id: str, blob_id: int, cver: int) -> bytes:
    return b"IMRC1/chunk\x00" + case_id.encode("ascii") + _u64(blob_id) + _u64(cver)


def manifest_aad(case_id: str) -> bytes:
    return b"IMRC1/manifest\x00" + case_id.encode("ascii")


def row_digest(nonce: bytes, ct: bytes) -> bytes:
    return hashlib.sha256(nonce + ct).digest()


# HKDF labels of the sub-keys of a case data key (salt: the case id).
LABEL_RECORD = b"IMRC1 record key"
LABEL_BLOB = b"IMRC1 attachment-descriptor key"
LABEL_MANIFEST = b"IMRC1 manifest key"
LABEL_HEADER_MAC = b"IMRC1 header-mac key"
