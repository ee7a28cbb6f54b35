"""The floor's speaker: libespeak-ng (the bundled one the package uses) speaking a text file
to standard output as raw 16-bit PCM, as ``espeak-ng --stdout`` would, for piping into
one ffmpeg encode. A tiny script, importing nothing of the package, so the floor pays no
more Python start-up than it must.

    python bench/espeak_floor.py ARTICLE | ffmpeg -f s16le -ar 22050 -ac 1 -i - out.mp3
"""

from __future__ import annotations

import ctypes
import sys

import espeakng_loader

SYNCHRONOUS = 2
CHARS_UTF8 = 1
DONT_EXIT = 0x8000
CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                            ctypes.c_void_p)


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as article:
        text = article.read().encode("utf-8")
    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize(SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), DONT_EXIT)
    out = sys.stdout.buffer

    def collect(wav: ctypes._Pointer[ctypes.c_short], count: int, events: object) -> int:
        if wav and count:
            out.write(ctypes.string_at(wav, count * 2))
        return 0

    callback = CALLBACK(collect)
    lib.espeak_SetSynthCallback(callback)
    lib.espeak_SetVoiceByName(b"ar")
    lib.espeak_Synth(ctypes.c_char_p(text), ctypes.c_size_t(len(text) + 1), 0, 1, 0,
                     CHARS_UTF8, None, None)
    out.flush()


if __name__ == "__main__":
    main()
