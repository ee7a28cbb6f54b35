"""The ASGI app: OpenAI's speech endpoint and the listings clients ask for, a health check, a page."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hmac
import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tts import engines
from tts.server import catalog
from tts.server.admission import Admission
from tts.server.errors import ApiError, invalid
from tts.server.request import MAX_INPUT_CHARS, SpeechRequest, parse_body
from tts.server.speech import WIRES, Cancelled, Channel, Job, start
from tts.synth.cache import ClipCache
from tts.version import __version__

log = logging.getLogger("tts.server")

# The environment variable ``serve --api-key`` reads.
API_KEY_ENV = "ARTICLE_TTS_API_KEY"
# A JSON body holds the input escaped: up to 6 bytes a character (\uXXXX), plus the other fields.
BODY_BYTES_PER_CHAR = 6
BODY_SLACK_BYTES = 64 * 1024
# How often a stream waiting for audio looks whether its client has gone.
DISCONNECT_POLL_S = 0.25


@dataclass(frozen=True)
class ServerSettings:
    """How ``article-tts serve`` runs: what it listens on, and its limits."""

    host: str = "127.0.0.1"
    port: int = 8000
    api_key: str | None = None
    """Clients must send ``Authorization: Bearer KEY``; None lets any client on the network in."""
    max_input: int = MAX_INPUT_CHARS
    """Longest ``input``, in characters (OpenAI's limit by default)."""
    concurrency: int = 4
    """Requests synthesized at once."""
    queue: int = 16
    """Requests waiting for a turn; more get a 429 with Retry-After."""
    timeout: float = 120.0
    """Seconds one request may take, waiting in the queue included."""
    allow_urls: bool = False
    """An ``input`` that is only an http(s) address is fetched and its article read."""
    cache_dir: Path | None = None
    """The clip cache shared by every request; None keeps nothing."""
    cache_size: int | None = None
    lexicons: tuple[Path, ...] = ()
    loudness: float | None = -16.0
    engine: str | None = None
    """The engine the model aliases (tts-1...) mean; None keeps their own preference."""
    voice: str | None = None
    """The voice OpenAI's voice names (alloy...) say on its engine; None maps each name."""


@dataclass
class ServerState:
    settings: ServerSettings
    admission: Admission
    cache: ClipCache | None
    served: int = 0
    stopped: int = 0
    """Replies stopped before their end: the client left, or the deadline passed."""


def create_app(settings: ServerSettings) -> Starlette:
    """The app serving ``settings``; the clip cache is opened once and shared by all requests."""
    catalog.engine_voices()  # listed now, not while the first request waits
    cache = None
    if settings.cache_dir is not None:
        cache = ClipCache(settings.cache_dir, settings.cache_size, warn=log.warning)
        problem = cache.check_usable()
        if problem is not None:
            log.warning("cannot use the clip cache (%s); going on without it", problem)
            cache = None
    app = Starlette(routes=[
        Route("/", page),
        Route("/health", health),
        Route("/v1/models", models),
        Route("/v1/audio/models", audio_models),
        Route("/v1/audio/voices", voices),
        Route("/v1/audio/speech", speech, methods=["POST"]),
    ], exception_handlers={ApiError: api_error, HTTPException: http_error, Exception: server_error})
    app.state.server = ServerState(settings, Admission(settings.concurrency, settings.queue), cache)
    return app


def state_of(request: Request) -> ServerState:
    state: ServerState = request.app.state.server
    return state


def authorize(request: Request) -> None:
    """A 401 unless the request carries the server's key (compared in constant time)."""
    key = state_of(request).settings.api_key
    if key is None:
        return
    given = request.headers.get("authorization", "")
    scheme, _, token = given.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "no API key given: send the server's key as 'Authorization: Bearer KEY'",
                       None, "missing_api_key")
    if not hmac.compare_digest(token.strip().encode(), key.encode()):
        raise ApiError(401, "incorrect API key; use the key the server was started with "
                       f"(--api-key or {API_KEY_ENV})", None, "invalid_api_key")


# --- listings ----------------------------------------------------------------------------------


async def models(request: Request) -> Response:
    """OpenAI's model list: the aliases and every engine's name."""
    authorize(request)
    data = [{"id": name, "object": "model", "created": 0, "owned_by": "article-tts"}
            for name in catalog.model_ids()]
    return JSONResponse({"object": "list", "data": data})


async def audio_models(request: Request) -> Response:
    """Open WebUI's shape: ``{"models": [{"id": ...}]}``."""
    authorize(request)
    return JSONResponse({"models": [{"id": name} for name in catalog.model_ids()]})


async def voices(request: Request) -> Response:
    """Open WebUI's shape: ``{"voices": [{"id": ..., "name": ...}]}``."""
    authorize(request)
    return JSONResponse({"voices": catalog.voice_list()})


async def health(request: Request) -> Response:
    state = state_of(request)
    return JSONResponse({"status": "ok", "version": __version__, "engines": list(engines.REGISTRY),
                         "active": state.admission.active, "queued": len(state.admission.waiting),
                         "served": state.served, "stopped": state.stopped})


async def page(request: Request) -> Response:
    """The page to try voices on: self-contained, its settings written in."""
    settings = state_of(request).settings
    html = resources.files("tts.server").joinpath("assets/page.html").read_text(encoding="utf-8")
    config = json.dumps({"allowUrls": settings.allow_urls, "maxInput": settings.max_input,
                         "formats": list(WIRES), "needsKey": settings.api_key is not None})
    return HTMLResponse(html.replace("/*SERVER-SETTINGS*/{}", config))


# --- speech ------------------------------------------------------------------------------------


async def speech(request: Request) -> Response:
    """``POST /v1/audio/speech``: audio streamed as it is made, or the same as SSE events."""
    authorize(request)
    state = state_of(request)
    settings = state.settings
    body = await read_body(request, settings.max_input * BODY_BYTES_PER_CHAR + BODY_SLACK_BYTES)
    wanted = parse_body(body, settings.max_input, catalog.DEFAULT_MODEL)
    choice = catalog.choose(wanted.model, wanted.voice,
                            catalog.Defaults(settings.engine, settings.voice))
    if choice is None:
        raise invalid("model", f"unknown model {wanted.model!r}; choose one of "
                      f"{', '.join(catalog.model_ids())}", "model_not_found")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.timeout
    try:
        await state.admission.enter(settings.timeout)
    except TimeoutError:
        raise ApiError(503, f"no turn came within {settings.timeout:g} s; retry later", None,
                       "timeout", {"Retry-After": "5"}) from None
    channel = Channel(loop)
    job = Job(wanted, choice, state.cache, settings.lexicons, settings.loudness, settings.allow_urls)

    def finished() -> None:
        state.admission.leave()
        state.served += 1
    start(job, channel, finished)
    first = await first_block(channel, deadline, settings.timeout)
    if wanted.stream_format == "sse":
        return StreamingResponse(sse_events(request, wanted, first, channel, deadline),
                                 media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
    return StreamingResponse(audio_blocks(request, first, channel, deadline),
                             media_type=WIRES[wanted.response_format].media_type)


async def read_body(request: Request, limit: int) -> bytes:
    """The request's body, refused (400, naming ``input``) past ``limit`` bytes."""
    parts, size = [], 0
    async for part in request.stream():
        size += len(part)
        if size > limit:
            raise invalid("input", f"the request is over {limit} bytes: 'input' is too long",
                          "string_above_max_length")
        parts.append(part)
    return b"".join(parts)


async def first_block(channel: Channel, deadline: float, timeout: float) -> bytes:
    """The reply's first bytes: the status is sent with them, so a failure before is an error reply."""
    try:
        block = await channel.next(max(0.0, deadline - asyncio.get_running_loop().time()))
    except TimeoutError:
        channel.cancel()
        raise ApiError(504, f"no audio within {timeout:g} s; send shorter input", None, "timeout") from None
    except BaseException:
        channel.cancel()
        raise
    if block is None:
        raise ApiError(500, "no audio was made", None, "synthesis_failed")
    return block


async def audio_blocks(request: Request, first: bytes, channel: Channel,
                       deadline: float) -> AsyncGenerator[bytes, None]:
    """The encoded audio as it comes; a client that leaves, or the deadline, stops the job."""
    try:
        yield first
        while (block := await next_or_gone(request, channel, deadline)) is not None:
            yield block
    finally:
        if not channel.done:
            channel.cancel()
            state_of(request).stopped += 1


async def next_or_gone(request: Request, channel: Channel, deadline: float) -> bytes | None:
    """The next block; None at the end, when the client has gone, or past the deadline
    (the reply is then cut short: its status was sent with the first bytes)."""
    loop = asyncio.get_running_loop()
    while True:
        left = deadline - loop.time()
        if left <= 0:
            log.warning("a reply ran past its deadline and was cut short")
            return None
        try:
            return await channel.next(min(left, DISCONNECT_POLL_S))
        except TimeoutError:
            if await request.is_disconnected():
                return None
        except (Cancelled, ApiError) as exc:
            log.warning("a reply stopped after its first bytes: %s", exc)
            return None


async def sse_events(request: Request, wanted: SpeechRequest, first: bytes, channel: Channel,
                     deadline: float) -> AsyncIterator[str]:
    """``speech.audio.delta`` events with the audio in base64, then ``speech.audio.done``."""
    sent = 0
    async with contextlib.aclosing(audio_blocks(request, first, channel, deadline)) as blocks:
        async for block in blocks:
            sent += 1
            yield event({"type": "speech.audio.delta", "audio": base64.b64encode(block).decode("ascii")})
    # No tokenizer here: input tokens are the input's characters, output tokens the deltas sent.
    yield event({"type": "speech.audio.done", "usage": {
        "input_tokens": len(wanted.input), "output_tokens": sent, "total_tokens": len(wanted.input) + sent}})


def event(data: dict[str, Any]) -> str:
    return f"data: {json.dumps(data)}\n\n"


# --- errors ------------------------------------------------------------------------------------


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body(), exc.status, headers=exc.headers)


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (404, 405) in OpenAI's shape."""
    assert isinstance(exc, HTTPException)
    message = {404: f"no such endpoint: {request.url.path}; the API is under /v1",
               405: f"{request.method} is not allowed on {request.url.path}"}.get(exc.status_code, exc.detail)
    error = ApiError(exc.status_code, message, None, None, dict(exc.headers or {}))
    return JSONResponse(error.body(), exc.status_code, headers=error.headers)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error", exc_info=exc)
    error = ApiError(500, f"internal error ({type(exc).__name__}); see the server's log", None, "internal_error")
    return JSONResponse(error.body(), 500)
