"""XLSForm `relevant` and `constraint` expressions, within what a chat can evaluate.

`relevant` (https://xlsform.org/en/#relevant): comparisons of one earlier answer with a literal
(`${q} = 'x'`, `!=`, `>`, `<`, `>=`, `<=`, a number or a quoted text, `''` for "answered or
not"), `selected(${q}, 'x')`, `not(…)` around either, joined by `and` / `or` with parentheses
as long as the whole is an "and" of "or"s (conjunctive normal form) — e.g.
`${age} >= 18 and (selected(${help}, 'care') or ${help} = 'other')`.

`constraint` (https://xlsform.org/en/#constraints): `.` or `string-length(.)` compared with
numbers or `date('YYYY-MM-DD')` (`>=`, `<=`, and `>`/`<` on whole numbers), `. != ''`, and
`regex(., '…')`, joined by `and`. Parts outside the subset are reported so the reader can
leave them out with a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")
_LITERAL = r"""(?:'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?)|(true\(\)|false\(\)))"""
_COMPARE = re.compile(rf"""^\$\{{([A-Za-z_][A-Za-z0-9_.\-]*)\}}\s*(=|!=|>=|<=|>|<)\s*{_LITERAL}$""")
_COMPARE_BACK = re.compile(rf"""^{_LITERAL}\s*(=|!=)\s*\$\{{([A-Za-z_][A-Za-z0-9_.\-]*)\}}$""")
_SELECTED = re.compile(r"""^selected\(\s*\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\}\s*,\s*(?:'([^']*)'|"([^"]*)"|(-?\d+))\s*\)$""")
_OPS = {"=": "eq", "!=": "ne", ">": "gt", "<": "lt", ">=": "ge", "<=": "le"}
_NEGATE = {"eq": "ne", "ne": "eq", "gt": "le", "le": "gt", "lt": "ge", "ge": "lt"}


def _strip_outer(text: str) -> str:
    """`(a and b)` → `a and b` while the parentheses enclose everything."""
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _closing(text, 0) == len(text) - 1:
        text = text[1:-1].strip()
    return text


def _closing(text: str, start: int) -> int:
    depth, quote = 0, ""
    for index in range(start, len(text)):
        ch = text[index]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return index
    return -1


def split_top(text: str, word: str) -> list[str]:
    """`text` split on ` and ` / ` or ` outside parentheses and quotes."""
    parts, depth, quote, last = [], 0, "", 0
    pattern = re.compile(rf"\s+{word}\s+", re.IGNORECASE)
    index = 0
    while index < len(text):
        ch = text[index]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and ch.isspace():
            match = pattern.match(text, index)
            if match:
                parts.append(text[last:index])
                last = index = match.end()
                continue
        index += 1
    parts.append(text[last:])
    return [part.strip() for part in parts]


def _atom(text: str) -> dict[str, object]:
    text = _strip_outer(text)
    negated = False
    if re.match(r"^not\s*\(", text) and _closing(text, text.index("(")) == len(text) - 1:
        negated, text = True, _strip_outer(text[text.index("(") + 1:-1])
    selected = _SELECTED.match(text)
    if selected:
        name, single, double, number = selected.groups()
        value = next(v for v in (single, double, number) if v is not None)
        return {"question": name, "op": "ne" if negated else "eq", "value": value, "selected": True}
    compare = _COMPARE.match(text)
    back = _COMPARE_BACK.match(text) if compare is None else None
    if compare:
        name, op, single, double, number, boolean = compare.groups()
    elif back:
        single, double, number, boolean, op, name = back.groups()
    else:
        raise ValueError(text)
    value: object
    if number is not None:
        value = float(number) if "." in number else int(number)
    elif boolean is not None:
        value = boolean.startswith("true")
    else:
        value = single if single is not None else double
    operation = _OPS[op]
    if negated:
        operation = _NEGATE[operation]
    return {"question": name, "op": operation, "value": value}


CNF_LIMIT = 64  # clauses: an expression that distributes into more is refused


def _tree(text: str) -> tuple:
    """("and"|"or", [children]) or ("atom", dict), from `and`/`or`/parentheses/not(atom)."""
    text = _strip_outer(text)
    for word in ("or", "and"):  # "or" binds loosest
        parts = split_top(text, word)
        if len(parts) > 1:
            return (word, [_tree(part) for part in parts])
    return ("atom", _atom(text))


def _cnf(node: tuple) -> list[list[dict[str, object]]]:
    if node[0] == "atom":
        return [[dict(node[1])]]
    if node[0] == "and":
        return [clause for child in node[1] for clause in _cnf(child)]
    result: list[list[dict[str, object]]] = [[]]
    for child in node[1]:  # (a and b) or c = (a or c) and (b or c)
        result = [[dict(a) for a in left + right] for left in result for right in _cnf(child)]
        if len(result) > CNF_LIMIT:
            raise ValueError("too many combinations of and / or")
    return result


def parse_relevant(text: str) -> list[list[dict[str, object]]]:
    """An "and" of "or"s of comparisons (dicts shaped like `model.Relevant`, plus
    `selected: True` for `selected()`): any mix of and / or / parentheses is rewritten into
    that shape. ValueError naming the part outside the subset."""
    return _cnf(_tree(text))


@dataclass
class Constraint:
    """What `parse_constraint` understood, and the parts it could not (`left_out`)."""

    low: float | date | None = None
    high: float | date | None = None
    on_length: bool | None = None  # True: string-length(.); False: `.`; None: no bound
    pattern: str | None = None
    strict: list[str] = field(default_factory=list)  # `. > 0` parts read as >= / <= (decimals)
    left_out: list[str] = field(default_factory=list)


_BOUND_PART = re.compile(
    r"^(\.|string-length\(\s*\.\s*\))\s*(>=|<=|>|<|=)\s*(-?\d+(?:\.\d+)?|date\(\s*'(\d{4}-\d{2}-\d{2})'\s*\))$")
_BOUND_BACK = re.compile(r"^(-?\d+(?:\.\d+)?)\s*(>=|<=|>|<)\s*(\.|string-length\(\s*\.\s*\))$")
_NOT_EMPTY = re.compile(r"""^(?:\.\s*!=\s*(?:''|"")|string-length\(\s*\.\s*\)\s*(?:>\s*0|>=\s*1|!=\s*0))$""")
_REGEX = re.compile(r"""^regex\(\s*\.\s*,\s*(?:'(.*)'|"(.*)")\s*\)$""")
_FLIP = {">=": "<=", "<=": ">=", ">": "<", "<": ">"}


def parse_constraint(text: str, *, whole: bool) -> Constraint:
    """Bounds, pattern and left-out parts of a constraint; `whole`: the question takes whole
    numbers, so `. > 0` is exactly `. >= 1`."""
    found = Constraint()
    for raw in split_top(_strip_outer(text), "and"):
        part = _strip_outer(raw)
        if _NOT_EMPTY.match(part):
            continue  # an empty answer is never accepted in the chat anyway
        regex = _REGEX.match(part)
        if regex:
            pattern = regex.group(1) if regex.group(1) is not None else regex.group(2)
            try:
                re.compile(pattern)
            except re.error:
                found.left_out.append(part)
                continue
            found.pattern = pattern
            continue
        back = _BOUND_BACK.match(part)
        if back:
            part = f"{back.group(3)} {_FLIP[back.group(2)]} {back.group(1)}"
        match = _BOUND_PART.match(part)
        if not match:
            found.left_out.append(part)
            continue
        subject, op, bound_text, day = match.groups()
        length = subject != "."
        if found.on_length is not None and found.on_length != length:
            found.left_out.append(part)
            continue
        found.on_length = length
        bound: float | date = date.fromisoformat(day) if day else float(bound_text)
        if op in (">", "<"):
            if isinstance(bound, float) and (whole or length) and bound.is_integer():
                bound = bound + 1 if op == ">" else bound - 1
            else:
                found.strict.append(part)
        if op == "=":  # `string-length(.) = 10`, `. = 5`: both bounds
            found.low = found.high = bound
        elif op.startswith(">"):
            found.low = bound
        else:
            found.high = bound
    return found
