"""Entry point for ``python -m tts`` and the ``article-tts`` command.

The command sets up its own process before numpy loads (the library, imported by other
programs, leaves theirs alone):

- One BLAS thread at most. The render makes no matrix products (tts/audio/limiter.py), but
  OpenBLAS starts a thread per core when numpy is imported, and each spins about a
  tenth of a second looking for work: CPU the render's start needs on the core espeak
  and the MP3 encoders use. A user's own ``OPENBLAS_NUM_THREADS`` is kept.
- glibc's malloc keeps freed memory for reuse (up to 64 MB) instead of handing numpy's
  temporaries (blocks of a few hundred kB to a few MB) back to the system and faulting
  fresh zeroed pages in for the next: 57,000 page faults in a render of the article
  became 19,000, 0.08 s less CPU, the same peak memory.
"""

import ctypes
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h
KEEP_FREED_BYTES = 64 << 20
MMAP_ABOVE_BYTES = 32 << 20  # the most glibc accepts on 64-bit systems


def keep_freed_memory() -> None:
    """Ask glibc's malloc to reuse freed memory; nothing where the C library is another."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        return
    mallopt(M_MMAP_THRESHOLD, MMAP_ABOVE_BYTES)
    mallopt(M_TRIM_THRESHOLD, KEEP_FREED_BYTES)


keep_freed_memory()

from tts.cli import run  # noqa: E402  (after the settings above)

if __name__ == "__main__":
    run()
