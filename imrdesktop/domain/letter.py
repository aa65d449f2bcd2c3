"""The draft letter in support (RULES.md C item 2), composed from data. Pure, no I/O.

``forms/packet/letter.json`` holds the paragraphs (English msgids) with ``{key}``
placeholders for values of the packet context and ``when`` conditions. A value the case
lacks becomes a short [bracketed prompt] the advocate replaces; the Packet section counts
what is still in brackets before printing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from imrdesktop.i18n import _

_KEY = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)*)\}")
_PROMPT = re.compile(r"\[[^\[\]\n]{2,400}\]")


@dataclass(frozen=True)
class Paragraph:
    id: str
    text: str
    when: str | None = None


@dataclass(frozen=True)
class LetterTemplate:
    paragraphs: tuple[Paragraph, ...]
    prompts: Mapping[str, str]
    labels: Mapping[str, str]


def parse_template(data: Any) -> LetterTemplate:
    if not isinstance(data, dict) or data.get("version") != 1:
        raise ValueError("letter: not version 1 data")
    paras = []
    for i, raw in enumerate(data.get("paragraphs") or ()):
        if not isinstance(raw, dict) or set(raw) - {"id", "text", "when"}:
            raise ValueError(f"letter: paragraphs[{i}]: unexpected keys")
        if not isinstance(raw.get("id"), str) or not isinstance(raw.get("text"), str):
            raise ValueError(f"letter: paragraphs[{i}]: id and text are required")
        when = raw.get("when")
        if when is not None and not isinstance(when, str):
            raise ValueError(f"letter: paragraphs[{i}]: when")
        paras.append(Paragraph(raw["id"], raw["text"], when))
    prompts = data.get("prompts") or {}
    labels = data.get("labels") or {}
    for name, table in (("prompts", prompts), ("labels", labels)):
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in table.items()
        ):
            raise ValueError(f"letter: {name} must map text to text")
    return LetterTemplate(tuple(paras), dict(prompts), dict(labels))


def _holds(context: Mapping[str, Any], when: str | None) -> bool:
    if not when:
        return True
    negate = when.startswith("!")
    value = bool(context.get(when.lstrip("!")))
    return not value if negate else value


def compose(
    template: LetterTemplate,
    context: Mapping[str, Any],
    translate: Callable[[str], str] = _,
) -> str:
    """The letter's text: paragraphs separated by a blank line."""

    def value(match: re.Match) -> str:
        key = match.group(1)
        if key in template.prompts:
            return translate(template.prompts[key])
        found = context.get(key)
        if isinstance(found, str) and found.strip():
            return found.strip()
        label = template.labels.get(key, key.rsplit(".", 1)[-1].replace("_", " "))
        return "[" + translate(label) + "]"

    out = []
    for para in template.paragraphs:
        if not _holds(context, para.when):
            continue
        out.append(_KEY.sub(value, translate(para.text)))
    return "\n\n".join(out) + "\n"


def open_prompts(text: str) -> list[str]:
    """The [bracketed prompts] still in a letter, in order."""
    return _PROMPT.findall(text or "")
