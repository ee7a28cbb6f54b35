"""Entry point for ``python -m tts`` and the ``article-tts`` command.

Before numpy loads: the command needs one BLAS thread at most. It makes no matrix
products (tts/limiter.py), but OpenBLAS starts a thread per core when numpy is imported,
and each spins about a tenth of a second looking for work: a tenth of the CPU of
the render's start, on the core espeak and the MP3 encoders need (a user's own setting
is kept). The library, imported by other programs, leaves their threads alone.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from tts.cli import run  # after the setting above

if __name__ == "__main__":
    run()
