"""PNG charts of survey results (matplotlib, headless Agg backend).

One image per survey: a panel of horizontal bars per choice, yes/no or scale question
(share of respondents per option, in %), and a plan-versus-actual panel (baseline, actual and
target per indicator, as % of target so that indicators of different units fit one axis).

Figures are made with `matplotlib.figure.Figure` directly, never through `pyplot`, so no
global figure registry keeps them alive; each is cleared after rendering and the Agg canvas
released: hundreds of charts in a long-running bot leave no memory behind. Rendering is CPU
work: `render_png` runs it off the event loop (`asyncio.to_thread`). DejaVu Sans, which ships
with matplotlib, has every Turkish letter (ç ğ ı İ ö ş ü).
"""

from __future__ import annotations

import asyncio
import io
import textwrap
import threading

from bot.services.surveys.results import QuestionSummary, SurveyResults
from bot.services.surveys.results_text import state
from messages import format_number, t

MAX_PANELS = 6
MAX_OPTIONS = 12
_COLOURS = {"bar": "#5b2a86", "baseline": "#b8b8b8", "actual": "#5b2a86", "target": "#e07a1f"}
# matplotlib's font and text caches are not thread-safe; charts are rare, so one at a time.
_RENDER_LOCK = threading.Lock()


def chartable(summary: QuestionSummary) -> bool:
    return bool(summary.shares) and summary.count > 0


def has_chart(results: SurveyResults) -> bool:
    """Whether `chart_png` would draw anything (withheld anonymous results never do)."""
    return not results.withheld and (any(map(chartable, results.summaries)) or bool(results.achievements))


def chart_png(results: SurveyResults, lang: str) -> bytes | None:
    """The results chart as PNG bytes (about 100 dpi, 9 inches wide), or None when there is
    nothing to draw. Blocking: call `render_png` from async code."""
    if not has_chart(results):
        return None
    panels = [summary for summary in results.summaries if chartable(summary)][:MAX_PANELS]
    plan = results.achievements
    heights = [0.6 + 0.38 * min(len(summary.shares), MAX_OPTIONS) for summary in panels]
    if plan:
        heights.append(0.9 + 0.5 * len(plan))
    # matplotlib is imported when the first chart is drawn, not when the bot or a CLI command
    # starts (it is about half of their import time); Agg is the headless backend.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _RENDER_LOCK:
        figure = Figure(figsize=(9, 0.8 + sum(heights)), dpi=100, layout="constrained")
        try:
            canvas = FigureCanvasAgg(figure)
            axes = figure.subplots(len(heights), 1, squeeze=False, height_ratios=heights)[:, 0]
            figure.suptitle(_wrap(t("survey_results.chart_title", lang, title=results.survey.title_in(lang)), 70),
                            fontsize=13, fontweight="bold")
            for ax, summary in zip(axes, panels, strict=False):
                _shares(ax, summary, lang)
            if plan:
                _plan(axes[-1], results, lang)
            buffer = io.BytesIO()
            canvas.print_png(buffer)
            return buffer.getvalue()
        finally:
            figure.clear()
            del figure


async def render_png(results: SurveyResults, lang: str) -> bytes | None:
    """`chart_png` in a worker thread, so the bot keeps answering while it draws."""
    return await asyncio.to_thread(chart_png, results, lang)


def _shares(ax, summary: QuestionSummary, lang: str) -> None:  # type: ignore[no-untyped-def]
    shares = summary.shares[:MAX_OPTIONS]
    labels = [_wrap(t(f"survey_results.{s.name}", lang) if summary.question.type == "yes_no" else s.label, 28)
              for s in shares]
    values = [share.percent for share in shares]
    positions = range(len(shares))
    ax.barh(positions, values, color=_COLOURS["bar"])
    ax.set_yticks(list(positions), labels, fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(t("survey_results.chart_share_axis", lang), fontsize=8)
    ax.set_title(_wrap(f"{summary.question.label(lang)} (n={summary.count})", 80), fontsize=10, loc="left")
    for position, share in zip(positions, shares, strict=True):
        ax.text(min(share.percent, 88) + 1, position, f"%{share.percent:.0f}" if lang == "tr" else f"{share.percent:.0f}%",
                va="center", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)


def _plan(ax, results: SurveyResults, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Achievement per indicator on the SBB scale — the baseline at 0 %, the year's target at
    100 % — as bars, each labelled with the same achievement figure and the reported value, so
    a bar and its label always say the same thing (achievement = (actual − baseline) ÷
    (target − baseline) × 100, SBB target card). A yes/no indicator is 100 % when the
    answers' majority is the target state, 0 % when not; its label names the majority and the
    yes share."""
    items = results.achievements
    names = [_wrap(f"{item.card.indicator} {item.card.name.get(lang) or item.question.label(lang)}", 34)
             for item in items]
    positions = list(range(len(items)))
    values = [item.percent if item.percent is not None else 0.0 for item in items]
    ax.barh(positions, values, height=0.5, color=_COLOURS["actual"], label=t("survey_results.chart_actual", lang))
    ax.axvline(0, color=_COLOURS["baseline"], linewidth=1.5, label=t("survey_results.chart_baseline", lang))
    ax.axvline(100, color=_COLOURS["target"], linewidth=2, label=t("survey_results.chart_target", lang))
    ax.set_yticks(positions, names, fontsize=9)
    ax.invert_yaxis()
    for position, item, value in zip(positions, items, values, strict=True):
        percent = "—" if item.percent is None else (f"%{item.percent:.0f}" if lang == "tr" else f"{item.percent:.0f}%")
        if item.yes_no:  # the majority state and the yes share: `%100  (Evet, evet %67)`
            majority = "—" if item.actual is None else state(item.actual, lang)
            shown = f"{majority}, " + t("survey_results.chart_yes_share", lang,
                                        share=format_number(round(item.yes_share or 0.0), lang))
        else:
            shown = format_number(round(item.actual or 0.0, 2), lang)
        ax.text(max(value, 0) + 2, position, f"{percent}  ({shown})", va="center", fontsize=8)
    year = results.survey.year or ""
    ax.set_title(f"{t('survey_results.chart_plan_title', lang)} {year}".strip(), fontsize=10, loc="left")
    ax.set_xlabel(t("survey_results.chart_plan_axis", lang), fontsize=8)
    ax.set_xlim(min(-10.0, min(values) * 1.15), max(125.0, max(values) * 1.25))
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.32), ncol=3, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)[:3]) or text
