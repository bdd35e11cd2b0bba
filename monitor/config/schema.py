"""The declarative schema of ``sources.yaml``.

One table drives validation (``loader``), the typed model (``model``) and the generated
configuration reference (``reference``), so the three cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Key:
    """One key of a mapping. ``type`` is one of the names ``loader.CHECKERS`` knows."""

    name: str
    type: str
    help: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    schema: Schema | None = None  # for "map" and "list[map]"


@dataclass(frozen=True)
class Schema:
    name: str
    help: str
    keys: tuple[Key, ...] = field(default_factory=tuple)

    def key(self, name: str) -> Key | None:
        return next((k for k in self.keys if k.name == name), None)


SCHEDULE = Schema(
    "schedule",
    "When to check a source: exactly one of `every` or `cron`, plus optional `jitter`.",
    (
        Key("every", "duration", "Interval between checks, e.g. `15m`, `1h`, `90s`."),
        Key("cron", "cron", "A five-field crontab expression, e.g. `*/15 * * * *` (UTC)."),
        Key(
            "jitter",
            "duration",
            "Random delay added to each run, so sources do not fire together.",
            default="30s",
        ),
    ),
)

EXTRACT = Schema(
    "extract",
    "CSS selectors (selectolax) that override the generic extractor for one source.",
    (
        Key("body", "str", "Selector of the element(s) holding the statement body."),
        Key("title", "str", "Selector of the title element."),
        Key("date", "str", "Selector of the element holding the publication date."),
        Key("remove", "list[str]", "Selectors of elements to drop before extraction.", default=[]),
    ),
)

DISCOVER = Schema(
    "discover",
    "How a `listing` source finds statement links.",
    (
        Key("links", "str", "Selector of the link elements.", default="a"),
        Key(
            "pattern", "regex", "Regular expression the absolute link URL must match.", default="."
        ),
        Key("max_new", "int", "At most this many new links are followed per check.", default=20),
    ),
)

SERIES_RULE = Schema(
    "series rule",
    "Maps a document to a series when its title or URL matches.",
    (
        Key("match", "regex", "Regular expression searched in the title (and URL).", required=True),
        Key("id", "id", "Series id.", required=True),
        Key("label", "str", "Human-readable series name."),
    ),
)

SOURCE = Schema(
    "source",
    "One page, listing, feed or PDF to watch.",
    (
        Key("id", "id", "Unique id, `[a-z0-9-]+`.", required=True),
        Key("name", "str", "Display name."),
        Key("url", "url", "The URL to check.", required=True),
        Key(
            "kind",
            "str",
            "What the URL is.",
            required=True,
            choices=("page", "listing", "feed", "pdf"),
        ),
        Key(
            "lang", "str", "Language of its statements; detected when absent.", choices=("ja", "en")
        ),
        Key("schedule", "map", "When to check it.", schema=SCHEDULE, default={"every": "1h"}),
        Key("discover", "map", "Link discovery (listing sources only).", schema=DISCOVER),
        Key(
            "extract",
            "map",
            "Extraction rules for this source and the pages it discovers.",
            schema=EXTRACT,
        ),
        Key("series", "list[map]", "Series rules, tried in order.", schema=SERIES_RULE, default=[]),
        Key(
            "enabled",
            "bool",
            "Set to false to keep a source in the file without checking it.",
            default=True,
        ),
    ),
)

TERMS = Schema(
    "terms",
    "Terms per language; a term matches as a substring (Japanese) or a word prefix (English, case-insensitive).",
    (
        Key("ja", "list[str]", "Japanese terms.", default=[]),
        Key("en", "list[str]", "English terms.", default=[]),
    ),
)

TOPIC = Schema(
    "topic",
    "A subject analysts watch. A change touches it when a sentence matches `terms`, or when every "
    "group of `all_of` matches in the sentence or its paragraph (at least one in the sentence).",
    (
        Key("id", "id", "Topic id.", required=True),
        Key("label", "str", "Display name."),
        Key("terms", "map", "Terms that alone make a sentence belong to the topic.", schema=TERMS),
        Key(
            "all_of",
            "list[map]",
            "Co-occurrence groups, all of which must match.",
            schema=TERMS,
            default=[],
        ),
    ),
)

SMTP = Schema(
    "smtp",
    "SMTP server. Secrets are read from the environment variables named here.",
    (
        Key("host", "str", "Server host name.", required=True),
        Key("port", "int", "Server port.", default=587),
        Key("starttls", "bool", "Upgrade the connection with STARTTLS.", default=True),
        Key("ssl", "bool", "Implicit TLS (usually port 465).", default=False),
        Key("username_env", "env", "Environment variable holding the user name."),
        Key("password_env", "env", "Environment variable holding the password."),
        Key("timeout", "duration", "Connection timeout.", default="30s"),
        Key(
            "ca_file",
            "str",
            "CA certificates (PEM) to trust instead of the system's, for a private CA.",
        ),
    ),
)

CHANNEL = Schema(
    "channel",
    "Where alerts go, and which changes trigger them.",
    (
        Key("id", "id", "Channel id.", required=True),
        Key("kind", "str", "Channel type.", required=True, choices=("email", "slack")),
        Key("to", "list[str]", "Recipients (email)."),
        Key("from", "str", "Sender address (email).", default="statement-monitor@localhost"),
        Key("smtp", "map", "SMTP settings (email).", schema=SMTP),
        Key(
            "webhook_url_env", "env", "Environment variable holding the Slack incoming-webhook URL."
        ),
        Key(
            "topics",
            "list[str]",
            "Only changes touching these topics; absent = every substantive change.",
        ),
        Key("sources", "list[str]", "Only documents from these sources."),
        Key("series", "list[str]", "Only documents in these series."),
        Key("min_changes", "int", "At least this many substantive changes.", default=1),
        Key(
            "digest", "duration", "Batch alerts within this window instead of sending each at once."
        ),
        Key(
            "report_url",
            "str",
            "Base URL where full reports are published; otherwise the HTML report is attached.",
        ),
        Key("failures", "bool", "Also send source-failure alerts.", default=True),
    ),
)

DEFAULTS = Schema(
    "defaults",
    "Settings shared by every source.",
    (
        Key(
            "user_agent",
            "str",
            "User-Agent header; include a contact address.",
            default="statement-monitor/0.1 (+mailto:ops@example.org)",
        ),
        Key("timeout", "duration", "Per-request timeout.", default="30s"),
        Key("retries", "int", "Retries on connect errors, 429 and 5xx.", default=3),
        Key("per_host_concurrency", "int", "Requests in flight to one host at once.", default=2),
        Key(
            "per_host_delay",
            "duration",
            "Minimum time between two requests to one host.",
            default="1s",
        ),
        Key("concurrency", "int", "Requests in flight in all.", default=16),
        Key("max_bytes", "int", "Largest body accepted, after decompression.", default=20_000_000),
        Key("max_redirects", "int", "Redirects followed at most.", default=5),
        Key("respect_robots", "bool", "Honour robots.txt.", default=True),
        Key(
            "allow_private_addresses",
            "bool",
            "Let sources and redirects reach private, loopback and link-local addresses.",
            default=False,
        ),
        Key(
            "failure_alert_after",
            "int",
            "Consecutive failures before a source-failure alert.",
            default=3,
        ),
        Key(
            "similarity_threshold",
            "float",
            "Least similarity for the nearest earlier document to count as predecessor.",
            default=0.1,
        ),
    ),
)

ROOT = Schema(
    "sources.yaml",
    "The top level of the configuration file.",
    (
        Key("defaults", "map", "Shared settings.", schema=DEFAULTS, default={}),
        Key("sources", "list[map]", "What to watch.", schema=SOURCE, default=[]),
        Key("topics", "list[map]", "What analysts care about.", schema=TOPIC, default=[]),
        Key("channels", "list[map]", "Where alerts go.", schema=CHANNEL, default=[]),
    ),
)

TOPICS_FILE = Schema(
    "topics file",
    "A file for `stmon diff --topics`: just a `topics:` list.",
    (Key("topics", "list[map]", "Topics.", schema=TOPIC, default=[]),),
)
