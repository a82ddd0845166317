"""How survey results read in chat: one text, short enough for a phone, in the reader's
language, numbers formatted with Babel (`12,5` in Turkish). The full detail is in the file."""

from __future__ import annotations

import html
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.lazy_babel import format_date as _babel_date

from bot.services.surveys import model
from bot.services.surveys.results import Achievement, QuestionSummary, SurveyResults
from bot.services.surveys.series import IndicatorSeries
from messages import format_datetime, format_number, normalize_language, t

MAX_TEXTS = 5
MAX_TEXT_LENGTH = 200
MAX_MISSING = 15


def number(value: float, lang: str, digits: int = 2) -> str:
    """`5,33` / `5.33`: at most `digits` decimals, Babel's locale formatting."""
    rounded = round(value, digits)
    return format_number(int(rounded) if float(rounded).is_integer() else rounded, lang)


def percent(value: float, lang: str) -> str:
    """`%40` in Turkish, `40%` in English (the sign goes first in Turkish)."""
    return f"%{number(value, lang)}" if normalize_language(lang) == "tr" else f"{number(value, lang)}%"


def format_date(moment: date | datetime, lang: str, zone: str) -> str:
    """`03.12.2026` in Turkish, `3 Dec 2026` in English (datetimes in the group's zone)."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(ZoneInfo(zone)).date()
    language = normalize_language(lang)
    return _babel_date(moment, t("format.date", language), locale=language)


def results_text(results: SurveyResults, survey: model.Survey, lang: str,
                 series: list[IndicatorSeries] | None = None) -> str:
    """Heading, status, response rate (and who is missing, named surveys only), then per
    question its summary, then plan-versus-actual, then (with several rounds) each
    indicator's series."""
    view = results.survey
    deadline = format_datetime(survey.deadline, lang, view.timezone)
    status = t("survey_results.status_open" if survey.is_open else "survey_results.status_closed", lang,
               deadline=deadline)
    rate = results.rate
    lines = [t("survey_results.heading", lang, title=view.title_in(lang), group=view.group_name), status,
             t("survey_results.rate", lang, responded=rate.responded, invited=rate.invited,
               percent=number(rate.percent, lang, 0))]
    if rate.auto:
        lines.append(t("survey_results.auto_line", lang, count=rate.auto))
    if rate.partial:
        lines.append(t("survey_results.partial_line", lang, count=rate.partial))
    if rate.missing:
        names = ", ".join(rate.missing[:MAX_MISSING])
        if len(rate.missing) > MAX_MISSING:
            names += " " + t("survey_results.missing_more", lang, count=len(rate.missing) - MAX_MISSING)
        lines.append(t("survey_results.missing" if survey.is_open else "survey_results.missing_closed", lang,
                       names=names))
    if view.anonymous:
        lines.append(t("survey_results.anonymous_note", lang))
    if not view.responses:  # nothing to summarize, and no file is sent
        return "\n".join([*lines, "", t("survey_results.no_responses_yet", lang)])
    if results.withheld:
        lines.append(t("survey_results.withheld", lang, minimum=results.minimum, count=rate.responded))
        return "\n".join(lines)
    for index, summary in enumerate(results.summaries, start=1):
        lines.append("")
        lines += _question(index, summary, lang, view.timezone)
    if results.achievements:
        lines += ["", t("survey_results.plan_heading", lang, year=view.year or "")]
        for item in results.achievements:
            name = item.card.name.get(lang) or item.question.label(lang)
            if item.yes_no:
                lines.append("• " + _yes_no_line(item, name, lang, view.year))
                continue
            shown = percent if item.question.type == "percentage" else number
            common = {"indicator": item.card.indicator, "name": name, "actual": shown(item.actual, lang),
                      "target": _of_year(shown(item.card.target, lang), item.card.target_year, view.year),
                      "baseline": shown(item.card.baseline, lang)}
            if item.percent is None:
                met = t("survey_results.plan_met" if item.met else "survey_results.plan_not_met", lang)
                lines.append("• " + t("survey_results.plan_line_equal", lang, met=met, **common))
            else:
                lines.append("• " + t("survey_results.plan_line", lang, percent=number(item.percent, lang, 0),
                                      **common))
    if series:
        lines += ["", *series_lines(series, lang, view.timezone)]
    lines += ["", t("survey_results.more_in_file", lang)]
    return "\n".join(lines)


def series_lines(series: list[IndicatorSeries], lang: str, zone: str) -> list[str]:
    """Per indicator: its name and baseline, then one line per round — the value, that
    round's target and the achievement: `12.06.2026: 1.250 · hedef 1.500 (2026) · %50`."""
    lines = [t("survey_results.series_heading", lang, rounds=max(len(line.points) for line in series))]
    for line in series:
        if line.yes_no:
            shown = lambda value: state(value, lang)  # noqa: E731
        elif line.question_type == "percentage":
            shown = lambda value: percent(value, lang)  # noqa: E731
        else:
            shown = lambda value: number(value, lang)  # noqa: E731
        name = line.name.get(lang) or next(iter(line.name.values()), line.indicator)
        baseline = t("survey_results.series_baseline", lang, baseline=shown(line.baseline),
                     year=line.baseline_year or "") if line.baseline is not None else ""
        lines.append(t("survey_results.series_indicator", lang, indicator=line.indicator, name=name,
                       baseline=baseline))
        for point in line.points:
            when = format_date(point.closes_at, lang, zone) if point.closes_at else f"#{point.survey_id}"
            if point.withheld:
                value = t("survey_results.series_withheld", lang)
            elif point.actual is None:
                value = t("survey_results.series_not_reported", lang)
            else:
                value = shown(point.actual)
            target = t("survey_results.series_target", lang, target=shown(point.target),
                       year=point.target_year or "") if point.target is not None else ""
            achieved = f" · {percent(point.percent, lang)}" if point.percent is not None and not line.yes_no else ""
            lines.append(t("survey_results.series_point", lang, when=when, value=value, target=target)
                         + achieved)
    return lines


def state(value: float, lang: str) -> str:
    """A yes/no indicator's state (1.0 / 0.0) as `Evet` / `Hayır`."""
    return t("survey_results.yes" if value >= 0.5 else "survey_results.no", lang)


def _of_year(target: str, target_year: int, year: int | None) -> str:
    """The target as shown, with its year when it is not the reporting year's own (the
    nearest earlier target stands in): `50 (2025)`."""
    return target if year is None or target_year == year else f"{target} ({target_year})"


def _yes_no_line(item: Achievement, name: str, lang: str, year: int | None = None) -> str:
    """`I8 Eşitlik birimi: gerçekleşen Evet (evet %67, 3 yanıt), hedef Evet (başlangıç Hayır) → %100`."""
    common = {"indicator": item.card.indicator, "name": name,
              "target": _of_year(state(item.card.target, lang), item.card.target_year, year),
              "baseline": state(item.card.baseline, lang), "reports": item.reports,
              "share": number(item.yes_share or 0.0, lang, 0)}
    if item.actual is None or item.percent is None:
        line = t("survey_results.plan_line_yes_no_tie", lang, **common)
    else:
        line = t("survey_results.plan_line_yes_no", lang, actual=state(item.actual, lang),
                 percent=number(item.percent, lang, 0), **common)
    if item.target_equals_baseline:
        line += f" ({t('survey_results.plan_kept', lang)})"
    return line


def _question(index: int, summary: QuestionSummary, lang: str, zone: str) -> list[str]:
    question = summary.question
    lines = [t("survey_results.question_line", lang, number=index, label=question.label(lang), count=summary.count)]
    if summary.count == 0 and not summary.evidence:
        return lines + ["  " + t("survey_results.no_answers", lang)]
    if summary.numbers:
        stats = summary.numbers

        def shown(value: float) -> str:
            return percent(value, lang) if question.type == "percentage" else number(value, lang)

        lines.append("  " + t("survey_results.numbers_line", lang, mean=shown(stats.mean),
                              median=shown(stats.median), min=shown(stats.minimum), max=shown(stats.maximum)))
    for share in summary.shares:
        label = t(f"survey_results.{share.name}", lang) if question.type == "yes_no" else share.label
        lines.append("  " + t("survey_results.share_line", lang, label=label, count=share.count,
                              percent=number(share.percent, lang, 0)))
    for text in summary.texts[:MAX_TEXTS]:
        short = text if len(text) <= MAX_TEXT_LENGTH else text[:MAX_TEXT_LENGTH - 1] + "…"
        lines.append(f"  «{_escape(short)}»")
    if len(summary.texts) > MAX_TEXTS:
        lines.append("  " + t("survey_results.texts_more", lang, count=len(summary.texts) - MAX_TEXTS))
    if summary.dates:
        lines.append("  " + t("survey_results.dates_line", lang, first=format_date(summary.dates[0], lang, zone),
                              last=format_date(summary.dates[1], lang, zone)))
    if summary.evidence:
        lines.append("  " + t("survey_results.evidence_line", lang, count=summary.evidence))
    return lines


def _escape(text: str) -> str:
    return html.escape(text, quote=False)
