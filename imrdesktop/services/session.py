"""Use-cases on an unlocked vault, shared by the GUI and the CLI."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from imrdesktop.domain.case import summary_as_of, summary_for, validate_record
from imrdesktop.domain.errors import UnknownCase, VaultLocked
from imrdesktop.domain.timeline import status_label
from imrdesktop.i18n import N_
from imrdesktop.storage.casefile import CaseFile

log = logging.getLogger(__name__)

LOCK_WAIT_S = 10.0


RISKS = ("overdue", "week", "month", "later", "none")
RISK_LABELS = {
    "overdue": N_("Overdue"),
    "week": N_("Due within 7 days"),
    "month": N_("Due within 30 days"),
    "later": N_("Later"),
    "none": N_("No deadline"),
}


def risk_for(days_left: int | None) -> str:
    """``overdue`` (days left < 0), ``week`` (≤ 7), ``month`` (≤ 30), ``later``, ``none``."""
    if days_left is None:
        return "none"
    if days_left < 0:
        return "overdue"
    if days_left <= 7:
        return "week"
    if days_left <= 30:
        return "month"
    return "later"


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list. ``status`` is the derived status (domain.timeline),
    ``status_label`` its label in the current language, ``risk`` from ``days_left``
    (:func:`risk_for`), ``pathway`` the last assessment's and ``outcome`` the IMR
    decision's ("" when none)."""

    case_id: str
    name: str
    member_id: str
    status: str
    next_deadline: dict | None
    days_left: int | None
    status_label: str = ""
    risk: str = "none"
    pathway: str = ""
    outcome: str = ""


def california_today() -> dt.date:
    """Today's date in California, whatever the computer's time zone."""
    from zoneinfo import ZoneInfo

    try:
        return dt.datetime.now(ZoneInfo("America/Los_Angeles")).date()
    except Exception:
        return dt.date.today()


def _text(value: object, default: str = "") -> str:
    if value is None:
        return default
    return value if isinstance(value, str) else str(value)


def _deadline(value: object) -> tuple[dict, dt.date] | None:
    """A stored ``{"date": "YYYY-MM-DD", "what": text}`` and its date, or None."""
    if not isinstance(value, dict):
        return None
    date, what = value.get("date"), value.get("what")
    if not isinstance(date, str) or not isinstance(what, str):
        return None
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        return None
    if day.isoformat() != date:  # only the YYYY-MM-DD form
        return None
    return {"date": date, "what": what}, day


class VaultSession:
    """An unlocked vault and what can be done with it. ``lock()`` ends it."""

    def __init__(
        self, vault, *, training: bool = False, today: Callable[[], dt.date] = california_today
    ):
        self._vault = vault
        self._case_lock = threading.RLock()
        self._on_lock: list[Callable[[], None]] = []
        self.training = training
        self._today = today

    @property
    def vault(self):
        if self._vault is None:
            raise VaultLocked()
        return self._vault

    @property
    def locked(self) -> bool:
        return self._vault is None

    def on_lock(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` when the session locks (services drop what they decrypted)."""
        self._on_lock.append(hook)

    def today(self) -> dt.date:
        return self._today()

    # --- cases -------------------------------------------------------------------
    def list_cases(self) -> list[CaseRow]:
        """The case list as of the session's today: ``status`` and ``next_deadline`` are
        derived again from the summary's ``basis`` (domain.case.summary_as_of), so a
        "may file from" date that has come makes the case ready to file rather than overdue.
        A summary without a basis (saved before it existed) shows its stored values; one with
        wrong types (an old or hand-made index entry) is shown as well as it can be (text via
        str(), a bad deadline as none), never fatal."""
        from imrdesktop.services.assessment import deadline_short_labels

        today = self.today()
        short = deadline_short_labels()
        rows = []
        labels: dict[str, str] = {}
        for item in self.vault.list_cases():
            s = item.summary if isinstance(item.summary, dict) else {}
            now = None
            if "basis" in s:
                try:
                    now = summary_as_of(s, today, short)
                except Exception:  # a hand-made basis: the stored values, never fatal
                    log.warning(
                        "case %s: its list summary could not be brought up to date", item.case_id
                    )
                    now = None
            if now is None:
                stored_status, stored_deadline = s.get("status"), s.get("next_deadline")
            else:
                stored_status, stored_deadline = now
            deadline = _deadline(stored_deadline)
            days_left = (deadline[1] - today).days if deadline else None
            status = _text(stored_status, "open") or "open"
            label = labels.get(status)
            if label is None:
                label = labels[status] = status_label(status)
            rows.append(
                CaseRow(
                    case_id=item.case_id,
                    name=_text(s.get("name")),
                    member_id=_text(s.get("member_id")),
                    status=status,
                    next_deadline=deadline[0] if deadline else None,
                    days_left=days_left,
                    status_label=label,
                    risk=risk_for(days_left),
                    pathway=_text(s.get("pathway")),
                    outcome=_text(s.get("outcome")),
                )
            )
        # Soonest deadline first; cases without a deadline last, then by name.
        rows.sort(key=lambda r: (r.days_left is None, r.days_left or 0, r.name.casefold()))
        return rows

    def _summary(self, record: dict, today: dt.date | None = None) -> dict:
        from imrdesktop.services.assessment import deadline_short_labels

        return summary_for(record, today=today or self.today(), labels=deadline_short_labels())

    def create_case(self, record: dict) -> str:
        clean = validate_record(record, today=self.today())
        case_id = self.vault.create_case(clean, summary=self._summary(clean))
        log.info("case %s created", case_id)
        return case_id

    @contextlib.contextmanager
    def open_case(self, case_id: str) -> Iterator[CaseFile]:
        """The case file, as a context manager; an unknown id names itself in the error.

        One case file at a time per session: the GUI saves on its own thread and imports
        documents on background threads, and a case file is opened by one user at a time
        (the storage layer refuses a second open with CaseInUse)."""
        with self._case_lock:
            try:
                case = self.vault.open_case(case_id)
            except UnknownCase as exc:
                raise UnknownCase(case=case_id) from exc
            with case:
                yield case

    def load_case(self, case_id: str) -> dict:
        with self.open_case(case_id) as case:
            return case.get("case") or {}

    def save_case(self, case_id: str, record: dict, *, today: dt.date | None = None) -> dict:
        """Validate and save ``record``; ``today`` (default: the session's) is the as-of date
        for the case list's next deadline."""
        clean = validate_record(record, today=self.today())
        with self.open_case(case_id) as case:
            case.save({"case": clean}, summary=self._summary(clean, today))
        log.info("case %s saved", case_id)
        return clean

    def export_case(self, case_id: str, out: Path, bundle_passphrase: str) -> None:
        try:
            self.vault.export_case(case_id, out, bundle_passphrase)
        except UnknownCase as exc:
            raise UnknownCase(case=case_id) from exc

    def import_case(self, bundle: Path, bundle_passphrase: str) -> str:
        return self.vault.import_case(bundle, bundle_passphrase)

    def lock(self) -> None:
        for hook in list(self._on_lock):
            try:
                hook()
            except Exception:
                log.exception("a lock hook failed")
        self._on_lock.clear()
        # Let a save in progress on another thread (an attach) finish durably first; if it
        # takes too long, lock anyway: its transaction fails cleanly and the case stays as
        # it was before it.
        got = self._case_lock.acquire(timeout=LOCK_WAIT_S)
        try:
            self._lock_vault()
        finally:
            if got:
                self._case_lock.release()

    def _lock_vault(self) -> None:
        if self._vault is not None:
            try:
                self._vault.lock()
            finally:
                self._vault = None
