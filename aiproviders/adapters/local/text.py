"""Offline text drafts: the text of one field of the bible, written from the bible (request.context).

What a draft is made of, and what it never contains:
    - only the field's own text: no label, no title, no headings, no notes about the draft and
      never the prompt. That the draft was written offline is the panel's business (offline_label);
    - prose for prose fields (a synopsis is paragraphs, a logline one sentence), a screenplay for a
      script and a numbered list for the free prompt's ideas;
    - the bible's own names and facts (title, characters, places) from context["project"] and
      context["subject"];
    - the length the creator asked for in context["direction"] where it names one ("3 paragraphs",
      "2 sentences", "100 words", "tiga paragraf", "dua kalimat", "100 kata");
    - in the creator's language: PHRASEBOOK["id"] when context["language"] is Indonesian, else English.

writers.py writes a field's sentences in order; this module picks how many of them to keep and
how to group them into paragraphs, then the adapter streams the text in small chunks (_chunks)."""

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..base import TextRequest
from .phrasebook_en import EN
from .phrasebook_id import ID
from .seeding import _rng
from .wording import _clean
from .writers import FieldDraft

CHUNK_CHARS = 40
MAX_PARAGRAPHS, MAX_SENTENCES, MAX_WORDS = 10, 40, 800
PHRASEBOOK = {"en": EN, "id": ID}
OFFLINE_LABEL = EN["label"]  # the English label; offline_label(language) for the others

NUMBERS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "se": 1, "sebuah": 1, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7,
    "delapan": 8, "sembilan": 9, "sepuluh": 10, "sebelas": 11, "dua belas": 12,
}
UNITS = {"paragraph": "paragraphs", "paragraphs": "paragraphs", "para": "paragraphs", "paras": "paragraphs",
         "paragraf": "paragraphs", "alinea": "paragraphs", "sentence": "sentences", "sentences": "sentences",
         "kalimat": "sentences", "word": "words", "words": "words", "kata": "words"}
LENGTH = re.compile(
    r"\b(\d{1,4}|dua belas|" + "|".join(sorted((n for n in NUMBERS if n != "dua belas"), key=len, reverse=True))
    + r")\s*-?\s*(?:(?:short|long|brief|pendek|panjang|singkat)\s+)?(" + "|".join(UNITS) + r")\b", re.I)


@dataclass(frozen=True)
class Length:
    """How long the creator asked the draft to be: `count` of `unit` ("paragraphs", "sentences", "words")."""

    unit: str
    count: int


def language_of(context: dict) -> str:
    """The draft's language: "id" for Indonesian ("id", "id-ID"), English for anything else."""
    code = _clean(context.get("language")).lower().replace("_", "-").split("-")[0]
    return code if code in PHRASEBOOK else "en"


def offline_label(language: str | None) -> str:
    """What the AI panel shows next to an offline draft, in the creator's language."""
    return PHRASEBOOK[language_of({"language": language})]["label"]


def length_asked(direction: str) -> Length | None:
    """The first length the direction names, within sensible bounds; None when it names none."""
    match = LENGTH.search(direction or "")
    if not match:
        return None
    number, unit = match.group(1).lower(), UNITS[match.group(2).lower()]
    count = int(number) if number.isdigit() else NUMBERS[number]
    limit = {"paragraphs": MAX_PARAGRAPHS, "sentences": MAX_SENTENCES, "words": MAX_WORDS}[unit]
    return Length(unit, min(max(count, 1), limit))


def draft_text(request: TextRequest) -> str:
    context = request.context if isinstance(request.context, dict) else {}
    direction = _clean(context.get("direction"))
    words = PHRASEBOOK[language_of(context)]
    draft = FieldDraft(context, words, _rng(request.prompt, context))
    if draft.kind in ("script", "ideas", "logline"):
        text = draft.write(length_asked(direction))
    else:
        text = shape(draft.sentences(), length_asked(direction), default=Length("paragraphs", draft.default_paragraphs()),
                     more=draft.more_sentences)
    return _truncate(text, max(20, int((request.max_tokens or 1024) * 0.75)))


def shape(sentences: list[str], asked: Length | None, *, default: Length, more=None) -> str:
    """The sentences kept and grouped as asked: paragraphs separated by a blank line. Sentences are
    kept evenly spread (the first and the last always), so a short synopsis still has its ending;
    `more()` gives further sentences when the field's own run out."""
    length = asked or default
    wanted = {"paragraphs": length.count * 2, "sentences": length.count, "words": math.ceil(length.count / 12)}
    if len(sentences) < wanted[length.unit] and more:
        extra = [s for s in more() if s not in sentences]
        sentences = sentences[:-1] + extra[: wanted[length.unit] - len(sentences)] + sentences[-1:]
    if length.unit == "paragraphs":
        per = 3 if asked or length.count > 1 else 4
        kept = _spread(sentences, min(len(sentences), max(length.count * per, length.count)))
        return _paragraphs(kept, min(length.count, len(kept)))
    if length.unit == "sentences":
        kept = _spread(sentences, min(length.count, len(sentences)))
        return _paragraphs(kept, math.ceil(len(kept) / 6))
    best = min(range(1, len(sentences) + 1),
               key=lambda k: abs(_words(" ".join(_spread(sentences, k))) - length.count))
    kept = _spread(sentences, best)
    return _paragraphs(kept, max(1, math.ceil(len(kept) / 4)))


def _spread(items: list[str], count: int) -> list[str]:
    """`count` items evenly spread over `items`, in order, the first and the last among them."""
    if count >= len(items):
        return list(items)
    if count <= 1:
        return items[:1]
    return [items[round(i * (len(items) - 1) / (count - 1))] for i in range(count)]


def _paragraphs(sentences: list[str], count: int) -> str:
    """`sentences` in `count` paragraphs of nearly equal size, in order."""
    count = max(1, count)
    size, extra = divmod(len(sentences), count)
    out, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        out.append(" ".join(sentences[start:end]))
        start = end
    return "\n\n".join(p for p in out if p) + "\n"


def _words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def _tokens(words: int) -> int:
    return math.ceil(words * 4 / 3)


def _request_text(request: TextRequest) -> str:
    parts = [request.prompt or "", request.system or ""]
    parts += [_clean(m.get("content")) for m in request.messages if isinstance(m, dict)]

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                yield from walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                yield from walk(v)
        elif value is not None:
            yield str(value)

    return " ".join(parts + list(walk(request.context)))


def _truncate(text: str, max_words: int) -> str:
    """At most `max_words` words, cut after the last whole sentence (or line) that fits."""
    tokens = re.findall(r"\S+\s*", text)
    if len(tokens) <= max_words:
        return text
    kept = "".join(tokens[:max_words])
    end = max(kept.rfind(". "), kept.rfind(".\n"), kept.rfind("\n"))
    return (kept[: end + 1] if end > 0 else kept).rstrip() + "\n"


def _chunks(text: str) -> Iterator[str]:
    """Small pieces that join back to exactly `text`: a line or ~40 characters at a word boundary."""
    chunk = ""
    for token in re.findall(r"\s+|\S+\s*", text):
        chunk += token
        if len(chunk) >= CHUNK_CHARS or "\n" in token:
            yield chunk
            chunk = ""
    if chunk:
        yield chunk
