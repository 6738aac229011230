"""Homophone tolerance: a typo that sounds right (登纪 for 登记, 预越 for 预约, 检察 for 检查),
or that looks right (兔费 for 免费, written by hand), is read as the word the knowledge base
uses.

Residents type with pinyin input methods and dictate by voice; both pick the wrong character
of the right sound. A character pair of the question that the knowledge base never uses, but
whose toneless pinyin is that of a word the base does use, is replaced by that word. Known
pairs are never touched, so a question already in the base's words reads the same; and only
pairs from the base's own words (not across word boundaries) are offered, so a correction
always lands on a term that means something here. A pair inside a longer word of the general
dictionary is what it says (检察院 is the procuratorate, not a typo of 检查), and is kept.

The base's own texts hold typos too: residents' questions that staff attached as similar
questions ("生育登纪有啥用"). Their pairs are known but for what looks like a slip against what
staff wrote (see HomophoneCorrector); and a pair the base uses far less often than the word
pair it sounds like (TYPO_RATIO) is a typo, not a word of the base (检察 in one attached
question), and is corrected like any other.
"""
from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

# pypinyin's phrase table (tens of MB) only refines readings in context; the matcher needs a
# character's usual reading, so the table stays unloaded and a worker's memory as it was.
os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")
os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "true")

from pypinyin import Style, lazy_pinyin

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")
# 检察 once in what the base says, 检查 in hundreds of places: the rarer spelling of one sound
# is a slip of the keyboard when it is this many times rarer.
TYPO_RATIO = 20
# An attached question's pair is a slip only for a word pair the base's own texts say at
# least this often: 预约, 登记, 叶酸, not 我先 or 四个 (我想, 是个 are what they say).
SLIP_TARGET_SAID = 3
# A correction must make its run this much likelier as Chinese (natural log, ``plausible``):
# 登纪 → 登记 gains 10 to 30, 驳会 → 驳回 6, while 现在在这 → 现崽崽这 loses 40 and 一次只 →
# 一辞职 gains nothing. The matcher reads both forms and keeps the better, but a nonsense
# reading still competes, and sometimes wins.
MIN_GAIN = 3.0
# The longest of the base's words a correction is checked to land in.
LONG_WORD_MAX = 6


LOOKALIKES_FILE = Path(__file__).resolve().parent / "data" / "lookalikes.txt"


@lru_cache(maxsize=1)
def lookalikes() -> dict[str, str]:
    """Each character of data/lookalikes.txt and the characters that look like it."""
    table: dict[str, str] = {}
    for line in LOOKALIKES_FILE.read_text(encoding="utf-8").splitlines():
        group = line.strip()
        if group and not group.startswith("#"):
            for char in group:
                table[char] = table.get(char, "") + group.replace(char, "")
    return table


@lru_cache(maxsize=20000)
def char_pinyin(char: str) -> str:
    # The character's most common reading: what a pinyin keyboard offers first for a sound.
    return lazy_pinyin(char, style=Style.NORMAL, errors="default")[0]


# The distinctions many residents do not make (模糊音, an option of every pinyin keyboard):
# z/zh, c/ch, s/sh, n/l, an/ang, en/eng, in/ing. 更真 is typed for 更正.
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"))
_FUZZY_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))


def fuzzy(syllable: str) -> str:
    """``syllable`` with the fuzzy-sound pairs folded onto one."""
    for long, short in _FUZZY_INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long):]
            break
    for long, short in _FUZZY_FINALS:
        if syllable.endswith(long):
            return syllable[: -len(long)] + short
    return syllable


class HomophoneCorrector:
    def __init__(self, texts: Iterable[str], words: Iterable[str],
                 segment: Callable[[str], list[str]] | None = None,
                 terms: Iterable[str] = (), attached: Iterable[str] = (),
                 is_word: Callable[[str], bool] = lambda pair: False,
                 plausible: Callable[[str], float] | None = None):
        """``texts``: everything the base says, in question form (every pair in them is
        known, but for a far rarer spelling of a word pair's sound); ``words``: the base's
        words, whose pairs a typo may be corrected to; ``terms``: the field's terms, whose
        pairs are known however rare (孕前健康检查 is not a slip of 孕前检查); ``attached``:
        residents' questions the base holds as typed (similar questions), whose pairs are
        known but for slips: a pair that is no word (``is_word``), sounds like a word pair
        ``texts`` use (SLIP_TARGET_SAID), and neither of whose characters belongs to a word
        the segmenter finds there that ``texts`` use (预/越, 登/纪要). 预越, typed by many,
        is still a slip; 酸要 in 叶酸要 is not. ``plausible``: how likely a run of characters
        is as Chinese (log-probability); a correction must raise it by MIN_GAIN."""
        said: Counter = Counter()
        for text in texts:
            for run in _CJK_RUN.findall(text):
                said.update(run[i:i + 2] for i in range(len(run) - 1))
        self.known: set[str] = set()
        self.known_words: set[str] = set()
        self.word_pairs: set[str] = set()
        word_pairs = self.word_pairs
        by_sound: dict[tuple[str, str], Counter] = defaultdict(Counter)
        by_fuzzy: dict[tuple[str, str], Counter] = defaultdict(Counter)
        # Sorted, so that a tie between two words of one sound goes the same way in every
        # process (set order follows the per-process string hash).
        for word in sorted(set(words)):
            if not _CJK_RUN.fullmatch(word):
                continue
            self.known_words.add(word)
            # Both the reading in context, where pypinyin knows one, and each character's
            # usual one.
            in_context = lazy_pinyin(word, style=Style.NORMAL)
            for i in range(len(word) - 1):
                pair = word[i:i + 2]
                word_pairs.add(pair)
                by_sound[(in_context[i], in_context[i + 1])][pair] += 1
                by_sound[(char_pinyin(word[i]), char_pinyin(word[i + 1]))][pair] += 1
                by_fuzzy[(fuzzy(in_context[i]), fuzzy(in_context[i + 1]))][pair] += 1
        # Of one sound, the pair the base says most (叶酸, not an attached slip 叶算), then
        # the one most of its words hold.
        self.by_sound = {
            sound: min(pairs.items(), key=lambda item: (-said[item[0]], -item[1], item[0]))[0]
            for sound, pairs in by_sound.items()}
        # A fuzzy sound is corrected only where it points at one pair of the base's words:
        # folding merges more sounds, and a guess between two terms is no correction.
        self.by_fuzzy = {sound: next(iter(pairs)) for sound, pairs in by_fuzzy.items()
                         if len(pairs) == 1}
        self.known.update(term[i:i + 2] for term in terms for i in range(len(term) - 1))
        for pair in word_pairs | said.keys():
            meant = self._replacement(pair)
            if meant in (None, pair):
                self.known.add(pair)
            elif said[pair]:
                if said[meant] < said[pair] * TYPO_RATIO:
                    self.known.add(pair)
            elif said[meant] < SLIP_TARGET_SAID:
                # A pair staff never wrote comes from a resident's variant the synonym table
                # lists (必孕套, 避运套 for 避孕套): it is known as what it sounds like,
                # not as a word, so 必孕药具 is still 避孕药具. The attached questions' pairs
                # are learnt one by one (_learn).
                self.known.add(pair)
        self.segment = segment
        self.plausible = plausible
        for text in attached:
            self._learn(text, is_word, said)

    def correct(self, text: str) -> str:
        """``text`` with unknown character pairs replaced by the base's pair of the same
        sound; the same object back when nothing changed."""
        if not self.by_sound:
            return text
        changed = False
        pieces = []
        last = 0
        for match in _CJK_RUN.finditer(text):
            chars = list(match.group(0))
            protected = None
            likelihood = None
            for i in range(len(chars) - 1):
                pair = chars[i] + chars[i + 1]
                if pair in self.known:
                    continue
                replacement = self._replacement(pair)
                if replacement is None:
                    continue
                if protected is None:
                    protected = self._inside_long_words(match.group(0))
                if i in protected or i + 1 in protected:
                    continue
                candidate = [*chars[:i], replacement[0], replacement[1], *chars[i + 2:]]
                if self.plausible is not None:
                    if likelihood is None:
                        likelihood = self.plausible("".join(chars))
                    gained = self.plausible("".join(candidate))
                    # The base's own long words (发放机, a resident's name for 发放点) are
                    # not all in jieba's dictionary: landing inside one is reason enough.
                    if gained - likelihood < MIN_GAIN and not self._lands_in_long_word(
                            candidate, i):
                        continue
                    likelihood = gained
                chars = candidate
                changed = True
            pieces.append(text[last:match.start()])
            pieces.append("".join(chars))
            last = match.end()
        if not changed:
            return text
        pieces.append(text[last:])
        return "".join(pieces)

    def _learn(self, text: str, is_word: Callable[[str], bool], said: Counter) -> None:
        """Know the pairs of an attached question but for its slips."""
        for run in _CJK_RUN.findall(text):
            in_words: set[int] | None = None
            for i in range(len(run) - 1):
                pair = run[i:i + 2]
                if pair in self.known:
                    continue
                meant = self._replacement(pair)
                if meant is None or said[meant] < SLIP_TARGET_SAID:
                    self.known.add(pair)
                    continue
                if is_word(pair):
                    # 检察 is a word, but not the one a question about checks means.
                    if said[meant] < max(1, said[pair]) * TYPO_RATIO:
                        self.known.add(pair)
                    continue
                if in_words is None:
                    in_words = self._inside_words_said(run, said)
                if i in in_words or i + 1 in in_words:
                    self.known.add(pair)

    def _inside_words_said(self, run: str, said: Counter) -> set[int]:
        """Positions of ``run`` inside words the segmenter finds in it that the base's own
        texts use."""
        if self.segment is None:
            return set(range(len(run)))
        positions: set[int] = set()
        start = 0
        for word in self.segment(run):
            if len(word) > 1 and all(said[word[i:i + 2]] for i in range(len(word) - 1)):
                positions.update(range(start, start + len(word)))
            start += len(word)
        return positions

    def _lands_in_long_word(self, chars: list[str], i: int) -> bool:
        """Whether the pair at ``i`` of ``chars`` lies inside a word of the base of three
        characters or more."""
        for length in range(3, LONG_WORD_MAX + 1):
            for start in range(max(0, i + 2 - length), min(i, len(chars) - length) + 1):
                if "".join(chars[start:start + length]) in self.known_words:
                    return True
        return False

    def _replacement(self, pair: str) -> str | None:
        """The base's word pair that ``pair`` sounds like, or else looks like, if any."""
        first, second = char_pinyin(pair[0]), char_pinyin(pair[1])
        return self.by_sound.get((first, second)) or self.by_fuzzy.get(
            (fuzzy(first), fuzzy(second))) or self._looks_like(pair)

    def _looks_like(self, pair: str) -> str | None:
        """The base's word pair that ``pair`` is with one character swapped for one that
        looks like it (兔费 → 免费); the first in the table's order where several are."""
        table = lookalikes()
        for position in (0, 1):
            for other in table.get(pair[position], ""):
                swapped = pair[:position] + other + pair[position + 1:]
                if swapped in self.word_pairs:
                    return swapped
        return None

    def _inside_long_words(self, run: str) -> set[int]:
        """Positions of ``run`` inside words of three characters or more that the base does
        not use: real words of something else, not typos."""
        if self.segment is None:
            return set()
        positions: set[int] = set()
        start = 0
        for word in self.segment(run):
            if len(word) >= 3 and word not in self.known_words:
                positions.update(range(start, start + len(word)))
            start += len(word)
        return positions
