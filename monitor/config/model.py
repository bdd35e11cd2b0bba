"""Typed configuration objects, built from the validated data of ``loader``."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor._exceptions import ConfigError
from monitor.config.loader import Located, Validator, read_file, validate_text
from monitor.config.schema import ROOT, TOPICS_FILE


@dataclass(frozen=True)
class Schedule:
    every: float | None = None
    cron: str | None = None
    jitter: float = 30.0


@dataclass(frozen=True)
class ExtractRules:
    body: str | None = None
    title: str | None = None
    date: str | None = None
    remove: tuple[str, ...] = ()


@dataclass(frozen=True)
class DiscoverRules:
    links: str = "a"
    pattern: str = "."
    max_new: int = 20


@dataclass(frozen=True)
class SeriesRule:
    match: str
    id: str
    label: str | None = None

    def matches(self, title: str, url: str) -> bool:
        return re.search(self.match, title) is not None or re.search(self.match, url) is not None


@dataclass(frozen=True)
class Source:
    id: str
    url: str
    kind: str
    name: str = ""
    lang: str | None = None
    schedule: Schedule = field(default_factory=lambda: Schedule(every=3600.0))
    discover: DiscoverRules | None = None
    extract: ExtractRules | None = None
    series: tuple[SeriesRule, ...] = ()
    enabled: bool = True


@dataclass(frozen=True)
class Terms:
    ja: tuple[str, ...] = ()
    en: tuple[str, ...] = ()

    def all(self) -> tuple[str, ...]:
        return self.ja + self.en


@dataclass(frozen=True)
class Topic:
    id: str
    label: str = ""
    terms: Terms = field(default_factory=Terms)
    all_of: tuple[Terms, ...] = ()


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int = 587
    starttls: bool = True
    ssl: bool = False
    username_env: str | None = None
    password_env: str | None = None
    timeout: float = 30.0
    ca_file: str | None = None


@dataclass(frozen=True)
class Channel:
    id: str
    kind: str
    to: tuple[str, ...] = ()
    sender: str = "statement-monitor@localhost"
    smtp: Smtp | None = None
    webhook_url_env: str | None = None
    topics: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    series: tuple[str, ...] | None = None
    min_changes: int = 1
    digest: float | None = None
    report_url: str | None = None
    failures: bool = True

    def secret(self, env_name: str | None) -> str | None:
        """Read a secret from the environment at the moment it is needed; never stored."""
        return os.environ.get(env_name) if env_name else None


@dataclass(frozen=True)
class Defaults:
    user_agent: str = "statement-monitor/0.1 (+mailto:ops@example.org)"
    timeout: float = 30.0
    retries: int = 3
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0
    concurrency: int = 16
    max_bytes: int = 20_000_000
    max_redirects: int = 5
    respect_robots: bool = True
    allow_private_addresses: bool = False
    failure_alert_after: int = 3
    similarity_threshold: float = 0.1


@dataclass(frozen=True)
class Config:
    path: str
    defaults: Defaults = field(default_factory=Defaults)
    sources: tuple[Source, ...] = ()
    topics: tuple[Topic, ...] = ()
    channels: tuple[Channel, ...] = ()

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(source_id)

    def channel(self, channel_id: str) -> Channel:
        for channel in self.channels:
            if channel.id == channel_id:
                return channel
        raise KeyError(channel_id)


def _terms(data: dict[str, Any] | None) -> Terms:
    data = data or {}
    return Terms(ja=tuple(data.get("ja") or ()), en=tuple(data.get("en") or ()))


def build_topics(items: list[Located], v: Validator) -> tuple[Topic, ...]:
    topics = []
    seen: dict[str, int] = {}
    for item in items:
        tid = item.get("id")
        if tid is None:
            continue
        if tid in seen:
            v.problem(
                None, f"topic '{tid}' is defined twice (first at line {seen[tid]})", item.line
            )
        seen[tid] = item.line
        terms = _terms(item.get("terms"))
        groups = tuple(_terms(g) for g in item.get("all_of") or ())
        if not terms.all() and not any(g.all() for g in groups):
            v.problem(None, f"topic '{tid}': give 'terms' or 'all_of'", item.line)
        topics.append(Topic(id=tid, label=item.get("label") or tid, terms=terms, all_of=groups))
    return tuple(topics)


def _build_source(item: Located, v: Validator) -> Source:
    sched = item.get("schedule") or {}
    if ("every" in sched) == ("cron" in sched):
        v.problem(
            None,
            f"source '{item.get('id')}': schedule needs exactly one of 'every' or 'cron'",
            getattr(sched, "line", item.line),
        )
    kind = item.get("kind") or "page"
    discover = item.get("discover")
    if discover is not None and kind != "listing":
        v.problem(
            None, f"source '{item.get('id')}': 'discover' applies to kind listing only", item.line
        )
    if kind == "listing" and discover is None:
        discover = {"links": "a", "pattern": ".", "max_new": 20}
    extract = item.get("extract")
    return Source(
        id=item.get("id") or "",
        url=item.get("url") or "",
        kind=kind,
        name=item.get("name") or item.get("id") or "",
        lang=item.get("lang"),
        schedule=Schedule(
            every=sched.get("every"),
            cron=sched.get("cron"),
            jitter=sched.get("jitter", 30.0) or 0.0,
        ),
        discover=DiscoverRules(**discover) if discover else None,
        extract=ExtractRules(
            body=extract.get("body"),
            title=extract.get("title"),
            date=extract.get("date"),
            remove=tuple(extract.get("remove") or ()),
        )
        if extract
        else None,
        series=tuple(
            SeriesRule(r["match"], r["id"], r.get("label"))
            for r in item.get("series") or ()
            if r.get("match") and r.get("id")
        ),
        enabled=bool(item.get("enabled", True)),
    )


def _build_channel(
    item: Located, topic_ids: set[str], source_ids: set[str], v: Validator
) -> Channel:
    cid = item.get("id") or ""
    kind = item.get("kind") or ""
    smtp = item.get("smtp")
    if kind == "email":
        if not item.get("to"):
            v.problem(None, f"channel '{cid}': an email channel needs 'to'", item.line)
        if smtp is None:
            v.problem(None, f"channel '{cid}': an email channel needs 'smtp'", item.line)
    if kind == "slack" and "webhook_url_env" not in item:
        v.problem(None, f"channel '{cid}': a slack channel needs 'webhook_url_env'", item.line)
    for tid in item.get("topics") or ():
        if tid not in topic_ids:
            v.problem(None, f"channel '{cid}': unknown topic '{tid}'", item.line)
    for sid in item.get("sources") or ():
        if sid not in source_ids:
            v.problem(None, f"channel '{cid}': unknown source '{sid}'", item.line)
    return Channel(
        id=cid,
        kind=kind,
        to=tuple(item.get("to") or ()),
        sender=item.get("from") or "statement-monitor@localhost",
        smtp=Smtp(**{k: val for k, val in smtp.items() if val is not None})
        if smtp and "host" in smtp
        else None,
        webhook_url_env=item.get("webhook_url_env"),
        topics=tuple(item["topics"]) if item.get("topics") is not None else None,
        sources=tuple(item["sources"]) if item.get("sources") is not None else None,
        series=tuple(item["series"]) if item.get("series") is not None else None,
        min_changes=item.get("min_changes", 1),
        digest=item.get("digest"),
        report_url=item.get("report_url"),
        failures=item.get("failures", True),
    )


def parse_config(text: str, file: str = "sources.yaml") -> Config:
    """Validate and build a Config from YAML text; raises ConfigError listing every problem."""
    data, v = validate_text(text, file, ROOT)
    defaults = Defaults(
        **{k: val for k, val in (data.get("defaults") or {}).items() if val is not None}
    )
    topics = build_topics(data.get("topics") or [], v)
    sources = []
    seen: dict[str, int] = {}
    for item in data.get("sources") or []:
        sid = item.get("id")
        if sid is not None and sid in seen:
            v.problem(
                None, f"source '{sid}' is defined twice (first at line {seen[sid]})", item.line
            )
        if sid is not None:
            seen[sid] = item.line
        sources.append(_build_source(item, v))
    topic_ids = {t.id for t in topics}
    channels = []
    seen_channels: dict[str, int] = {}
    for item in data.get("channels") or []:
        cid = item.get("id")
        if cid is not None and cid in seen_channels:
            v.problem(
                None,
                f"channel '{cid}' is defined twice (first at line {seen_channels[cid]})",
                item.line,
            )
        if cid is not None:
            seen_channels[cid] = item.line
        channels.append(_build_channel(item, topic_ids, set(seen), v))
    if v.problems:
        raise ConfigError(sorted(v.problems, key=lambda p: p.line))
    return Config(
        path=file,
        defaults=defaults,
        sources=tuple(sources),
        topics=topics,
        channels=tuple(channels),
    )


def load_config(path: str | Path) -> Config:
    """Read and validate a sources.yaml file."""
    return parse_config(read_file(path), str(path))


def load_topics(path: str | Path) -> tuple[Topic, ...]:
    """Read a topics file (a YAML with a ``topics:`` list), as used by ``stmon diff --topics``."""
    data, v = validate_text(read_file(path), str(path), TOPICS_FILE)
    topics = build_topics(data.get("topics") or [], v)
    if v.problems:
        raise ConfigError(v.problems)
    return topics
