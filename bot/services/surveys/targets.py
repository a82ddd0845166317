"""Target cards: from the operator's command line (`koordinat survey target ...`), the
library listing (`koordinat survey library`), and the coordinator's `/hedef` dialog.

    koordinat survey target Kars I4 --baseline 400 --baseline-year 2024 --target 2026=550 --target 2027=700
    koordinat survey target Kars            # prints the group's target cards

Values are read like survey answers (`1.250`, `12,5`, `%40`), by the indicator's unit
(`target_values.read_target_value`): a percentage is 0–100, a count is a whole number and not
negative, a yes/no indicator (I8) takes `evet`/`hayır` (`var`/`yok`, `yes`/`no`). A value the
indicator cannot take is refused with the reason and an example (CLI: one line, exit 2). The
baseline (başlangıç değeri) and the yearly targets (hedef) follow the SBB strategic-plan
guide's target card.
"""

from __future__ import annotations

import argparse
import re
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.errors import InvalidAnswer
from bot.models import Button, Reply, Role
from bot.services.conversation import Conversation, Ctx, Replies
from bot.services.surveys import content
from bot.services.surveys.model import IndicatorAnswerType, localized
from bot.services.surveys.target_values import plain, read_target_value, shown
from bot.text import ascii_digits, fold
from messages import t
from storage import groups as groups_repo
from storage import surveys as repo
from storage.db import Database
from storage.dialogs import DialogState

if TYPE_CHECKING:
    from bot.services.surveys.service import SurveyService

YEARS = range(2000, 2101)


class TargetError(ValueError):
    """A command-line value that cannot be used, with the reason and an example (exit status 2)."""

    exit_code = 2


class GroupMissing(TargetError):
    """The group named does not exist (exit status 1, as in every `koordinat` command)."""

    exit_code = 1


def add_commands(commands: argparse._SubParsersAction) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    """Add `survey target` and `survey library` (bot/cli_surveys.py); returns the `survey`
    sub-command group."""
    from bot.cli_surveys import add_survey_commands

    return add_survey_commands(commands)


def number(text: str, answer_type: IndicatorAnswerType | str = IndicatorAnswerType.DECIMAL,
           what: str = "value") -> float:
    """The value for an indicator answered as `answer_type`; TargetError (one English line
    naming `what`) when it cannot be read or the indicator cannot take it."""
    try:
        return read_target_value(text, answer_type, "en", number_lang="tr")  # messages in English, numbers as Turks write them
    except InvalidAnswer as error:
        raise TargetError(f"{what}: {plain(error)}") from None


def parse_target(text: str, answer_type: IndicatorAnswerType | str = IndicatorAnswerType.DECIMAL) -> tuple[int, float]:
    """`2027=700` → (2027, 700.0); `2027=evet` → (2027, 1.0) for a yes/no indicator;
    TargetError otherwise."""
    text = ascii_digits(text)  # `２０２７=７００`, `٢٠٢٧=٧٠٠`
    year, sep, value = text.partition("=")
    if not sep or not year.strip().isdigit() or int(year) not in YEARS:
        example = "2027=evet" if IndicatorAnswerType(answer_type) == IndicatorAnswerType.YES_NO else "2027=700"
        raise TargetError(f"--target {text!r}: write YEAR=VALUE, e.g. --target {example}")
    return int(year), number(value, answer_type, f"--target {text.strip()}")


async def run_target(db: Database, args: argparse.Namespace, now: datetime) -> list[str]:
    """Apply `survey target` and return the lines to print (the card(s) after the change)."""
    async with db.transaction() as tx:
        group = await _group(tx, args.group)
        indicators = await content.indicators_for_group(tx, group.id)
        if args.indicator is None:
            if args.baseline is not None or args.target:
                raise TargetError("name the indicator to change, e.g. koordinat survey target Kars I4 --target 2027=700")
            cards = await repo.target_cards(tx, group.id)
            lines = [_line(card, indicators) for code in indicators if (card := cards.get(code)) is not None]
            return [f"{group.name} ({group.city})", *(lines or ["  no target cards yet"])]
        code = args.indicator.strip().upper() if args.indicator.strip().upper() in indicators else args.indicator.strip()
        if code not in indicators:
            raise TargetError(f"unknown indicator {args.indicator!r}; known: {', '.join(indicators)}")
        if args.baseline is not None or args.baseline_year is not None:
            if args.baseline is None or args.baseline_year is None:
                raise TargetError("give --baseline and --baseline-year together, e.g. --baseline 400 --baseline-year 2024")
            if args.baseline_year not in YEARS:
                raise TargetError(f"--baseline-year {args.baseline_year}: a year such as 2024")
            kind = indicators[code].answer_type
            await repo.set_baseline(tx, group.id, code, number(args.baseline, kind, f"--baseline {args.baseline}"),
                                    args.baseline_year, now)
        first = (existing := await repo.target_card(tx, group.id, code)) and existing.baseline_year
        for text in args.target:
            year, _, typed = text.partition("=")
            if fold(typed) in REMOVE_WORDS and year.strip().isdigit():  # `--target 2025=-`: remove that year's
                await repo.delete_target(tx, group.id, code, int(year))
                continue
            year_, value = parse_target(text, indicators[code].answer_type)
            if first and year_ < first:
                raise TargetError(f"--target {text.strip()}: a target cannot come before the baseline's year ({first})")
            await repo.set_target(tx, group.id, code, year_, value, now)
        card = await repo.target_card(tx, group.id, code)
    return [f"{group.name} ({group.city})", _line(card, indicators) if card else f"{code}: no baseline or target yet"]


def _line(card: repo.TargetCard, indicators: dict[str, content.Indicator]) -> str:
    indicator = indicators.get(card.indicator_code)
    name = localized(indicator.name, "en") if indicator else ""
    unit = localized(indicator.unit, "en") if indicator else ""
    kind = indicator.answer_type if indicator else IndicatorAnswerType.DECIMAL

    def value(number: float) -> str:
        return ("yes" if number >= 0.5 else "no") if kind == IndicatorAnswerType.YES_NO else f"{number:g}"

    baseline = "—" if card.baseline is None else f"{value(card.baseline)} ({card.baseline_year})"
    targets = ", ".join(f"{year}: {value(number)}" for year, number in sorted(card.targets.items())) or "—"
    return f"  {card.indicator_code} {name} [{unit}] — baseline {baseline}; targets {targets}"


async def _group(conn, key: str):  # type: ignore[no-untyped-def]
    from bot.services.groups import GroupNotFound, one_group

    try:
        return one_group(await groups_repo.all_groups(conn), key)
    except GroupNotFound as error:
        raise GroupMissing(str(error)) from None


# -- the coordinator's dialog: /hedef (/targets) ------------------------------------------------

class TargetCardFlow:
    """`/hedef`: pick an indicator, then type its baseline with the year (`400 2024`) and its
    yearly targets (`2026=550, 2027=700`); `-` keeps what is there. State in `dialogs`."""

    kind = "target"
    cancelled_key = "dialog.nothing_changed"

    def __init__(self, service: SurveyService, conversation: Conversation) -> None:
        self._service = service
        self._conversation = conversation

    async def begin_command(self, ctx: Ctx, args: list[str]) -> Replies:
        groups = ctx.coordinated_groups()
        state = DialogState(self.kind, "indicator" if len(groups) == 1 else "group",
                            {"group_id": groups[0]} if len(groups) == 1 else {})
        await self._conversation.save(ctx, state)
        return [await self._prompt(ctx, state)]

    async def _prompt(self, ctx: Ctx, state: DialogState) -> Reply:
        if state.step == "group":
            buttons = []
            for group_id in ctx.coordinated_groups():
                group = await self._service.group(group_id)
                buttons.append([Button(label=f"{group.name} ({group.city})", choice=f"{self.kind}:group:{group_id}")])
            return Reply(text=t("survey.new_ask_group", ctx.lang), buttons=buttons)
        group_id = int(state.data["group_id"])
        year = await self._year(ctx, group_id)
        async with self._service.db.read() as conn:
            indicators = await content.indicators_for_group(conn, group_id)
            cards = await repo.target_cards(conn, group_id)
        if state.step == "indicator":
            state.data["codes"] = list(indicators)
            await self._conversation.save(ctx, state)
            buttons = [[Button(label=(("🎯 " if code in cards else "") + f"{code} {localized(ind.name, ctx.lang)}")[:56],
                               choice=f"{self.kind}:ind:{index}")] for index, (code, ind) in enumerate(indicators.items())]
            return Reply(text=t("targets.pick_indicator", ctx.lang), buttons=buttons)
        code = str(state.data["code"])
        card_text = card_line(cards.get(code), indicators[code], ctx.lang)
        return Reply(text=t(f"targets.ask_{state.step}{_variant(indicators[code])}", ctx.lang, card=card_text,
                            year=year))

    async def _year(self, ctx: Ctx, group_id: int) -> int:
        """This year in the group's zone (at 01:00 on 1 January in Türkiye it is already the new
        year, while UTC still says the old one)."""
        return ctx.now.astimezone(ZoneInfo((await self._service.group(group_id)).timezone)).year

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        if len(parts) == 2 and parts[1].isdigit():
            if parts[0] == "group" and state.step == "group" and ctx.roles.get(int(parts[1])) is Role.COORDINATOR:
                state.data["group_id"], state.step = int(parts[1]), "indicator"
                await self._conversation.save(ctx, state)
                return [await self._prompt(ctx, state)]
            codes = list(state.data.get("codes") or [])
            if parts[0] == "ind" and state.step == "indicator" and int(parts[1]) < len(codes):
                state.data["code"], state.step = codes[int(parts[1])], "baseline"
                await self._conversation.save(ctx, state)
                return [await self._prompt(ctx, state)]
        return [ctx.text("error.stale_button")]

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        if state.step in ("group", "indicator"):
            return [ctx.text("survey.use_buttons"), await self._prompt(ctx, state)]
        group_id = int(state.data["group_id"])
        self._service.require_coordinator(ctx, group_id)
        code = str(state.data["code"])
        async with self._service.db.read() as conn:
            indicator = (await content.indicators_for_group(conn, group_id)).get(code)
        if indicator is None:
            await self._conversation.end(ctx)
            return [ctx.text("error.not_found")]
        keep = text.strip() in ("-", "—") or fold(text) in ("gec", "atla", "skip", "ayni", "same")
        this_year = await self._year(ctx, group_id)
        try:
            if state.step == "baseline":
                if not keep:
                    value, year = _baseline(text, this_year, indicator.answer_type, ctx.lang)
                    async with self._service.db.transaction() as tx:
                        await repo.set_baseline(tx, group_id, code, value, year, ctx.now)
                state.step = "targets"
                await self._conversation.save(ctx, state)
                return [await self._prompt(ctx, state)]
            if not keep:
                pairs = [_target(part.strip(), indicator.answer_type, ctx.lang)
                         for part in re.split(r"\s*[;\n]\s*|,\s+|,(?=\d{4}\s*=)", text) if part.strip()]
                if not pairs:
                    raise TargetError(text)
                async with self._service.db.read() as conn:
                    existing = await repo.target_card(conn, group_id, code)
                first = existing.baseline_year if existing is not None else None
                early = next((year for year, value in pairs if value is not None and first and year < first), None)
                if early is not None:
                    raise InvalidAnswer("targets.target_before_baseline", target_year=early, baseline_year=first,
                                        example=f"{max(first, this_year)}={'evet' if _variant(indicator) else '550'}")
                async with self._service.db.transaction() as tx:
                    for year, value in pairs:
                        if value is None:
                            await repo.delete_target(tx, group_id, code, year)
                        else:
                            await repo.set_target(tx, group_id, code, year, value, ctx.now)
        except InvalidAnswer as error:  # a value the indicator cannot take: the reason, then the question (one message)
            prompt = await self._prompt(ctx, state)
            return [Reply(text=t(error.key, ctx.lang, **error.params) + "\n\n" + prompt.text, buttons=prompt.buttons)]
        except TargetError:  # one message: what was wrong, then the question again
            prompt = await self._prompt(ctx, state)
            return [Reply(text=t(f"targets.bad_{state.step}{_variant(indicator)}", ctx.lang, year=this_year)
                          + "\n\n" + prompt.text, buttons=prompt.buttons)]
        await self._conversation.end(ctx)
        async with self._service.db.read() as conn:
            indicators = await content.indicators_for_group(conn, group_id)
            card = await repo.target_card(conn, group_id, code)
        return [ctx.text("targets.saved", card=card_line(card, indicators[code], ctx.lang))]


def _variant(indicator: content.Indicator) -> str:
    """The message keys' suffix for the indicator's kind of value (`_yes_no` or nothing)."""
    return "_yes_no" if indicator.answer_type == IndicatorAnswerType.YES_NO else ""


def _baseline(text: str, this_year: int, answer_type: IndicatorAnswerType, lang: str) -> tuple[float, int]:
    """`400 2024`, `%32,5 (2024)`, `400, 2024`, `hayır 2024` → (value, year). TargetError
    when it is not a value and a year; InvalidAnswer when the value does not fit the indicator."""
    parts = [part for part in re.split(r"[\s;()/]+|,\s+", text.strip()) if part]
    if len(parts) != 2 or not parts[1].isdigit() or int(parts[1]) not in range(1990, this_year + 1):
        raise TargetError(text)
    try:
        return read_target_value(parts[0], answer_type, lang), int(parts[1])
    except InvalidAnswer as error:
        if error.key in ("targets.value_bad_number", "targets.value_bad_yes_no"):
            raise TargetError(text) from None  # not a value at all: the format's message
        raise


REMOVE_WORDS = ("-", "sil", "delete", "remove")


def _target(text: str, answer_type: IndicatorAnswerType, lang: str) -> tuple[int, float | None]:
    """`2027=700`, `2027=evet`, `2027: evet`, `2027 evet` → (year, value); `2025=-` / `2025=sil`
    → (2025, None): remove that year's target. TargetError / InvalidAnswer as `_baseline`."""
    found = re.fullmatch(r"\s*(\d{4})\s*(?:=|:|\s)\s*(\S.*?)\s*", ascii_digits(text))
    if found is None or int(found.group(1)) not in YEARS:
        raise TargetError(text)
    year, value = found.group(1), found.group(2)
    if fold(value) in REMOVE_WORDS:
        return int(year), None
    try:
        return int(year), read_target_value(value, answer_type, lang)
    except InvalidAnswer as error:
        if error.key in ("targets.value_bad_number", "targets.value_bad_yes_no"):
            raise TargetError(text) from None
        raise


def card_line(card: repo.TargetCard | None, indicator: content.Indicator, lang: str) -> str:
    """`I4 Belediye kreş kapasitesi (kontenjan): başlangıç 400 (2024) · hedef 2026: 550, 2027: 700`."""
    kind = indicator.answer_type
    baseline = "—" if card is None or card.baseline is None else \
        f"{shown(card.baseline, kind, lang)} ({card.baseline_year})"
    targets = "—" if card is None or not card.targets else ", ".join(
        f"{year}: {shown(value, kind, lang)}" for year, value in sorted(card.targets.items()))
    return t("targets.card", lang, code=indicator.code, name=localized(indicator.name, lang),
             unit=localized(indicator.unit, lang), baseline=baseline, targets=targets)
