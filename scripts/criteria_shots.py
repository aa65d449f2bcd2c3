"""Screenshots of the criteria interview and result pages, from the training vault.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/criteria_shots.py [OUT_DIR]
    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=2 .venv/bin/python scripts/criteria_shots.py
    QT_QPA_PLATFORM=offscreen SHOTS_FONT_SCALE=200 .venv/bin/python scripts/criteria_shots.py

Runs in a throwaway home folder (nothing of the user's profile is touched) and writes PNGs to
OUT_DIR (default shots/criteria, git-ignored); at QT_SCALE_FACTOR=2 the names end in -200,
with the app's text size at 200 % in -text200.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HOME = Path(tempfile.mkdtemp(prefix="imr-shots-"))
for var, sub in (
    ("HOME", "home"),
    ("XDG_DATA_HOME", "home/.local/share"),
    ("XDG_CONFIG_HOME", "home/.config"),
    ("XDG_CACHE_HOME", "home/.cache"),
    ("XDG_STATE_HOME", "home/.local/state"),
    ("XDG_RUNTIME_DIR", "runtime"),
):
    (HOME / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
    os.environ[var] = str(HOME / sub)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("IMRDESKTOP_TEST_FAST_KDF", "1")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


def main() -> int:
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication, QWizard

    from imrdesktop.gui.application import Application
    from imrdesktop.gui.main_window import MainWindow
    from imrdesktop.gui.wizard.page_ids import PageId
    from imrdesktop.services.context import AppContext
    from imrdesktop.storage.paths import AppPaths
    from imrdesktop.storage.settings import Settings

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "shots/criteria")
    out.mkdir(parents=True, exist_ok=True)
    suffix = "-200" if os.environ.get("QT_SCALE_FACTOR", "1") not in ("", "1") else ""
    app = Application()
    font_scale = int(os.environ.get("SHOTS_FONT_SCALE", "100"))
    if font_scale != 100:  # the app's own text-size setting (Tools > Settings)
        app.set_font_scale(font_scale)
        suffix += f"-text{font_scale}"
    paths = AppPaths.default().ensure()
    window = MainWindow(AppContext(paths=paths, settings=Settings(paths.settings_file)))
    window.resize(1100, 760)
    window.show()

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def shot(name: str, height: int | None = None) -> None:
        if height:
            window.resize(1100, height)
        settle()
        path = out / f"{name}{suffix}.png"
        window.grab().save(str(path))
        print(path)
        window.resize(1100, 760)
        settle()

    loop = QEventLoop()
    window.unlocked.connect(loop.quit)
    window.open_training_vault()
    loop.exec()  # the vault is made on a worker thread
    rows = {r.name: r.case_id for r in window.session.list_cases()}

    def answer_unasked(page) -> None:
        q = page.question
        if q.type == "date":
            page.none_radio.click()
        elif q.type == "yes_no_unknown":
            page.choose(q.id in ("provider_recommended", "authorized_assistant")).click()
        elif q.type == "choice":
            shown = [o for o, r in zip(q.options, page.rows, strict=True) if not r.isHidden()]
            calm = [o for o in shown if o.values.get(q.key) in ("none", None)]
            page.choose((calm or shown)[0].values[q.key]).click()

    def run(name: str, label: str, *, interview_shot: str = "") -> None:
        window.open_case(rows[name])
        window.workspace.show_section("criteria")
        crit = window.workspace.criteria
        crit.start_button.click()
        wizard = crit.wizard
        nxt = wizard.button(QWizard.WizardButton.NextButton)
        shot_taken = False
        while wizard.currentId() != PageId.RESULT:
            page = wizard.currentPage()
            if interview_shot and page.question.id == interview_shot and not shot_taken:
                shot(f"interview-{label}-{page.question.id}")
                shot_taken = True
            if not nxt.isEnabled():
                answer_unasked(page)
            wizard.next()
            settle()
        wizard.button(QWizard.WizardButton.FinishButton).click()
        settle()
        shot(f"result-{label}")
        shot(f"result-{label}-full", height=1500)
        window.show_case_list()

    run("Nguyễn Thị Lan", "urgent", interview_shot="regulator")
    run("Armen Petrosyan", "eit", interview_shot="eit_evidence")
    run("María Guadalupe Ortiz", "medi-cal", interview_shot="grievance_decision_date")
    shot("case-list")
    window.lock(reason="user")
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
