"""Configuration: ``sources.yaml`` schema, validation and typed model."""

from monitor.config.model import (
    Channel,
    Config,
    Defaults,
    DiscoverRules,
    ExtractRules,
    Schedule,
    SeriesRule,
    Smtp,
    Source,
    Terms,
    Topic,
    load_config,
    load_topics,
    parse_config,
)

__all__ = [
    "Channel",
    "Config",
    "Defaults",
    "DiscoverRules",
    "ExtractRules",
    "Schedule",
    "SeriesRule",
    "Smtp",
    "Source",
    "Terms",
    "Topic",
    "load_config",
    "load_topics",
    "parse_config",
]
