"""The "when?" question of the meeting dialogs, in up to three steps kept in the dialog state.

`when`: the date and time as typed (`bot.dates.parse_when`); a date without a time goes to
`when_time`, which asks only for the time; a reading that was not literal (relative words, no
year), more than a year ahead or in a repeated DST hour goes to `when_confirm`, which echoes it
with its weekday ("Perşembe, 03.12.2026 14:00 — doğru mu?") and takes it only on "yes". A
literal full date is taken at once and echoed in the next question.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.dates import Parsed, at_clock, names_a_day, parse_when, read_clock, zone_name
from bot.errors import InvalidAnswer
from bot.models import Button, Group, Reply
from bot.services.conversation import Ctx
from bot.text import NO_WORDS, YES_WORDS, fold
from bot.typed_answers import leaning as typed_leaning
from messages import format_day, t

WHEN_STEPS = ("when", "when_time", "when_confirm")
CONFIRM_YES = YES_WORDS | {"dogru", "evet dogru", "right", "correct", "yes correct"}
CONFIRM_NO = NO_WORDS | {"yanlis", "degil", "wrong"}


def read(ctx: Ctx, group: Group, data: dict[str, Any], step: str, text: str) -> str:
    """Take the answer to `step`; returns the next step: "when_time", "when_confirm" or
    "done" (then `data["when"]` holds the UTC ISO moment). Raises `InvalidAnswer`."""
    zone = ZoneInfo(group.timezone)
    if step == "when_confirm":
        word = fold(text).strip(" .!")
        said = None if names_a_day(text) else typed_leaning(text)  # `evet doğru`, `hayır, yanlış`
        if word in CONFIRM_YES or said == "yes":
            data["when"] = data.pop("when_pending")
            return "done"
        if word in CONFIRM_NO or said == "no":
            data.pop("when_pending", None)
            return "when"
        if _only_a_time(text):  # `15:00`, `akşam 6`: the same day at that time, read back again
            day = datetime.fromisoformat(str(data["when_pending"])).astimezone(zone).date()
            clock, assumed = read_clock(text)
            return take(data, at_clock(day, clock, zone, ctx.now, literal=False, hour_assumed=assumed))
        step = "when"  # she typed another date instead: read it as the answer
    if step == "when_time":
        if names_a_day(text) and not _only_a_time(text):  # a whole new date instead of the time
            return take(data, parse_when(text, zone, ctx.now, ctx.lang))
        clock, assumed = read_clock(text, data.get("when_period"))
        parsed = at_clock(date.fromisoformat(str(data["when_day"])), clock, zone, ctx.now,
                          literal=bool(data.get("when_literal")), hour_assumed=assumed)
    else:
        parsed = parse_when(text, zone, ctx.now, ctx.lang)
    return take(data, parsed)


def _only_a_time(text: str) -> bool:
    """`14:00`, `3`, `akşam 7`, `saat 3`: an answer to "what time?" (not a new date)."""
    try:
        read_clock(text)
    except InvalidAnswer:
        return False
    return True


def take(data: dict[str, Any], parsed: Parsed) -> str:
    """Store `parsed` in the dialog data; the next step as for `read`."""
    if parsed.needs_time:
        data["when_day"], data["when_literal"] = parsed.day.isoformat(), parsed.literal
        data["when_period"] = parsed.period
        return "when_time"
    data.pop("when_day", None)
    assert parsed.moment is not None
    if parsed.needs_confirmation:
        data["when_pending"] = parsed.moment.isoformat()
        data["when_notes"] = [note for note, flag in (
            ("far", parsed.far_ahead), ("ambiguous", parsed.ambiguous), ("afternoon", parsed.hour_assumed),
            ("night", parsed.night and not parsed.hour_assumed)) if flag]
        return "when_confirm"
    data["when"] = parsed.moment.isoformat()
    data.pop("when_notes", None)  # those of an earlier reading
    return "done"


def prompt(ctx: Ctx, group: Group, data: dict[str, Any], step: str, kind: str) -> Reply:
    """The question for `when_time` or `when_confirm`."""
    if step == "when_time":
        day = date.fromisoformat(str(data["when_day"]))
        shown = format_day(datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(group.timezone)),
                           ctx.lang, group.timezone)
        return Reply(text=t("meeting.ask_time", ctx.lang, day=shown.rsplit(" ", 1)[0],
                            zone=zone_name(group.timezone, ctx.lang)))
    moment = datetime.fromisoformat(str(data["when_pending"]))
    lines = [t("meeting.confirm_when", ctx.lang, when=format_day(moment, ctx.lang, group.timezone),
               zone=zone_name(group.timezone, ctx.lang))]
    for note in data.get("when_notes") or []:
        lines.append(t(f"meeting.confirm_when_{note}", ctx.lang))
    return Reply(text="\n".join(lines), buttons=[[
        Button(label=t("meeting.when_right_button", ctx.lang), choice=f"{kind}:when:yes"),
        Button(label=t("meeting.when_wrong_button", ctx.lang), choice=f"{kind}:when:no")]])


def on_choice(data: dict[str, Any], answer: str) -> str | None:
    """A tap on the confirmation's buttons: the next step, or None for a malformed id."""
    if answer == "yes" and "when_pending" in data:
        data["when"] = data.pop("when_pending")
        return "done"
    if answer == "no":
        data.pop("when_pending", None)
        return "when"
    return None


def understood(ctx: Ctx, group: Group, data: dict[str, Any]) -> str:
    """The echo of the date as understood, with its weekday and zone."""
    return t("meeting.when_understood", ctx.lang,
             when=format_day(datetime.fromisoformat(str(data["when"])), ctx.lang, group.timezone),
             zone=zone_name(group.timezone, ctx.lang))
