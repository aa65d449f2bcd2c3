from __future__ import annotations

import json

from imrdesktop.resources_path import forms_path, resource_path


def test_data_folders_resolve():
    assert resource_path("style", "light.qss").is_file()
    assert forms_path().is_dir()


def test_every_icon_named_in_code_exists():
    from imrdesktop.gui.resources import ICONS

    for name in ICONS:
        assert resource_path("icons", f"{name}.svg").is_file(), name


def test_fonts_ship_with_their_licence():
    fonts = resource_path("fonts")
    assert (fonts / "LICENSE-DejaVu.txt").is_file()
    assert (fonts / "DejaVuSans.ttf").stat().st_size > 100_000


def test_demo_cases_are_valid_records():
    import datetime as dt

    from imrdesktop.services.demo import load_demo_cases

    data = json.loads(resource_path("demo", "cases.json").read_text(encoding="utf-8"))
    _adv, records = load_demo_cases(dt.date(2026, 11, 23))
    assert len(records) == len(data["cases"]) >= 4
    kinds = {c["label"] for c in data["cases"]}
    assert {"urgent", "experimental", "medi-cal", "window-closing"} <= kinds
    mc = next(r for r, c in zip(records, data["cases"], strict=True) if c["label"] == "medi-cal")
    assert mc["facts"]["medi_cal"]["nar_date"] == "2026-11-03"


def test_stylesheet_point_sizes_follow_the_text_size():
    from imrdesktop.gui.resources import stylesheet

    assert "font-size: 20pt" in stylesheet()
    assert "font-size: 40.0pt" in stylesheet(scale_percent=200)
