"""How the report's figures read in a language: values, rates, statuses, the chat card."""

from __future__ import annotations

import html
from datetime import date

from bot.services.monitoring.figures import Counts, Row, Status
from bot.services.monitoring.source import IndicatorInfo, ReportData
from bot.services.surveys.model import localized
from bot.services.surveys.results_text import format_date, number, percent
from messages import t

STATUS_MARK = {Status.ON_TRACK: "🟢", Status.AT_RISK: "🟡", Status.OFF_TRACK: "🔴",
               Status.NO_DATA: "⚪", Status.NO_TARGET: "⚪"}


def indicator_name(data: ReportData, code: str, lang: str) -> str:
    """`I4 Belediye kreş kapasitesi` (the code alone when the indicator is unknown)."""
    info: IndicatorInfo | None = data.info.get(code)
    name = localized(info.name, lang) if info else ""
    return f"{code} {name}".strip()


def unit(data: ReportData, code: str, lang: str) -> str:
    info = data.info.get(code)
    return localized(info.unit, lang) if info else ""


def value(item: Row, figure: float | None, lang: str) -> str:
    """A value as written: `1.250` / `1,250`, `Evet` / `Yes` for a yes/no state, `—` when none."""
    if figure is None:
        return t("monitoring.dash", lang)
    if item.yes_no:
        return t("monitoring.yes" if figure >= 0.5 else "monitoring.no", lang)
    return number(figure, lang)


def rate(item: Row, lang: str) -> str:
    return percent(item.rate, lang) if item.rate is not None else t("monitoring.dash", lang)


def status(item: Row, lang: str) -> str:
    return t(f"monitoring.status_{item.status.value}", lang)


def baseline(item: Row, lang: str) -> str:
    if item.card is None or item.card.baseline is None:
        return t("monitoring.dash", lang)
    text = value(item, item.card.baseline, lang)
    return f"{text} ({item.card.baseline_year})" if item.card.baseline_year else text


def counts_line(data: ReportData, lang: str) -> str:
    counts = Counts.of(data.rows)
    return t("monitoring.summary_counts", lang, on_track=counts.on_track, at_risk=counts.at_risk,
             off_track=counts.off_track, no_data=counts.no_data)


def day(moment: date, lang: str, zone: str) -> str:
    return format_date(moment, lang, zone)


def card_text(data: ReportData, lang: str, today: date) -> str:
    """The chat card of a report: title, counts, reasons missing, draft or adopted."""
    if data.missing_reasons:
        missing = t("monitoring.missing_reasons", lang, count=len(data.missing_reasons),
                    codes=", ".join(data.missing_reasons))
    else:
        missing = t("monitoring.no_missing", lang) if any(r.status in (Status.AT_RISK, Status.OFF_TRACK)
                                                        for r in data.rows) else ""
    state = (t("monitoring.state_adopted", lang, day=day(data.adopted_at, lang, data.group.timezone))
             if data.adopted_at else t("monitoring.state_draft", lang))
    lines = [f"{STATUS_MARK[r.status]} {html.escape(indicator_name(data, r.code, lang), quote=False)}: "
             f"{value(r, r.actual, lang)}"
             f" / {value(r, r.target, lang)} · {rate(r, lang)}" for r in data.rows
             if r.status not in (Status.NO_DATA, Status.NO_TARGET) or r.target is not None]
    body = t("monitoring.card", lang, title=data.period.title(lang), group=data.group.name,
             counts=counts_line(data, lang), missing=missing, state=state)
    head, _, tail = body.partition("\n")
    return "\n".join([head, *lines, tail]) if lines else body
