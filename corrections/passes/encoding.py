"""Encoding repair: mojibake, leftover fragments of mangled characters, invisible controls.

ftfy finds and undoes mojibake, but it rewrites whole strings. This pass runs it line by line,
only on lines that could need it, and turns each difference into the smallest span that covers
it, so an editor reviews "'â€™' → '’'" instead of a rewritten article. It also flags what ftfy
leaves behind (a lone 'Â' from a mangled no-break space, a closing quote whose last byte was
dropped) and invisible or bidirectional control characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers the "sloppy-windows-1252" codec)
from ftfy.badness import is_bad
from rapidfuzz.distance import Indel

from corrections.passes.base import PassContext, Suggestion, drop_overlaps, make_suggestion
from corrections.passes.text_cache import per_text

NAME = "encoding"
VERSION = "1"  # bump with ftfy upgrades too: its output is part of ours
KINDS = ("encoding", "invisible")
USES_SIBLINGS = False
USES_SOURCE_HISTORY = False
story_evidence = None

# Repair damage only: no quote uncurling, no Unicode normalisation, no width or ligature
# changes, line breaks left alone (CRLF is not damage), and control characters reported by this
# pass itself rather than silently removed.
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html="auto",
    remove_terminal_escapes=True,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=False,
    normalization=None,
    explain=True,
)

# Lines that ftfy could change although its badness heuristic does not fire: C1 controls,
# surrogates, terminal escapes, HTML entities, and the fragments handled below.
_HTML_ENTITY = re.compile(r"&(?:#\d{2,7}|#[xX][0-9a-fA-F]{2,6}|[A-Za-z][A-Za-z0-9]{1,30});?")
_NEEDS_FTFY = re.compile(r"[\x80-\x9f\ud800-\udfff\x1b\ufffd]|" + _HTML_ENTITY.pattern)

# 'â€' is the Windows-1252 reading of the first two bytes of U+2018..U+201F and other
# punctuation. When the third byte is missing, it was almost always 0x9D, the byte of '”' that
# Windows-1252 cannot represent and that decoders drop or replace.
_CP1252_CONTINUATION = (
    "€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ"
    "\xa0¡¢£¤¥¦§¨©ª«¬\xad®¯°±²³´µ¶·¸¹º»¼½¾¿"
)
_LOST_CLOSING_QUOTE = re.compile("â€(?:\ufffd|(?![" + re.escape(_CP1252_CONTINUATION) + "]))")

# A lone 'Â' that ftfy leaves behind: what remains of a no-break space (UTF-8 C2 A0 read as
# Windows-1252 is 'Â' + no-break space, and the no-break space is often turned into a plain
# space or a line break later). A real 'Â' starts or sits inside a capitalised word, so only one
# that ends a lower-case word, a number or punctuation, or stands alone, is flagged.
_STRAY_A_CIRCUMFLEX = re.compile(r"(?<![A-ZÀ-Þ])Â(?=[ \t\xa0\r\n]|$)")

# UTF-8 sequences read as Windows-1252 that ftfy leaves when the line also holds correct
# characters outside Windows-1252 ("PaweÅ‚ of Gdańsk"): its whole-line re-decoding is then
# impossible and its piecemeal repair only knows the commonest sequences.
_CONT = "[" + re.escape(_CP1252_CONTINUATION) + "]"
_LEFTOVER_UTF8 = re.compile(
    f"(?<![A-ZÀ-Þ])[\xc2-\xd6\xd8-\xdf]{_CONT}|[\xe0-\xef]{_CONT}{{2}}|[\xf0-\xf4]{_CONT}{{3}}"
)
# Where a repaired character may land: letters of the scripts news copy carries, and
# punctuation. A decoding that lands elsewhere (e.g. 'ß”' as U+07D4) was text, not mojibake.
_PLAUSIBLE_RANGES = (
    (0x00C0, 0x024F), (0x0370, 0x052F), (0x0590, 0x06FF), (0x0900, 0x0DFF), (0x1E00, 0x1EFF),
    (0x2010, 0x203A), (0x20AC, 0x20AC), (0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF),
)

_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f\xad\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff]+"
)
_JOINERS = frozenset("\u200c\u200d")
_LINE_BREAK_CONTROLS = frozenset("\x0b\x0c\x85")

_ENCODING_NAMES = {
    "sloppy-windows-1252": "Windows-1252",
    "windows-1252": "Windows-1252",
    "latin-1": "Latin-1",
    "sloppy-windows-1251": "Windows-1251",
    "windows-1251": "Windows-1251",
    "sloppy-windows-1250": "Windows-1250",
    "windows-1250": "Windows-1250",
    "iso-8859-2": "Latin-2",
    "macroman": "Mac Roman",
    "cp437": "DOS code page 437",
}

_CHARACTER_NAMES = {
    "’": "a curly apostrophe",
    "‘": "an opening single quote",
    "“": "an opening curly quote",
    "”": "a closing curly quote",
    "–": "an en dash",
    "—": "an em dash",
    "…": "an ellipsis",
    "\xa0": "a no-break space",
    "•": "a bullet",
    "€": "a euro sign",
    "£": "a pound sign",
    "°": "a degree sign",
    "©": "a copyright sign",
}


def run(text: str, context: PassContext) -> list[Suggestion]:
    """Suggest minimal repairs for mojibake and flag invisible control characters.

    Each line is repaired independently, and only lines that could need it are handed to ftfy
    (ASCII text and text that does not look like mojibake take a fast path).
    """
    found = list(_repairs(text))
    found.extend(_invisible_suggestions(text))
    kept = drop_overlaps(found)
    return [s for s in kept if (s.original, s.replacement) not in context.suppressed]


def mojibake_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds mojibake this pass would repair (offsets of the damaged characters).

    Other passes read words; a word that runs into debris ('Mahanâ' of 'Mahanâ€™s') is not a
    misspelling but this pass's business, so they leave words touching these spans alone."""
    return [(s.start, s.end) for s in _repairs(text)]


@per_text()
def _repairs(text: str) -> tuple[Suggestion, ...]:
    """The repairs of every line (cached: the entity pass asks for them after this pass ran)."""
    return tuple(s for start, line in _lines(text) for s in _repair_line(text, start, line))


def count_invisible(text: str) -> int:
    """How many invisible or bidirectional control characters ``text`` holds (the characters
    this pass flags with kind "invisible")."""
    return sum(end - start for start, end in _invisible_runs(text))


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, content) of each line, without its line break."""
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        content_end = end - 1 if end > pos and text[end - 1] == "\r" else end
        if content_end > pos:
            yield pos, text[pos:content_end]
        if nl < 0:
            break
        pos = nl + 1


def _needs_repair(line: str) -> bool:
    if line.isascii():
        return "\x1b" in line or ("&" in line and _NEEDS_FTFY.search(line) is not None)
    return (
        is_bad(line)
        or _NEEDS_FTFY.search(line) is not None
        or "Â" in line
        or _LEFTOVER_UTF8.search(line) is not None
    )


def _repair_line(text: str, offset: int, line: str) -> list[Suggestion]:
    if not _needs_repair(line):
        return []
    work = _LOST_CLOSING_QUOTE.sub("â€\x9d", line)
    fixed, plan = ftfy.fix_and_explain(work, _FTFY_CONFIG)
    steps = [(step[0], step[1]) for step in plan or []]
    if work != line:
        fixed = fixed.replace("â€\x9d", "â€")  # the guess did not help ftfy: take it back
    if not _is_single_byte_text(fixed):
        fixed = _LEFTOVER_UTF8.sub(_decode_leftover, fixed)
    out: list[Suggestion] = []
    if fixed != line:
        for i1, i2, j1, j2 in _changed_spans(line, fixed, steps):
            out.append(_ftfy_suggestion(text, offset + i1, offset + i2, fixed[j1:j2], steps))
    # Fragments ftfy leaves alone are looked for in what ftfy did not touch.
    touched = [(s.start, s.end) for s in out]
    for m in _STRAY_A_CIRCUMFLEX.finditer(line):
        start = offset + m.start()
        if any(a <= start < b for a, b in touched):
            continue
        out.append(_stray_a_suggestion(text, start))
    return out


def _is_single_byte_text(line: str) -> bool:
    """Whether ftfy could re-decode the whole line: if so, what it left alone it left on purpose
    (e.g. 'DrÃ¥ber', which may be Latin-1 or Mac Roman)."""
    try:
        line.encode("sloppy-windows-1252")
    except UnicodeError:
        return False
    return True


def _decode_leftover(m: re.Match[str]) -> str:
    damaged = m.group()
    try:
        repaired = damaged.encode("sloppy-windows-1252").decode("utf-8")
    except UnicodeError:
        return damaged
    code = ord(repaired)
    if not any(low <= code <= high for low, high in _PLAUSIBLE_RANGES):
        return damaged
    if not (unicodedata.category(repaired).startswith("L") or 0x2010 <= code <= 0x20AC):
        return damaged
    return repaired


def _changed_spans(
    line: str, fixed: str, steps: list[tuple[str, str]]
) -> list[tuple[int, int, int, int]]:
    """Minimal (i1, i2, j1, j2) spans where ``line[i1:i2]`` became ``fixed[j1:j2]``, widened so
    that a span never cuts through an HTML entity or drops a fragment of a character (the 'Â'
    of 'Â£' is reported as 'Â£' → '£', not as a lone deletion)."""
    ops = [
        (op.src_start, op.src_end, op.dest_start, op.dest_end)
        for op in Indel.opcodes(line, fixed)
        if op.tag != "equal"
    ]
    clusters: list[tuple[int, int]] = []
    if ("apply", "unescape_html") in steps:
        clusters = [m.span() for m in _HTML_ENTITY.finditer(line)]
    widened = []
    for i1, i2, j1, j2 in _merge(ops):
        # Text around a change is equal on both sides, so both sides widen alike.
        for a, b in clusters:
            if a < i2 and i1 < b or a == i1 == i2:
                grow_left, grow_right = max(0, i1 - a), max(0, b - i2)
                i1, j1, i2, j2 = i1 - grow_left, j1 - grow_left, i2 + grow_right, j2 + grow_right
        if j1 == j2 and i2 < len(line) and not line[i2].isascii() and not line[i2].isspace():
            i2, j2 = i2 + 1, j2 + 1
        widened.append((i1, i2, j1, j2))
    return _merge(widened)


def _merge(spans: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Join spans that touch or overlap: an insertion beside a deletion is one replacement."""
    merged: list[tuple[int, int, int, int]] = []
    for i1, i2, j1, j2 in sorted(spans):
        if merged and i1 <= merged[-1][1]:
            p1, p2, q1, q2 = merged[-1]
            merged[-1] = (p1, max(p2, i2), q1, max(q2, j2))
        else:
            merged.append((i1, i2, j1, j2))
    return merged


def _ftfy_suggestion(
    text: str, start: int, end: int, replacement: str, steps: list[tuple[str, str]]
) -> Suggestion:
    original = text[start:end]
    replacement = _peel(replacement)
    if (replacement, original) in (("\xa0", "Â "), ("\xa0", "Â\xa0"), ("", "Â")):
        # The no-break space survives as a plain space: only the 'Â' is damage.
        return _stray_a_suggestion(text, start)
    if original.startswith("â€") and replacement == "”" and "\x9d" not in original:
        return make_suggestion(
            text, start, end, replacement, "encoding", 0.8,
            f"'{_shown(original)}' is what is left of a closing curly quote that was decoded as "
            "Windows-1252 and lost its last byte: restore '”'.",
        )
    if "\ufffd" in replacement:
        return make_suggestion(
            text, start, end, replacement, "encoding", 0.5,
            f"'{_shown(original)}' is a character that was decoded in the wrong encoding and partly "
            "lost: check the original and retype it.",
        )
    confidence = 0.95
    if ("apply", "unescape_html") in steps and "&" in original:
        explanation = f"'{_shown(original)}' is an HTML entity: write {_describe(replacement)}."
    elif ("transcode", "fix_c1_controls") in steps:
        explanation = (
            f"'{_shown(original)}' is {_describe(replacement)} stored as a control code "
            f"(Windows-1252 read as Latin-1): restore {_quoted(replacement)}."
        )
    elif ("apply", "remove_terminal_escapes") in steps and "\x1b" in original:
        explanation = "A terminal colour code was pasted into the text: delete it."
    else:
        if ("apply", "decode_inconsistent_utf8") in steps:
            confidence = 0.9
        explanation = _mojibake_explanation(original, replacement, steps)
    return make_suggestion(text, start, end, replacement, "encoding", confidence, explanation)


def _peel(replacement: str) -> str:
    """Undo layers of mojibake that ftfy stops short of on a span it already repaired: after one
    layer, 'Ã„Å¸' becomes 'ÄŸ', which its heuristic no longer finds bad enough, though it is
    still 'ğ' read as Windows-1252. A single character cannot be such a layer, and text that is
    not valid UTF-8 once encoded stays as it is."""
    while len(replacement) >= 2 and not replacement.isascii():
        try:
            peeled = replacement.encode("sloppy-windows-1252").decode("utf-8")
        except UnicodeError:
            return replacement
        if peeled == replacement or not peeled.isprintable():
            return replacement
        replacement = peeled
    return replacement


def _mojibake_explanation(original: str, replacement: str, steps: list[tuple[str, str]]) -> str:
    if not replacement:
        return f"'{_shown(original)}' is debris of text that was decoded in the wrong encoding: delete it."
    encodings = [_ENCODING_NAMES.get(name, name) for kind, name in steps if kind == "encode"]
    layers = max(_layers(original, replacement), 1)
    if len(set(encodings)) == 1 or not encodings:
        name = encodings[0] if encodings else "Windows-1252"
        how = f"decoded as {name}" + (" twice" if layers == 2 else f" {layers} times" if layers > 2 else "")
    else:
        how = f"decoded in the wrong encoding several times ({', then '.join(dict.fromkeys(encodings))})"
    return f"'{_shown(original)}' is {_describe(replacement)} that was {how}: restore {_quoted(replacement)}."


def _layers(original: str, replacement: str) -> int:
    """How many rounds of UTF-8-read-as-a-single-byte-encoding turned ``replacement`` into
    ``original`` (0 when it is not that simple)."""
    current = original
    for layer in range(1, 5):
        for codec in ("sloppy-windows-1252", "latin-1"):
            try:
                current = current.encode(codec).decode("utf-8")
                break
            except UnicodeError:
                continue
        else:
            return 0
        if current == replacement:
            return layer
    return 0


def _stray_a_suggestion(text: str, start: int) -> Suggestion:
    end = start + 1
    # ' Â ' between words: removing the 'Â' alone would leave a double space.
    if start > 0 and text[start - 1] in " \t\xa0" and end < len(text) and text[end] in " \xa0":
        end += 1
    return make_suggestion(
        text, start, end, "", "encoding", 0.85,
        "'Â' is left over from a no-break space that was decoded as Windows-1252: delete it.",
    )


def _describe(replacement: str) -> str:
    if len(replacement) == 1:
        ch = replacement
        if ch in _CHARACTER_NAMES:
            return _CHARACTER_NAMES[ch]
        if ch.isalpha():
            return f"the letter '{ch}'"
        name = unicodedata.name(ch, "").lower()
        return f"'{ch}' ({name})" if name else f"U+{ord(ch):04X}"
    return f"the text '{replacement}'"


def _shown(original: str) -> str:
    """The damaged text as an editor can read it: control characters spelt as code points."""
    return "".join(ch if ch.isprintable() else f"<U+{ord(ch):04X}>" for ch in original)


def _quoted(replacement: str) -> str:
    if replacement == "\xa0":
        return "the no-break space"
    return f"'{replacement}'"


def _invisible_runs(text: str) -> Iterator[tuple[int, int]]:
    if text.isascii() and text.isprintable():
        return
    for m in _INVISIBLE.finditer(text):
        start, end = m.span()
        if set(m.group()) <= _JOINERS and not _joiners_are_stray(text, start, end):
            continue
        yield start, end


def _joiners_are_stray(text: str, start: int, end: int) -> bool:
    """Zero-width (non-)joiners are needed in emoji sequences and in scripts such as Persian or
    Devanagari, and wiki markup leaves them harmlessly beside spaces; inside a Latin word
    ("pass\u200dword") they are debris that breaks search and spelling."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return before.isascii() and before.isalnum() and after.isascii() and after.isalnum()


def _invisible_suggestions(text: str) -> list[Suggestion]:
    out: list[Suggestion] = []
    for start, end in _invisible_runs(text):
        run_chars = text[start:end]
        names = []
        for ch in dict.fromkeys(run_chars):
            names.append(f"U+{ord(ch):04X} {_control_name(ch)}")
        described = ", ".join(names[:3]) + (" and others" if len(names) > 3 else "")
        confidence = _invisible_confidence(run_chars)
        replacement = "\n" if set(run_chars) <= _LINE_BREAK_CONTROLS else ""
        single = len(run_chars) == 1
        what = "is an invisible control character" if single else "are invisible control characters"
        it = "it" if single else "them"
        action = f"replace {it} with a line break" if replacement else f"delete {it}"
        out.append(
            make_suggestion(
                text, start, end, replacement, "invisible", confidence,
                f"{described} {what}: {action}.",
            )
        )
    return out


def _control_name(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if name:
        return name
    code = ord(ch)
    if code < 0x20 or code == 0x7F:
        return "CONTROL CHARACTER"
    return "C1 CONTROL CHARACTER"


def _invisible_confidence(run_chars: str) -> float:
    codes = [ord(ch) for ch in run_chars]
    if all(code == 0xAD for code in codes):
        return 0.4  # a soft hyphen is invisible but harmless
    if any(code < 0x20 or 0x7F <= code <= 0x9F for code in codes):
        return 0.7
    if any(0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069 for code in codes):
        return 0.65  # bidi overrides can reorder what a reader sees
    return 0.6
