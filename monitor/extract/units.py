"""Body blocks to statement units: headings, paragraphs and list items.

Drops what a single line shows to be chrome (photo credits, box labels such as "Related" or
「関連記事」, link lists, repeated captions, headings left with nothing under them) and stops
at an end mark such as 「(以上)」, "End Text" or "###".
"""

from __future__ import annotations

import re

from monitor.document import Unit
from monitor.extract.blocks import HEADINGS, Block
from monitor.extract.scoring import LINK_LIMIT, is_link_list
from monitor.text.normalise import squash

END_MARK = re.compile(
    r"^\s*(?:[(（]\s*(?:以上|了)\s*[)）]|end text|###|-\s*end\s*-)\s*$", re.IGNORECASE
)
TRAILING_END = re.compile(r"\s*[(（]\s*(?:以上|了)\s*[)）]\s*$")
CREDIT = re.compile(
    r"^\s*(写真|画像|出典|photo|image|credit|foto|bild|quelle|source)s?\s*[:：©]"
    r"|(getty images|reuters|afp|dpa|imago|shutterstock|istock)\s*\)?\s*$"
    r"|^\s*(advertisement|anzeige|werbung|publicité|sponsored|広告)\s*$",
    re.IGNORECASE,
)
# Labels of the boxes around an article (related links, sharing, comments, tags, newsletters),
# in the languages of the sites watched and of the extraction benchmarks. A line that says only
# this is not statement text.
BOILERPLATE_LINE = re.compile(
    r"^\W*("
    r"related( articles?| stories| posts?| coverage| content| links?| news)?|read more|read next|"
    r"more (on|about) this( topic| story)?|you (may|might) also like|"
    r"recommended( for you| articles?| stories)?|advertisement|sponsored( content)?|"
    r"share( this( article| story| post)?| on \w+)?|tags?|tagged|topics?|categor(y|ies)|"
    r"\d* ?comments?|leave a (comment|reply)|post a comment|subscribe( now)?|sign up|"
    r"follow us( on \w+)?|most (read|popular|viewed)|trending( now)?|newsletter|"
    r"photo credits?|image credits?|print|email|"
    r"mehr zu(m| diesem)? thema|lesen sie auch|lies auch|das könnte (sie|dich) auch interessieren|"
    r"weitere (artikel|informationen|infos|beiträge|themen|nachrichten)|ähnliche (beiträge|artikel)|"
    r"verwandte (artikel|themen)|themen|schlagworte|schlagwörter|(artikel )?teilen|kommentare?|"
    r"kommentar (verfassen|schreiben|hinzufügen)|schreiben? (sie )?einen kommentar|anzeige|werbung|"
    r"weiterlesen|zum weiterlesen|artikel bewerten|empfehlungen|meist ?gelesen|neueste artikel|"
    r"drucken|zur startseite|nach oben|"
    r"(à )?lire aussi|voir aussi|en savoir plus|partager|commentaires?|publicité|sur le même sujet|"
    r"lea también|ver también|noticias relacionadas|compartir|temas|publicidad|"
    r"zobacz także|czytaj (także|też)|leggi anche|potrebbe interessarti|"
    r"関連記事|関連リンク|関連情報|この記事をシェア|シェア(する)?|ツイート|印刷(する)?|広告|ランキング|"
    r"読まれている記事|おすすめ記事|ページトップ|(この)?ページの(トップ|先頭)(へ|に)(戻る)?|"
    r"(前の)?ページへ戻る|目次へ戻る|トップへ戻る"
    r")\W*$",
    re.IGNORECASE,
)
BOILERPLATE_MAX = 60  # longer lines say more than a label


def _unit_kind(block: Block) -> str:
    if block.tag in HEADINGS:
        return "heading"
    if block.tag in ("li", "dt", "dd"):
        return "item"
    return "paragraph"


REPEAT_MIN = 30  # a block this long seen twice is a repeated caption or teaser, not new text


def blocks_to_units(blocks: list[Block], *, keep_links: bool = False) -> list[Unit]:
    """Units of the body's blocks, up to an end mark. ``keep_links=True`` is for blocks a
    source's own CSS rule selected: only credits and end marks are judged there, since the
    rule already says what the body is."""
    kept: list[tuple[Block, str]] = []
    seen: set[str] = set()
    for block in blocks:
        text = squash(block.text)
        if not text:
            continue
        if len(text) >= REPEAT_MIN and not keep_links:
            if text in seen:
                continue
            seen.add(text)
        if END_MARK.match(text):
            break
        if CREDIT.match(text):
            continue
        if not keep_links and len(text) <= BOILERPLATE_MAX and BOILERPLATE_LINE.match(text):
            continue
        if not keep_links and (block.chrome or (is_link_list(block) and block.tag not in HEADINGS)):
            continue
        stripped = TRAILING_END.sub("", text)
        if stripped:
            kept.append((block, stripped))
        if stripped != text:
            break
    if not keep_links:
        kept = _without_empty_sections(kept)
    return [Unit(_unit_kind(block), text) for block, text in kept]


HEADING_MAX = 100  # a "heading" this long is a paragraph set in a heading's style


def _without_empty_sections(kept: list[tuple[Block, str]]) -> list[tuple[Block, str]]:
    """Drop the headings of sections that have nothing left: what stood under "Mehr zum Thema"
    or "Related Coverage" was a link list and has gone, so the next unit is a heading of the
    same or a higher rank, or there is none. A heading that is itself a link (a related
    story's title) goes too when no text of its own follows it."""
    out: list[tuple[Block, str]] = []
    for i, (block, text) in enumerate(kept):
        if block.tag in HEADINGS and len(text) < HEADING_MAX:
            after = kept[i + 1][0] if i + 1 < len(kept) else None
            if after is None or (after.tag in HEADINGS and after.tag <= block.tag):
                continue
            own_text = after.tag not in HEADINGS and after.pos == block.pos + 1
            if i and block.link_density > LINK_LIMIT and not own_text:
                continue
        out.append((block, text))
    return out
