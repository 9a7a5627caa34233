"""The course an activity's id names, for emitters whose statements say which course they
belong to only through the ids they build: H5P names sub-content
`<content>?subContentId=<uuid>` and puts only the immediate parent in the context, and Rise
360 names lessons `<course>/<lesson>` and questions `<course>/<quiz>/<question>`, under a
course id ending in `_rise`, with no context activities at all."""

from __future__ import annotations

import re

SUB_CONTENT = "?subContentId="
_RISE_MARK = "_rise/"
_RISE = re.compile(r"(https?://[^/?#]+_rise)/([^/?#]+)(/.*)?")


def course_named_in(activity_id: str) -> str | None:
    """The id of the course an activity id says it belongs to, or None. (Asked of every
    activity of a learner's statements on each fold: the plain substring tests come first.)"""
    if SUB_CONTENT in activity_id:
        return activity_id.split(SUB_CONTENT, 1)[0]
    if _RISE_MARK in activity_id and (found := _RISE.fullmatch(activity_id)):
        return found.group(1)
    return None


def rise_lesson_of(activity_id: str) -> str | None:
    """The Rise lesson a question's id names (`<course>/<quiz>`); None for a lesson's own id
    or one that is not Rise's."""
    found = _RISE.fullmatch(activity_id)
    return f"{found.group(1)}/{found.group(2)}" if found and found.group(3) else None
