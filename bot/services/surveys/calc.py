"""XLSForm `calculate` arithmetic over earlier numbers, parsed once and evaluated safely.

The subset (XPath 1.0 arithmetic as XLSForm writes it, https://xlsform.org/en/#calculation):
numbers, `${name}` of an earlier numeric question, `+ - *`, `div`, `mod`, parentheses, unary
minus, and `int(…)`, `round(…, n)`, `number(…)` around an expression. Anything else (`now()`,
`concat`, `if`, `pulldata`, `once`, text) is outside it: `parse` raises ValueError and the import
leaves that calculate out with a note. No `eval` is ever used.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\}|(div|mod|int|round|number)\b|([-+*(),]))")

Node = tuple  # ("num", x) | ("ref", name) | ("neg", n) | (op, a, b) | ("fn", name, [args])


def _tokens(text: str) -> list[tuple[str, str]]:
    found, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ValueError(f"cannot read {text[position:position + 20]!r}")
        number, name, word, symbol = match.groups()
        found.append(("num", number) if number else ("ref", name) if name else ("word", word) if word
                     else ("sym", symbol))
        position = match.end()
    return found


def parse(text: str) -> tuple[Node, set[str]]:
    """(tree, names referenced) of an arithmetic expression; ValueError outside the subset."""
    tokens = _tokens(text)
    names: set[str] = set()
    position = 0

    def peek() -> tuple[str, str] | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal position
        if position >= len(tokens):
            raise ValueError("the expression ends too early")
        position += 1
        return tokens[position - 1]

    def expression() -> Node:
        node = term()
        while (token := peek()) and token in (("sym", "+"), ("sym", "-")):
            take()
            node = (token[1], node, term())
        return node

    def term() -> Node:
        node = factor()
        while (token := peek()) and token in (("sym", "*"), ("word", "div"), ("word", "mod")):
            take()
            node = (token[1], node, factor())
        return node

    def factor() -> Node:
        kind, value = take()
        if kind == "num":
            return ("num", float(value))
        if kind == "ref":
            names.add(value)
            return ("ref", value)
        if (kind, value) == ("sym", "-"):
            return ("neg", factor())
        if (kind, value) == ("sym", "("):
            node = expression()
            if take() != ("sym", ")"):
                raise ValueError("a parenthesis is not closed")
            return node
        if kind == "word" and value in ("int", "round", "number"):
            if take() != ("sym", "("):
                raise ValueError(f"{value} needs parentheses")
            args = [expression()]
            while peek() == ("sym", ","):
                take()
                args.append(expression())
            if take() != ("sym", ")"):
                raise ValueError("a parenthesis is not closed")
            return ("fn", value, args)
        raise ValueError(f"unexpected {value!r}")

    tree = expression()
    if position != len(tokens):
        raise ValueError(f"unexpected {tokens[position][1]!r}")
    return tree, names


_OPS: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "div": lambda a, b: a / b, "mod": lambda a, b: math.fmod(a, b)}


def evaluate(text: str, values: Mapping[str, float | None]) -> float | None:
    """The value of `text` with `values` for its `${name}`s; None when one is missing or the
    arithmetic is undefined (division by zero), as ODK leaves such a calculate empty."""
    try:
        tree, _ = parse(text)
        result = _eval(tree, values)
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None
    return None if result is None or math.isnan(result) or math.isinf(result) else result


def _eval(node: Node, values: Mapping[str, float | None]) -> float | None:
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "ref":
        return values.get(node[1])
    if kind == "neg":
        inner = _eval(node[1], values)
        return None if inner is None else -inner
    if kind == "fn":
        args = [_eval(arg, values) for arg in node[2]]
        if any(arg is None for arg in args):
            return None
        if node[1] == "int":
            return float(math.trunc(args[0]))  # type: ignore[arg-type]
        if node[1] == "round":
            return float(round(args[0], int(args[1]) if len(args) > 1 else 0))  # type: ignore[arg-type]
        return args[0]
    left, right = _eval(node[1], values), _eval(node[2], values)
    if left is None or right is None:
        return None
    return _OPS[kind](left, right)
