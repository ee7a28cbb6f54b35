"""Entry point for ``python -m tts``."""

from tts.cli import run

if __name__ == "__main__":
    run()
