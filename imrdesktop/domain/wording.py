"""Wording as data: the sentences of outcomes, rules, warnings, deadlines and missing items.

The services layer reads ``forms/criteria/wording.json`` and builds a :class:`Wording`;
``render`` turns an :class:`~.rules.Assessment` into the ``--json`` shape of
shared/domain/facts.md. English text is the gettext msgid: rendering calls
``_(text).format(**params)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from imrdesktop.domain.rules import Assessment


@dataclass(frozen=True)
class Wording:
    version: int
    outcomes: Mapping[str, Mapping[str, str]]
    pathways: Mapping[str, str]
    rules: Mapping[str, Mapping[str, Any]]
    warnings: Mapping[str, Mapping[str, Any]]
    deadlines: Mapping[str, Mapping[str, str]]
    missing: Mapping[str, Mapping[str, Any]]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Wording:
        raise NotImplementedError


def render(assessment: Assessment, wording: Wording) -> dict[str, Any]:
    """The facts.md ``--json`` output of ``assessment``."""
    raise NotImplementedError
