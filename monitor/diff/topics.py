"""Tag sentences with the configured topics, using each sentence and its paragraph context."""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.config.model import Terms, Topic
from monitor.text.normalise import fold, is_cjk


def _pattern(terms: Terms) -> re.Pattern[str] | None:
    parts = []
    for term in terms.all():
        folded = re.escape(fold(term))
        if not folded:
            continue
        # Japanese terms match anywhere; English terms at the start of a word (prefix match).
        parts.append(folded if is_cjk(term[0]) else rf"(?<![a-z0-9]){folded}")
    return re.compile("|".join(parts)) if parts else None


@dataclass(frozen=True)
class TopicMatcher:
    topic: Topic
    terms: re.Pattern[str] | None
    groups: tuple[re.Pattern[str] | None, ...]

    @classmethod
    def build(cls, topic: Topic) -> TopicMatcher:
        return cls(topic, _pattern(topic.terms), tuple(_pattern(g) for g in topic.all_of))

    def matches(self, sentence: str, context: str) -> bool:
        """``sentence`` and ``context`` are folded text."""
        if self.terms is not None and self.terms.search(sentence):
            return True
        if not self.groups:
            return False
        in_sentence = [g is not None and g.search(sentence) is not None for g in self.groups]
        if not any(in_sentence):
            return False
        return all(
            hit or (g is not None and g.search(context) is not None)
            for hit, g in zip(in_sentence, self.groups, strict=True)
        )


def compile_topics(topics: tuple[Topic, ...] | list[Topic]) -> list[TopicMatcher]:
    return [TopicMatcher.build(t) for t in topics]


def tag(matchers: list[TopicMatcher], sentence: str, context: str) -> list[str]:
    """Topic ids touched by a sentence, given the folded paragraph (and heading) around it."""
    s, c = fold(sentence), fold(context)
    return [m.topic.id for m in matchers if m.matches(s, c)]
