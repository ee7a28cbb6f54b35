"""A stand-in audio player for tests: reads WAV on stdin the way ffplay or aplay would.

    python fake_player.py OUTDIR [--realtime] [--quit-after BYTES] [--discard] [--linger S]
                                 [--complain TEXT] [--exit CODE]

Writes OUTDIR/pid at start, OUTDIR/first_byte (time.time() of the first byte),
OUTDIR/log (a "time bytes-read" line per block read) and OUTDIR/received.wav
(everything read). --realtime reads at the pace of
playback; --quit-after exits early, like a player the user closed; --discard keeps
nothing (no log, no received.wav), like a real player's flat memory, for benchmarks;
--linger keeps playing S seconds after its input ends, like a player draining a large buffer.
--complain prints TEXT on stderr first (a real player's words when it has no audio
device); --exit ends with CODE once done.
"""

from __future__ import annotations

import os
import struct
import sys
import time
from pathlib import Path

BLOCK = 4096


def main() -> None:
    out = Path(sys.argv[1])
    if "--complain" in sys.argv:
        print(sys.argv[sys.argv.index("--complain") + 1], file=sys.stderr, flush=True)
    realtime = "--realtime" in sys.argv
    if "--discard" in sys.argv:
        while sys.stdin.buffer.read(BLOCK * 16):
            pass
        return
    quit_after = int(sys.argv[sys.argv.index("--quit-after") + 1]) if "--quit-after" in sys.argv else None
    out.mkdir(parents=True, exist_ok=True)
    (out / "pid").write_text(str(os.getpid()))
    received = bytearray()
    log = (out / "log").open("w")
    stdin = sys.stdin.buffer
    byte_rate = None
    started = 0.0
    while True:
        block = stdin.read1(BLOCK) if hasattr(stdin, "read1") else stdin.read(BLOCK)
        if not block:
            break
        if not received:
            started = time.time()
            (out / "first_byte").write_text(repr(started))
        log.write(f"{time.time()!r} {len(received)}\n")  # reaching this offset now
        log.flush()  # readable while it plays: a paused player's log stops growing
        received += block
        if byte_rate is None and len(received) >= 44:
            byte_rate = struct.unpack("<I", bytes(received[28:32]))[0]
        if realtime and byte_rate:
            # Paced from the first byte, as a sound card is: a late wake-up on a loaded
            # machine catches up instead of making playback drift ever later.
            due = started + len(received) / byte_rate
            time.sleep(max(0.0, due - time.time()))
        if quit_after is not None and len(received) >= quit_after:
            break
    log.close()
    (out / "received.wav").write_bytes(bytes(received))
    if "--linger" in sys.argv:
        time.sleep(float(sys.argv[sys.argv.index("--linger") + 1]))
    if "--exit" in sys.argv:
        sys.exit(int(sys.argv[sys.argv.index("--exit") + 1]))


if __name__ == "__main__":
    main()
