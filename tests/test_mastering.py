"""The streamed pass: the loudness meter against ffmpeg, the true-peak limiter, flat memory."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pydub import AudioSegment

from tts import engines
from tts.audio.clip import ffmpeg_exe
from tts.audio.limiter import TILE, TruePeakLimiter, between_centres, peaks_between, phase_filters, sliding_min
from tts.audio.loudness import LoudnessMeter
from tts.audio.player import PlayerCommand
from tts.config import RenderConfig
from tts.engines import EngineSpec
from tts.engines.espeak import EspeakEngine
from tts.pipeline import render
from tts.playback import play
from tts.text.chunk import MAX_CLIP_CHARS

ROOT = Path(__file__).resolve().parent.parent
RATE = 22_050


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) as ffmpeg's ebur128 filter measures ``path``."""
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path),
                           "-af", "ebur128=peak=true", "-f", "null", "-"],
                          capture_output=True, check=True)
    text = proc.stderr.decode()
    return (float(re.findall(r"I:\s+(-?[0-9.]+) LUFS", text)[-1]),
            float(re.findall(r"Peak:\s+(-?[0-9.inf]+) dBFS", text)[-1]))


def espeak_speech() -> AudioSegment:
    text = (ROOT / "data" / "article.txt").read_text(encoding="utf-8").split("\n\n")
    return EspeakEngine("ar").synthesize(" ".join(text[:3]))


def test_meter_agrees_with_ffmpeg_within_a_tenth_of_an_lu(tmp_path: Path) -> None:
    speech = espeak_speech()
    wav = tmp_path / "s.wav"
    speech.export(wav, format="wav")
    meter = LoudnessMeter(speech.frame_rate)
    samples = np.frombuffer(speech.raw_data, np.int16) / 32768.0
    for start in range(0, len(samples), 7_001):  # pieces of any size
        meter.add(samples[start:start + 7_001])
        meter.add_silence(0)
    assert abs(meter.integrated() - ebur128(wav)[0]) <= 0.1


def test_meter_reads_a_full_scale_997_hz_tone_as_minus_3_lufs() -> None:
    tone = np.sin(2 * math.pi * 997 * np.arange(48_000 * 5) / 48_000)
    meter = LoudnessMeter(48_000)
    meter.add(tone)
    assert abs(meter.integrated() - -3.01) < 0.05  # BS.1770's reference


def test_meter_gates_out_silence() -> None:
    meter = LoudnessMeter(RATE)
    tone = 0.1 * np.sin(2 * math.pi * 440 * np.arange(RATE * 3) / RATE)
    meter.add(tone)
    meter.add_silence(RATE)  # the tone's last frames, and its end, are measured
    alone = meter.integrated()
    meter.add_silence(RATE * 30)
    assert abs(meter.integrated() - alone) < 0.05


def test_a_pause_measures_as_its_zeros_would() -> None:
    tone = 0.2 * np.sin(2 * math.pi * 300 * np.arange(RATE * 2) / RATE)
    pauses, zeros = LoudnessMeter(RATE), LoudnessMeter(RATE)
    for gap in (300, 20_000, 5):
        pauses.add(tone)
        pauses.add_silence(gap)
        zeros.add(tone)
        zeros.add(np.zeros(gap))
    # A pause is measured at once; zeros wait for a whole FFT frame like any audio.
    common = len(zeros.steps)
    assert len(pauses.steps) >= common > 50
    assert np.allclose(pauses.steps[:common], zeros.steps, rtol=1e-5, atol=1e-12)


def test_sliding_min_matches_the_obvious_loop() -> None:
    values = np.random.default_rng(1).random(500).astype(np.float32)
    got = sliding_min(values, 7, 3)
    want = [values[max(0, i - 7):i + 4].min() for i in range(len(values))]
    assert np.allclose(got, want)


def test_limiter_keeps_true_peaks_under_its_ceiling_and_the_length(tmp_path: Path) -> None:
    speech = espeak_speech()
    loud = np.frombuffer(speech.raw_data, np.int16).astype(np.float32) / 32768 * 4  # +12 dB
    limiter = TruePeakLimiter(speech.frame_rate, -2.0)
    parts = [limiter.process(loud[i:i + 10_000]) for i in range(0, len(loud), 10_000)]
    out = np.concatenate([*parts, limiter.flush()])
    assert len(out) == len(loud)
    wav = tmp_path / "l.wav"
    AudioSegment((out * 32767).astype(np.int16).tobytes(), sample_width=2,
                 frame_rate=speech.frame_rate, channels=1).export(wav, format="wav")
    assert ebur128(wav)[1] <= -1.9
    assert limiter.loss_db > 0


@pytest.mark.parametrize(("tiles", "first", "count"), [(5, 0, 5), (40, 1, 38), (2000, 3, 2), (1, 0, 1)])
def test_the_gain_between_tile_centres_is_linear_interpolation(tiles: int, first: int, count: int) -> None:
    # What np.interp gave, without its search for each sample's centres.
    curve = np.random.default_rng(tiles).random(tiles).astype(np.float32)
    centres = np.arange(tiles) * TILE + (TILE - 1) / 2
    want = np.interp(np.arange(first * TILE, (first + count) * TILE), centres, curve)
    assert np.allclose(between_centres(curve, first, count), want, rtol=0, atol=1e-6)


@pytest.mark.parametrize("share", [0.02, 0.3, 0.9])  # few gaps near the ceiling, and many
@pytest.mark.parametrize("taps", [phase_filters(), phase_filters(8, 32, 9.0)])
def test_the_points_between_samples_are_the_oversampled_signal(share: float, taps: np.ndarray) -> None:
    signal = np.random.default_rng(3).standard_normal(20_000).astype(np.float32)
    half = len(taps) // 2
    near = np.flatnonzero(np.abs(signal) > np.quantile(np.abs(signal), 1 - share))
    near = near[(near >= half) & (near < len(signal) - half - 1)]
    starts, between = peaks_between(signal, near, taps)
    assert set(starts) == set(near) | set(near - 1)  # the gap after each, and before
    # Each point, from the definition: the windowed sinc at each phase, sample by sample.
    want = [max(abs(sum(signal[n + k] * taps[k + half - 1, p] for k in range(-half + 1, half + 1)))
                for p in range(taps.shape[1])) for n in starts[::97]]
    assert np.allclose(between[::97], want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("taps", [phase_filters(), phase_filters(8, 32, 9.0)])
def test_a_gap_without_its_whole_window_is_left_out(taps: np.ndarray) -> None:
    # A loud sample at one end, and samples near the other: a gap there has no whole
    # window, and numpy would take the missing samples from the far end.
    half = len(taps) // 2
    for loud, near in ((-1, [half - 1]), (-1, [0, 1]), (0, [997, 998]), (0, [1000 - half])):
        signal = np.zeros(1000, np.float32)
        signal[loud] = 1.0
        starts, between = peaks_between(signal, np.array(near), taps)
        assert all(half - 1 <= n < len(signal) - half for n in starts)
        assert not between.any()  # nothing within reach of a whole window is loud


def test_limiter_leaves_quiet_audio_untouched() -> None:
    quiet = (0.2 * np.sin(np.arange(RATE) / 5)).astype(np.float32)
    limiter = TruePeakLimiter(RATE, -1.0)
    out = np.concatenate([limiter.process(quiet), limiter.flush()])
    assert np.array_equal(out, quiet)


# --- memory stays flat: a fake engine of ~5 s per paragraph --------------------------------


class BuzzEngine:
    """A fast in-process engine: a buzz 60 ms per character, like a voice in level and peaks."""

    name = "buzz"
    offline = True
    max_chars = None
    max_concurrency = 1
    tashkeel = False
    rules = ()
    chars_per_second = 16.0
    inline_languages = False  # a Latin run in Arabic text comes as a chunk of its own
    phoneme_input = False
    ms_per_char = 60

    def synthesize(self, text: str, lang: str | None = None) -> AudioSegment:
        t = np.arange(len(text) * self.ms_per_char * RATE // 1000) / RATE
        wave = 0.3 * np.sign(np.sin(2 * math.pi * 120 * t)) * (0.6 + 0.4 * np.sin(2 * math.pi * 3 * t))
        return AudioSegment((wave * 32767).astype(np.int16).tobytes(), sample_width=2,
                            frame_rate=RATE, channels=1)

    def cache_key(self) -> dict[str, str]:
        return {"engine": self.name}


@pytest.fixture
def buzz() -> Iterator[None]:
    engines.register(EngineSpec("buzz", lambda c: BuzzEngine(), lambda c, t: (True, "fake"),
                                offline=True, description="test buzz"))
    yield
    engines.unregister("buzz")


def article(paragraphs: int) -> str:
    return "\n\n".join(f"الفقرة رقم {i} من المقال تقول شيئا عن الأخبار اليوم." * 2
                       for i in range(paragraphs))


def peak_traced(action: object) -> int:
    """Peak bytes Python (numpy included) held while ``action()`` ran."""
    tracemalloc.start()
    try:
        action()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def pcm_bytes(text: str) -> int:
    """The 16-bit samples the buzz engine makes for ``text``."""
    return 2 * len(text) * BuzzEngine.ms_per_char * RATE // 1000


def test_render_memory_does_not_grow_with_the_article(buzz: None, tmp_path: Path) -> None:
    config = RenderConfig(engine="buzz", cache_dir=None)
    small = peak_traced(lambda: render(article(12), tmp_path / "s.mp3", config))
    large = peak_traced(lambda: render(article(60), tmp_path / "l.mp3", config))
    # Five times the audio (about 70 s against 6 minutes), the same memory: the whole
    # render held in memory would grow by the 13 MB of PCM the 48 more paragraphs make.
    # The small render's peak itself varies by about 1 MB with when the clips in flight
    # happen to be made, so the growth is measured against that audio, not as a ratio.
    grown = pcm_bytes(article(60)) - pcm_bytes(article(12))
    assert large - small < grown / 4, (small, large, grown)
    print(f"render peak traced: {small / 1e6:.1f} MB for 12 paragraphs, {large / 1e6:.1f} MB for 60")


def test_one_enormous_paragraph_is_spoken_in_bounded_memory(buzz: None, tmp_path: Path) -> None:
    # A paragraph with no end (a pasted log, a book without blank lines) is cut into
    # clips of at most MAX_CLIP_CHARS, so its audio is never held whole: three times
    # the paragraph, the same peak. As one clip it was 3x (64 MB of samples against 21).
    config = RenderConfig(engine="buzz", cache_dir=None, loudness=None)
    sentence = "الفقرة الطويلة تقول شيئا عن الأخبار اليوم. "

    def one_paragraph(clips: int) -> str:
        return (sentence * (clips * MAX_CLIP_CHARS // len(sentence))).strip()

    small = peak_traced(lambda: render(one_paragraph(2), tmp_path / "s.wav", config))
    large = peak_traced(lambda: render(one_paragraph(6), tmp_path / "l.wav", config))
    assert large < 1.3 * small, (small, large)
    assert AudioSegment.from_file(tmp_path / "l.wav").duration_seconds > 6 * MAX_CLIP_CHARS * 0.055


def test_play_with_output_memory_does_not_grow_either(buzz: None, tmp_path: Path) -> None:
    config = RenderConfig(engine="buzz", cache_dir=None)
    player = PlayerCommand((sys.executable, str(ROOT / "tests" / "fake_player.py"),
                            str(tmp_path / "p"), "--discard"))
    small = peak_traced(lambda: play(article(12), config, player, tmp_path / "s.mp3"))
    large = peak_traced(lambda: play(article(60), config, player, tmp_path / "l.mp3"))
    assert large < 1.3 * small, (small, large)


def test_play_is_at_the_saved_files_level(buzz: None, tmp_path: Path) -> None:
    config = RenderConfig(engine="buzz", cache_dir=None)
    player = PlayerCommand((sys.executable, str(ROOT / "tests" / "fake_player.py"),
                            str(tmp_path / "p")))
    play(article(12), config, player, tmp_path / "saved.wav")
    heard, saved = ebur128(tmp_path / "p" / "received.wav")[0], ebur128(tmp_path / "saved.wav")[0]
    assert abs(heard - saved) <= 2.0 and abs(saved - -16) <= 1.0


def test_the_next_paragraph_gets_its_tashkeel_while_this_one_is_spoken() -> None:
    from dataclasses import replace as with_text

    from tts.synth.synthesize import Synthesizer
    from tts.types import Break, Chunk

    chunks = [Chunk(i, 0, f"الفقرة {i}", 0, 8, Break.PARAGRAPH) for i in range(4)]
    started = [threading.Event() for _ in chunks]
    overlapped: list[bool] = []

    def prepare(chunk: Chunk) -> Chunk:
        started[chunk.paragraph].set()
        return with_text(chunk, text=chunk.text + " ـَ")

    class Speaker(BuzzEngine):
        def synthesize(self, text: str, lang: str | None = None) -> AudioSegment:
            index = int(text.split()[1])
            if index + 1 < len(started):  # is the next one being prepared meanwhile?
                overlapped.append(started[index + 1].wait(timeout=5))
            return super().synthesize(text)

    clips = list(Synthesizer(Speaker(), None, jobs=1, prepare=prepare).clips(chunks, 8))
    assert [c.chunk.text for c in clips] == [c.text + " ـَ" for c in chunks]
    assert overlapped == [True, True, True]


def test_mixer_lays_clips_with_exact_pauses_and_one_rate() -> None:
    from conftest import silent_gaps
    from pydub.generators import Sine

    from tts.audio.master import Mixer, Outlet

    def tone(ms: int, rate: int = 24_000) -> AudioSegment:
        return Sine(300).to_audio_segment(ms, volume=-10).set_frame_rate(rate).set_channels(1)

    heard = bytearray()
    mixer = Mixer([Outlet(lambda rate, layout: heard.extend, None, -1.0)], None)
    spans = [mixer.add_audio(clip, pause) for clip, pause in
             [(tone(1000), 700), (tone(500, 22_050), 300), (tone(800), 0)]]
    layout = mixer.finish()
    assert [(round(s.start / 24), round(s.end / 24)) for s in spans] == \
        [(0, 1000), (1700, 2200), (2500, 3300)]
    joined = AudioSegment(bytes(heard), sample_width=2, frame_rate=24_000, channels=1)
    assert layout.frames == len(heard) // 2 and round(len(joined)) == 3300
    assert silent_gaps(joined, 100) == [700, 300]
