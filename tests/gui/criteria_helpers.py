"""Driving the criteria wizard in tests: build it with a fixed "today", answer, press Next."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from imrdesktop.domain.answers import Answers
from imrdesktop.domain.facts import facts_problems
from imrdesktop.gui.wizard.page_ids import PageId
from imrdesktop.gui.wizard.wizard import CriteriaWizard, WizardHooks
from imrdesktop.services.assessment import assess_facts
from imrdesktop.services.interview import load_interview

MEDI_CAL_PLAN = ("option", 1)  # the gate's "Medi-Cal through a DMHC plan" (regulator dmhc too)


def hooks_for(today: dt.date, commits: list | None = None) -> WizardHooks:
    def commit(facts: dict) -> dict:
        if commits is not None:
            commits.append(facts)
        return assess_facts(facts, today)[1]

    return WizardHooks(
        today=lambda: today,
        check=lambda facts: facts_problems(facts, today)[1],
        preview=lambda facts: assess_facts(facts, today)[1],
        commit=commit,
    )


def make_wizard(qtbot, today: dt.date, facts: dict | None = None, commits=None):
    wizard = CriteriaWizard(
        load_interview(), Answers.from_facts(facts or {}), hooks_for(today, commits), embedded=False
    )
    qtbot.addWidget(wizard)
    wizard.resize(900, 700)
    wizard.show()
    wizard.restart()
    return wizard


def next_button(wizard):
    return wizard.button(QWizard.WizardButton.NextButton)


def finish_button(wizard):
    return wizard.button(QWizard.WizardButton.FinishButton)


def answer(page, value) -> None:
    """Give ``value`` as the answer on a question page, as a user would."""
    q = page.question
    if q.type in ("choice", "yes_no_unknown"):
        if isinstance(value, tuple) and value[0] == "option":
            page.buttons[value[1]].click()
        else:
            page.choose(value).click()
    elif q.type == "multi_check":
        for item, box in zip(q.items, page.checks, strict=True):
            if box.isChecked() != bool(value.get(item.key)):
                box.click()
    elif value is None:
        page.none_radio.click()
    else:
        page.date_edit.setFocus()
        page.date_edit.selectAll()
        page.date_edit.insert(value)  # like typing (textChanged; the date option follows)


def go_next(qtbot, wizard) -> None:
    with qtbot.waitSignal(wizard.currentIdChanged, timeout=3000):
        qtbot.mouseClick(next_button(wizard), Qt.MouseButton.LeftButton)


def walk(qtbot, wizard, script: dict, *, fresh: bool = True) -> list[str]:
    """Answer each page from ``script`` (question id -> value) up to the result page.

    With ``fresh`` the interview started empty, so Next must be disabled on every required
    page until the answer is given. Returns the question ids asked, in order.
    """
    asked = []
    while wizard.currentId() != PageId.RESULT:
        page = wizard.currentPage()
        qid = page.question.id
        assert qid in script, f"the interview asked {qid!r}, which the script does not answer"
        assert qid not in asked
        asked.append(qid)
        if fresh and page.question.type != "multi_check":
            assert not next_button(wizard).isEnabled(), f"Next enabled before answering {qid}"
        answer(page, script[qid])
        assert next_button(wizard).isEnabled(), f"Next still disabled after answering {qid}"
        go_next(qtbot, wizard)
    return asked


def result_model(wizard):
    assert wizard.currentId() == PageId.RESULT
    return wizard.result_page.view.model


def deadline_text(wizard, key: str) -> str:
    return wizard.result_page.view.deadline_labels[key].text()
