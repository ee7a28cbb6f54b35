"""Turn an article into paragraphs and normalize the text each engine will speak."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tts.chars import is_arabic
from tts.errors import InputError
from tts.sources.plain import text_article
from tts.text.diacritize import diacritize_texts
from tts.text.langs import has_speech
from tts.text.normalize import normalize, normalizers_for
from tts.text.rules import respell
from tts.types import Article, Engine, Paragraph


def spoken_for(engine: Engine, paragraphs: Sequence[Paragraph], tashkeel: bool,
               lang: str = "ar") -> list[Paragraph]:
    """The paragraphs as ``engine`` will say them: tashkeel if it takes it, then its own rules.

    Both are for Arabic: text in another ``lang`` is returned as it is.
    """
    texts = engine_texts(engine, [p.spoken for p in paragraphs], tashkeel, lang)
    return [replace(p, spoken=text) for p, text in zip(paragraphs, texts, strict=True)]


def engine_texts(engine: Engine, texts: Sequence[str], tashkeel: bool, lang: str = "ar") -> list[str]:
    """Spoken texts as ``engine`` will say them (see ``spoken_for``)."""
    if not is_arabic(lang):
        return list(texts)
    if tashkeel and engine.tashkeel:
        texts = diacritize_texts(texts)
    return [respell(text, engine.rules) for text in texts]


def parse_article(article: str | Article, lang: str = "ar") -> list[Paragraph]:
    """The paragraphs with their spoken forms for ``lang``; InputError when nothing can be spoken.

    ``article`` is an Article from a source, or plain text to split by line shape.
    A heading stays a paragraph of its own, marked as a heading.
    """
    if isinstance(article, str):
        article = text_article(article)
    steps = normalizers_for(lang)
    paragraphs = []
    for index, block in enumerate(article.blocks):
        spoken = normalize(block.text, steps)
        paragraphs.append(Paragraph(index, block.text, spoken if has_speech(spoken) else "",
                                    block.heading))
    if not paragraphs:
        raise InputError("the text is empty: nothing to read; give a file holding the article's text")
    if not any(p.speakable for p in paragraphs):
        raise InputError("the text holds only punctuation or symbols: nothing to speak; "
                         "check that the right file was given")
    return paragraphs
