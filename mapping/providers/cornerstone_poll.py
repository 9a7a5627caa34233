"""A poll of a Cornerstone portal: its learning objects' titles and its users' names, then
every transcript row (or, after the first poll, those the warehouse touched since the last
successful one), as statements. Each of a user's registrations for a learning object
(`reg_num`: a new one when it is assigned again) is a registration of its own.

What becomes a statement:
- a registration: registered (at `user_lo_reg_dt`); started: launched (at `user_lo_start_dt`);
- progress: progressed with `user_lo_pct_complete` until it is complete;
- status group 11 (completed): completed at `user_lo_comp_dt` with the minutes participated,
  and passed or failed where `user_lo_pass` says;
- a score: scored, a percentage;
- a row removed from the transcript (`is_removed`): what was stored of that registration is
  voided."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from mapping.providers.cornerstone import CornerstoneClient
from mapping.providers.statements import Enrolment, Read, course_object, score
from mapping.vocabulary import CMI5_PROGRESS

PROVIDER = "cornerstone"
COMPLETED_GROUP = 11


def poll(
    client: CornerstoneClient, host: str, now: datetime, since: datetime | None
) -> Iterator[Read]:
    host = host.rstrip("/")
    titles = {str(t["object_id"]): str(t.get("lo_title") or "") for t in client.trainings()}
    names = {
        str(u["user_id"]): " ".join(
            filter(None, (u.get("user_name_first"), u.get("user_name_last")))
        )
        for u in client.users()
    }
    for row in client.transcripts(since):
        user = str(row["transc_user_id"])
        yield _transcript(host, now, row, titles, names.get(user, ""))


def _transcript(
    host: str, now: datetime, row: dict[str, Any], titles: dict[str, str], name: str
) -> Read:
    object_id, user_id = str(row["transc_object_id"]), str(row["transc_user_id"])
    course = course_object(
        f"{host}/DeepLink/ProcessRedirect.aspx?module=lodetails&lo={object_id}",
        titles.get(object_id) or object_id,
    )
    enrolment = Enrolment(
        PROVIDER, host, "Cornerstone", course, object_id, user_id, name,
        ids={"lms_enrollment_id": row.get("reg_num", "")}, attempt=(row.get("reg_num", ""),),
    )  # fmt: skip
    if row.get("is_removed"):
        return Read(1, [], withdrawn=[enrolment.registration])

    def add(verb: str, when: str | None, key: tuple[object, ...] = (), **more: Any) -> None:
        enrolment.add(verb, course, when or now.isoformat(), key, **more)

    add("registered", row.get("user_lo_reg_dt"))
    if row.get("user_lo_start_dt"):
        add("launched", row["user_lo_start_dt"])
    minutes = int(row.get("user_lo_minutes_participated") or 0)
    duration = {"duration": f"PT{minutes}M"} if minutes else {}
    finished = row.get("user_lo_comp_dt")
    done = row.get("user_lo_status_group_id") == COMPLETED_GROUP and finished
    percent = row.get("user_lo_pct_complete")
    if percent and not done:
        progress = int(percent)
        progressed = {"extensions": {CMI5_PROGRESS: progress}}
        add("progressed", row.get("_last_touched_dt_utc"), (progress,), result=progressed)
    if done:
        add("completed", finished, (finished,), result={"completion": True, **duration})
        if isinstance(row.get("user_lo_pass"), bool):
            passed = row["user_lo_pass"]
            outcome = {"success": passed, "completion": True}
            add("passed" if passed else "failed", finished, (finished,), result=outcome)
    if (raw := row.get("user_lo_score")) is not None:
        add("scored", finished, (raw, finished), result={"score": score(float(raw), 0.0, 100.0)})
    return Read(1, enrolment.statements)
