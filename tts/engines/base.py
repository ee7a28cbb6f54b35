"""The one interface every speech engine implements, capabilities included.

The types live in the kernel (tts/types.py), so that every stage can name an engine
without importing this package; this module is their documented home for engine authors.
"""

from tts.types import Engine, PhonemeReader, Rule, Voice

__all__ = ["Engine", "PhonemeReader", "Rule", "Voice"]
