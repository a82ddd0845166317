"""babel's formatting functions, imported on first call: babel.dates with its locale data
costs tens of milliseconds, which neither `koordinat` CLI commands nor the bot's first reply
need (issue 24). Same names, arguments and results as babel's own."""

from __future__ import annotations

from typing import Any


def format_date(*args: Any, **kwargs: Any) -> str:
    """`babel.dates.format_date`."""
    from babel.dates import format_date as babel_format_date

    return babel_format_date(*args, **kwargs)


def format_datetime(*args: Any, **kwargs: Any) -> str:
    """`babel.dates.format_datetime`."""
    from babel.dates import format_datetime as babel_format_datetime

    return babel_format_datetime(*args, **kwargs)


def format_timedelta(*args: Any, **kwargs: Any) -> str:
    """`babel.dates.format_timedelta`."""
    from babel.dates import format_timedelta as babel_format_timedelta

    return babel_format_timedelta(*args, **kwargs)


def get_timezone_location(*args: Any, **kwargs: Any) -> str:
    """`babel.dates.get_timezone_location`."""
    from babel.dates import get_timezone_location as babel_get_timezone_location

    return babel_get_timezone_location(*args, **kwargs)


def format_list(*args: Any, **kwargs: Any) -> str:
    """`babel.lists.format_list`."""
    from babel.lists import format_list as babel_format_list

    return babel_format_list(*args, **kwargs)


def format_decimal(*args: Any, **kwargs: Any) -> str:
    """`babel.numbers.format_decimal`."""
    from babel.numbers import format_decimal as babel_format_decimal

    return babel_format_decimal(*args, **kwargs)
