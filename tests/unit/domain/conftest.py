"""Shared helpers for the rules-engine tests: the shipped calendars and wording, and a
one-call ``run(facts, today)`` that parses, assesses and renders."""

from __future__ import annotations

import json

import pytest
from engine_helpers import D

from imrdesktop.domain.calendars import Calendars
from imrdesktop.domain.facts import parse_facts
from imrdesktop.domain.rules import assess
from imrdesktop.domain.wording import Wording, render
from imrdesktop.resources_path import forms_path, resource_path


@pytest.fixture(scope="session")
def calendars() -> Calendars:
    data = json.loads(resource_path("calendars", "ca-holidays.json").read_text("utf-8"))
    return Calendars.from_data(data)


@pytest.fixture(scope="session")
def wording() -> Wording:
    return Wording.from_dict(json.loads(forms_path("criteria", "wording.json").read_text("utf-8")))


@pytest.fixture(scope="session")
def run(calendars, wording):
    """run(facts, today) -> (Assessment, rendered dict); today as "YYYY-MM-DD"."""

    def _run(facts: dict, today: str):
        day = D(today)
        assessment = assess(parse_facts(facts, day), day, calendars)
        return assessment, render(assessment, wording)

    return _run
