"""Tag sentences with the configured topics, using each sentence and its paragraph context.

Japanese terms are substring tests; all English terms form one regular expression (each must
start a word), so a sentence costs one scan however many topics there are. A hit names the
(topic, group) pairs its term belongs to: group -1 is the topic's ``terms``, group k its k-th
``all_of`` group. Where two English terms start at the same place, the longer one is the hit.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.config.model import Terms, Topic
from monitor.text.normalise import fold, is_cjk

Hit = tuple[int, int]  # (topic index, group index; -1 for plain terms)
_LATIN = re.compile("[a-z0-9]")


@dataclass(frozen=True)
class TopicIndex:
    topics: tuple[Topic, ...]
    literals: tuple[tuple[str, tuple[Hit, ...]], ...]  # Japanese terms: plain substring tests
    pattern: re.Pattern[str] | None  # English terms: one regex, each at the start of a word
    owners: dict[str, tuple[Hit, ...]]  # regex group name -> the (topic, group) pairs of its term

    @classmethod
    def build(cls, topics: Sequence[Topic]) -> TopicIndex:
        by_term: dict[str, list[Hit]] = {}
        for t, topic in enumerate(topics):
            groups: list[tuple[int, Terms]] = [(-1, topic.terms), *enumerate(topic.all_of)]
            for g, terms in groups:
                for term in terms.all():
                    if fold(term):
                        by_term.setdefault(fold(term), []).append((t, g))
        literals = tuple((term, tuple(hits)) for term, hits in by_term.items() if is_cjk(term[0]))
        words = sorted((term for term in by_term if not is_cjk(term[0])), key=len, reverse=True)
        owners = {f"t{k}": tuple(by_term[term]) for k, term in enumerate(words)}
        body = "|".join(f"(?P<t{k}>{re.escape(term)})" for k, term in enumerate(words))
        # The lookahead on first characters lets the scan skip most positions quickly.
        first = re.escape("".join(sorted({w[0] for w in words})))
        pattern = re.compile(rf"(?=[{first}])(?<![a-z0-9])(?:{body})") if words else None
        return cls(tuple(topics), literals, pattern, owners)

    def hits(self, folded: str) -> frozenset[Hit]:
        """The (topic, group) pairs whose terms occur in ``folded`` text."""
        found: set[Hit] = set()
        for term, owners in self.literals:
            if term in folded:
                found.update(owners)
        if self.pattern is not None and _LATIN.search(folded):
            for match in self.pattern.finditer(folded):
                if match.lastgroup is not None:
                    found.update(self.owners[match.lastgroup])
        return frozenset(found)

    def tag(self, sentence: frozenset[Hit], context: frozenset[Hit]) -> list[str]:
        """Topic ids of a sentence with these hits, in a paragraph (and heading) with those."""
        if not sentence:  # every rule needs at least one hit in the sentence itself
            return []
        out = []
        for t, topic in enumerate(self.topics):
            if (t, -1) in sentence:
                out.append(topic.id)
                continue
            groups = range(len(topic.all_of))
            if (
                topic.all_of
                and any((t, g) in sentence for g in groups)
                and all((t, g) in sentence or (t, g) in context for g in groups)
            ):
                out.append(topic.id)
        return out


@functools.lru_cache(maxsize=32)
def topic_index(topics: tuple[Topic, ...]) -> TopicIndex:
    """The index for a set of topics, built once per configuration."""
    return TopicIndex.build(topics)
