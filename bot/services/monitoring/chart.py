"""One chart per indicator: its series over the survey rounds, the target and the baseline
as lines (matplotlib, headless Agg; `Figure` directly, never pyplot, as in
`bot.services.surveys.charts`). DejaVu Sans has every Turkish letter.

A report draws dozens of these charts, which differ only in their data, so one figure is
built once (per process, under the render lock) with every artist a chart can show — the
series line, the target and baseline lines, the title, the axes' ticks, one legend per
language and set of lines — and each chart only updates them (`set_data`, limits, tick
labels) before drawing. Clearing the axes for every chart rebuilt the ticks, spines and text
objects and was most of a report's time (16 indicators × 6 rounds × 4 cities: 3.9 s → see
benchmarks/README.md)."""

from __future__ import annotations

import io
from typing import Any

from bot.services.monitoring.figures import Row
from bot.services.surveys.charts import _RENDER_LOCK  # one chart at a time (matplotlib's caches)
from bot.services.surveys.results_text import format_date
from messages import t

_COLOURS = {"series": "#5b2a86", "target": "#e07a1f", "baseline": "#8a8a8a"}
PNG_COMPRESSION = 3  # zlib 3: a third faster than the default 6, same size within a few %


def series_png(item: Row, title: str, lang: str, zone: str) -> bytes | None:
    """The indicator's series as a PNG (6.5 × 2.4 inches, 80 dpi), or None when it has no
    value to draw: the values per round (x labels: the rounds' days in `lang`), the target
    (dashed) and the baseline (dotted) when known, a legend naming them in `lang`, `title`
    top left; a yes/no indicator's axis reads no/yes. Blocking: call from a worker thread."""
    points = [p for p in item.series if p.value is not None]
    if not points:
        return None
    labels = [format_date(p.day, lang, zone) for p in points]
    values = [float(p.value) for p in points]  # type: ignore[arg-type]
    target = item.target
    baseline = item.card.baseline if item.card is not None else None
    with _RENDER_LOCK:
        chart = _chart()
        chart.draw(values, labels, target, baseline, title, lang, item.yes_no)
        return chart.png()


class _SeriesChart:
    """The one 6.5 × 2.4 inch, 80 dpi figure the series charts are drawn on, with fixed
    margins (a layout engine was half of each chart's time) and its artists kept between
    charts. Use under `_RENDER_LOCK` only."""

    def __init__(self) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import AutoLocator, FixedFormatter, FixedLocator, ScalarFormatter

        import numpy

        self._numpy = numpy
        self._fixed_locator, self._fixed_formatter = FixedLocator, FixedFormatter
        self.figure = Figure(figsize=(6.5, 2.4), dpi=80)
        self.figure.subplots_adjust(left=0.1, right=0.98, top=0.88, bottom=0.14)
        self.canvas = _text_cached_canvas(FigureCanvasAgg)(self.figure)
        axes = self.axes = self.figure.subplots()
        # Drawn in this order (as before: the target and baseline over the series).
        (self.series,) = axes.plot([0], [0], marker="o", color=_COLOURS["series"], linewidth=2)
        self.target = axes.axhline(0, color=_COLOURS["target"], linestyle="--", linewidth=1.5)
        self.baseline = axes.axhline(0, color=_COLOURS["baseline"], linestyle=":", linewidth=1.5)
        self.title = axes.set_title(" ", fontsize=10, loc="left")
        axes.grid(axis="y", alpha=0.3)
        axes.xaxis.set_tick_params(labelsize=8)
        # No axis labels: placing them (empty) measured every tick label on every chart.
        for axis in (axes.xaxis, axes.yaxis):
            axis.set_label_coords(0.5, 0.5)
            axis.label.set_visible(False)
        # The y axis: numbers (matplotlib's own locator and formatter), or no/yes.
        self._auto_y = (AutoLocator(), ScalarFormatter())
        axes.yaxis.set_major_locator(self._auto_y[0])
        axes.yaxis.set_major_formatter(self._auto_y[1])
        self._legends: dict[tuple[str, bool, bool], Any] = {}

    def draw(self, values: list[float], labels: list[str], target: float | None, baseline: float | None,
             title: str, lang: str, yes_no: bool) -> None:
        """Set every artist for this chart (the caller prints the canvas)."""
        axes = self.axes
        positions = list(range(len(values)))
        self.series.set_data(positions, values)
        for line, level in ((self.target, target), (self.baseline, baseline)):
            line.set_visible(level is not None)
            if level is not None:
                line.set_ydata([level, level])
        axes.xaxis.set_major_locator(self._fixed_locator(positions))
        axes.xaxis.set_major_formatter(self._fixed_formatter(labels))
        if yes_no:
            axes.yaxis.set_major_locator(self._fixed_locator([0, 1]))
            axes.yaxis.set_major_formatter(self._fixed_formatter([t("monitoring.no", lang), t("monitoring.yes", lang)]))
        elif axes.yaxis.get_major_locator() is not self._auto_y[0]:
            axes.yaxis.set_major_locator(self._auto_y[0])
            axes.yaxis.set_major_formatter(self._auto_y[1])
        # The limits as a fresh plot would have them: the visible lines' data (the rounds
        # 0…n−1 across; the values, target and baseline up) plus matplotlib's margins —
        # what relim() finds, without walking the lines' paths.
        levels = [*values, *(level for level in (target, baseline) if level is not None)]
        axes.dataLim.set_points(self._numpy.array([[0.0, min(levels)], [len(values) - 1.0, max(levels)]]))
        axes.ignore_existing_data_limits = False
        axes.set_autoscale_on(True)
        axes.autoscale_view()
        if yes_no:
            axes.set_ylim(-0.2, 1.2)
        self.title.set_text(title)
        self.title.set_y(1.0)
        # The title sits on the axes' top edge; matplotlib measures every y tick label to
        # move it above an offset text ("1e6", "+1.234e5"), so it is asked to only then.
        formatter = axes.yaxis.get_major_formatter()
        formatter.set_locs(axes.yaxis.get_majorticklocs())
        axes._autotitlepos = bool(formatter.get_offset())
        axes.legend_ = self._legend(lang, target is not None, baseline is not None)

    def png(self) -> bytes:
        """The figure drawn, as an opaque PNG (RGB: the figure's white is opaque; a quarter
        less to compress than matplotlib's RGBA) that says its 80 dpi."""
        from PIL import Image

        self.canvas.draw()
        image = Image.frombuffer("RGBA", self.canvas.get_width_height(physical=True), self.canvas.buffer_rgba(),
                                 "raw", "RGBA", 0, 1)
        out = io.BytesIO()
        dpi = self.figure.dpi
        image.convert("RGB").save(out, format="png", compress_level=PNG_COMPRESSION, dpi=(dpi, dpi))
        return out.getvalue()

    def _legend(self, lang: str, target: bool, baseline: bool) -> Any:
        """The legend for these lines in `lang` (None without target and baseline), made once."""
        if not (target or baseline):
            return None
        key = (lang, target, baseline)
        if key not in self._legends:
            from matplotlib.legend import Legend

            shown = [(line, t(f"monitoring.chart_{name}", lang))
                     for line, name, present in ((self.target, "target", target), (self.baseline, "baseline", baseline))
                     if present]
            legend = Legend(self.axes, [line for line, _ in shown], [label for _, label in shown],
                            fontsize=8, loc="lower right")
            self._legends[key] = legend
        return self._legends[key]


_CHART: list[_SeriesChart] = []  # made at the first chart, drawn again after


def _chart() -> _SeriesChart:
    if not _CHART:
        _CHART.append(_SeriesChart())
    return _CHART[0]


def _text_cached_canvas(canvas_class: type) -> type:
    """`FigureCanvasAgg` whose renderer remembers text it has drawn: each string's glyph
    layout (FreeType shaping, about a millisecond a string) and each glyph's bitmap at its
    sub-pixel offset (FreeType renders every glyph of every text again: the rounds' dates,
    the y axis' numbers and the legend repeat on every chart). A glyph moved by whole pixels
    has the same bitmap, so the picture is the same pixel for pixel
    (tests/test_monitoring_chart.py). Uses matplotlib's Agg internals (3.11); without them,
    or for rotated, math or unantialiased text, matplotlib's own drawing."""
    from matplotlib.backends import backend_agg
    from matplotlib.ft2font import FT2Font

    renderer_class = backend_agg.RendererAgg
    needed = all(hasattr(renderer_class, name) for name in ("_prepare_font", "_draw_text_glyphs_and_boxes")) \
        and all(hasattr(backend_agg, name) for name in ("get_hinting_flag", "RenderMode")) \
        and all(hasattr(FT2Font, name) for name in ("_layout", "_set_transform", "_render_glyph"))
    if not needed:
        return canvas_class
    import numpy as np

    class Renderer(renderer_class):  # type: ignore[misc, valid-type]
        def __init__(self, width: float, height: float, dpi: float) -> None:
            super().__init__(width, height, dpi)
            self._layouts: dict[tuple, tuple] = {}
            self._glyphs: dict[tuple, tuple] = {}
            self._heights: dict[tuple, tuple] = {}

        def _get_font_height_metrics(self, prop):  # type: ignore[no-untyped-def]
            # Text._get_layout asks the renderer first, else reads the font's tables for
            # every text: the same computation, kept per font and size.
            key = (hash(prop), prop.get_size_in_points())
            found = self._heights.get(key)
            if found is None:
                found = self._heights[key] = _font_height_metrics(prop, self.dpi)
            return found

        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):  # type: ignore[no-untyped-def]
            features = mtext.get_fontfeatures() if mtext is not None else None
            language = mtext.get_language() if mtext is not None else None
            if ismath or angle or not gc.get_antialiased() or not _hashable(features, language):
                return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
            size = prop.get_size_in_points()
            key = (s, hash(prop), size, features, language)
            items = self._layouts.get(key)
            if items is None:
                if len(self._layouts) >= _TEXTS_KEPT:
                    self._layouts.clear()
                font = self._prepare_font(prop)
                items = self._layouts[key] = tuple(
                    (item.ft_object, item.glyph_index, item.x, item.y)
                    for item in font._layout(s, flags=backend_agg.get_hinting_flag(), features=features,
                                             language=language))
            height = self.height
            flags = backend_agg.get_hinting_flag()
            for font, glyph_index, dx, dy in items:
                # As RendererAgg._draw_text_glyphs_and_boxes at angle 0: the glyph's origin in
                # 1/64 pixel (FreeType's y upwards), its bitmap kept per sub-pixel offset.
                left = round(0x40 * (x + dx))
                up = round(0x40 * (height - y + dy))
                glyph_key = (font.fname, size, glyph_index, left & 0x3F, up & 0x3F)
                glyph = self._glyphs.get(glyph_key)
                if glyph is None:
                    if len(self._glyphs) >= _GLYPHS_KEPT:
                        self._glyphs.clear()
                    font.set_size(size, self.dpi)
                    font._set_transform(np.array([[0x10000, 0], [0, 0x10000]]), [left & 0x3F, up & 0x3F])
                    bitmap = font._render_glyph(glyph_index, flags, backend_agg.RenderMode.NORMAL)
                    glyph = self._glyphs[glyph_key] = (np.array(bitmap.buffer), bitmap.left, bitmap.top)
                buffer, bitmap_left, bitmap_top = glyph
                self._renderer.draw_text_image(
                    buffer, bitmap_left + (left >> 6), int(height) - (bitmap_top + (up >> 6)) + buffer.shape[0], 0, gc)

    class Canvas(canvas_class):  # type: ignore[misc, valid-type]
        def get_renderer(self):  # type: ignore[no-untyped-def]
            w, h = self.get_width_height(physical=True)
            key = w, h, self.figure.dpi
            if self._lastKey != key:
                self.renderer = Renderer(w, h, self.figure.dpi)
                self._lastKey = key
            return self.renderer

    return Canvas


def _font_height_metrics(prop: Any, dpi: float) -> tuple[float | None, float | None, float | None]:
    """The font's (ascent, descent, line gap) in pixels from its OS/2 or hhea table, as
    matplotlib.text.Text._get_layout computes them when the renderer does not."""
    from matplotlib.font_manager import fontManager, get_font

    font = get_font(fontManager._find_fonts_by_props(prop))
    for table_name, gap_key, ascent_key, descent_key in (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                                                         ("hhea", "lineGap", "ascent", "descent")):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * dpi / 72
        return table[ascent_key] * scale, -table[descent_key] * scale, table[gap_key] * scale
    return None, None, None


def _hashable(*values: object) -> bool:
    try:
        hash(values)
    except TypeError:
        return False
    return True


_TEXTS_KEPT = 2000  # strings whose layout a long-running bot keeps (titles differ; dates and numbers repeat)
_GLYPHS_KEPT = 20000  # glyph bitmaps (a few hundred bytes each) at their sub-pixel offsets
