"""Formatted-text parsing the way Telegram's server (tdlib) does it.

`parse_html`, `parse_markdown_v2` and `parse_markdown` turn text sent with a parse_mode into the
visible text plus message entities (offsets in UTF-16 code units) or raise `MarkupError` with
tdlib's wording, e.g. `Unsupported start tag "br" at byte offset 0`. The HTML parser follows
tdlib byte by byte (it is stricter and different from a browser, so the stdlib `html.parser`
would accept things Telegram rejects) with one deliberate extra: in strict mode a bare `&` that
does not start `&lt;`, `&gt;`, `&amp;`, `&quot;` or `&#NN;` is an error. Telegram shows it
literally, but the Bot API documentation requires escaping it, and text that forgot to escape
`&` usually also forgets `<`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]

_SPACE = frozenset(b" \t\r\n\v\f\x00")
_ALNUM = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_HTML_TAGS = frozenset({
    "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler",
    "tg-emoji", "span", "pre", "code", "blockquote",
})
_HTML_ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "tg-spoiler": "spoiler", "span": "spoiler", "code": "code",
    "pre": "pre", "blockquote": "blockquote", "tg-emoji": "custom_emoji", "a": "text_link",
}
_NAMED_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_HTML_SPECIAL = re.compile(rb"[<&]")


class MarkupError(ValueError):
    """Text that Telegram refuses with "can't parse entities: <message>"."""


@dataclass(frozen=True)
class ParsedText:
    text: str
    entities: list[JSON]


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _u16(first_byte: int) -> int:
    """UTF-16 units contributed by a UTF-8 sequence starting with this byte (0 for continuation)."""
    if first_byte & 0xC0 == 0x80:
        return 0
    return 2 if first_byte >= 0xF0 else 1


def _decode_html_entity(b: bytes, pos: int) -> tuple[str, int] | None:
    """Decode `&...;` at pos the way tdlib does; None when it is not an entity tdlib knows."""
    size = len(b)
    end = pos + 1
    if end < size and b[end] == ord("#"):
        end += 1
        code = 0
        if end < size and b[end] == ord("x"):
            end += 1
            while end < size and chr(b[end]) in "0123456789abcdefABCDEF":
                code = code * 16 + int(chr(b[end]), 16)
                end += 1
        else:
            while end < size and 48 <= b[end] <= 57:
                code = code * 10 + b[end] - 48
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10 or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while end < size and chr(b[end]).isascii() and chr(b[end]).isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(b[pos + 1:end])
        if named is None:
            return None
        char = named
    if end < size and b[end] == ord(";"):
        end += 1
    return char, end


def parse_html(text: str, *, strict: bool = True) -> ParsedText:
    """Parse Telegram-flavoured HTML; raise MarkupError with tdlib's message when it fails."""
    b = text.encode("utf-8")
    size = len(b)

    def at(k: int) -> int:
        return b[k] if k < size else 0

    out: list[str] = []
    utf16 = 0
    entities: list[JSON] = []
    nested: list[list[Any]] = []  # [tag, argument, utf16 offset, pre language, index in out]
    i = 0
    while i < size:
        special = _HTML_SPECIAL.search(b, i)
        stop = special.start() if special else size
        if stop > i:  # a run of plain text, handled in one go
            run = b[i:stop].decode("utf-8")
            out.append(run)
            utf16 += len(run) if run.isascii() else utf16_len(run)
            i = stop
            continue
        if b[i] == 0x26:  # &
            decoded = _decode_html_entity(b, i)
            if decoded is not None:
                char, i = decoded
                out.append(char)
                utf16 += 2 if ord(char) > 0xFFFF else 1
                continue
            if strict:
                raise MarkupError(
                    f'Unescaped "&" at byte offset {i}; write it as "&amp;" '
                    "(the fake Bot API is stricter than Telegram here)"
                )
            out.append("&")
            utf16 += 1
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != 0x2F:  # start tag
            while at(i) not in _SPACE and at(i) != 0x3E:
                i += 1
            if at(i) == 0:
                raise MarkupError(f"Unclosed start tag at byte offset {begin}")
            tag = b[begin + 1:i].decode("utf-8", "replace").lower()
            if tag not in _HTML_TAGS:
                raise MarkupError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            while at(i) != 0x3E:
                while at(i) != 0 and at(i) in _SPACE:
                    i += 1
                if at(i) == 0x3E:
                    break
                attr_begin = i
                while at(i) not in _SPACE and at(i) not in (0x3D, 0x3E):
                    i += 1
                attr = b[attr_begin:i].decode("utf-8", "replace")
                if not attr:
                    raise MarkupError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                    )
                while at(i) != 0 and at(i) in _SPACE:
                    i += 1
                if at(i) != 0x3D:
                    if tag == "blockquote" and attr == "expandable":
                        argument = "expandable"
                        continue
                    raise MarkupError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {begin}'
                    )
                i += 1
                while at(i) != 0 and at(i) in _SPACE:
                    i += 1
                if at(i) == 0:
                    raise MarkupError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if at(i) not in (0x22, 0x27):
                    token_begin = i
                    while at(i) in _ALNUM or at(i) in (0x2E, 0x2D):
                        i += 1
                    value = b[token_begin:i].decode("ascii").lower()
                    if at(i) not in _SPACE and at(i) != 0x3E:
                        raise MarkupError(
                            f"Unexpected end of name token at byte offset {token_begin}"
                        )
                else:
                    quote = at(i)
                    i += 1
                    parts: list[str] = []
                    value_start = i
                    while at(i) != quote and at(i) != 0:
                        if at(i) == 0x26:
                            decoded = _decode_html_entity(b, i)
                            if decoded is not None:
                                parts.append(b[value_start:i].decode("utf-8", "replace"))
                                parts.append(decoded[0])
                                i = value_start = decoded[1]
                                continue
                        i += 1
                    parts.append(b[value_start:i].decode("utf-8", "replace"))
                    value = "".join(parts)
                    if at(i) == quote:
                        i += 1
                if at(i) == 0:
                    raise MarkupError(f"Unclosed start tag at byte offset {begin}")
                if tag == "a" and attr == "href":
                    argument = value
                elif tag == "code" and attr == "class" and value.startswith("language-"):
                    argument = value[len("language-"):]
                elif tag == "span" and attr == "class" and value.startswith("tg-"):
                    argument = value[len("tg-"):]
                elif tag == "tg-emoji" and attr == "emoji-id":
                    argument = value
            if tag == "span" and argument != "spoiler":
                raise MarkupError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
            if tag == "tg-emoji" and not argument.isdigit():
                raise MarkupError("Invalid custom emoji identifier specified")
            nested.append([tag, argument, utf16, "", len(out)])
        else:  # end tag
            if not nested:
                raise MarkupError(f"Unexpected end tag at byte offset {begin}")
            while at(i) not in _SPACE and at(i) != 0x3E:
                i += 1
            end_tag = b[begin + 2:i].decode("utf-8", "replace")
            while at(i) != 0 and at(i) in _SPACE:
                i += 1
            if at(i) != 0x3E:
                raise MarkupError(f"Unclosed end tag at byte offset {begin}")
            tag = nested[-1][0]
            if end_tag and end_tag != tag:
                raise MarkupError(
                    f'Unmatched end tag at byte offset {begin}, expected "</{tag}>", '
                    f'found "</{end_tag}>"'
                )
            _close_html_entity(nested, entities, out, utf16)
        i += 1  # past '>'
    if nested:
        raise MarkupError(f'Can\'t find end tag corresponding to start tag "{nested[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText("".join(out), entities)


def _close_html_entity(
    nested: list[list[Any]], entities: list[JSON], out: list[str], utf16: int
) -> None:
    tag, argument, offset, language, out_index = nested.pop()
    length = utf16 - offset
    if tag == "code" and argument and nested and nested[-1][0] == "pre":
        nested[-1][3] = argument  # <pre><code class="language-x"> is one pre entity with a language
        return
    if length <= 0:
        return
    entity: JSON = {"type": _HTML_ENTITY_TYPES[tag], "offset": offset, "length": length}
    if tag == "a":
        url = argument or "".join(out[out_index:])
        if not _looks_like_url(url):
            return
        entity["url"] = url
    elif tag == "pre" and language:
        entity["language"] = language
    elif tag == "blockquote" and argument == "expandable":
        entity["type"] = "expandable_blockquote"
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = argument
    entities.append(entity)


def _looks_like_url(url: str) -> bool:
    return bool(url) and not any(ch.isspace() for ch in url) and (
        "://" in url or "." in url or url.startswith("tg:")
    )


_MD2_TYPE_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline",
    "strikethrough": "Strikethrough", "spoiler": "Spoiler", "code": "Code", "pre": "Pre",
    "pre_code": "PreCode", "text_link": "TextUrl", "custom_emoji": "CustomEmoji",
}


def parse_markdown_v2(text: str) -> ParsedText:
    """Parse MarkdownV2 like tdlib's parse_markdown_v2 (plus spoilers, custom emoji, quotes)."""
    b = text.encode("utf-8")
    size = len(b)

    def at(k: int) -> int:
        return b[k] if k < size else 0

    result = bytearray()
    utf16 = 0
    entities: list[JSON] = []
    nested: list[list[Any]] = []  # [type, argument, utf16 offset, byte offset, result pos]
    i = 0
    while i < size:
        c = b[i]
        if c == 0x5C and 0 < at(i + 1) <= 126:  # backslash escape
            result.append(b[i + 1])
            utf16 += 1
            i += 2
            continue
        in_code = bool(nested) and nested[-1][0] in ("code", "pre", "pre_code")
        reserved = b"`" if in_code else b"_*[]()~`>#+-=|{}.!"
        if c not in reserved:
            utf16 += _u16(c)
            result.append(c)
            i += 1
            continue
        if c == 0x3E and (i == 0 or b[i - 1] == 0x0A) and not nested:
            i += 1  # '>' at the start of a line begins a quote line
            continue
        top = nested[-1][0] if nested else None
        ends = (
            (top == "bold" and c == 0x2A)
            or (top == "italic" and c == 0x5F and at(i + 1) != 0x5F)
            or (top == "underline" and c == 0x5F and at(i + 1) == 0x5F)
            or (top == "strikethrough" and c == 0x7E)
            or (top == "spoiler" and c == 0x7C and at(i + 1) == 0x7C)
            or (top == "code" and c == 0x60)
            or (top in ("pre", "pre_code") and b[i:i + 3] == b"```")
            or (top in ("text_link", "custom_emoji") and c == 0x5D)
        )
        if not ends:
            start = i
            argument = ""
            if c == 0x5F:
                kind = "underline" if at(i + 1) == 0x5F else "italic"
                i += 2 if kind == "underline" else 1
            elif c == 0x2A:
                kind, i = "bold", i + 1
            elif c == 0x7E:
                kind, i = "strikethrough", i + 1
            elif c == 0x7C and at(i + 1) == 0x7C:
                kind, i = "spoiler", i + 2
            elif c == 0x5B:
                kind, i = "text_link", i + 1
            elif c == 0x21 and at(i + 1) == 0x5B:
                kind, i = "custom_emoji", i + 2
            elif c == 0x60 and b[i:i + 3] == b"```":
                i += 3
                kind = "pre"
                lang_end = i
                while at(lang_end) not in _SPACE and at(lang_end) != 0x60:
                    lang_end += 1
                if i != lang_end and lang_end < size and at(lang_end) != 0x60:
                    kind = "pre_code"
                    argument = b[i:lang_end].decode("utf-8", "replace")
                    i = lang_end
                if at(i) in (0x0A, 0x0D):
                    pair = at(i + 1) in (0x0A, 0x0D) and at(i + 1) != at(i)
                    i += 2 if pair else 1
            elif c == 0x60:
                kind, i = "code", i + 1
            else:
                raise MarkupError(
                    f"Character '{chr(c)}' is reserved and must be escaped with the preceding '\\'"
                )
            nested.append([kind, argument, utf16, start, len(result)])
            continue
        kind, argument, offset, _start, result_pos = nested.pop()
        skip = utf16 == offset
        if kind == "underline" or kind == "spoiler":
            i += 2
        elif kind in ("pre", "pre_code"):
            i += 3
        elif kind in ("text_link", "custom_emoji"):
            i += 1
            if at(i) != 0x28:
                argument = result[result_pos:].decode("utf-8", "replace")
            else:
                i += 1
                url_begin = i
                url = bytearray()
                while i < size and b[i] != 0x29:
                    if b[i] == 0x5C and 0 < at(i + 1) <= 126:
                        url.append(b[i + 1])
                        i += 2
                        continue
                    url.append(b[i])
                    i += 1
                if at(i) != 0x29:
                    raise MarkupError(f"Can't find end of a URL at byte offset {url_begin}")
                i += 1
                argument = url.decode("utf-8", "replace")
            if kind == "custom_emoji":
                emoji_id = argument.partition("id=")[2]
                if not argument.startswith("tg://emoji?") or not emoji_id.isdigit():
                    raise MarkupError("Custom emoji URL must have an emoji identifier")
                argument = emoji_id
            elif not _looks_like_url(argument):
                skip = True
        else:
            i += 1
        if not skip:
            entity: JSON = {"type": kind, "offset": offset, "length": utf16 - offset}
            if kind == "pre_code":
                entity["type"], entity["language"] = "pre", argument
            elif kind == "text_link":
                entity["url"] = argument
            elif kind == "custom_emoji":
                entity["custom_emoji_id"] = argument
            entities.append(entity)
    if nested:
        kind, _arg, _off, start, _pos = nested[-1]
        raise MarkupError(
            f"Can't find end of {_MD2_TYPE_NAMES[kind]} entity at byte offset {start}"
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText(result.decode("utf-8", "replace"), entities)


_MD1_TYPES = {0x2A: "bold", 0x5F: "italic", 0x60: "code", 0x5B: "text_link"}


def parse_markdown(text: str) -> ParsedText:
    """Parse legacy Markdown (no nesting; `\\` escapes only _ * ` [)."""
    b = text.encode("utf-8")
    size = len(b)
    result = bytearray()
    utf16 = 0
    entities: list[JSON] = []
    i = 0
    while i < size:
        c = b[i]
        if c == 0x5C and i + 1 < size and b[i + 1] in _MD1_TYPES:
            result.append(b[i + 1])
            utf16 += 1
            i += 2
            continue
        if c not in _MD1_TYPES:
            utf16 += _u16(c)
            result.append(c)
            i += 1
            continue
        begin = i
        kind = _MD1_TYPES[c]
        end_char = 0x5D if c == 0x5B else c
        language = ""
        if c == 0x60 and b[i:i + 3] == b"```":
            kind = "pre"
            end_char = -1
            i += 3
        else:
            i += 1
        offset = utf16
        while i < size:
            if end_char == -1 and b[i:i + 3] == b"```":
                break
            if b[i] == end_char:
                break
            utf16 += _u16(b[i])
            result.append(b[i])
            i += 1
        if i >= size:
            raise MarkupError(f"Can't find end of the entity starting at byte offset {begin}")
        i += 3 if end_char == -1 else 1
        entity: JSON = {"type": kind, "offset": offset, "length": utf16 - offset}
        if kind == "text_link":
            url = ""
            if i < size and b[i] == 0x28:
                close = b.find(b")", i)
                if close == -1:
                    raise MarkupError(
                        f"Can't find end of the entity starting at byte offset {begin}"
                    )
                url = b[i + 1:close].decode("utf-8", "replace")
                i = close + 1
            if not _looks_like_url(url):
                continue
            entity["url"] = url
        if kind == "pre" and language:
            entity["language"] = language
        if entity["length"] > 0:
            entities.append(entity)
    return ParsedText(result.decode("utf-8", "replace"), entities)
