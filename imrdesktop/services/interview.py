"""The criteria interview, loaded from data (``forms/criteria/interview.json``).

The file lists the questions in the order they are asked, grouped in sections. Each question
names the facts keys it writes (facts.md's dotted names), its type, its text and "why we
ask" help, its answer options with the facts values they set, and a ``show_if`` condition
over earlier answers. Branching is nothing but those conditions: after a question, the next
one asked is the first later question whose section and own ``show_if`` hold.

Conditions (JSON)::

    {"fact": "medi_cal.member", "eq": true}        # also "ne", "in", "not_in" (lists)
    {"fact": "grievance.filed_date", "set": true}  # a non-null answer is there (or not)
    {"fact": "regulator", "answered": true}        # the question was answered, even "unknown"
    {"all": [...]}  {"any": [...]}  {"not": {...}}  {"ref": "name"}   # names: "conditions"

A fact that is absent compares as ``None``. The loader refuses, with a message naming the
place in the file: unknown keys anywhere, unknown facts keys or values, unknown operators or
condition names, and a condition that reads a fact no earlier question writes.

All texts are English gettext msgids: show them with ``imrdesktop.i18n._``. No Qt here.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imrdesktop.domain import facts as facts_schema
from imrdesktop.domain.answers import Answers
from imrdesktop.i18n import N_
from imrdesktop.resources_path import forms_path

FORMAT = "imrdesktop.criteria-interview"
SUPPORTED_VERSION = 1


# facts.md: every key the facts record may hold, with its kind, from the engine's schema.
def _fact_kinds() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    kinds: dict[str, str] = {}
    enums: dict[str, tuple[str, ...]] = {}

    def walk(prefix: str, schema: Mapping[str, Any]) -> None:
        for name, kind in schema.items():
            key = f"{prefix}{name}"
            if isinstance(kind, Mapping):
                walk(f"{key}.", kind)
            elif kind == facts_schema.DATE:
                kinds[key] = "date"
            elif kind == facts_schema.BOOL:
                kinds[key] = "bool"
            else:
                kinds[key] = "enum"
                enums[key] = tuple(member.value for member in kind)

    walk("", facts_schema.SCHEMA)
    return kinds, enums


FACT_KINDS, _ENUMS = _fact_kinds()

QUESTION_TYPES = ("choice", "yes_no_unknown", "date", "multi_check")

# The answers of a yes/no/unknown question (the facts value each one sets).
YES_NO_UNKNOWN: tuple[tuple[str, bool | None], ...] = (
    (N_("Yes"), True),
    (N_("No"), False),
    (N_("I don't know"), None),
)


class InterviewDefinitionError(ValueError):
    """The interview file is malformed; the message names the place and the problem."""


# --- conditions ----------------------------------------------------------------------------
_TESTS = ("eq", "ne", "in", "not_in", "set", "answered")


@dataclass(frozen=True)
class Condition:
    """One node of a ``show_if`` condition."""

    op: str  # "fact", "all", "any", "not", "ref"
    fact: str = ""
    test: str = ""
    operand: Any = None
    children: tuple[Condition, ...] = ()
    ref: str = ""

    def facts(self, named: Mapping[str, Condition]) -> set[str]:
        """Every fact this condition reads, through named conditions too."""
        if self.op == "fact":
            return {self.fact}
        if self.op == "ref":
            return named[self.ref].facts(named)
        out: set[str] = set()
        for child in self.children:
            out |= child.facts(named)
        return out

    def holds(self, answers: Answers, named: Mapping[str, Condition]) -> bool:
        if self.op == "all":
            return all(c.holds(answers, named) for c in self.children)
        if self.op == "any":
            return any(c.holds(answers, named) for c in self.children)
        if self.op == "not":
            return not self.children[0].holds(answers, named)
        if self.op == "ref":
            return named[self.ref].holds(answers, named)
        value = answers.get(self.fact)
        if self.test == "answered":
            return answers.has(self.fact) is self.operand
        if self.test == "set":
            return (value is not None) is self.operand
        if self.test == "eq":
            return _same(value, self.operand)
        if self.test == "ne":
            return not _same(value, self.operand)
        if self.test == "in":
            return any(_same(value, v) for v in self.operand)
        return not any(_same(value, v) for v in self.operand)  # not_in


def _same(a: Any, b: Any) -> bool:
    """Equality that keeps JSON types apart (``True`` is not ``1``)."""
    return type(a) is type(b) and a == b


# --- questions -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Option:
    label: str
    sets: tuple[tuple[str, Any], ...]  # (facts key, value), the question's main key first
    help: str = ""
    show_if: Condition | None = None

    @property
    def values(self) -> dict[str, Any]:
        return dict(self.sets)


@dataclass(frozen=True)
class Item:
    """One box of a multi-check question: ticked writes true, unticked false."""

    key: str
    label: str
    help: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    keys: tuple[str, ...]
    text: str
    why: str
    section_id: str
    section_title: str
    options: tuple[Option, ...] = ()
    items: tuple[Item, ...] = ()
    show_if: Condition | None = None
    section_show_if: Condition | None = None
    date_label: str = ""
    none_label: str = ""

    @property
    def key(self) -> str:
        return self.keys[0]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    show_if: Condition | None
    question_ids: tuple[str, ...]


@dataclass(frozen=True)
class Interview:
    version: int
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    conditions: Mapping[str, Condition] = field(default_factory=dict)

    # --- lookups -------------------------------------------------------------------------
    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def index(self, question_id: str) -> int:
        for i, q in enumerate(self.questions):
            if q.id == question_id:
                return i
        raise KeyError(question_id)

    # --- branching -----------------------------------------------------------------------
    def evaluate(self, condition: Condition | None, answers: Answers | Mapping) -> bool:
        """Whether ``condition`` holds for ``answers`` (an Answers or a facts dict)."""
        if condition is None:
            return True
        if not isinstance(answers, Answers):
            answers = Answers(dict(answers))
        return condition.holds(answers, self.conditions)

    def is_shown(self, question: Question, answers: Answers | Mapping) -> bool:
        return self.evaluate(question.section_show_if, answers) and self.evaluate(
            question.show_if, answers
        )

    def effective(self, answers: Answers | Mapping) -> Answers:
        """A copy of ``answers`` without those of questions no longer asked, as branching
        reads them: an answer left behind on a skipped path must not steer the interview."""
        copy = Answers.from_facts(answers.facts if isinstance(answers, Answers) else answers)
        self.prune(copy)
        return copy

    def shown_questions(self, answers: Answers | Mapping) -> list[Question]:
        effective = self.effective(answers)
        return [q for q in self.questions if self.is_shown(q, effective)]

    def first(self, answers: Answers | Mapping) -> Question | None:
        return self.next_after(None, answers)

    def next_after(self, question_id: str | None, answers: Answers | Mapping) -> Question | None:
        """The next question to ask after ``question_id`` (the first one when None), or
        None when the interview is over."""
        start = 0 if question_id is None else self.index(question_id) + 1
        effective = self.effective(answers)
        for q in self.questions[start:]:
            if self.is_shown(q, effective):
                return q
        return None

    def visible_options(self, question: Question, answers: Answers | Mapping) -> list[Option]:
        return [o for o in question.options if self.evaluate(o.show_if, answers)]

    # --- reading and writing one question's answer ------------------------------------------
    def chosen_option(self, question: Question, answers: Answers) -> Option | None:
        """The shown option the facts already match, or None when unanswered."""
        for option in self.visible_options(question, answers):
            if _matches(option, answers):
                return option
        return None

    def is_answered(self, question: Question, answers: Answers) -> bool:
        if question.type in ("choice", "yes_no_unknown"):
            return self.chosen_option(question, answers) is not None
        if question.type == "date":
            if not answers.has(question.key):
                return False
            value = answers.get(question.key)
            return value is not None or bool(question.none_label)
        return True  # multi_check: every combination of ticks is an answer

    def written_keys(self, question: Question, answers: Answers) -> set[str]:
        """The keys this question's current answer accounts for."""
        if question.type in ("choice", "yes_no_unknown"):
            option = self.chosen_option(question, answers)
            return set(option.values) if option else set()
        return set(question.keys)

    def prune(self, answers: Answers) -> list[str]:
        """Drop the answers of questions no longer shown (and answers that match no shown
        option). Keys no question writes are left alone. Returns the keys dropped."""
        dropped: list[str] = []
        for _round in range(len(self.questions) + 1):
            shown_keys: set[str] = set()
            hidden_keys: list[str] = []
            for q in self.questions:
                if self.is_shown(q, answers):
                    shown_keys |= self.written_keys(q, answers)
                    if not self.is_answered(q, answers):
                        hidden_keys.extend(q.keys)
                else:
                    hidden_keys.extend(q.keys)
            removed = answers.drop_unshown(hidden_keys, shown_keys)
            if not removed:
                break
            dropped.extend(removed)
        return dropped


def _matches(option: Option, answers: Answers) -> bool:
    (main_key, main_value), *rest = option.sets
    if not answers.has(main_key) or not _same(answers.get(main_key), main_value):
        return False
    for key, value in rest:
        if answers.has(key):
            if not _same(answers.get(key), value):
                return False
        elif value not in (None, False):  # an absent fact reads as unknown / false
            return False
    return True


# --- loading -------------------------------------------------------------------------------
class _Loader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.named: dict[str, Condition] = {}
        self.written: set[str] = set()  # facts written by questions seen so far

    def fail(self, where: str, problem: str) -> InterviewDefinitionError:
        return InterviewDefinitionError(f"{self.source}: {where}: {problem}")

    def check_keys(self, obj: Any, where: str, allowed: Iterable[str], required=()) -> dict:
        if not isinstance(obj, dict):
            raise self.fail(where, "must be an object")
        allowed = set(allowed) | {"_comment"}
        for key in obj:
            if key not in allowed:
                raise self.fail(where, f"unknown key {key!r} (allowed: {sorted(allowed)})")
        for key in required:
            if key not in obj:
                raise self.fail(where, f"missing key {key!r}")
        return obj

    def text(self, obj: dict, key: str, where: str, *, required: bool = True) -> str:
        value = obj.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(where, f"{key!r} must be a non-empty text")
        return value

    def fact_key(self, key: Any, where: str) -> str:
        if not isinstance(key, str) or key not in FACT_KINDS:
            raise self.fail(where, f"{key!r} is not a facts key of facts.md")
        return key

    def check_value(self, key: str, value: Any, where: str) -> None:
        kind = FACT_KINDS[key]
        if value is None:
            return
        if kind == "bool" and isinstance(value, bool):
            return
        if kind == "enum" and isinstance(value, str) and value in _ENUMS[key]:
            return
        if kind == "date" and isinstance(value, str):
            return
        allowed = _ENUMS.get(key, ("true", "false") if kind == "bool" else ("a date",))
        raise self.fail(where, f"{value!r} is not a value of {key!r} (allowed: {list(allowed)})")

    # conditions --------------------------------------------------------------------------
    def condition(self, raw: Any, where: str, *, readable: set[str] | None) -> Condition:
        if not isinstance(raw, dict):
            raise self.fail(where, "a condition must be an object")
        for op in ("all", "any"):
            if op in raw:
                self.check_keys(raw, where, [op])
                if not isinstance(raw[op], list) or not raw[op]:
                    raise self.fail(where, f"{op!r} needs a non-empty list of conditions")
                kids = tuple(
                    self.condition(c, f"{where}.{op}[{i}]", readable=readable)
                    for i, c in enumerate(raw[op])
                )
                return Condition(op=op, children=kids)
        if "not" in raw:
            self.check_keys(raw, where, ["not"])
            return Condition(
                op="not",
                children=(self.condition(raw["not"], f"{where}.not", readable=readable),),
            )
        if "ref" in raw:
            self.check_keys(raw, where, ["ref"])
            name = raw["ref"]
            if name not in self.named:
                raise self.fail(where, f"unknown condition name {name!r}")
            cond = Condition(op="ref", ref=name)
            self.check_readable(cond, where, readable)
            return cond
        if "fact" not in raw:
            raise self.fail(
                where, f"unknown condition {sorted(raw)} (use fact, all, any, not or ref)"
            )
        tests = [t for t in raw if t != "fact"]
        for t in tests:
            if t not in _TESTS:
                raise self.fail(where, f"unknown condition operator {t!r} (allowed: {_TESTS})")
        if len(tests) != 1:
            raise self.fail(where, "a fact condition needs exactly one operator")
        fact = self.fact_key(raw["fact"], where)
        test = tests[0]
        operand = raw[test]
        if test in ("set", "answered"):
            if not isinstance(operand, bool):
                raise self.fail(where, f"{test!r} takes true or false")
        elif test in ("in", "not_in"):
            if not isinstance(operand, list) or not operand:
                raise self.fail(where, f"{test!r} takes a non-empty list")
            for v in operand:
                self.check_value(fact, v, where)
            operand = tuple(operand)
        else:
            self.check_value(fact, operand, where)
        cond = Condition(op="fact", fact=fact, test=test, operand=operand)
        self.check_readable(cond, where, readable)
        return cond

    def check_readable(self, cond: Condition, where: str, readable: set[str] | None) -> None:
        if readable is None:
            return
        unknown = cond.facts(self.named) - readable
        if unknown:
            raise self.fail(
                where,
                f"reads {sorted(unknown)}, which no earlier question writes",
            )

    def named_conditions(self, raw: Any) -> None:
        if raw is None:
            return
        if not isinstance(raw, dict):
            raise self.fail("conditions", "must be an object of named conditions")
        # Resolve in dependency order; a name may only use names defined before it.
        for name, body in raw.items():
            if name == "_comment":
                continue
            self.named[name] = self.condition(body, f"conditions.{name}", readable=None)

    # questions ---------------------------------------------------------------------------
    def options(self, q: dict, where: str, keys: tuple[str, ...]) -> tuple[Option, ...]:
        raw = q.get("options")
        if not isinstance(raw, list) or not raw:
            raise self.fail(where, "a choice question needs a non-empty 'options' list")
        out = []
        for i, o in enumerate(raw):
            w = f"{where}.options[{i}]"
            self.check_keys(o, w, ["label", "help", "value", "set", "show_if"], ["label"])
            if ("value" in o) == ("set" in o):
                raise self.fail(w, "give exactly one of 'value' (one key) or 'set' (several)")
            if "value" in o:
                if len(keys) != 1:
                    raise self.fail(w, "'value' needs a question with one 'key'; use 'set'")
                sets = {keys[0]: o["value"]}
            else:
                if not isinstance(o["set"], dict) or not o["set"]:
                    raise self.fail(w, "'set' must be a non-empty object")
                sets = dict(o["set"])
            for k, v in sets.items():
                self.fact_key(k, w)
                if k not in keys:
                    raise self.fail(w, f"sets {k!r}, which is not one of the question's keys")
                if FACT_KINDS[k] == "date":
                    raise self.fail(w, "dates are asked with a 'date' question, not options")
                self.check_value(k, v, w)
            if keys[0] not in sets:
                raise self.fail(w, f"must set the question's first key {keys[0]!r}")
            ordered = ((keys[0], sets.pop(keys[0])), *sets.items())
            show_if = (
                self.condition(o["show_if"], f"{w}.show_if", readable=set(self.written))
                if "show_if" in o
                else None
            )
            out.append(
                Option(
                    label=self.text(o, "label", w),
                    help=self.text(o, "help", w, required=False),
                    sets=tuple(ordered),
                    show_if=show_if,
                )
            )
        labels = [o.label for o in out]
        if len(set(labels)) != len(labels):
            raise self.fail(where, "two options have the same label")
        return tuple(out)

    def question(self, q: Any, where: str, section: Section) -> Question:
        common = ["id", "type", "text", "why", "show_if"]
        if not isinstance(q, dict):
            raise self.fail(where, "a question must be an object")
        qid = q.get("id")
        if not isinstance(qid, str) or not qid.isidentifier():
            raise self.fail(where, "'id' must be a short name (letters, digits, _)")
        where = f"{where} ({qid})"
        qtype = q.get("type")
        if qtype not in QUESTION_TYPES:
            raise self.fail(where, f"unknown question type {qtype!r} (allowed: {QUESTION_TYPES})")
        allowed = {
            "choice": [*common, "key", "keys", "options"],
            "yes_no_unknown": [*common, "key"],
            "date": [*common, "key", "date_label", "none_label"],
            "multi_check": [*common, "items"],
        }[qtype]
        self.check_keys(q, where, allowed, ["id", "type", "text", "why"])
        items: tuple[Item, ...] = ()
        if qtype == "multi_check":
            raw_items = q.get("items")
            if not isinstance(raw_items, list) or not raw_items:
                raise self.fail(where, "a multi_check question needs a non-empty 'items' list")
            built = []
            for i, it in enumerate(raw_items):
                w = f"{where}.items[{i}]"
                self.check_keys(it, w, ["key", "label", "help"], ["key", "label"])
                key = self.fact_key(it["key"], w)
                if FACT_KINDS[key] != "bool":
                    raise self.fail(w, f"{key!r} is not a yes/no fact")
                built.append(
                    Item(key, self.text(it, "label", w), self.text(it, "help", w, required=False))
                )
            items = tuple(built)
            keys = tuple(i.key for i in items)
        elif "keys" in q:
            if "key" in q:
                raise self.fail(where, "give 'key' or 'keys', not both")
            raw_keys = q["keys"]
            if not isinstance(raw_keys, list) or not raw_keys:
                raise self.fail(where, "'keys' must be a non-empty list")
            keys = tuple(self.fact_key(k, where) for k in raw_keys)
        elif "key" in q:
            keys = (self.fact_key(q["key"], where),)
        else:
            raise self.fail(where, "missing key 'key'")
        if len(set(keys)) != len(keys):
            raise self.fail(where, "a key is listed twice")
        if qtype == "yes_no_unknown" and FACT_KINDS[keys[0]] != "bool":
            raise self.fail(where, f"{keys[0]!r} is not a yes/no fact")
        if qtype == "date" and FACT_KINDS[keys[0]] != "date":
            raise self.fail(where, f"{keys[0]!r} is not a date")
        show_if = (
            self.condition(q["show_if"], f"{where}.show_if", readable=set(self.written))
            if "show_if" in q
            else None
        )
        if qtype == "choice":
            options = self.options(q, where, keys)
        elif qtype == "yes_no_unknown":
            options = tuple(Option(label, ((keys[0], value),)) for label, value in YES_NO_UNKNOWN)
        else:
            options = ()
        if qtype == "date" and "date_label" in q and "none_label" not in q:
            raise self.fail(where, "'date_label' is only used with 'none_label'")
        question = Question(
            id=qid,
            type=qtype,
            keys=keys,
            text=self.text(q, "text", where),
            why=self.text(q, "why", where),
            section_id=section.id,
            section_title=section.title,
            options=options,
            items=items,
            show_if=show_if,
            section_show_if=section.show_if,
            date_label=self.text(q, "date_label", where, required=False),
            none_label=self.text(q, "none_label", where, required=False),
        )
        self.written |= set(keys)
        return question

    def load(self, data: Any) -> Interview:
        self.check_keys(
            data, "(top)", ["format", "version", "conditions", "sections"], ["format", "version"]
        )
        if data["format"] != FORMAT:
            raise self.fail("format", f"expected {FORMAT!r}, found {data['format']!r}")
        version = data["version"]
        if not isinstance(version, int) or isinstance(version, bool):
            raise self.fail("version", "must be a whole number")
        if version > SUPPORTED_VERSION or version < 1:
            raise self.fail(
                "version", f"version {version} is not supported (this app reads version 1)"
            )
        self.named_conditions(data.get("conditions"))
        raw_sections = data.get("sections")
        if not isinstance(raw_sections, list) or not raw_sections:
            raise self.fail("sections", "must be a non-empty list")
        sections: list[Section] = []
        questions: list[Question] = []
        seen_ids: set[str] = set()
        for si, s in enumerate(raw_sections):
            where = f"sections[{si}]"
            self.check_keys(s, where, ["id", "title", "show_if", "questions"], ["id", "title"])
            sid = s["id"]
            if not isinstance(sid, str) or not sid.isidentifier():
                raise self.fail(where, "'id' must be a short name (letters, digits, _)")
            where = f"{where} ({sid})"
            title = self.text(s, "title", where)
            show_if = (
                self.condition(s["show_if"], f"{where}.show_if", readable=set(self.written))
                if "show_if" in s
                else None
            )
            raw_qs = s.get("questions")
            if not isinstance(raw_qs, list) or not raw_qs:
                raise self.fail(where, "'questions' must be a non-empty list")
            section = Section(sid, title, show_if, ())
            ids = []
            for qi, q in enumerate(raw_qs):
                question = self.question(q, f"{where}.questions[{qi}]", section)
                if question.id in seen_ids:
                    raise self.fail(where, f"question id {question.id!r} is used twice")
                seen_ids.add(question.id)
                ids.append(question.id)
                questions.append(question)
            sections.append(Section(sid, title, show_if, tuple(ids)))
        if len({s.id for s in sections}) != len(sections):
            raise self.fail("sections", "two sections have the same id")
        return Interview(version, tuple(sections), tuple(questions), dict(self.named))


def parse_interview(data: Any, source: str = "interview.json") -> Interview:
    """Check and build an interview from parsed JSON; raises InterviewDefinitionError."""
    return _Loader(source).load(data)


def load_interview(path: Path | None = None) -> Interview:
    """The interview shipped with the app (or the file at ``path``)."""
    if path is None:
        return _shipped()
    return _read(path)


def _read(path: Path) -> Interview:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InterviewDefinitionError(f"{path.name}: cannot be read as JSON: {exc}") from exc
    return parse_interview(data, source=f"forms/criteria/{path.name}")


@functools.cache
def _shipped() -> Interview:
    return _read(forms_path("criteria", "interview.json"))
