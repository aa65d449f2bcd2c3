"""Child process of the T-DUR-1 crash test: saves in a loop and acknowledges each save on
stdout only after ``save()`` returned. The parent kills it with SIGKILL at random moments.

Each step saves two records and the summary in one transaction; every third step also
replaces a small two-chunk attachment (staged import, then one save that adds it and
deletes the old one), so kills land in attachment imports too.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from imrdesktop.storage.vault import Vault

CHUNK = 1024 * 1024


def main() -> None:
    vault_path, case_id, passphrase = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    vault = Vault.open(vault_path, passphrase)
    case = vault.open_case(case_id)
    step = (case.get("a") or {"step": 0})["step"]
    print(f"open {step}", flush=True)
    while True:
        step += 1
        payload = "x" * (step % 700)
        case.save(
            {"a": {"step": step, "pad": payload}, "b": {"step": step, "pad": payload[::-1]}},
            summary={"step": step, "name": "durability"},
        )
        print(f"ack {step}", flush=True)
        if step % 3 == 0:
            old = [a.id for a in case.attachments()]
            body = bytes([step % 256]) * (CHUNK + 100)
            # Replace in one save (two-phase import: stage the chunks, then one
            # transaction adds the new attachment and deletes the old). A separate add and
            # delete would leave two attachments whenever a kill fell between them.
            staged = case.stage_attachment(io.BytesIO(body), {"step": step})
            case.save({}, add=[staged], delete=old)
            print(f"att {step}", flush=True)


if __name__ == "__main__":
    main()
