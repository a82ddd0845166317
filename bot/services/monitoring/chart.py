"""One chart per indicator: its series over the survey rounds, the target and the baseline
as lines (matplotlib, headless Agg; `Figure` directly, never pyplot, as in
`bot.services.surveys.charts`). DejaVu Sans has every Turkish letter."""

from __future__ import annotations

import io

from bot.services.monitoring.figures import Row
from bot.services.surveys.charts import _RENDER_LOCK  # one chart at a time (matplotlib's caches)
from bot.services.surveys.results_text import format_date
from messages import t

_COLOURS = {"series": "#5b2a86", "target": "#e07a1f", "baseline": "#8a8a8a"}


def series_png(item: Row, title: str, lang: str, zone: str) -> bytes | None:
    """The indicator's series as a PNG (6.5 × 2.4 inches, 80 dpi), or None when it has no
    value to draw. Blocking: call from a worker thread."""
    points = [p for p in item.series if p.value is not None]
    if not points:
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = [format_date(p.day, lang, zone) for p in points]
    values = [p.value for p in points]
    with _RENDER_LOCK:
        figure, canvas, axes = _canvas(Figure, FigureCanvasAgg)
        axes.cla()  # one figure drawn again for every chart: a new figure per chart cost a third more
        axes.plot(range(len(values)), values, marker="o", color=_COLOURS["series"], linewidth=2)
        if item.target is not None:
            axes.axhline(item.target, color=_COLOURS["target"], linestyle="--", linewidth=1.5,
                         label=t("monitoring.chart_target", lang))
        if item.card is not None and item.card.baseline is not None:
            axes.axhline(item.card.baseline, color=_COLOURS["baseline"], linestyle=":", linewidth=1.5,
                         label=t("monitoring.chart_baseline", lang))
        axes.set_xticks(range(len(values)), labels, fontsize=8)
        if item.yes_no:
            axes.set_yticks([0, 1], [t("monitoring.no", lang), t("monitoring.yes", lang)])
            axes.set_ylim(-0.2, 1.2)
        axes.set_title(title, fontsize=10, loc="left")
        axes.grid(axis="y", alpha=0.3)
        if axes.get_legend_handles_labels()[0]:
            axes.legend(fontsize=8, loc="lower right")
        out = io.BytesIO()
        canvas.print_png(out, pil_kwargs={"compress_level": 3})  # zlib 3: a third faster, same size within a few %
        return out.getvalue()


_FIGURE: list = []  # [figure, canvas, axes], made at the first chart and drawn again after


def _canvas(figure_class, canvas_class):  # type: ignore[no-untyped-def]
    """The one 6.5 × 2.4 inch, 80 dpi figure the series charts are drawn on (under the lock),
    with fixed margins: a layout engine was half of each chart's time."""
    if not _FIGURE:
        figure = figure_class(figsize=(6.5, 2.4), dpi=80)
        figure.subplots_adjust(left=0.1, right=0.98, top=0.88, bottom=0.14)
        _FIGURE.extend([figure, canvas_class(figure), figure.subplots()])
    return _FIGURE[0], _FIGURE[1], _FIGURE[2]
