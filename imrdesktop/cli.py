"""The command line (shared/CLI.md). It calls the services, as the GUI does.

Every failure ends with one plain sentence on stderr and the exit code of CLI.md:
0 success, 1 environment, 2 user input, 3 damaged/newer/foreign data, 4 wrong passphrase.
Tracebacks only with --debug.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from imrdesktop import __version__
from imrdesktop.domain import errors as e
from imrdesktop.domain.packet_documents import KINDS
from imrdesktop.i18n import _

log = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        sys.stderr.write(
            _("imrdesktop: {problem}. See “imrdesktop --help”.").format(problem=message) + "\n"
        )
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--vault", metavar="DIR", help=_("the vault folder (default: your profile's vault)")
    )
    common.add_argument("--debug", action="store_true", help=_("show technical details"))

    p = _Parser(
        prog="imrdesktop",
        description=_("IMR Desktop: case files and IMR packets for health advocates."),
        parents=[common],
    )
    p.add_argument("--version", action="store_true", help=_("print the version and exit"))
    p.add_argument(
        "--self-test",
        action="store_true",
        help=_("check this installation headless with a throwaway training vault, then exit"),
    )
    p.add_argument(
        "--demo", action="store_true", help=_("open a throwaway training vault with sample clients")
    )
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    gui = sub.add_parser("gui", parents=[common], help=_("open the app (the default)"))
    gui.add_argument(
        "file",
        nargs="?",
        metavar="FILE.imrbundle",
        help=_("a case bundle to import once a vault is unlocked"),
    )

    vault = sub.add_parser("vault", parents=[common], help=_("create or check a vault"))
    vsub = vault.add_subparsers(dest="vault_command", required=True, parser_class=_Parser)
    init = vsub.add_parser("init", parents=[common], help=_("create a vault"))
    init.add_argument("--label", default="", help=_("the profile's name on the unlock screen"))
    init.add_argument(
        "--recovery-sheet", metavar="FILE.pdf", help=_("also write the recovery key sheet (PDF)")
    )
    vsub.add_parser("verify", parents=[common], help=_("check every file of the vault"))

    case = sub.add_parser("case", parents=[common], help=_("work with cases"))
    csub = case.add_subparsers(dest="case_command", required=True, parser_class=_Parser)
    new = csub.add_parser("new", parents=[common], help=_("create a case from a JSON record"))
    new.add_argument("--from", dest="from_file", required=True, metavar="FILE.json")
    lst = csub.add_parser("list", parents=[common], help=_("list the cases"))
    lst.add_argument("--json", action="store_true")
    show = csub.add_parser("show", parents=[common], help=_("show one case"))
    show.add_argument("case")
    show.add_argument("--json", action="store_true")
    att = csub.add_parser(
        "attach",
        parents=[common],
        help=_("attach documents (PDF, photos, scans, text) to a case"),
        description=_(
            "Attach one or more files to a case as exhibits, in the order given. Each is "
            "checked and converted to a clean PDF; the original is kept too. If any file "
            "cannot be taken, none is attached."
        ),
    )
    att.add_argument("case")
    att.add_argument("files", nargs="+", metavar="FILE")
    att.add_argument(
        "--kind",
        choices=KINDS,
        default=None,
        help=_("what the documents are (default: guessed from the file name, else other)"),
    )
    att.add_argument("--title", default=None, help=_("the title (default: the file name)"))
    att.add_argument("--date", default="", metavar="YYYY-MM-DD", help=_("the document's date"))
    att.add_argument("--source", default="", help=_("who gave it or where it came from"))
    exp = csub.add_parser("export", parents=[common], help=_("export one encrypted bundle"))
    exp.add_argument("case")
    exp.add_argument("--out", required=True, metavar="FILE")
    imp = csub.add_parser("import", parents=[common], help=_("import a case bundle"))
    imp.add_argument("file")

    assess = sub.add_parser(
        "assess",
        parents=[common],
        help=_("which review fits, its deadlines, warnings and what is missing"),
        description=_(
            "Assess a facts file (--facts FILE.json; no vault, no passphrase) or a case "
            "(CASE; the result is stored in the case)."
        ),
    )
    assess.add_argument("case", nargs="?", help=_("the case id (omit with --facts)"))
    assess.add_argument("--facts", metavar="FILE.json", help=_("a facts record (facts.md)"))
    assess.add_argument(
        "--today", metavar="YYYY-MM-DD", help=_("the as-of date (default: today in California)")
    )
    assess.add_argument("--json", action="store_true")
    assess.add_argument(
        "--language", choices=("en", "es"), default=None, help=_("the language of the result")
    )
    lang_help = _("the language of the printed forms (default: the client's preferred language)")
    pk = sub.add_parser(
        "packet",
        parents=[common],
        help=_("build the full printed IMR application packet (PDF)"),
        description=_(
            "Build the packet: cover sheet, letter in support, application form, assistant "
            "form, release, exhibit index and the exhibits, every exhibit page stamped. It "
            "always builds; when the case is not IMR-eligible that is said on stderr."
        ),
    )
    pk.add_argument("case")
    pk.add_argument("--out", required=True, metavar="FILE.pdf")
    pk.add_argument("--language", choices=("en", "es"), default=None, help=lang_help)
    pk.add_argument(
        "--no-release", action="store_true", help=_("leave out the release authorization")
    )
    cs = sub.add_parser(
        "cover-sheet",
        parents=[common],
        help=_("print the certified-mail cover sheet and an envelope page (PDF)"),
    )
    cs.add_argument("case")
    cs.add_argument("--out", required=True, metavar="FILE.pdf")
    cs.add_argument("--article-number", metavar="N", help=_("the certified-mail article number"))
    cs.add_argument(
        "--accept-unverified-number",
        action="store_true",
        help=_("use a number that fails its check digit (after checking it on the label)"),
    )
    cs.add_argument("--language", choices=("en", "es"), default=None, help=_("default: English"))
    cs.add_argument(
        "--no-release",
        action="store_true",
        help=_("the packet was built without the release authorization"),
    )
    mail = sub.add_parser(
        "mail",
        parents=[common],
        help=_("record that the packet was mailed (starts the review's milestones)"),
    )
    mail.add_argument("case")
    mail.add_argument("--article-number", required=True, metavar="N")
    mail.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    mail.add_argument("--accept-unverified-number", action="store_true")
    mail.add_argument(
        "--return-receipt",
        choices=("green_card", "electronic", "none"),
        default="green_card",
        help=_("the return receipt bought (default: green_card, PS Form 3811)"),
    )
    mail.add_argument("--receipt-number", default="", metavar="N", help=_("the 3811 card's number"))
    return p


# --- secrets --------------------------------------------------------------------------
def _secret(env_var: str, prompt: str, *, confirm: bool = False) -> str:
    value = os.environ.get(env_var)
    if value:
        return value
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if confirm:
            second = getpass.getpass(_("Type it again: "))
            if first != second:
                raise e.WeakPassphrase(reason="mismatch")
        return first
    raise e.PassphraseRequired(var=env_var)


def _passphrase(*, confirm: bool = False) -> str:
    return _secret("IMRDESKTOP_PASSPHRASE", _("Vault passphrase: "), confirm=confirm)


def _bundle_passphrase(*, confirm: bool = False) -> str:
    return _secret("IMRDESKTOP_BUNDLE_PASSPHRASE", _("Bundle passphrase: "), confirm=confirm)


def _read_json(path_text: str) -> Any:
    path = Path(path_text)
    if not path.is_file():
        raise e.InputFileMissing(name=path.name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise e.BadJsonFile(name=path.name) from exc


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)


# --- commands ---------------------------------------------------------------------------
def _open_session(ctx):
    from imrdesktop.services.session import VaultSession
    from imrdesktop.storage.probe import check_vault
    from imrdesktop.storage.vault import Vault

    path = ctx.default_vault_path()
    check_vault(path)  # a missing, foreign or damaged vault is said before any passphrase
    vault = Vault.open(path, _passphrase())
    if getattr(vault, "header_repaired", False):
        from imrdesktop.services.messages import header_repaired_notice

        print(f"imrdesktop: {header_repaired_notice()}", file=sys.stderr)
    return VaultSession(vault)


def _writable_target(path_text: str) -> Path:
    """Where a file the user asked for will go; refused before any work is done."""
    path = Path(path_text).expanduser()
    if path.is_dir() or not path.parent.is_dir():
        raise e.UsageError(
            text=_("Cannot write {name}: choose a file in an existing folder.").format(
                name=path_text
            )
        )
    if path.exists():
        raise e.UsageError(
            text=_(
                "{name} already exists; choose a new file name (nothing was overwritten)."
            ).format(name=path_text)
        )
    return path


def cmd_vault_init(ctx, args) -> int:
    from imrdesktop.storage.vault import Vault

    sheet = _writable_target(args.recovery_sheet) if args.recovery_sheet else None
    if args.vault:
        path = Path(args.vault).expanduser()
        if Vault.exists(path):
            raise e.VaultExists()
        passphrase = _passphrase(confirm=True)
    else:
        from imrdesktop.storage.passphrase import check_passphrase

        passphrase = _passphrase(confirm=True)
        check_passphrase(passphrase)  # refuse a weak one before making the profile folder
        profile = ctx.profiles.new(args.label or _("My cases"))
        path = profile.vault_path
    vault, recovery = Vault.create(path, passphrase)
    vault_id = vault.vault_id
    vault.lock()
    # The key is printed first: whatever happens next, it has been shown.
    print(_("Vault created in {path}").format(path=path))
    print(_("Recovery key (write it down or print the sheet; it is shown only once):"))
    print(recovery, flush=True)
    if sheet is not None:
        from imrdesktop.packet.recovery_sheet import write_recovery_sheet

        try:
            write_recovery_sheet(sheet, recovery, vault_id)
        except OSError:
            print(
                _(
                    "The recovery sheet could not be written to {name}; copy the recovery key "
                    "above by hand instead. The vault itself was created."
                ).format(name=sheet),
                file=sys.stderr,
            )
            return 1
        print(_("Recovery sheet written to {name}.").format(name=sheet))
    return 0


def cmd_vault_verify(ctx, args) -> int:
    from imrdesktop.services.messages import describe

    session = _open_session(ctx)
    try:
        problems = session.vault.verify()
    finally:
        session.lock()
    if not problems:
        print(_("The vault is sound: every file was checked."))
        return 0
    for problem in problems:
        print(f"{problem.where}: {describe(problem.error)}", file=sys.stderr)
    # Damage outranks an environment failure (a case open elsewhere, no permission).
    return max((p.error.exit_code for p in problems), key=lambda c: {3: 2, 1: 1}.get(c, 0))


def _row_json(row) -> dict:
    return {
        "id": row.case_id,
        "name": row.name,
        "status": row.status,
        "next_deadline": row.next_deadline,
        "days_left": row.days_left,
        "member_id": row.member_id,
        "risk": row.risk,
        "pathway": row.pathway,
        "outcome": row.outcome,
    }


def cmd_case_new(ctx, args) -> int:
    record = _read_json(args.from_file)
    from imrdesktop.domain.case import validate_record

    validate_record(record)  # refuse a bad file before asking for the passphrase
    session = _open_session(ctx)
    try:
        case_id = session.create_case(record)
    finally:
        session.lock()
    print(case_id)
    return 0


def cmd_case_list(ctx, args) -> int:
    session = _open_session(ctx)
    try:
        rows = session.list_cases()
    finally:
        session.lock()
    if args.json:
        print(_dump([_row_json(r) for r in rows]))
        return 0
    if not rows:
        print(_("No cases yet."))
        return 0
    for r in rows:
        due = ""
        if r.next_deadline:
            due = _("{what} by {date} ({days} days)").format(
                what=r.next_deadline.get("what", ""), date=r.next_deadline["date"], days=r.days_left
            )
        print(f"{r.case_id}  {r.name}  [{r.status}]  {due}".rstrip())
    return 0


def case_json(session, case_id: str) -> dict:
    from imrdesktop.services.documents import DocumentsService

    record = session.load_case(case_id)
    out = dict(record)
    out["id"] = case_id
    out["documents"] = [d.public() for d in DocumentsService(session).list_documents(case_id)]
    return out


def _pdf_password() -> str:
    return _secret("IMRDESKTOP_PDF_PASSWORD", _("Password of the PDF: "))


def _convert_with_password(service, item):
    """Convert one file; a password-protected PDF takes IMRDESKTOP_PDF_PASSWORD, else is
    asked for at a terminal (three tries), else stops with exit 2 naming the variable."""
    try:
        return service.convert(item)
    except e.DocumentPasswordRequired:
        if os.environ.get("IMRDESKTOP_PDF_PASSWORD"):
            return service.convert(item, password=os.environ["IMRDESKTOP_PDF_PASSWORD"])
        if not (sys.stdin is not None and sys.stdin.isatty()):
            raise e.DocumentPasswordRequired(
                "no password", reason="password_required_cli", name=item.name
            ) from None
    print(_("{name} is protected by a password.").format(name=item.name), file=sys.stderr)
    for attempt in range(3):
        try:
            return service.convert(item, password=_pdf_password())
        except e.DocumentPasswordWrong:
            if attempt == 2:
                raise
            print(_("That is not the password; try again."), file=sys.stderr)
    raise AssertionError("unreachable")


def cmd_case_attach(ctx, args) -> int:
    from imrdesktop.domain.documents import validate_item
    from imrdesktop.services.documents import DocumentsService, describe_note

    if args.date or args.title or args.source:
        # The same checks as the stored record, before any passphrase is asked for.
        probe = {
            "id": "D-000000",
            "media": "pdf",
            "original": "a",
            "pdf": "a",
            "pages": 1,
            "size": 0,
            "sha256": "0" * 64,
            "date": args.date,
            "title": args.title or "",
            "source": args.source,
        }
        try:
            validate_item(probe, "document")
        except e.InvalidField as exc:
            field = str(exc.params.get("field", "")).removeprefix("document.")
            raise e.InvalidField(field=f"--{field}", problem=exc.params.get("problem")) from None
    session = _open_session(ctx)
    service = DocumentsService(session)
    try:
        session.load_case(args.case)  # an unknown case is said before any file is read
        prepared = []
        for path in args.files:
            item = service.read_input(path)
            prepared.append((item, _convert_with_password(service, item)))
        docs = service.attach(
            args.case,
            prepared,
            kind=args.kind,
            title=args.title,
            date=args.date,
            source=args.source,
        )
    finally:
        session.lock()
    for doc in docs:
        for note in doc.notes:
            print(f"{doc.file_name}: {describe_note(note)}", file=sys.stderr)
        print(doc.id)
    return 0


def cmd_case_show(ctx, args) -> int:
    session = _open_session(ctx)
    try:
        data = case_json(session, args.case)
    finally:
        session.lock()
    if args.json:
        print(_dump(data))
        return 0
    from imrdesktop.services.render_text import case_as_text

    print(case_as_text(data))
    return 0


def cmd_case_export(ctx, args) -> int:
    out = _writable_target(args.out)
    session = _open_session(ctx)
    try:
        bundle_pass = _bundle_passphrase(confirm=True)
        from imrdesktop.storage.passphrase import check_passphrase

        check_passphrase(bundle_pass)
        session.export_case(args.case, out, bundle_pass)
    finally:
        session.lock()
    print(
        _(
            "Exported to {path}. The bundle is encrypted with its own passphrase: give that "
            "passphrase to the recipient separately."
        ).format(path=args.out)
    )
    return 0


def cmd_case_import(ctx, args) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise e.InputFileMissing(name=path.name)
    session = _open_session(ctx)
    try:
        case_id = session.import_case(path, _bundle_passphrase())
    finally:
        session.lock()
    print(case_id)
    return 0


def _as_of(text: str | None):
    from imrdesktop.services.session import california_today

    if text is None:
        return california_today()
    import datetime as dt
    import re

    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise e.InvalidField(
        field="--today", problem=_("a date must be a real date written YYYY-MM-DD")
    )


def cmd_assess(ctx, args) -> int:
    from imrdesktop.i18n import use_language
    from imrdesktop.services import assessment as svc

    if bool(args.case) == bool(args.facts):
        raise e.UsageError(
            text=_("Give either --facts FILE.json or a case id to assess, not both.")
        )
    today = _as_of(args.today)
    with use_language(args.language):
        if args.facts:
            data = _read_json(args.facts)
            _assessment, rendered = svc.assess_facts(data, today)
        else:
            session = _open_session(ctx)
            try:
                _assessment, rendered = svc.assess_case(session, args.case, today)
            finally:
                session.lock()
        if args.json:
            print(_dump(rendered))
        else:
            print(svc.text_report(rendered, today))
    return 0


def _packet_services(session):
    from imrdesktop.services.documents import DocumentsService
    from imrdesktop.services.packet import PacketService

    return PacketService(session, DocumentsService(session))


def _check_number_early(text: str | None, accept: bool) -> None:
    """A mistyped article number is refused before any passphrase is asked for."""
    if not text:
        return
    from imrdesktop.services.packet import PacketService

    checked = PacketService.check_article_number(text)
    try:
        PacketService._require_verified(checked, accept)
    except e.InvalidField as exc:
        raise e.InvalidField(field="--article-number", problem=exc.params.get("problem")) from None


def cmd_packet(ctx, args) -> int:
    out = _writable_target(args.out)
    session = _open_session(ctx)
    try:
        built = _packet_services(session).build_packet(
            args.case, language=args.language, include_release=not args.no_release
        )
    finally:
        session.lock()
    from imrdesktop.services.packet import PacketService

    PacketService.export_pdf(built.pdf, out)
    if built.eligibility_note:
        print(f"imrdesktop: {built.eligibility_note}", file=sys.stderr)
    print(
        _("Packet written to {path}: {pages} pages. The file is NOT encrypted.").format(
            path=args.out, pages=built.pages
        )
    )
    if built.missing_fields:
        print(
            _("Print and complete by hand: {fields}.").format(
                fields="; ".join(built.missing_fields)
            )
        )
    return 0


def cmd_cover_sheet(ctx, args) -> int:
    out = _writable_target(args.out)
    _check_number_early(args.article_number, args.accept_unverified_number)
    session = _open_session(ctx)
    try:
        built = _packet_services(session).build_cover_sheet(
            args.case,
            article_number=args.article_number,
            accept_unverified=args.accept_unverified_number,
            language=args.language,
            include_release=not args.no_release,
        )
    finally:
        session.lock()
    from imrdesktop.services.packet import PacketService

    PacketService.export_pdf(built.pdf, out)
    print(
        _("Cover sheet written to {path}: {pages} pages. The file is NOT encrypted.").format(
            path=args.out, pages=built.pages
        )
    )
    return 0


def cmd_mail(ctx, args) -> int:
    _check_number_early(args.article_number, args.accept_unverified_number)
    from imrdesktop.domain.case import parse_date

    try:
        parse_date(args.date, "--date")
    except e.InvalidField:
        raise e.InvalidField(
            field="--date", problem=_("a date must be a real date written YYYY-MM-DD")
        ) from None
    session = _open_session(ctx)
    try:
        mailing = _packet_services(session).record_mailing(
            args.case,
            article_number=args.article_number,
            date=args.date,
            return_receipt=args.return_receipt,
            receipt_number=args.receipt_number,
            accept_unverified=args.accept_unverified_number,
        )
    except e.InvalidField as exc:
        field = str(exc.params.get("field", ""))
        if field in ("date", "article_number", "return_receipt", "receipt_number"):
            raise e.InvalidField(
                field="--" + field.replace("_", "-"), problem=exc.params.get("problem")
            ) from None
        raise
    finally:
        session.lock()
    print(
        _("Mailing recorded: {number} on {date}.").format(
            number=mailing.get("grouped", ""), date=mailing.get("date", "")
        )
    )
    if not mailing.get("verified"):
        print(_("The article number was NOT verified by its check digit."))
    for m in mailing.get("milestones", []):
        print(f"  {m['date']}  {m['label']}")
    return 0


def run_cli(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # usage errors (2) and --help (0)
        return int(stop.code or 0)
    if args.version:
        print(f"imrdesktop {__version__}")
        return 0
    if args.self_test:
        from imrdesktop.selftest import run as self_test

        return self_test()
    from imrdesktop.app import build_context, run_gui
    from imrdesktop.services.messages import describe, exit_code

    try:
        ctx = build_context(args.vault, debug=args.debug)
        if args.demo or args.command in (None, "gui"):
            return run_gui(ctx, demo=bool(args.demo), open_file=getattr(args, "file", None))
        handler = {
            ("vault", "init"): cmd_vault_init,
            ("vault", "verify"): cmd_vault_verify,
            ("case", "new"): cmd_case_new,
            ("case", "list"): cmd_case_list,
            ("case", "show"): cmd_case_show,
            ("case", "attach"): cmd_case_attach,
            ("case", "export"): cmd_case_export,
            ("case", "import"): cmd_case_import,
            ("assess", None): cmd_assess,
            ("packet", None): cmd_packet,
            ("cover-sheet", None): cmd_cover_sheet,
            ("mail", None): cmd_mail,
        }[(args.command, getattr(args, f"{args.command}_command", None))]
        return handler(ctx, args)
    except KeyboardInterrupt:
        print(_("Stopped."), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not a failure worth a sentence.
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silences the exit flush
        except OSError:
            pass
        return 0
    except Exception as exc:
        if isinstance(exc, e.ImrError):
            log.info("command failed: %s", type(exc).__name__)
        else:
            log.error("unexpected failure", exc_info=exc)
        if args.debug:
            import traceback

            traceback.print_exc()
        print(f"imrdesktop: {describe(exc)}", file=sys.stderr)
        return exit_code(exc)
