"""Entry point for ``python -m tts``."""

from tts.cli import main

if __name__ == "__main__":
    main()
