"""Page ids of the criteria wizard (STYLE.md §2.13).

The questions come from ``forms/criteria/interview.json``, so their pages are numbered from
``FIRST_QUESTION`` in the order of the file; the fixed pages have their own ids.
"""

from __future__ import annotations

from enum import IntEnum


class PageId(IntEnum):
    RESULT = 1
    FIRST_QUESTION = 100


def question_page_id(index: int) -> int:
    """The page id of the question at ``index`` in the interview."""
    return int(PageId.FIRST_QUESTION) + index


def question_index(page_id: int) -> int | None:
    """The interview index of a question page, or None for a fixed page."""
    index = page_id - int(PageId.FIRST_QUESTION)
    return index if index >= 0 else None
