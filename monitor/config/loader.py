"""Load and validate ``sources.yaml``: every problem at once, each as ``FILE:LINE: message``.

YAML is parsed with the safe loader into nodes (which keep their line numbers), then checked
against ``schema``. The result is plain data with defaults filled in; ``model`` turns it into
typed objects and adds the checks that span several entries.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from monitor._exceptions import ConfigError, ConfigProblem
from monitor.config.schema import Key, Schema
from monitor.config.units import parse_duration

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class Located(dict[str, Any]):
    """A validated mapping that remembers the line it came from."""

    line: int = 0


class Validator:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[ConfigProblem] = []
        self._construct = yaml.constructor.SafeConstructor()

    def problem(self, node: yaml.Node | None, message: str, line: int | None = None) -> None:
        where = line if line is not None else (node.start_mark.line + 1 if node is not None else 1)
        self.problems.append(ConfigProblem(self.file, where, message))

    def scalar(self, node: yaml.Node) -> Any:
        return self._construct.construct_object(node, deep=True)

    def mapping(self, node: yaml.Node, schema: Schema, path: str) -> Located:
        out = Located()
        out.line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{path}: expected a mapping ({schema.name})")
            return out
        seen: set[str] = set()
        for key_node, value_node in node.value:
            name = str(self.scalar(key_node))
            if name in seen:
                self.problem(key_node, f"{path}: duplicate key '{name}'")
                continue
            seen.add(name)
            key = schema.key(name)
            if key is None:
                known = [k.name for k in schema.keys]
                guess = difflib.get_close_matches(name, known, n=1)
                hint = (
                    f"; did you mean '{guess[0]}'?"
                    if guess
                    else f"; known keys: {', '.join(known)}"
                )
                self.problem(key_node, f"{path}: unknown key '{name}'{hint}")
                continue
            out[name] = self.value(value_node, key, f"{path}.{name}" if path else name)
        for key in schema.keys:
            if key.name in out:
                continue
            if key.required:
                self.problem(node, f"{path or schema.name}: missing required key '{key.name}'")
            elif key.default is not None:
                out[key.name] = self.default(key)
        return out

    def default(self, key: Key) -> Any:
        if key.type == "map" and key.schema is not None:
            node = yaml.compose(yaml.safe_dump(key.default))
            assert node is not None
            return self.mapping(node, key.schema, key.name)
        if isinstance(key.default, list):
            return list(key.default)
        return CHECKERS[key.type](key.default) if key.type in CHECKERS else key.default

    def value(self, node: yaml.Node, key: Key, path: str) -> Any:
        is_null = isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"
        if is_null and not key.required and key.type != "map":
            return None  # an explicit null means "not set"
        if node.tag.startswith("tag:yaml.org,2002:python") or not node.tag.startswith(
            ("tag:yaml.org,2002:", "!")
        ):
            self.problem(node, f"{path}: YAML tag {node.tag} is not allowed")
            return None
        if node.tag.startswith("!") and node.tag != "!":
            self.problem(node, f"{path}: YAML tag {node.tag} is not allowed")
            return None
        if key.type == "map":
            assert key.schema is not None
            return self.mapping(node, key.schema, path)
        if key.type.startswith("list["):
            if not isinstance(node, yaml.SequenceNode):
                self.problem(node, f"{path}: expected a list")
                return []
            item_key = Key(
                key.name, key.type[5:-1], key.help, schema=key.schema, choices=key.choices
            )
            return [self.value(item, item_key, f"{path}[{i}]") for i, item in enumerate(node.value)]
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"{path}: expected a single value")
            return None
        raw = self.scalar(node)
        checker = CHECKERS[key.type]
        try:
            value = checker(raw)
        except (ValueError, TypeError) as exc:
            self.problem(node, f"{path}: {exc}")
            return None
        if key.choices and value not in key.choices:
            self.problem(node, f"{path}: '{value}' is not one of {', '.join(key.choices)}")
        return value


def _str(raw: Any) -> str:
    if raw is None or isinstance(raw, (dict, list)):
        raise ValueError("expected text")
    return str(raw)


def _int(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValueError(f"expected a whole number, got {raw!r}")
    return raw


def _float(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise ValueError(f"expected a number, got {raw!r}")
    return float(raw)


def _bool(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise ValueError(f"expected true or false, got {raw!r}")
    return raw


def _id(raw: Any) -> str:
    text = _str(raw)
    if not ID_RE.match(text):
        raise ValueError(f"'{text}' is not a valid id (lower-case letters, digits and '-')")
    return text


def _url(raw: Any) -> str:
    text = _str(raw)
    if not re.match(r"^https?://[^\s/]+", text):
        raise ValueError(f"'{text}' is not an http(s) URL")
    return text


def _regex(raw: Any) -> str:
    text = _str(raw)
    try:
        re.compile(text)
    except re.error as exc:
        raise ValueError(f"bad regular expression '{text}': {exc}") from exc
    return text


def _cron(raw: Any) -> str:
    from apscheduler.triggers.cron import CronTrigger

    text = _str(raw)
    try:
        CronTrigger.from_crontab(text, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"bad cron expression '{text}': {exc}") from exc
    return text


def _duration(raw: Any) -> float:
    return parse_duration(raw)


def _env(raw: Any) -> str:
    name = _str(raw)
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
        raise ValueError(f"'{name}' is not an environment variable name")
    if name not in os.environ:
        raise ValueError(f"environment variable {name} is not set")
    return name


CHECKERS: dict[str, Callable[[Any], Any]] = {
    "str": _str,
    "int": _int,
    "float": _float,
    "bool": _bool,
    "id": _id,
    "url": _url,
    "regex": _regex,
    "cron": _cron,
    "duration": _duration,
    "env": _env,
}


def validate_text(text: str, file: str, schema: Schema) -> tuple[Located, Validator]:
    """Validate YAML text against ``schema``; problems are collected on the returned validator."""
    validator = Validator(file)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise ConfigError([ConfigProblem(file, line, f"YAML syntax error: {exc.problem}")]) from exc
    except yaml.YAMLError as exc:
        raise ConfigError([ConfigProblem(file, 1, f"YAML error: {exc}")]) from exc
    if node is None:
        node = yaml.compose("{}")
        assert node is not None
    data = validator.mapping(node, schema, "")
    return data, validator


def read_file(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError([ConfigProblem(str(path), 1, "file not found")]) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError([ConfigProblem(str(path), 1, f"not UTF-8 text: {exc.reason}")]) from exc
    except OSError as exc:
        raise ConfigError([ConfigProblem(str(path), 1, f"cannot read: {exc.strerror}")]) from exc
