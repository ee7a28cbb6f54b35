"""The speech server, through the real ``openai`` client, on 127.0.0.1: formats, speed, SSE, errors,
joined MP3s, load, disconnects, the shared clip cache, the CLI's binding, and the page in Chromium."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydub import AudioSegment

pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")
openai = pytest.importorskip("openai")

from browser import Browser, find_chromium, in_ci  # noqa: E402

from tts import engines  # noqa: E402
from tts.audio.clip import ffmpeg_exe  # noqa: E402
from tts.engines import EngineSpec  # noqa: E402
from tts.server import ServerSettings, catalog, create_app  # noqa: E402
from tts.text.chunk import chunk_article, sentence_chunks  # noqa: E402
from tts.text.prepare import parse_article  # noqa: E402
from tts.types import Break, Voice  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SENTENCE = "منعت روسيا في مجلس الأمن الدولي صدور بيان رئاسي."
RATE = 24000  # every reply decodes at OpenAI's 24 kHz
MP3_FRAME = 576  # samples per MPEG-2 layer III frame at 24 kHz
WAIT_S = 60.0  # how long a test waits for the server to reach a state (a loaded machine is slow)


# --- a test engine, registered like any other: a tone per chunk, counted, optionally held ---------


class Tone:
    """What the tone engine has been asked, and a gate that can hold each call."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.gate: threading.Semaphore | None = None
        self.lock = threading.Lock()

    def hold(self) -> threading.Semaphore:
        self.gate = threading.Semaphore(0)
        return self.gate

    def release_all(self) -> None:
        gate, self.gate = self.gate, None
        if gate is not None:
            for _ in range(1000):
                gate.release()


TONE = Tone()


class ToneEngine:
    """200 ms plus 20 ms a character of a 440 Hz tone at 22.05 kHz."""

    name = "tone"
    offline = True
    max_chars = None
    max_concurrency = 1
    tashkeel = False
    rules = ()
    chars_per_second = 11.0
    inline_languages = True
    phoneme_input = False

    def __init__(self, voice: str | None) -> None:
        self.voice = voice or "tone-a"

    def synthesize(self, text: str, lang: str | None = None) -> AudioSegment:
        gate = TONE.gate
        if gate is not None:
            gate.acquire(timeout=WAIT_S)
        with TONE.lock:
            TONE.calls.append(text)
        rate = 22050
        t = np.arange(int(rate * (0.2 + 0.02 * len(text)))) / rate
        samples = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16)
        return AudioSegment(samples.tobytes(), sample_width=2, frame_rate=rate, channels=1)

    def cache_key(self) -> dict[str, str]:
        return {"engine": "tone", "voice": self.voice}


@pytest.fixture(scope="module", autouse=True)
def tone_engine() -> Iterator[None]:
    engines.register(EngineSpec("tone", lambda c: ToneEngine(c.voice), lambda c, t: (True, "test"),
                                offline=True, description="test tone",
                                voices=lambda: [Voice("tone", "tone-a", "ar")]))
    yield
    engines.unregister("tone")


# --- the server, in a thread of this process ----------------------------------------------------


@contextmanager
def running(settings: ServerSettings) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 at a free port; its base URL."""
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=0,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    wait_until(lambda: server.started, "the server to start")
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(WAIT_S)


def wait_until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running(ServerSettings(cache_dir=tmp_path_factory.mktemp("cache"))) as url:
        yield url


def client(url: str, key: str = "unused") -> Any:
    return openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=WAIT_S)


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=WAIT_S) as answer:
        return json.loads(answer.read())


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any], Any]:
    """Status, headers and JSON body of a raw POST (for what the openai client cannot send)."""
    request = urllib.request.Request(url, body, {"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=WAIT_S) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


def decoded_samples(data: bytes, fmt: str) -> int:
    """How many 24 kHz samples ``data`` decodes to, by the pinned ffmpeg (raw PCM counted)."""
    if fmt == "pcm":
        return len(data) // 2
    done = subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-i", "pipe:0", "-f", "s16le",
                           "-ac", "1", "-ar", str(RATE), "pipe:1"], input=data, capture_output=True,
                          check=True)
    return len(done.stdout) // 2


# --- the contract ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["mp3", "opus", "aac", "flac", "wav", "pcm"])
def test_each_format_decodes(base: str, fmt: str) -> None:
    reply = client(base).audio.speech.create(model="tts-1", voice="alloy", input=SENTENCE,
                                             response_format=fmt)
    data = reply.read()
    assert decoded_samples(data, fmt) > RATE // 2  # over half a second of speech
    if fmt == "wav":  # streamed: sizes not known when the header is sent
        assert data[:4] == b"RIFF" and data[4:8] == b"\xff\xff\xff\xff" and data[40:44] == b"\xff\xff\xff\xff"
    if fmt == "mp3":  # no ID3 tag, no Xing/Info header announcing a length
        assert not data.startswith(b"ID3") and b"Xing" not in data[:2000] and b"Info" not in data[:2000]


def test_speed_changes_the_duration(base: str) -> None:
    def samples(speed: float) -> int:
        reply = client(base).audio.speech.create(model="tone", voice="tone-a", input="نص للقراءة.",
                                                 response_format="pcm", speed=speed)
        return decoded_samples(reply.read(), "pcm")
    normal, fast, slow = samples(1.0), samples(2.0), samples(0.5)
    assert abs(normal / fast - 2.0) < 0.1 and abs(slow / normal - 2.0) < 0.1
    assert samples(4.0) < fast < normal < slow < samples(0.25)


def test_sse_events_parse_and_their_audio_decodes(base: str) -> None:
    with client(base).audio.speech.with_streaming_response.create(
            model="tts-1", voice="nova", input=SENTENCE, stream_format="sse") as reply:
        assert reply.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[len("data: "):]) for line in reply.iter_lines() if line]
    *deltas, done = events
    assert deltas and all(e["type"] == "speech.audio.delta" for e in deltas)
    assert done["type"] == "speech.audio.done"
    usage = done["usage"]
    assert usage["input_tokens"] == len(SENTENCE) and usage["output_tokens"] == len(deltas)
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    audio = b"".join(base64.b64decode(e["audio"]) for e in deltas)
    assert decoded_samples(audio, "mp3") > RATE // 2


def test_voice_as_an_object_and_instructions_are_accepted(base: str) -> None:
    status, headers, data = post(f"{base}/v1/audio/speech", json.dumps({
        "model": "gpt-4o-mini-tts", "input": SENTENCE, "voice": {"id": "ar"},
        "instructions": "None", "response_format": "wav"}).encode())
    assert status == 200 and headers["content-type"] == "audio/wav" and decoded_samples(data, "wav") > 0


@pytest.mark.parametrize(("fields", "param", "says"), [
    ({"voice": "no-such-voice"}, "voice", "no-such-voice"),
    ({"response_format": "ogg"}, "response_format", "mp3, opus, aac, flac, wav, pcm"),
    ({"speed": 5.0}, "speed", "0.25 to 4"),
    ({"speed": 0.1}, "speed", "0.25 to 4"),
    ({"input": "ب" * 4097}, "input", "4097 characters; the most is 4096"),
    ({"input": "   "}, "input", "non-empty"),
    ({"model": "tts-9"}, "model", "unknown model 'tts-9'"),
    ({"stream_format": "chunks"}, "stream_format", "audio, sse"),
])
def test_bad_fields_are_400s_naming_the_field(base: str, fields: dict[str, Any], param: str,
                                             says: str) -> None:
    arguments = {"model": "tts-1", "voice": "alloy", "input": SENTENCE, **fields}
    with pytest.raises(openai.BadRequestError) as caught:
        client(base).audio.speech.create(**arguments)
    error = caught.value
    assert error.status_code == 400 and error.param == param and says in error.message
    assert error.body["type"] == "invalid_request_error"  # type: ignore[index]


def test_an_unknown_voice_names_the_voice_field_not_the_command_line(base: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client(base).audio.speech.create(model="tts-1", voice="qqqqqqqq", input=SENTENCE)
    assert caught.value.param == "voice"
    assert caught.value.body["message"] == (  # type: ignore[index]
        "espeak-ng has no voice named 'qqqqqqqq': send another name in the voice field; "
        "GET /v1/audio/voices lists them")


def test_bad_json_is_a_400_in_openais_shape(base: str) -> None:
    status, _, body = post(f"{base}/v1/audio/speech", b"{not json")
    assert status == 400
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["param"] == "body" and "not valid JSON" in body["error"]["message"]


def test_unknown_paths_and_methods_are_404_and_405_in_openais_shape(base: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{base}/v1/nothing", timeout=WAIT_S)
    assert missing.value.code == 404 and "no such endpoint" in json.loads(missing.value.read())["error"]["message"]
    with pytest.raises(urllib.error.HTTPError) as wrong:
        urllib.request.urlopen(f"{base}/v1/audio/speech", timeout=WAIT_S)
    assert wrong.value.code == 405 and "POST" in wrong.value.headers["Allow"]
    assert set(json.loads(wrong.value.read())["error"]) == {"message", "type", "param", "code"}


def test_listings_in_the_shapes_clients_read(base: str) -> None:
    ids = [m.id for m in client(base).models.list()]
    assert ids[:3] == ["tts-1", "tts-1-hd", "gpt-4o-mini-tts"] and "espeak" in ids and "tone" in ids
    assert {"id": "tts-1"} in get(f"{base}/v1/audio/models")["models"]
    voices = get(f"{base}/v1/audio/voices")["voices"]
    names = [v["id"] for v in voices]
    assert names[:2] == ["alloy", "ash"] and "ar" in names and "tone-a" in names
    assert all(set(v) == {"id", "name"} for v in voices)
    assert get(f"{base}/health")["status"] == "ok"


def test_engine_voices_go_to_their_engine_whatever_the_model(base: str) -> None:
    before = len(TONE.calls)
    client(base).audio.speech.create(model="tts-1", voice="tone-a", input="صوت آخر مختلف.",
                                     response_format="pcm")
    assert len(TONE.calls) == before + 1


def test_the_users_default_engine_and_voice_answer_openais_names() -> None:
    mine = catalog.Defaults(engine="tone", voice="tone-b")
    assert catalog.choose("tts-1", "alloy", mine) == catalog.Choice("tone", "tone-b")
    assert catalog.choose("tts-1-hd", "my-voice", mine) == catalog.Choice("tone", "my-voice")
    # An engine's own name, and a voice an engine lists, still pick what they name.
    assert catalog.choose("espeak", "alloy", mine) == catalog.Choice("espeak", "ar+f2")
    assert catalog.choose("tts-1", "tone-a", catalog.Defaults("espeak")) == catalog.Choice("tone", "tone-a")
    # A default voice speaks only on its own engine; auto keeps the aliases' preference.
    assert catalog.choose("tts-1", "alloy", catalog.Defaults("auto", "tone-a")) == catalog.Choice("espeak", "ar+f2")


def test_a_request_for_an_alias_is_spoken_by_the_default_engine(tmp_path: Path) -> None:
    before = len(TONE.calls)
    with running(ServerSettings(cache_dir=None, engine="tone")) as url:
        client(url).audio.speech.create(model="tts-1", voice="alloy", input="محرك المستخدم.",
                                        response_format="pcm")
    assert len(TONE.calls) == before + 1


def test_serve_takes_the_default_engine_and_voice_from_the_config(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    from click.testing import CliRunner

    import tts.server
    from tts.cli import main
    served: list[ServerSettings] = []
    monkeypatch.setattr(tts.server, "serve", served.append)
    (tmp_path / "config.toml").write_text('engine = "tone"\nvoice = "tone-b"\n', encoding="utf-8")
    monkeypatch.setenv("ARTICLE_TTS_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("ARTICLE_TTS_VOICE", "tone-c")  # the environment beats the file
    result = CliRunner().invoke(main, ["serve", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert (served[0].engine, served[0].voice) == ("tone", "tone-c")


# --- streaming, joining, the cache ------------------------------------------------------------


def test_two_joined_mp3_replies_decode_to_the_sum_of_their_lengths(base: str) -> None:
    speech = client(base).audio.speech
    first = speech.create(model="tts-1", voice="echo", input=SENTENCE).read()
    second = speech.create(model="tts-1", voice="echo", input="وطالبت روسيا بتعديل صيغة البيان.").read()
    joined = decoded_samples(first + second, "mp3")
    assert abs(joined - decoded_samples(first, "mp3") - decoded_samples(second, "mp3")) <= 2 * MP3_FRAME


def test_a_repeated_sentence_is_not_synthesized_again(base: str) -> None:
    speech = client(base).audio.speech
    speech.create(model="tone", voice="tone-a", input="جملة أولى للذاكرة. جملة ثانية للذاكرة.").read()
    before = list(TONE.calls)
    speech.create(model="tone", voice="tone-a", input="جملة ثانية للذاكرة. جملة ثالثة للذاكرة؟").read()
    assert TONE.calls[len(before):] == ["جملة ثالثة للذاكرة؟"]


def test_audio_starts_before_the_whole_input_is_made(base: str) -> None:
    gate = TONE.hold()
    gate.release()  # one sentence may be spoken; the rest wait
    before = len(TONE.calls)
    try:
        with client(base).audio.speech.with_streaming_response.create(
                model="tone", voice="tone-a", response_format="pcm",
                input=" ".join(f"الجملة رقم {n} في البث." for n in range(6))) as reply:
            blocks = reply.iter_bytes()
            first = next(blocks)
            assert first and len(TONE.calls) - before == 1  # heard while the others were held
            TONE.release_all()
            rest = b"".join(blocks)
        assert len(TONE.calls) - before == 6 and decoded_samples(first + rest, "pcm") > 0
    finally:
        TONE.release_all()


def test_sentences_split_at_arabic_marks() -> None:
    paragraphs = parse_article("كيف حالك؟ أنا بخير، شكرا. hello there! نعم")
    chunks = sentence_chunks(chunk_article(paragraphs, None))
    assert [c.text for c in chunks] == ["كيف حالك؟", "أنا بخير، شكرا.", "hello there!", "نعم"]
    assert [c.index for c in chunks] == [0, 1, 2, 3]
    assert [c.brk for c in chunks] == [Break.SENTENCE] * 3 + [Break.PARAGRAPH]
    spoken = paragraphs[0].spoken
    assert all(spoken[c.start:c.end] == c.text for c in chunks)


# --- safety -------------------------------------------------------------------------------------


def test_a_key_is_required_when_set() -> None:
    with running(ServerSettings(api_key="s3cret", cache_dir=None)) as url:
        with pytest.raises(openai.AuthenticationError) as wrong:
            client(url, "guess").audio.speech.create(model="tts-1", voice="alloy", input=SENTENCE)
        assert wrong.value.status_code == 401 and "incorrect API key" in wrong.value.message
        status, _, body = post(f"{url}/v1/audio/speech", b"{}")
        assert status == 401 and body["error"]["code"] == "missing_api_key"
        reply = client(url, "s3cret").audio.speech.create(model="tts-1", voice="alloy", input=SENTENCE)
        assert decoded_samples(reply.read(), "mp3") > 0
        assert get(f"{url}/health")["status"] == "ok"  # the health check needs no key


def test_a_full_queue_gets_429_with_retry_after() -> None:
    with running(ServerSettings(concurrency=1, queue=0, cache_dir=None)) as url:
        gate = TONE.hold()
        gate.release()
        try:
            with client(url).audio.speech.with_streaming_response.create(
                    model="tone", voice="tone-a", input="جملة تشغل العامل. وجملة أخرى تنتظر.",
                    response_format="pcm") as busy:
                blocks = busy.iter_bytes()
                next(blocks)  # the one place at work is taken
                with pytest.raises(openai.RateLimitError) as full:
                    client(url).audio.speech.create(model="tone", voice="tone-a", input="أنا التالي.")
                assert full.value.status_code == 429 and full.value.response.headers["Retry-After"] == "1"
                assert "server is busy" in full.value.message and full.value.code == "rate_limit_exceeded"
                TONE.release_all()
                assert b"".join(blocks)
        finally:
            TONE.release_all()


def test_a_client_that_leaves_frees_its_worker_and_stops_the_synthesis() -> None:
    sentences = [f"الجملة رقم {n} من نص طويل." for n in range(30)]
    with running(ServerSettings(concurrency=1, queue=0, cache_dir=None)) as url:
        gate = TONE.hold()
        gate.release()
        gate.release()
        calls = len(TONE.calls)
        try:
            with client(url).audio.speech.with_streaming_response.create(
                    model="tone", voice="tone-a", input=" ".join(sentences), response_format="pcm") as reply:
                next(reply.iter_bytes())
            # The reply is closed mid-stream: the server notices, then lets the held call end.
            wait_until(lambda: get(f"{url}/health")["stopped"] == 1, "the server to see the client leave")
            TONE.release_all()
            wait_until(lambda: get(f"{url}/health")["active"] == 0, "the worker to be freed")
            assert len(TONE.calls) - calls < len(sentences)  # the rest was never synthesized
            reply2 = client(url).audio.speech.create(model="tone", voice="tone-a", input="ما زلت هنا.",
                                                     response_format="pcm")
            assert decoded_samples(reply2.read(), "pcm") > 0  # the only worker serves again
        finally:
            TONE.release_all()


def test_a_request_past_its_timeout_gets_504() -> None:
    with running(ServerSettings(timeout=1.0, cache_dir=None)) as url:
        TONE.hold()  # never released until the end: no audio can come in time
        try:
            with pytest.raises(openai.APIStatusError) as late:
                client(url).audio.speech.create(model="tone", voice="tone-a", input="متأخر جدا.")
            assert late.value.status_code == 504 and late.value.code == "timeout"
        finally:
            TONE.release_all()


def test_input_is_never_read_as_a_path_or_fetched_without_allow_urls(base: str, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("كلمة سر", encoding="utf-8")
    before = len(TONE.calls)
    for given in (str(secret), "http://127.0.0.1:9/article"):
        client(base).audio.speech.create(model="tone", voice="tone-a", input=given,
                                         response_format="pcm").read()
    spoken = TONE.calls[before:]
    assert len(spoken) == 2 and "كلمة" not in " ".join(spoken)  # the names were spoken, not read


# --- the command line: binding, load and memory, in a process of its own -------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listening_addresses(port: int) -> set[str]:
    """The IPv4 addresses a socket listens on at ``port``, from /proc/net/tcp (hex, as the kernel writes)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, _, hex_port = local.partition(":")
        if int(hex_port, 16) == port and state == "0A":  # TCP_LISTEN
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for process {pid}")


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc")
def test_the_command_binds_loopback_and_serves_16_at_once_in_bounded_memory(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("ARTICLE_TTS_API_KEY", None)
    server = subprocess.Popen([sys.executable, "-m", "tts", "serve", "--port", str(port),
                               "--cache-dir", str(tmp_path / "cache")], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: server.poll() is not None or bool(listening_addresses(port)), "the server to listen")
        assert listening_addresses(port) == {"127.0.0.1"}  # the default binds loopback only
        speech = client(url).audio.speech
        speech.create(model="tts-1", voice="alloy", input=SENTENCE).read()  # models loaded
        settled = memory_kb(server.pid, "VmRSS")

        def one(n: int) -> int:
            text = f"الطلب رقم {n}: منعت روسيا صدور بيان رئاسي في اليوم {n}."
            return decoded_samples(speech.create(model="tts-1", voice="onyx", input=text).read(), "mp3")
        with ThreadPoolExecutor(16) as pool:
            lengths = list(pool.map(one, range(16)))
        assert all(length > RATE // 2 for length in lengths)
        grown_mb = (memory_kb(server.pid, "VmHWM") - settled) / 1024
        assert grown_mb < 80, f"the server grew {grown_mb:.0f} MB serving 16 requests at once"
    finally:
        server.terminate()
        server.wait(timeout=WAIT_S)


def test_serve_without_the_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from tts.cli import main
    monkeypatch.setitem(sys.modules, "tts.server", None)  # as if Starlette were missing
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: the server needs Starlette and uvicorn; install the server extra: pip install -e "
        "'.[server]' in a clone of article-tts (pip install 'article-tts[server]' where it is "
        "installed from a package index)")


@pytest.mark.parametrize(("host", "key", "warned"), [
    ("127.0.0.1", None, False), ("localhost", None, False), ("::1", None, False),
    ("[::1]", None, False), ("0.0.0.0", "s3cret", False), ("0.0.0.0", None, True),
    ("192.168.1.5", None, True), ("::", None, True),
])
def test_serving_beyond_this_machine_without_a_key_warns(host: str, key: str | None,
                                                         warned: bool) -> None:
    from tts.cli import exposure_warning
    expected = (f"Warning: serving on {host} without --api-key: anyone who can reach this port "
                "can use it; set --api-key or ARTICLE_TTS_API_KEY")
    assert exposure_warning(host, key) == (expected if warned else None)


def test_serve_warns_on_stderr_before_it_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import tts.server
    from tts.cli import main
    started: list[ServerSettings] = []
    monkeypatch.setattr(tts.server, "serve", started.append)
    monkeypatch.delenv("ARTICLE_TTS_API_KEY", raising=False)
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert result.output == ("Warning: serving on 0.0.0.0 without --api-key: anyone who can reach "
                             "this port can use it; set --api-key or ARTICLE_TTS_API_KEY\n")
    assert [s.host for s in started] == ["0.0.0.0"]
    quiet = CliRunner().invoke(main, ["serve", "--no-cache"])
    assert quiet.exit_code == 0 and quiet.output == ""


# --- the page --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    binary = find_chromium()
    if binary is None:
        if in_ci():
            pytest.fail("chromium is missing on CI")
        pytest.skip("no chromium here")
    driver = Browser(binary)
    yield driver
    driver.close()


def test_the_page_fills_its_voices_and_plays_what_it_speaks(base: str, browser: Browser) -> None:
    browser.open(f"{base}/")
    assert browser.evaluate("document.documentElement.dir") == "rtl"
    count = browser.wait_for("document.querySelectorAll('#voice option').length")
    assert count == len(get(f"{base}/v1/audio/voices")["voices"])
    browser.evaluate(f"document.getElementById('text').value = {json.dumps(SENTENCE)}")
    browser.evaluate("document.getElementById('speak').click()")
    duration = browser.wait_for("(() => { const a = document.getElementById('player');"
                                " return !a.hidden && a.readyState >= 1 && a.duration > 0 && a.duration; })()")
    assert 0.5 < duration < 30
    assert browser.evaluate("document.getElementById('download').download") == "speech.mp3"
    assert browser.evaluate("document.getElementById('player').src").startswith("blob:")
    assert not browser.errors()


def test_the_page_is_self_contained(base: str) -> None:
    with urllib.request.urlopen(f"{base}/", timeout=WAIT_S) as answer:
        html = answer.read().decode("utf-8")
    assert '<html lang="ar" dir="rtl">' in html and '"maxInput": 4096' in html
    assert "http://" not in html and "https://" not in html  # no CDN, nothing fetched elsewhere


def test_settings_are_frozen_defaults() -> None:
    settings = ServerSettings()
    assert settings.host == "127.0.0.1" and settings.max_input == 4096
    assert replace(settings, queue=0).queue == 0
