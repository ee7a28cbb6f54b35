"""A real HTTP server on 127.0.0.1 serving the fixture pages the way news sites answer."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
# How each fixture is served: the Content-Type header a CMS of that kind sends.
# windows-1256 and iso-8859-6 pages come without a charset in the header, as old
# Arabic sites send them: the page's meta tag, or detection, must find it.
CONTENT_TYPES = {
    "structured.html": "text/html; charset=utf-8",
    "plain-cms.html": "text/html; charset=UTF-8",
    "comments.html": "text/html; charset=utf-8",
    "empty.html": "text/html; charset=utf-8",
    "windows-1256.html": "text/html",
    "iso-8859-6.html": "text/html",
}
DRIP_INTERVAL_S = 0.05
DRIP_FOR_S = 60.0


@dataclass
class Served:
    """The server's address and what it saw."""

    base: str
    user_agents: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"


class Handler(BaseHTTPRequestHandler):
    served: Served
    protocol_version = "HTTP/1.1"  # chunked answers need it

    def log_message(self, fmt: str, *args: object) -> None:  # quiet in test output
        pass

    def do_GET(self) -> None:
        self.served.user_agents.append(self.headers.get("User-Agent", ""))
        self.served.paths.append(self.path)
        route = self.path.strip("/").split("/")
        if route[0] == "pages" and len(route) == 2 and route[1] in CONTENT_TYPES:
            self.answer(200, CONTENT_TYPES[route[1]], (PAGES / route[1]).read_bytes())
        elif route[0] == "redirect":
            self.send_response(302)
            left = int(route[1])
            self.send_header("Location", f"/redirect/{left - 1}" if left > 1 else
                             "/pages/structured.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif route[0] == "status":
            self.answer(int(route[1]), "text/html", b"<html><body>error</body></html>")
        elif route[0] == "pdf":
            self.answer(200, "application/pdf", b"%PDF-1.4 not a page")
        elif route[0] == "big":
            self.answer(200, "text/html", b"<p>" + b"x" * int(route[1]))
        elif route[0] == "gzip-chunked" and route[1] in CONTENT_TYPES:
            self.gzip_chunked(CONTENT_TYPES[route[1]], (PAGES / route[1]).read_bytes())
        elif route[0] == "drip":
            self.drip()
        else:
            self.answer(404, "text/html", b"<html><body>not found</body></html>")

    def answer(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def gzip_chunked(self, content_type: str, body: bytes) -> None:
        """Compressed and sent in chunks of 1000 bytes, as a CDN in front of a CMS sends pages."""
        packed = gzip.compress(body)
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(0, len(packed), 1000):
            piece = packed[i:i + 1000]
            self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def drip(self) -> None:
        """A byte at a time, each read well inside any read timeout: only a total deadline ends it."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        ends = time.monotonic() + DRIP_FOR_S
        try:
            while time.monotonic() < ends:
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(DRIP_INTERVAL_S)
        except OSError:
            pass  # the client gave up, as it should


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up (as the deadline and size tests do) is not news."""


@contextmanager
def serve_pages() -> Iterator[Served]:
    """Serve until the block ends, on a free port of 127.0.0.1."""
    server = QuietServer(("127.0.0.1", 0), Handler)
    served = Served(f"http://127.0.0.1:{server.server_address[1]}")
    Handler.served = served
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="pages", daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
