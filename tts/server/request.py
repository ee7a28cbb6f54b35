"""A speech request as OpenAI's ``CreateSpeechRequest`` defines it, checked field by field."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from tts.server.errors import invalid

# OpenAI's limit on ``input``; ``serve --max-input`` raises it.
MAX_INPUT_CHARS = 4096
SPEED_RANGE = (0.25, 4.0)
FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")
STREAM_FORMATS = ("audio", "sse")
# The fields OpenAI defines; others are ignored, as OpenAI's own server ignores them.
KNOWN = ("model", "input", "voice", "instructions", "response_format", "speed", "stream_format")


@dataclass(frozen=True)
class SpeechRequest:
    """What to say, in which voice and format."""

    model: str
    input: str
    voice: str
    response_format: str = "mp3"
    speed: float = 1.0
    stream_format: str = "audio"
    instructions: str | None = None
    """Accepted and ignored: our voices take no style prompts (Home Assistant sends "None")."""


def parse_body(raw: bytes, max_input: int, default_model: str) -> SpeechRequest:
    """The request in ``raw`` (JSON), or an ApiError 400 naming the first field at fault."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid("body", f"the body is not valid JSON ({exc}); send a JSON object",
                      "invalid_json") from None
    if not isinstance(body, dict):
        raise invalid("body", "the body must be a JSON object with model, input and voice",
                      "invalid_json")
    return SpeechRequest(
        model=text_field(body, "model", default_model),
        input=input_field(body, max_input),
        voice=voice_field(body),
        response_format=choice_field(body, "response_format", FORMATS, "mp3"),
        speed=speed_field(body),
        stream_format=choice_field(body, "stream_format", STREAM_FORMATS, "audio"),
        instructions=optional_text(body, "instructions"),
    )


def text_field(body: dict[str, Any], name: str, default: str | None = None) -> str:
    value = body.get(name)
    if value is None and default is not None:
        return default
    if not isinstance(value, str) or not value.strip():
        raise invalid(name, f"'{name}' must be a non-empty string", "missing_required_parameter"
                      if value is None else "invalid_type")
    return value.strip()


def optional_text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise invalid(name, f"'{name}' must be a string", "invalid_type")
    return value


def input_field(body: dict[str, Any], max_input: int) -> str:
    value = body.get("input")
    if not isinstance(value, str) or not value.strip():
        raise invalid("input", "'input' must be a non-empty string: the text to speak",
                      "missing_required_parameter" if value is None else "invalid_type")
    if len(value) > max_input:
        raise invalid("input", f"'input' is {len(value)} characters; the most is {max_input}. "
                      "Send it in pieces, or start the server with a higher --max-input",
                      "string_above_max_length")
    return value


def voice_field(body: dict[str, Any]) -> str:
    """A voice name, given as a string or as ``{"id": name}`` (OpenAI's custom-voice form)."""
    value = body.get("voice")
    if isinstance(value, dict):
        value = value.get("id")
    if not isinstance(value, str) or not value.strip():
        raise invalid("voice", "'voice' must be a voice name or {\"id\": name}; "
                      "GET /v1/audio/voices lists them",
                      "missing_required_parameter" if value is None else "invalid_type")
    return value.strip()


def choice_field(body: dict[str, Any], name: str, choices: tuple[str, ...], default: str) -> str:
    value = body.get(name)
    if value is None:
        return default
    if value not in choices:
        raise invalid(name, f"'{name}' {value!r} is not supported; choose one of {', '.join(choices)}")
    return str(value)


def speed_field(body: dict[str, Any]) -> float:
    value = body.get("speed")
    if value is None:
        return 1.0
    low, high = SPEED_RANGE
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise invalid("speed", f"'speed' must be a number from {low:g} to {high:g}", "invalid_type")
    if not low <= value <= high:
        raise invalid("speed", f"'speed' {value:g} is out of range; give a number from {low:g} to {high:g}")
    return float(value)
