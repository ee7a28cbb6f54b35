"""Many articles in one run: inputs expanded, names kept apart, one engine and request limit, a summary."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tts import engines
from tts.audio import metadata
from tts.audio.export import write_text
from tts.config import RenderConfig, article_config
from tts.errors import ArticleTTSError, ConfigError, InputError
from tts.outputs.feed import Channel, FeedItem, make_item, write_feed
from tts.outputs.files import output_set
from tts.outputs.manifest import settings
from tts.outputs.subtitles import SUBTITLES
from tts.pipeline import render
from tts.sources import AUTO, article_files, load_article
from tts.sources.url import is_url
from tts.synth.synthesize import AdaptiveLimit
from tts.text.prepare import parse_article
from tts.types import (
    STDIN_SOURCE,
    Article,
    EngineChosen,
    Listener,
    RenderResult,
    ignore,
)
from tts.version import __version__

# Remembers, per output, what it was made from, so a rerun skips what is up to date.
STATE_FILE = ".article-tts.json"
# The Podcasting 2.0 JSON chapters format this writes (podcastindex.org's spec, version 1.2.0).
CHAPTERS_VERSION = "1.2.0"
CHAPTERS_SUFFIX = ".chapters.json"
# An output name keeps letters and digits of any script; everything else becomes "-".
UNSAFE_NAME = re.compile(r"[^\w]+")
# Used when a URL has no path to name it by, and for standard input.
FALLBACK_NAME = "article"
# Settings that do not change the audio or its side files: no reason to render again.
UNFINGERPRINTED = {"cache_dir", "jobs", "retries", "timeout"}


@dataclass(frozen=True)
class Job:
    """One article of the batch: where it comes from and the name its files get."""

    source: str
    name: str


@dataclass(frozen=True)
class Outcome:
    """What became of one job: ``done``, ``up to date`` or ``failed``, and the details."""

    job: Job
    status: str
    detail: str
    output: Path | None = None
    article: Article | None = None
    result: RenderResult | None = None

    @property
    def ok(self) -> bool:
        return self.status != FAILED


DONE, UP_TO_DATE, FAILED = "done", "up to date", "failed"


@dataclass(frozen=True)
class BatchSettings:
    """How the batch writes its files."""

    output_dir: Path
    suffix: str = ".mp3"
    """The audio files' extension, which picks their format."""
    input_format: str = AUTO
    lang_given: bool = False
    """``--lang`` was given: it wins over each article's own language."""
    side_suffixes: tuple[tuple[str, str], ...] = ()
    """Each side output (tts.outputs.registry) to write beside each audio file, with the
    extension its file gets: ``(("subtitles", ".srt"), ("html", ".html"))``."""
    chapters_file: bool = False
    """Write Podcasting 2.0 JSON chapters beside each audio file (for a feed)."""


def expand_inputs(inputs: Sequence[str]) -> list[str]:
    """Files and URLs as given; a folder stands for its .txt, .md and .html files."""
    sources: list[str] = []
    for given in inputs:
        path = Path(given)
        if given != STDIN_SOURCE and not is_url(given) and path.is_dir():
            found = article_files(path)
            if not found:
                raise InputError(f"{given} holds no .txt, .md or .html files; give article files "
                                 "or another folder")
            sources += [str(p) for p in found]
        else:
            sources.append(given)
    return sources


def output_stem(source: str) -> str:
    """A file name for ``source``'s outputs: the file's stem, or the URL's last path part."""
    if source == STDIN_SOURCE:
        return "stdin"
    if is_url(source):
        parts = urlsplit(source)
        segments = [s for s in unquote(parts.path).split("/") if s]
        stem = Path(segments[-1]).stem if segments else parts.hostname or FALLBACK_NAME
    else:
        stem = Path(source).stem
    stem = UNSAFE_NAME.sub("-", unicodedata.normalize("NFC", stem)).strip("-_")
    return stem or FALLBACK_NAME


def make_jobs(sources: Sequence[str]) -> list[Job]:
    """A job per source, names made unique by a counter (news-2, news-3) in input order."""
    jobs, taken = [], set()
    for source in sources:
        stem = output_stem(source)
        name, n = stem, 1
        while name.casefold() in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name.casefold())
        jobs.append(Job(source, name))
    return jobs


def fingerprint(article: Article, config: RenderConfig, batch: BatchSettings) -> str:
    """What an output is made from: the article's text and metadata, the settings, our version."""
    made_of = {
        "version": __version__,
        "blocks": [[b.text, b.heading] for b in article.blocks],
        "meta": dataclasses.asdict(article.meta),
        "settings": {k: v for k, v in settings(config).items() if k not in UNFINGERPRINTED},
        # The settings name the lexicons; an edited entry changes the audio too.
        "lexicons": [hashlib.sha256(p.read_bytes()).hexdigest() for p in config.lexicons
                     if p.is_file()],
        "files": [batch.suffix, [list(pair) for pair in batch.side_suffixes], batch.chapters_file],
    }
    return hashlib.sha256(json.dumps(made_of, sort_keys=True).encode()).hexdigest()


def load_state(folder: Path) -> dict[str, str]:
    """Output name -> fingerprint of what it was made from; {} when unknown or unreadable."""
    try:
        data = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def save_state(folder: Path, state: dict[str, str]) -> None:
    write_text(folder / STATE_FILE, json.dumps(state, indent=2, sort_keys=True) + "\n")


def job_files(job: Job, batch: BatchSettings, config: RenderConfig) -> list[Path]:
    """Every file a job writes: audio first, then its side files (``config``: the job's
    own, from job_config), then the feed's chapters."""
    files = output_set(batch.output_dir / f"{job.name}{batch.suffix}", config)
    if batch.chapters_file:
        files.append(batch.output_dir / f"{job.name}{CHAPTERS_SUFFIX}")
    return files


def job_config(config: RenderConfig, job: Job, batch: BatchSettings) -> RenderConfig:
    """``config`` with the job's own side files, named after it in the output folder."""
    for name, suffix in batch.side_suffixes:
        config = config.with_side_output(name, batch.output_dir / f"{job.name}{suffix}")
    return config


def chapters_json(article: Article, config: RenderConfig, result: RenderResult) -> str:
    """Podcasting 2.0 JSON chapters: one per chapter of the audio, start times in seconds."""
    paragraphs = parse_article(article, config.lang)
    chapters = metadata.make_chapters(paragraphs, result.timeline, result.duration_ms)
    data = {"version": CHAPTERS_VERSION,
            "chapters": [{"startTime": c.start_ms / 1000, "title": c.title} for c in chapters]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def resolve_engine(config: RenderConfig, listener: Listener) -> RenderConfig:
    """Probe once for the whole batch: ``auto`` becomes the engine it picks."""
    if config.engine != engines.AUTO:
        return config
    engine, reason = engines.choose(config)
    listener(EngineChosen(engine.name, reason))
    return replace(config, engine=engine.name)


Listeners = Callable[[Job], Listener]


class Batch:
    """Renders jobs one after another with one engine choice, one cache and one request limit."""

    def __init__(self, config: RenderConfig, batch: BatchSettings,
                 listener_for: Listeners = lambda job: ignore) -> None:
        if batch.output_dir.exists() and not batch.output_dir.is_dir():
            raise ConfigError(f"--output-dir {batch.output_dir} is a file; give a folder")
        batch.output_dir.mkdir(parents=True, exist_ok=True)
        self.config, self.batch, self.listener_for = config, batch, listener_for
        self.limit = AdaptiveLimit(config.jobs)
        self.state = load_state(batch.output_dir)

    def run(self, jobs: Sequence[Job], finished: Callable[[Outcome], None] = lambda o: None,
            started: Callable[[Job], None] = lambda job: None) -> list[Outcome]:
        """Every job's outcome, in order; a failure is recorded and the next job goes on."""
        self.config = resolve_engine(self.config, self.listener_for(jobs[0]) if jobs else ignore)
        outcomes = []
        for job in jobs:
            started(job)
            outcome = self.run_one(job)
            outcomes.append(outcome)
            finished(outcome)
        return outcomes

    def run_one(self, job: Job) -> Outcome:
        try:
            article = load_article(job.source, self.batch.input_format,
                                   limit=self.config.max_input)
            config = job_config(article_config(self.config, article, self.batch.lang_given),
                                job, self.batch)
            return self.render_if_changed(job, article, config)
        except ArticleTTSError as exc:
            return Outcome(job, FAILED, str(exc))

    def render_if_changed(self, job: Job, article: Article, config: RenderConfig) -> Outcome:
        """Render unless every file exists and was made from the same article and settings."""
        files = job_files(job, self.batch, config)
        mark = fingerprint(article, config, self.batch)
        if self.state.get(job.name) == mark and all(f.exists() for f in files):
            return Outcome(job, UP_TO_DATE, "unchanged since the last run", files[0], article)
        result = render(article, files[0], config, self.listener_for(job), source=job.source,
                        limit=self.limit)
        if self.batch.chapters_file:
            write_text(files[-1], chapters_json(article, config, result))
        self.state[job.name] = mark
        save_state(self.batch.output_dir, self.state)
        return Outcome(job, DONE, "", files[0], article, result)


def feed_items(outcomes: Sequence[Outcome], batch: BatchSettings, base_url: str) -> list[FeedItem]:
    """A feed item for every article whose audio exists (rendered now or up to date)."""
    items = []
    for outcome in outcomes:
        if outcome.article is None or outcome.output is None or not outcome.output.exists():
            continue
        folder, name = batch.output_dir, outcome.job.name
        subtitles = dict(batch.side_suffixes).get(SUBTITLES.name)
        transcript = folder / f"{name}{subtitles}" if subtitles else None
        items.append(make_item(outcome.article, name, outcome.output, base_url, transcript,
                               folder / f"{name}{CHAPTERS_SUFFIX}"))
    return items


def feed_path(feed: Path, output_dir: Path) -> Path:
    """Where ``--feed`` goes: a bare name in the output folder, a path as given."""
    return feed if feed.parent != Path(".") else output_dir / feed


def publish_feed(feed: Path, channel: Channel, outcomes: Sequence[Outcome], batch: BatchSettings,
                 config: RenderConfig) -> tuple[Path, int, int]:
    """Write or update the feed (a bare name lives in the output folder); its path, its item
    count, and how many items it dropped because their audio was deleted from the folder.

    The channel's language is the one given, else --lang when given, else the
    first article's own, else --lang's default.
    """
    path = feed_path(feed, batch.output_dir)
    declared = next((o.article.meta.lang for o in outcomes if o.article and o.article.meta.lang),
                    None)
    language = channel.language or (config.lang if batch.lang_given else declared or config.lang)
    channel = replace(channel, language=language)
    count, dropped = write_feed(path, channel, feed_items(outcomes, batch, channel.base_url),
                                batch.output_dir)
    return path, count, dropped
