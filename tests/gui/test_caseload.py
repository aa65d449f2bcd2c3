"""The caseload: urgency order with risk words, search and status filter, the due-soon panel on
unlock, the statistics dialog and its CSV export, and a vault of 1,000 cases."""

from __future__ import annotations

import datetime as dt

import pytest
from guihelpers import create_profile, unlock
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from test_app_shell import _unnamed_controls

from imrdesktop.gui.screens.case_list import ALL_CASES, OPEN_CASES, CaseTableModel
from imrdesktop.gui.screens.statistics import StatisticsDialog
from imrdesktop.services.caseload import Stats

COL = {name: n for n, name in enumerate(CaseTableModel.COLUMNS)}


def add_case(
    window,
    name: str,
    days: int | None = None,
    *,
    what: str = "File the IMR",
    status: str = "open",
    pathway: str = "",
    outcome: str = "",
    member_id: str = "",
) -> str:
    """A case whose list summary is as given (the way a long-running caseload has them)."""
    today = window.session.today()
    deadline = None
    if days is not None:
        deadline = {"date": (today + dt.timedelta(days=days)).isoformat(), "what": what}
    summary = {
        "name": name,
        "member_id": member_id,
        "status": status,
        "next_deadline": deadline,
        "pathway": pathway,
        "outcome": outcome,
    }
    return window.session.vault.create_case({"enrollee": {"name": name}}, summary=summary)


def shown(window, column: str = "name", role=Qt.ItemDataRole.DisplayRole) -> list:
    proxy = window.case_list.proxy
    return [proxy.index(r, COL[column]).data(role) for r in range(proxy.rowCount())]


def next_tab_stop(widget):
    """The widget Tab moves to from ``widget``."""
    nxt = widget.nextInFocusChain()
    while not (nxt.focusPolicy() & Qt.FocusPolicy.TabFocus and nxt.isVisible()):
        nxt = nxt.nextInFocusChain()
    return nxt


def long(day: dt.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


@pytest.fixture
def caseload(qtbot, window, answers):
    create_profile(qtbot, window, answers)
    ids = {
        "Zed Later": add_case(window, "Zed Later", 45, member_id="GVH-77"),
        "Bob Week": add_case(window, "Bob Week", 3, what="Plan must answer the grievance"),
        "Amy Overdue": add_case(window, "Amy Overdue", -2, status="grievance_pending"),
        "Cal Month": add_case(window, "Cal Month", 20, status="ready_to_file"),
        "Eve Closed": add_case(
            window, "Eve Closed", status="complied", pathway="imr_standard", outcome="overturned"
        ),
        "Dee Nodate": add_case(window, "Dee Nodate"),
    }
    window.show_case_list()
    return ids


def test_the_caseload_is_sorted_by_urgency_with_risk_in_words(qtbot, window, caseload):
    today = window.session.today()
    assert shown(window) == [
        "Amy Overdue",
        "Bob Week",
        "Cal Month",
        "Zed Later",
        "Dee Nodate",
        "Eve Closed",
    ]
    assert shown(window, "days") == [
        "overdue by 2 days",
        "3 days left",
        "20 days left",
        "45 days left",
        "—",
        "—",
    ]
    # The marker's word is part of what the cell says (never colour alone).
    spoken = shown(window, "days", Qt.ItemDataRole.AccessibleTextRole)
    assert spoken[:4] == [
        "Overdue: overdue by 2 days",
        "Due within 7 days: 3 days left",
        "Due within 30 days: 20 days left",
        "45 days left",
    ]
    from imrdesktop.gui.screens.case_list import RISK_ROLE, RISK_WORD_ROLE

    assert shown(window, "days", RISK_ROLE) == ["overdue", "week", "month", "later", "none", "none"]
    assert shown(window, "days", RISK_WORD_ROLE)[3:] == ["", "", ""]
    tints = shown(window, "name", Qt.ItemDataRole.BackgroundRole)
    assert all(t is not None for t in tints[:3]) and tints[3:] == [None, None, None]
    deadlines = shown(window, "deadline")
    assert deadlines[0] == f"File the IMR — {long(today - dt.timedelta(days=2))}"
    assert deadlines[1] == f"Plan must answer the grievance — {long(today + dt.timedelta(3))}"
    assert deadlines[4:] == ["Not assessed yet", "Nothing due"]
    assert shown(window, "status")[:3] == ["Grievance pending", "Open", "Ready to file"]
    assert shown(window, "status")[5] == "Care provided — closed"

    # A column title sorts by that column; Days left sorts by urgency again.
    header = window.case_list.table.horizontalHeader()
    header.setSortIndicator(COL["name"], Qt.SortOrder.AscendingOrder)
    assert shown(window)[:3] == ["Amy Overdue", "Bob Week", "Cal Month"]
    assert shown(window)[3:] == ["Dee Nodate", "Eve Closed", "Zed Later"]
    header.setSortIndicator(COL["days"], Qt.SortOrder.AscendingOrder)
    assert shown(window)[:2] == ["Amy Overdue", "Bob Week"]

    # Enter on the list opens the selected case.
    table = window.case_list.table
    table.setFocus()
    table.setCurrentIndex(window.case_list.proxy.index(1, 0))
    with qtbot.waitSignal(window.case_opened) as opened:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened.args == [caseload["Bob Week"]]


def test_search_finds_a_client_as_you_type(qtbot, window, caseload):
    cl = window.case_list
    cl.focus()
    qtbot.keyClicks(cl.search_edit, "b")
    assert "Bob Week" in shown(window)
    qtbot.keyClicks(cl.search_edit, "ob w")
    assert shown(window) == ["Bob Week"]
    assert cl.count_label.text() == "1 of 6 cases shown"
    cl.search_edit.setText("")
    qtbot.keyClicks(cl.search_edit, "gvh-77")  # member id
    assert shown(window) == ["Zed Later"]
    cl.search_edit.setText(caseload["Cal Month"].lower())  # case number
    assert shown(window) == ["Cal Month"]
    cl.search_edit.setText("nobody by that name")
    assert shown(window) == [] and cl.count_label.text() == "0 of 6 cases shown"
    cl.search_edit.setText("")
    assert len(shown(window)) == 6 and cl.count_label.text() == "6 cases"

    # Down arrow goes from the search box to the list; Enter there opens the case.
    qtbot.keyClicks(cl.search_edit, "week")
    qtbot.keyClick(cl.search_edit, Qt.Key.Key_Down)
    assert window.focusWidget() is cl.table
    with qtbot.waitSignal(window.case_opened) as opened:
        qtbot.keyClick(cl.table, Qt.Key.Key_Return)
    assert opened.args == [caseload["Bob Week"]]


def test_status_filter(qtbot, window, caseload):
    cl = window.case_list
    combo = cl.status_combo
    assert combo.itemText(0) == "All cases"
    assert combo.findText("Open cases (not closed)") >= 0
    assert combo.findText("Care provided — closed") >= 0
    cl.set_status_filter("complied")
    assert shown(window) == ["Eve Closed"]
    cl.set_status_filter(OPEN_CASES)
    assert "Eve Closed" not in shown(window) and len(shown(window)) == 5
    combo.setCurrentIndex(combo.findText("Open"))
    assert shown(window) == ["Bob Week", "Zed Later", "Dee Nodate"]
    assert cl.count_label.text() == "3 of 6 cases shown"
    qtbot.keyClicks(cl.search_edit, "zed")  # search and status together
    assert shown(window) == ["Zed Later"]
    cl.search_edit.setText("")
    cl.set_status_filter(ALL_CASES)
    assert len(shown(window)) == 6
    # Locking resets the filter: the next unlock shows every case.
    cl.set_status_filter("complied")
    window.lock()
    assert combo.currentIndex() == 0


def test_due_soon_on_unlock_opens_the_case_and_can_be_dismissed(qtbot, window, caseload):
    panel = window.case_list.due_soon
    assert not panel.isVisible()  # only on unlock
    add_case(window, "Fay Fortnight", 14)
    add_case(window, "Gus Fifteen", 15)
    window.lock()
    with qtbot.waitSignal(window.unlocked, timeout=10_000):
        unlock(qtbot, window)
    assert panel.isVisible()
    assert panel.heading.text() == "Due soon: 3 cases"
    today = window.session.today()
    first = today - dt.timedelta(days=2)
    lines = [b.text() for b in panel.lines]
    assert lines[0] == f"Amy Overdue — File the IMR — {first:%b} {first.day} (overdue by 2 days)"
    assert lines[1].startswith("Bob Week — Plan must answer the grievance — ")
    assert lines[1].endswith("(3 days left)")
    assert lines[2].startswith("Fay Fortnight") and "Gus" not in "".join(lines)
    assert not panel.more_label.isVisible()
    assert _unnamed_controls(window.case_list) == []
    assert window.stack.currentWidget() is window.case_list  # no pop-up
    assert window.focusWidget() is window.case_list.search_edit
    # Tab order: Dismiss, the lines, then the search box (Shift+Tab from it reaches them).
    assert next_tab_stop(panel.dismiss_button) is panel.lines[0]
    assert next_tab_stop(panel.lines[-1]) is window.case_list.search_edit

    with qtbot.waitSignal(window.case_opened) as opened:
        qtbot.mouseClick(panel.lines[1], Qt.MouseButton.LeftButton)
    assert opened.args == [caseload["Bob Week"]]
    assert window.stack.currentWidget() is window.workspace
    # Back at the list the panel is still there until dismissed.
    window.show_case_list()
    assert panel.isVisible() and len(panel.lines) == 3
    qtbot.mouseClick(panel.dismiss_button, Qt.MouseButton.LeftButton)
    assert not panel.isVisible() and panel.lines == []
    window.show_case_list()
    assert not panel.isVisible()


def test_due_soon_lists_five_and_says_how_many_more(qtbot, window, answers):
    create_profile(qtbot, window, answers)
    assert not window.case_list.due_soon.isVisible()  # nothing due: nothing shown
    for n in range(7):
        add_case(window, f"Client {n}", n)
    window.lock()
    with qtbot.waitSignal(window.unlocked, timeout=10_000):
        unlock(qtbot, window)
    panel = window.case_list.due_soon
    assert panel.heading.text() == "Due soon: 7 cases"
    assert [b.text().split(" — ")[0] for b in panel.lines] == [f"Client {n}" for n in range(5)]
    assert "(due today)" in panel.lines[0].text()
    assert panel.more_label.isVisible() and panel.more_label.text().startswith("and 2 more")
    # Locking wipes the names from the panel at once.
    window.lock()
    assert panel.lines == [] and panel.heading.text() == ""
    assert not [b for b in window.case_list.findChildren(QPushButton) if "Client" in b.text()]


def test_statistics_dialog_figures_and_csv_without_client_data(qtbot, window, answers, tmp_path):
    create_profile(qtbot, window, answers)
    for n, outcome in enumerate(
        ("overturned", "overturned", "overturned", "plan_reversed", "upheld", "withdrawn")
    ):
        add_case(
            window,
            f"Decided Person{n}",
            status=outcome,
            pathway="imr_standard" if n % 2 else "imr_urgent",
            outcome=outcome,
            member_id=f"MEM-SECRET-{n}",
        )
    add_case(window, "Waiting Person", 10, status="mailed", pathway="imr_standard")
    add_case(window, "New Person")
    window.show_case_list()
    out = tmp_path / "funder-report.csv"
    seen = {}

    def look(dlg):
        assert isinstance(dlg, StatisticsDialog)
        seen.update(dlg.values)
        seen["note"] = dlg.statewide_label.text()
        seen["why"] = dlg.rate_note.text()
        assert _unnamed_controls(dlg) == []
        answers.confirm.append(True)
        answers.save_paths.append(out)
        qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
        seen["status"] = dlg.export_status.text()
        return True

    answers.dialog_handlers.append(look)
    qtbot.mouseClick(window.case_list.stats_button, Qt.MouseButton.LeftButton)
    assert seen["total"] == "8"
    assert seen["pathway.imr_standard"] == "4" and seen["pathway.imr_urgent"] == "3"
    assert seen["pathway.not_assessed"] == "1"
    assert seen["status.overturned"] == "3" and seen["status.mailed"] == "1"
    assert seen["decided"] == "6" and seen["care_approved"] == "4"
    assert seen["rate"] == "67%"
    assert "4 of 6" in seen["why"]
    assert "60%" in seen["note"]
    assert seen["status"] == "Saved as funder-report.csv."
    assert any("counts only" in m for m in answers.messages("confirm"))
    text = out.read_text(encoding="utf-8")
    assert "care_approved,4" in text and "cases_total,8" in text
    for secret in ("Person", "MEM-SECRET", "C-"):
        assert secret not in text
    assert out.stat().st_mode & 0o077 == 0

    # Declining the warning writes nothing and asks for no file name.
    answers.shown.clear()

    def decline(dlg):
        answers.confirm.append(False)
        answers.save_paths.append(tmp_path / "never.csv")
        dlg.export_button.click()
        return True

    answers.dialog_handlers.append(decline)
    window.action_statistics.trigger()
    assert not (tmp_path / "never.csv").exists() and answers.save_paths


def test_the_rate_needs_five_decided_cases(qtbot, window):
    stats = Stats(
        total=3,
        by_status={"overturned": 2, "upheld": 1},
        decided=3,
        care_approved=2,
        rate=2 / 3,
        statewide_note="Statewide, about 60%.",
    )
    dlg = StatisticsDialog(stats, dt.date(2026, 11, 30))
    qtbot.addWidget(dlg)
    assert dlg.values["rate"] == "—"
    assert "once 5 cases have an IMR decision (so far 3)" in dlg.rate_note.text()
    empty = StatisticsDialog(Stats(total=0), dt.date(2026, 11, 30))
    qtbot.addWidget(empty)
    assert empty.values["rate"] == "—" and empty.values["decided"] == "0"


def test_statistics_is_on_the_tools_menu_only_when_unlocked(qtbot, window, answers):
    assert not window.action_statistics.isEnabled()
    create_profile(qtbot, window, answers)
    assert window.action_statistics.isEnabled()
    assert _unnamed_controls(window.case_list) == []


def test_a_thousand_cases(qtbot, window, answers):
    create_profile(qtbot, window, answers)
    vault = window.session.vault
    today = window.session.today()
    statuses = ("open", "grievance_pending", "ready_to_file", "mailed", "under_review")
    for i in range(1000):
        days = (i % 200) - 10 if i % 7 else None
        summary = {
            "name": f"Client {i:04d} Nguyễn",
            "member_id": f"MEM{i:04d}X",
            "status": "complied" if i % 50 == 0 else statuses[i % 5],
            "next_deadline": None
            if days is None
            else {"date": (today + dt.timedelta(days=days)).isoformat(), "what": "File the IMR"},
            "pathway": "imr_standard",
            "outcome": "overturned" if i % 50 == 0 else "",
        }
        vault.create_case({"enrollee": {"name": summary["name"]}}, summary=summary)
    window.show_case_list()
    cl = window.case_list
    assert cl.proxy.rowCount() == 1000
    assert cl.count_label.text() == "1000 cases"
    days = [cl.model.row_at(r).days_left for r in range(1000)]
    dated = [d for d in days if d is not None]
    assert dated == sorted(dated) and dated[0] == -10
    assert days[len(dated) :] == [None] * (1000 - len(dated))
    # No widget per row: the table paints from the model.
    assert len(cl.findChildren(QPushButton)) < 10
    qtbot.keyClicks(cl.search_edit, "client 0999")
    assert shown(window) == ["Client 0999 Nguyễn"]
    cl.search_edit.setText("mem0123x")
    assert shown(window) == ["Client 0123 Nguyễn"]
    cl.search_edit.setText("nguyễn")
    assert cl.proxy.rowCount() == 1000
    cl.search_edit.setText("")
    cl.set_status_filter("complied")
    assert cl.proxy.rowCount() == 20
    cl.set_status_filter(OPEN_CASES)
    assert cl.proxy.rowCount() == 980
    qtbot.keyClicks(cl.search_edit, "client 0050")  # closed: not among the open cases
    assert cl.proxy.rowCount() == 0
    cl.set_status_filter(ALL_CASES)
    assert shown(window) == ["Client 0050 Nguyễn"]
