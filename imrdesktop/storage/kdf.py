"""Passphrase → key-encryption key with Argon2id, and the policy for its parameters.

Policy (RELIABILITY.md §1.8 as amended by DESIGN.md: about 0.5 s on a modest PC):

- new vaults and bundles: 256 MiB, t = 2, p = 1 (BENCHMARKS.md: ~0.5 s on 2 cores);
- floor for new vaults: 64 MiB, t = 2;
- ceilings, checked **before** deriving, whatever the file says: m ≤ 2 GiB, t ≤ 16,
  p ≤ 16, salt 16..64 bytes (T-INT-5);
- bundles, whose parameters come from an unauthenticated header and which are always written
  at the production policy, are capped lower: m ≤ 4 × the production memory (1 GiB), t ≤ 4;
- ``IMRDESKTOP_TEST_FAST_KDF=1`` selects a cheap test profile (8 MiB, t = 1) and lifts the
  floor (KeePassXC's fastKdf pattern) — but only in a test run: never in a frozen build,
  and otherwise only when pytest is loaded or ``IMRDESKTOP_ALLOW_TEST_KDF=1`` is set too (a
  test's child process). Otherwise the production profile applies, and a vault made with
  the test profile is re-wrapped to it at its first unlock (``Vault.open``).

Passphrases are NFKC-normalised and UTF-8 encoded, never trimmed (§4.11).
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import sys
import unicodedata
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from imrdesktop.domain.errors import HostileParameters

ALG = "argon2id"
ARGON2_VERSION = 0x13
NORMALISATION = "NFKC"

PRODUCTION = (256 * 1024, 2, 1)  # m KiB, t, p
FLOOR = (64 * 1024, 2)  # m KiB, t
TEST_PROFILE = (8 * 1024, 1, 1)

MAX_M_KIB = 2 * 1024 * 1024
MAX_T = 16
BUNDLE_MAX_M_KIB = 4 * PRODUCTION[0]  # 1 GiB
BUNDLE_MAX_T = 4
MAX_P = 16
SALT_MIN, SALT_MAX = 16, 64
SALT_LEN = 16
KEK_LEN = 32

FAST_KDF_ENV = "IMRDESKTOP_TEST_FAST_KDF"
ALLOW_TEST_KDF_ENV = "IMRDESKTOP_ALLOW_TEST_KDF"


def fast_kdf_enabled() -> bool:
    """The test profile, in a test run only: the variable alone could leak into a real
    user's environment (L10). Never in a frozen (installed) build; otherwise when pytest is
    running, or when a test's child process also sets IMRDESKTOP_ALLOW_TEST_KDF=1."""
    if os.environ.get(FAST_KDF_ENV) != "1" or getattr(sys, "frozen", False):
        return False
    return "pytest" in sys.modules or os.environ.get(ALLOW_TEST_KDF_ENV) == "1"


@dataclass(frozen=True)
class KdfParams:
    m_kib: int
    t: int
    p: int
    salt: bytes
    alg: str = ALG
    version: int = ARGON2_VERSION
    norm: str = NORMALISATION

    def to_json(self) -> dict[str, Any]:
        return {
            "alg": self.alg,
            "v": self.version,
            "m": self.m_kib,
            "t": self.t,
            "p": self.p,
            "salt": base64.b64encode(self.salt).decode("ascii"),
            "norm": self.norm,
        }

    @classmethod
    def from_json(cls, obj: Any) -> KdfParams:
        """Parse without judging the values (that is :func:`check_bounds`' job).

        ValueError for a wrong shape, so the caller can name the damaged file."""
        if not isinstance(obj, dict) or set(obj) != {"alg", "v", "m", "t", "p", "salt", "norm"}:
            raise ValueError("kdf params shape")
        for key in ("v", "m", "t", "p"):
            if type(obj[key]) is not int:
                raise ValueError("kdf param type")
        if obj["alg"] != ALG or obj["v"] != ARGON2_VERSION or obj["norm"] != NORMALISATION:
            raise ValueError("unsupported kdf")
        if not isinstance(obj["salt"], str):
            raise ValueError("salt type")
        try:
            salt = base64.b64decode(obj["salt"], validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("salt encoding") from None
        return cls(m_kib=obj["m"], t=obj["t"], p=obj["p"], salt=salt)


def check_bounds(params: KdfParams, *, max_m_kib: int = MAX_M_KIB, max_t: int = MAX_T) -> None:
    """Refuse parameters a crafted file could use to make us spin or swap (before deriving)."""
    if not (SALT_MIN <= len(params.salt) <= SALT_MAX):
        raise HostileParameters("salt length", what="salt")
    if not (1 <= params.p <= MAX_P):
        raise HostileParameters("lanes", what="p")
    if not (1 <= params.t <= max_t):
        raise HostileParameters("iterations", what="t")
    if not (8 * params.p <= params.m_kib <= max_m_kib):
        raise HostileParameters("memory", what="m")


def check_bundle_bounds(params: KdfParams) -> None:
    """The tighter ceilings of a bundle (L4): we write bundles at the production policy, so
    anything above 4× its memory or t = 4 is a crafted file, refused before deriving."""
    check_bounds(params, max_m_kib=BUNDLE_MAX_M_KIB, max_t=BUNDLE_MAX_T)


def policy() -> tuple[int, int, int]:
    """(m KiB, t, p) for new vaults and bundles on this run."""
    return TEST_PROFILE if fast_kdf_enabled() else PRODUCTION


def new_params() -> KdfParams:
    m, t, p = policy()
    if not fast_kdf_enabled() and (m < FLOOR[0] or t < FLOOR[1]):
        raise RuntimeError("production KDF policy below the floor")
    return KdfParams(m_kib=m, t=t, p=p, salt=secrets.token_bytes(SALT_LEN))


def below_policy(params: KdfParams) -> bool:
    """True when a stored profile is weaker than what we would choose today (re-wrap it)."""
    m, t, _p = policy()
    return params.m_kib < m or params.t < t


def normalise_passphrase(passphrase: str) -> bytes:
    """NFKC then UTF-8, never trimmed. Lone surrogates are kept (they simply never match)."""
    return unicodedata.normalize("NFKC", passphrase).encode("utf-8", "surrogatepass")


def derive(passphrase: str, params: KdfParams) -> bytearray:
    """The 32-byte key-encryption key. Bounds are checked again here: never derive unchecked."""
    check_bounds(params)
    secret = normalise_passphrase(passphrase)
    kdf = Argon2id(
        salt=params.salt,
        length=KEK_LEN,
        iterations=params.t,
        lanes=params.p,
        memory_cost=params.m_kib,
    )
    return bytearray(kdf.derive(secret))
