"""`koordinat survey library`: the shipped indicators and survey templates, one line each
(apart from targets.py, whose dialog the listing does not need: start-up, issue 24)."""

from __future__ import annotations

from bot.services.surveys import content
from bot.services.surveys.model import localized


def library_lines() -> list[str]:
    """"Indicators:" then one line per shipped indicator (code, both names, answer type, unit,
    frequency), "Templates:" then one per shipped template (code, Turkish title, questions)."""
    shipped = content.library()
    lines = ["Indicators:"]
    for code, indicator in shipped.indicators.items():
        lines.append(f"  {code:<4} {localized(indicator.name, 'tr')} / {localized(indicator.name, 'en')}"
                     f" [{indicator.answer_type.value}, {localized(indicator.unit, 'en')}, {indicator.frequency.value}]")
    lines.append("Templates:")
    for code, form in shipped.templates.items():
        lines.append(f"  {code:<28} {localized(form.title, 'tr')} ({len(form.answerable)} questions)")
    return lines
