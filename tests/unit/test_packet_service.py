"""The packet service end to end: real vault, real worker, real forms; checked by parsing."""

from __future__ import annotations

import io

import pytest
from test_documents_service import make_jpeg, make_pdf

from imrdesktop.domain.errors import InvalidField
from imrdesktop.services.assessment import assess_case
from imrdesktop.services.documents import DocumentsService, PageChoice
from imrdesktop.services.packet import PacketService
from imrdesktop.services.session import VaultSession
from imrdesktop.storage.vault import Vault

PASS = "correct horse battery staple again"
NAME = "Nguyễn Văn Anh"
GOOD = "9400 1112 0108 0805 4830 16"
BAD = "9400 1112 0108 0805 4830 17"

RECORD = {
    "enrollee": {
        "name": NAME,
        "date_of_birth": "1950-02-03",
        "address": "1 Sample St, San Jose, CA 95112",
        "phone": "(408) 555-0100",
        "preferred_language": "en",
    },
    "plan": {"name": "Sample Health Plan", "member_id": "SHP-123", "medical_group": "Sample IPA"},
    "advocate": {
        "name": "Ana Ficticia",
        "organization": "Sample Legal Aid",
        "address": "2 Example Rd, Oakland, CA 94601",
        "phone": "(510) 555-0101",
        "email": "ana@example.org",
    },
    "assistant": {"name": "Ana Ficticia", "relationship": "advocate"},
    "physician": {"name": "Dr. Sample", "phone": "(408) 555-0199"},
    "service": "Transcatheter aortic valve replacement (TAVR)",
    "facts": {
        "regulator": "dmhc",
        "denial_reason": "med_necessity",
        "plan_written_decision_date": "2026-09-01",
        "grievance": {
            "filed_date": "2026-09-10",
            "decision_date": "2026-10-01",
            "outcome": "upheld",
        },
        "provider_recommended_or_in_plan_visit": True,
    },
}


def text_of(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages]


def outline(pdf: bytes) -> list[tuple[str, int]]:
    from pypdf import PdfReader

    r = PdfReader(io.BytesIO(pdf))
    out = []
    for item in r.outline:
        if isinstance(item, list):
            continue
        out.append((item.title, r.get_destination_page_number(item) + 1))
    return out


def fonts_embedded(pdf: bytes) -> bool:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            fonts = page.obj.get("/Resources", {}).get("/Font", {})
            for _name, font in dict(fonts).items():
                fd = font.get("/FontDescriptor")
                if fd is None and "/DescendantFonts" in font:
                    fd = font.DescendantFonts[0].get("/FontDescriptor")
                if fd is None or not any(
                    k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    return False
    return True


@pytest.fixture(scope="module")
def worker():
    from imrdesktop.documents.client import DocumentWorker

    w = DocumentWorker()
    yield w
    w.close()


def make_env(tmp_path, worker, *, training=False, record=RECORD):
    vault, _key = Vault.create(tmp_path / "vault", PASS)
    session = VaultSession(vault, training=training)
    case_id = session.create_case(record)
    docs = DocumentsService(session, worker=worker)
    return session, docs, PacketService(session, docs), case_id


@pytest.fixture
def env(tmp_path, worker):
    session, docs, packet, case_id = make_env(tmp_path, worker)
    yield session, docs, packet, case_id, tmp_path
    docs._worker = None
    session.lock()


def attach_two(docs, case_id, tmp):
    pdf = tmp / "denial.pdf"
    pdf.write_bytes(make_pdf(3, text="Fictional denial"))
    jpg = tmp / "photo.jpg"
    jpg.write_bytes(make_jpeg())
    a, b = docs.attach_paths(case_id, [pdf, jpg])
    docs.update(case_id, a.id, kind="denial_letter", selection=[PageChoice(1), PageChoice(3, 90)])
    return a, b


def test_packet_order_stamps_fonts_and_cleanliness(env):
    session, docs, packet, case_id, tmp = env
    assess_case(session, case_id, session.today())
    attach_two(docs, case_id, tmp)
    built = packet.build_packet(case_id)
    assert built.eligibility_note is None
    assert not built.sample
    pages = text_of(built.pdf)
    assert len(pages) == built.pages
    keys = [s[0] for s in built.sections]
    assert keys == [
        "cover_sheet",
        "letter",
        "application",
        "assistant",
        "release",
        "exhibit_index",
        "exhibit:A",
        "exhibit:B",
    ]
    # sections are contiguous and cover every page
    first = 1
    for _key, _title, start, count in built.sections:
        assert start == first and count >= 1
        first += count
    assert first - 1 == built.pages
    marks = outline(built.pdf)
    assert [t for t, _p in marks][-2:] == [s[1] for s in built.sections][-2:]
    assert [p for _t, p in marks] == [s[2] for s in built.sections]
    # every exhibit page is stamped with its exhibit, page x of y, packet page n of N, name
    a_start = dict((s[0], s[2]) for s in built.sections)["exhibit:A"]
    for i, n in enumerate((a_start, a_start + 1), start=1):
        flat = " ".join(pages[n - 1].split())
        assert f"Exhibit A — page {i} of 2" in flat
        assert f"packet page {n} of {built.pages}" in flat
        assert NAME in flat
    b_start = dict((s[0], s[2]) for s in built.sections)["exhibit:B"]
    assert "Exhibit B — page 1 of 1" in " ".join(pages[b_start - 1].split())
    # the forms carry the case's values
    whole = " ".join(" ".join(p.split()) for p in pages)
    for value in ("SHP-123", "Sample Health Plan", "Ana Ficticia", "980 9th Street"):
        assert value in whole, value
    assert fonts_embedded(built.pdf)
    from imrdesktop.packet.assemble import active_content

    assert active_content(built.pdf) == []


def test_training_packets_say_sample_on_every_page(tmp_path, worker):
    session, docs, packet, case_id = make_env(tmp_path, worker, training=True)
    try:
        attach_two(docs, case_id, tmp_path)
        built = packet.build_packet(case_id)
        assert built.sample
        assert all("SAMPLE" in p for p in text_of(built.pdf))
    finally:
        docs._worker = None
        session.lock()


def test_a_case_not_eligible_still_builds_and_says_so(env):
    session, _docs, packet, case_id, _tmp = env
    record = session.load_case(case_id)
    record["facts"] = {"regulator": "dmhc", "denial_reason": "med_necessity"}
    session.save_case(case_id, record)
    assess_case(session, case_id, session.today())
    built = packet.build_packet(case_id)
    assert built.eligibility_note and "not IMR-eligible" in built.eligibility_note
    assert "exhibit_index" not in [s[0] for s in built.sections]


def test_letter_draft_edit_redraft(env):
    _session, _docs, packet, case_id, _tmp = env
    draft = packet.letter(case_id)
    assert not draft["edited"] and NAME in draft["text"]
    saved = packet.save_letter(case_id, "My own words for " + NAME)
    assert saved["edited"] and packet.letter(case_id)["text"] == "My own words for " + NAME
    built = packet.build_packet(case_id)
    assert "My own words for" in " ".join(text_of(built.pdf))
    again = packet.redraft_letter(case_id)
    assert not again["edited"] and "My own words" not in again["text"]


def test_article_numbers_and_the_mailing_record(env):
    session, _docs, packet, case_id, _tmp = env
    assert packet.check_article_number(GOOD).valid
    bad = packet.check_article_number(BAD)
    assert not bad.valid and bad.grouped == BAD
    with pytest.raises(InvalidField) as info:
        packet.build_cover_sheet(case_id, article_number=BAD)
    assert info.value.params["field"] == "article_number"
    sheet = packet.build_cover_sheet(case_id, article_number=BAD, accept_unverified=True)
    assert BAD in " ".join(text_of(sheet.pdf))
    sheet = packet.build_cover_sheet(case_id, article_number=GOOD)
    assert sheet.pages >= 2  # the cover sheet and the envelope page
    with pytest.raises(InvalidField) as info:
        packet.record_mailing(case_id, article_number=BAD, date="2026-11-20")
    assert info.value.params["field"] == "article_number"
    with pytest.raises(InvalidField) as info:
        packet.record_mailing(case_id, article_number=GOOD, date="2099-01-01")
    assert info.value.params["field"] == "date"
    assert packet.mailing(case_id) is None
    today = session.today().isoformat()
    mailing = packet.record_mailing(case_id, article_number=GOOD, date=today)
    assert mailing["verified"] and mailing["grouped"] == GOOD
    assert [m["key"] for m in mailing["milestones"]][0] == "delivery_expected"
    record = session.load_case(case_id)
    assert record["facts"]["imr_filed_date"] == today
    assert record["mailing"]["article_number"] == GOOD.replace(" ", "")
    unverified = packet.record_mailing(
        case_id, article_number=BAD, date=today, accept_unverified=True
    )
    assert unverified["verified"] is False


def test_every_training_case_builds(tmp_path, worker):
    from imrdesktop.services.demo import create_training_vault

    session_dir = tmp_path / "session"
    session_dir.mkdir()
    vault = create_training_vault(session_dir, __import__("datetime").date(2026, 11, 23))
    session = VaultSession(vault, training=True)
    docs = DocumentsService(session, worker=worker)
    packet = PacketService(session, docs)
    try:
        rows = session.list_cases()
        assert len(rows) == 5
        for row in rows:
            built = packet.build_packet(row.case_id)
            pages = text_of(built.pdf)
            assert len(pages) == built.pages >= 5
            assert all("SAMPLE" in p for p in pages)
            assert row.name in " ".join(" ".join(p.split()) for p in pages)
            assert fonts_embedded(built.pdf)
    finally:
        docs._worker = None
        session.lock()


def test_review_findings_mailing_dates_cover_release_and_scripts(env):
    session, _docs, packet, case_id, _tmp = env
    with pytest.raises(InvalidField) as info:
        packet.record_mailing(case_id, article_number=GOOD, date="2026-08-01")
    assert info.value.params["field"] == "date" and "before" in info.value.params["problem"]
    with pytest.raises(InvalidField):
        packet.build_cover_sheet(case_id, article_number="12345", accept_unverified=True)
    with_release = " ".join(text_of(packet.build_cover_sheet(case_id).pdf))
    without = " ".join(text_of(packet.build_cover_sheet(case_id, include_release=False).pdf))
    assert "Authorization for Release" in with_release
    assert "Authorization for Release" not in without
    record = session.load_case(case_id)
    record["enrollee"]["name"] = "សុខ ចាន់"  # Khmer: no bundled font has it
    session.save_case(case_id, record)
    assert any("cannot print" in m for m in packet.missing_fields(case_id))


def test_an_ambiguous_barcode_scan_is_never_picked_silently():
    from imrdesktop.domain import usps

    scan = "4209581492635139693716487059640236"
    found = usps.check(scan)
    assert not found.valid and found.kind == "ambiguous_scan"
    with pytest.raises(InvalidField) as info:
        PacketService._require_verified(PacketService.check_article_number(scan), False)
    assert "two ways" in info.value.params["problem"]


def test_recording_the_mailing_keeps_the_letter_as_mailed_and_takes_us_dates(env):
    session, _docs, packet, case_id, _tmp = env
    mailed_text = packet.letter(case_id)["text"]
    assert not session.load_case(case_id).get("assessment")
    today = session.today()
    us = f"{today.month}/{today.day}/{today.year}"
    mailing = packet.record_mailing(case_id, article_number=GOOD, date=us)
    assert mailing["date"] == today.isoformat()
    record = session.load_case(case_id)
    assert record["letter"]["text"] == mailed_text and record["letter"]["edited"]
    assert "assessment" not in record  # an unassessed case is not assessed behind one's back
    assert packet.letter_open_prompts(case_id) == len(
        __import__("imrdesktop.domain.letter", fromlist=["x"]).open_prompts(mailed_text)
    )


def test_a_short_closing_paragraph_is_never_split_across_pages():
    from imrdesktop.packet.letter_pdf import render_letter

    body = "\n\n".join(["Paragraph line."] * 40)
    closing = "Sincerely,\n\n\nAna Ficticia\nSample Legal Aid\n(510) 555-0101\nana@example.org"
    pdf, pages = render_letter(body + "\n\n" + closing)
    texts = text_of(pdf)
    owner = [i for i, t in enumerate(texts) if "Ana Ficticia" in t]
    assert owner and "ana@example.org" in texts[owner[0]] and "Sincerely" in texts[owner[0]]
