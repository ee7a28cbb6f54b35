"""--speed for a stream: PCM through ffmpeg's atempo (pitch kept) as it comes, for the player."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from tts.audio.export import Encoder, pcm_input, tempo_filters

ACTION = "change the tempo for the player"


class Sending:
    """A sink whose writes go to ``send`` (the player), for the encoder's copying thread."""

    def __init__(self, send: Callable[[bytes], None]) -> None:
        self.send = send

    def write(self, data: bytes | memoryview) -> int:
        self.send(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing is held here."""


class Tempo:
    """One ffmpeg process playing PCM ``speed`` times faster, the same ``atempo`` a file
    written with --speed gets; what comes out goes to ``send`` from the encoder's thread,
    so ffmpeg's pipe never fills. A ``send`` that fails (the player stopped) stops ffmpeg,
    and the next ``write`` or ``finish`` raises that failure."""

    def __init__(self, rate: int, speed: float, send: Callable[[bytes], None]) -> None:
        command = [*pcm_input(rate), "-af", ",".join(tempo_filters(speed, None)),
                   "-f", "s16le", "pipe:1"]
        self.encoder = Encoder(command, ACTION, sink=Sending(send))  # type: ignore[arg-type]

    def write(self, pcm: bytes) -> None:
        """Send PCM (blocking while ffmpeg, or the player after it, is behind)."""
        self.encoder.write(pcm)

    def finish(self) -> None:
        """Let ffmpeg pass the rest on; the failure that stopped it, if any."""
        self.encoder.close()

    def __enter__(self) -> Tempo:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.encoder.abort()
