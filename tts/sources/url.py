"""Fetch a web page politely: one total deadline, few redirects, a size cap, an honest User-Agent."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from tts.errors import FetchError, InputError
from tts.version import __version__

# Names us and our version, so a site's operator knows what read the page.
USER_AGENT = f"article-tts/{__version__} (reads articles aloud)"
# A news page is well under 1 MB of HTML; a much bigger answer is not an article.
MAX_BYTES = 5_000_000
# Enough for http -> https -> www -> the canonical path; more is a loop.
MAX_REDIRECTS = 5
# Seconds to connect, and for the whole answer (connect, redirects, body) together.
CONNECT_TIMEOUT_S = 10.0
TOTAL_TIMEOUT_S = 30.0
# A server silent this long in one read is given up on; the total deadline is checked
# between reads, so a silent server costs at most the total plus this.
READ_TIMEOUT_S = 10.0
# Read the body in pieces of at most this size, checking the deadline and the size cap
# between them. read1 returns what has arrived: a page sent a byte at a time cannot hold
# a read open past the deadline, as iter_content (which waits to fill a piece) would.
CHUNK_BYTES = 65_536
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
SCHEMES = ("http://", "https://")
# An address with any scheme (RFC 3986: a letter, then letters, digits, + - .), as ftp://...
ANY_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)

if TYPE_CHECKING:
    import requests


@dataclass(frozen=True)
class Page:
    """A fetched page: where it ended up after redirects, its bytes, and the charset its header names."""

    url: str
    body: bytes
    charset: str | None


def is_url(source: str) -> bool:
    """True for an http(s) address."""
    return source.lower().startswith(SCHEMES)


def refuse_unfetchable(source: str) -> None:
    """InputError (exit 2) for an address we cannot fetch (ftp://, file://...): without it,
    it would be read as a file's path and reported missing. A file of that name is read."""
    if ANY_SCHEME.match(source) and not is_url(source) and not Path(source).exists():
        raise InputError(f"only http(s) addresses can be fetched: {source}; download it and "
                         "give the file's path")


def fetch(url: str, total_s: float = TOTAL_TIMEOUT_S, max_bytes: int = MAX_BYTES) -> Page:
    """The HTML page at ``url``; FetchError (exit 1) naming the URL and the status or cause."""
    # Imported here: requests and urllib3 take about 0.15 s to load, which a render of a
    # file (most renders) should not pay.
    import requests
    import urllib3

    started = time.monotonic()
    with requests.Session() as session:
        session.max_redirects = MAX_REDIRECTS
        session.headers["User-Agent"] = USER_AGENT
        session.headers["Accept"] = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
        session.hooks["response"].append(refuse_other_schemes(url, session))
        try:
            timeout = (min(CONNECT_TIMEOUT_S, total_s), min(READ_TIMEOUT_S, total_s))
            with session.get(url, stream=True, timeout=timeout) as response:
                check_answer(url, response, max_bytes)
                body = read_body(url, response, started, total_s, max_bytes)
                return Page(response.url, body, header_charset(response))
        except requests.TooManyRedirects:
            raise FetchError(f"cannot fetch {url}: more than {MAX_REDIRECTS} redirects; "
                             "open it in a browser and give the address it ends at") from None
        except (requests.Timeout, urllib3.exceptions.TimeoutError):
            raise timed_out(url, total_s) from None
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(f"cannot fetch {url}: the connection broke off ({type(exc).__name__}); "
                             "try again, or save the page and give the file") from None
        except requests.RequestException as exc:
            raise FetchError(f"cannot fetch {url}: {reason(exc)}; check the address and the "
                             "network, or save the page and give the file") from None


def refuse_other_schemes(url: str, session: requests.Session) -> Callable[..., Any]:
    """A response hook that stops a redirect away from http(s) (file://, ftp://) with words,
    before requests tries it and fails with only an exception's name."""
    def check(response: requests.Response, *args: object, **kwargs: object) -> requests.Response:
        target = session.get_redirect_target(response)
        if target is None:
            return response
        where = urljoin(response.url, target)
        if not is_url(where):
            raise FetchError(f"cannot fetch {url}: the page at {response.url} redirected to {where}, "
                             "which is not http(s); refusing. Give the article's http(s) address")
        return response
    return check


def check_answer(url: str, response: requests.Response, max_bytes: int) -> None:
    """Refuse error statuses and answers that are not web pages."""
    if response.status_code >= 400:
        raise FetchError(f"cannot fetch {url}: HTTP {response.status_code} {response.reason}; "
                         "check the address, or save the page and give the file")
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if kind not in HTML_TYPES:
        raise FetchError(f"cannot read {url}: HTTP {response.status_code} gave {kind or 'no type'}, "
                         "not an HTML page; give the address of the article's web page")
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise too_big(url, max_bytes)


def read_body(url: str, response: requests.Response, started: float, total_s: float,
              max_bytes: int) -> bytes:
    """The body, read in pieces: the total deadline and the size cap are checked between them."""
    pieces, size = [], 0
    while piece := response.raw.read1(CHUNK_BYTES, decode_content=True):
        size += len(piece)
        if size > max_bytes:
            raise too_big(url, max_bytes)
        if time.monotonic() - started > total_s:
            raise timed_out(url, total_s)
        pieces.append(piece)
    return b"".join(pieces)


def header_charset(response: requests.Response) -> str | None:
    """The charset the Content-Type header names, if any (requests would guess ISO-8859-1)."""
    for param in response.headers.get("Content-Type", "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def too_big(url: str, max_bytes: int) -> FetchError:
    return FetchError(f"cannot fetch {url}: the answer is larger than {max_bytes // 1_000_000} MB, "
                      "too big for an article page; save the page and give the file")


def timed_out(url: str, total_s: float) -> FetchError:
    return FetchError(f"cannot fetch {url}: timed out after {total_s:g} s; the site is slow or unreachable, "
                      "try again later or save the page and give the file")


def reason(exc: requests.RequestException) -> str:
    """A short cause for a failed request: the connection error without urllib3's nesting."""
    import requests

    if isinstance(exc, requests.ConnectionError):
        return "cannot connect"
    if isinstance(exc, requests.exceptions.InvalidSchema):
        return "the address is not http(s)"
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)):
        return "the address is not a valid URL"
    return type(exc).__name__
