"""``article-tts serve``: an OpenAI-compatible speech server (``POST /v1/audio/speech``), Arabic first.

A front door like the CLI: it imports the API's stages, and nothing imports it. Its
dependencies (Starlette, uvicorn) are the optional ``server`` extra.
"""

from __future__ import annotations

from tts.server.app import API_KEY_ENV, ServerSettings, create_app

__all__ = ["API_KEY_ENV", "ServerSettings", "create_app", "serve"]


def serve(settings: ServerSettings) -> None:
    """Run the server until interrupted (uvicorn, one process)."""
    import uvicorn

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info",
                server_header=False, timeout_graceful_shutdown=5)
