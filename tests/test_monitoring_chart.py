"""The monitoring report's indicator charts (bot/services/monitoring/chart.py): one figure is
drawn again for every chart and its renderer keeps text layouts and glyph bitmaps, so these
check that a chart shows the same whatever was drawn before it, and the same picture as
matplotlib's own canvas."""

from __future__ import annotations

import io
from datetime import date

import pytest

from bot.services.monitoring import chart
from bot.services.monitoring.figures import Card, Point, Row, Status

ZONE = "Europe/Istanbul"
_MATPLOTLIB = tuple(int(part) for part in __import__("matplotlib").__version__.split(".")[:2])
DAYS = [date(2025, 1, 10), date(2025, 7, 10), date(2026, 1, 10), date(2026, 7, 10), date(2027, 1, 10),
        date(2027, 7, 10)]


def _row(code: str, values: list[float | None], *, baseline: float | None = 100.0, target: float | None = 200.0,
         yes_no: bool = False) -> Row:
    points = [Point(index, day, value, 5) for index, (day, value) in enumerate(zip(DAYS, values, strict=False))]
    card = Card(code, baseline, 2024, {2027: target} if target is not None else {}) if baseline is not None \
        or target is not None else None
    return Row(code, yes_no, card, points, None, target, None, Status.NO_DATA)


# Charts that change every part of the figure: lines shown or hidden, fixed or automatic y
# ticks, an offset text above the axis (which moves the title), one or twelve labels.
OTHERS = [
    (_row("I8", [0.0, 1.0, None, 1.0], baseline=0.0, target=1.0, yes_no=True), "Eşitlik birimi etkin mi?", "tr"),
    (_row("I7", [123451, 123455, 123462], baseline=123450, target=123470), "Nüfus", "tr"),
    (_row("I4", [3, 5, 4, 6], baseline=None, target=None), "Hedefsiz gösterge", "en"),
    (_row("I5", [1200000, 1500000], baseline=None, target=2500000), "Bütçe (TL)", "en"),
    (_row("I3", [42.5]), "Tek tur", "tr"),
]
SUBJECT = (_row("I1", [101, 117, 128, 146, 163, 176]), "Kadın istihdamı oranı (%) — Gaziantep", "tr")


@pytest.fixture(autouse=True)
def fresh_figure():  # type: ignore[no-untyped-def]
    """Each test starts with no figure made yet (as a new process) and leaves none behind."""
    with chart._RENDER_LOCK:
        chart._CHART.clear()
    yield
    with chart._RENDER_LOCK:
        chart._CHART.clear()


def _png(item: Row, title: str, lang: str) -> bytes:
    png = chart.series_png(item, title, lang, ZONE)
    assert png is not None
    return png


def _pixels(png: bytes) -> bytes:
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGBA").tobytes()


def test_a_chart_is_the_same_whatever_was_drawn_before_it() -> None:
    first = {title: _pixels(_png(*case)) for case in [SUBJECT, *OTHERS] for title in [case[1]]}
    for case in [*OTHERS, SUBJECT, *reversed(OTHERS)]:  # each again, after different charts
        assert _pixels(_png(*case)) == first[case[1]], case[1]
    # and as drawn on a figure of its own, first in a new process
    for case in OTHERS:
        with chart._RENDER_LOCK:
            chart._CHART.clear()
        assert _pixels(_png(*case)) == first[case[1]], case[1]


def test_the_remembered_text_draws_what_matplotlib_draws() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    for case in [SUBJECT, *OTHERS, SUBJECT]:  # the second time, every text and glyph remembered
        cached = _pixels(_png(*case))
        figure = chart._chart().figure
        kept = chart._chart().canvas
        if _MATPLOTLIB >= (3, 11):  # the caching canvas is in use (older ones draw as matplotlib does)
            assert kept.__class__ is not FigureCanvasAgg
        chart._chart().canvas = FigureCanvasAgg(figure)  # matplotlib's own renderer
        try:
            plain = _pixels(_png(*case))
        finally:
            figure.set_canvas(kept)
            chart._chart().canvas = kept
        assert cached == plain, case[1]


def test_the_chart_shows_the_rounds_the_lines_and_a_legend_in_the_reports_language() -> None:
    from PIL import Image

    image = Image.open(io.BytesIO(_png(*SUBJECT)))
    assert image.size == (520, 192) and round(image.info["dpi"][0]) == 80  # 6.5 × 2.4 inches
    axes = chart._chart().axes
    assert [label.get_text() for label in axes.get_xticklabels()] == \
        ["10.01.2025", "10.07.2025", "10.01.2026", "10.07.2026", "10.01.2027", "10.07.2027"]
    assert list(chart._chart().series.get_ydata()) == [101, 117, 128, 146, 163, 176]
    assert [text.get_text() for text in axes.get_legend().get_texts()] == ["Hedef", "Başlangıç"]
    assert axes.get_title(loc="left") == "Kadın istihdamı oranı (%) — Gaziantep"
    low, high = axes.get_ylim()
    assert low < 100 and high > 200  # baseline and target inside the frame

    _png(_row("I2", [90, 80, 70], baseline=None, target=50), "Bekleme süresi", "en")
    assert [text.get_text() for text in axes.get_legend().get_texts()] == ["Target"]
    assert not chart._chart().baseline.get_visible()
    assert [label.get_text() for label in axes.get_xticklabels()] == ["10 Jan 2025", "10 Jul 2025", "10 Jan 2026"]

    _png(*OTHERS[0])  # yes/no
    assert [label.get_text() for label in axes.get_yticklabels()] == ["Hayır", "Evet"]
    assert [text.get_text() for text in axes.get_legend().get_texts()] == ["Hedef", "Başlangıç"]

    _png(_row("I4", [3, 5], baseline=None, target=None), "Hedefsiz", "tr")
    assert axes.get_legend() is None
    assert [label.get_text() for label in axes.get_yticklabels()][0] not in ("Hayır", "Evet")
    assert chart.series_png(_row("I9", [None, None]), "Boş", "tr", ZONE) is None
