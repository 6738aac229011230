"""Questions typed in pinyin ("yesuan zai nali ling", "生育dengji要带啥") read as characters.

Residents on old phones, or with an input method they have not mastered, send the letters
they typed without picking the characters. A run of letters that spells two or more syllables
is read as the base's own words and character pairs of that sound: of the spellings the base
can make, the few made of the fewest and commonest pieces are kept, and of those the one
likeliest as Chinese and as the base's is taken (我老公要去吗, not 我老工要取码). Capitals
typed as such (NT, HCG, B超) are abbreviations and stay; so does a run that is not pinyin
through and through (ok, app, lg, yyds) and a single syllable (ai, an), which is as likely
English as Chinese.
"""
from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from wxapp.faq.homophones import char_pinyin

_LETTERS = re.compile(r"[A-Za-z][A-Za-z' ]*[A-Za-z]|[A-Za-z]")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_CJK_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{1,6}")
MIN_SYLLABLES = 2
# The characters either side of a syllable typed inside a word that are read with it.
CONTEXT = 3
_CJK_BEFORE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+$")
_CJK_AFTER = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+")
# Spellings of one sound kept per word, and partial readings kept per position: enough for the
# likeliest reading to be among them, few enough to stay well under a millisecond.
SPELLINGS_KEPT = 4
BEAM = 8
# How much the base's own words count against jieba's general likelihood: its dictionary does
# not know the field's words (孕检 reads less likely than 孕建 there).
BASE_WEIGHT = 2.0
# Interjections whose spelling is a lone consonant (嗯 n, 呣 m): read as one, every n of "nali"
# would be a word.
_NOT_SYLLABLES = frozenset({"n", "m", "ng", "hm", "hng", "r"})


class PinyinReader:
    def __init__(self, pieces: Mapping[str, float], texts: Iterable[str],
                 plausible: Callable[[str], float] | None = None):
        """``pieces``: the base's words and character pairs, each with how many of its
        phrasings say it (the commonest's share is taken as 1); ``texts``: what the base says
        (its characters are pieces too, as often as it says them); ``plausible``: how likely
        a run of characters is as Chinese."""
        said: Counter = Counter()
        for text in texts:
            said.update(_CJK.findall(text))
        # A piece weighs the log of how often it is said among its kind, so that a reading of
        # more pieces is less likely: fewer, longer words first, as an input method offers.
        offered: dict[str, list[tuple[float, str]]] = {}
        chars_said = sum(said.values()) or 1
        for char, count in said.items():
            self._offer(offered, char_pinyin(char), char, count / chars_said)
            # Northern speech adds 儿 and types it as an r: nar is 哪儿, zher 这儿.
            self._offer(offered, char_pinyin(char) + "r", char + "儿", count / chars_said / 10)
        most = max(pieces.values(), default=0.0) or 1.0
        for piece, count in pieces.items():
            if len(piece) > 1 and _CJK_WORD.fullmatch(piece):
                self._offer(offered, "".join(char_pinyin(c) for c in piece), piece,
                            count / most)
        # Every character the base says, by its sound: a syllable inside a word is read as
        # one of them, whichever makes the likeliest word with the characters around it.
        self.chars_by_sound: dict[str, list[str]] = {}
        for char in sorted(said):
            spelling = char_pinyin(char)
            if spelling.isascii() and spelling.isalpha() and spelling not in _NOT_SYLLABLES:
                self.chars_by_sound.setdefault(spelling, []).append(char)
        self.words = {piece: count for piece, count in pieces.items() if len(piece) > 1
                      and _CJK_WORD.fullmatch(piece)}
        self.spellings = {spelling: heapq.nlargest(SPELLINGS_KEPT, words)
                          for spelling, words in offered.items()}
        self.longest = max((len(s) for s in self.spellings), default=0)
        self.plausible = plausible

    @staticmethod
    def _offer(offered: dict, spelling: str, piece: str, share: float) -> None:
        if spelling.isascii() and spelling.isalpha() and share > 0 \
                and spelling not in _NOT_SYLLABLES:
            offered.setdefault(spelling, []).append((math.log(share), piece))

    def read(self, text: str) -> str:
        """``text`` with its runs of pinyin in characters; the same object when none is."""
        if not self.spellings or not any("a" <= c.lower() <= "z" for c in text):
            return text
        return _LETTERS.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        run = match.group(0)
        letters = run.replace(" ", "").replace("'", "")
        if any(c.isupper() for c in letters[1:]):
            return run  # NT, HCG, TORCH: abbreviations
        # One syllable joined to characters is a character of a word; read alone, it could be
        # spelled as two (huan as hu + an).
        reading = self._in_context(match) or self._spell(letters.lower())
        if reading is not None:
            return reading
        # "byt zai nar ling": the words that are pinyin are read, the others stay as typed.
        out, group = [], []
        for token in [*run.split(" "), None]:
            if token is not None and self._spell(token.replace("'", "").lower(), 1):
                group.append(token)
                continue
            if group:
                joined = " ".join(group)
                read = self._spell(joined.replace(" ", "").replace("'", "").lower())
                out.append(read if read is not None else joined)
                group = []
            if token is not None:
                out.append(token)
        return " ".join(out)

    def _in_context(self, match: re.Match) -> str | None:
        """A syllable typed inside a word (deng记, 避yun药, 领取ma): the input method did not
        offer the character, so the resident sent the letters. Alone a syllable may be
        English; joined to characters it is the character of that sound that reads likeliest
        with them (登记, 避孕药, 领取码)."""
        run, text = match.group(0), match.string
        chars = self.chars_by_sound.get(run.lower())
        if not chars or len(run) < 2:
            return None
        left = "".join(_CJK_BEFORE.findall(text[max(0, match.start() - CONTEXT):match.start()]))
        right = "".join(_CJK_AFTER.findall(text[match.end():match.end() + CONTEXT]))
        if not (left or right):
            return None
        plausible = self.plausible or (lambda _chars: 0.0)

        def made(char: str) -> tuple[int, float]:
            # The longest of the base's words the character makes with its neighbours, and
            # how often the base says it (运检, an attached slip, is said far less than 孕检).
            return max(((b + 1 + a, self.words[word])
                        for b in range(len(left) + 1) for a in range(len(right) + 1)
                        if b + a and (word := left[len(left) - b:] + char + right[:a])
                        in self.words), default=(0, 0.0))

        return max(chars, key=lambda char: (made(char), plausible(left + char + right)))

    def _spell(self, letters: str, syllables: int = MIN_SYLLABLES) -> str | None:
        """The likeliest reading of ``letters`` in the base's pieces, if it is pinyin through
        and through and at least ``syllables`` long."""
        n = len(letters)
        # At each position, the best few partial readings: (score, characters).
        partial: list[list[tuple[float, str]]] = [[] for _ in range(n + 1)]
        partial[0] = [(0.0, "")]
        for start in range(n):
            if not partial[start]:
                continue
            for end in range(start + 1, min(n, start + self.longest) + 1):
                for weight, piece in self.spellings.get(letters[start:end], ()):
                    for score, chars in partial[start]:
                        partial[end].append((score + weight, chars + piece))
            for end in range(start + 1, min(n, start + self.longest) + 1):
                if len(partial[end]) > BEAM:
                    partial[end] = heapq.nlargest(BEAM, partial[end])
        readings = [(score, chars) for score, chars in partial[n] if len(chars) >= syllables]
        if not readings:
            return None
        # Likely as Chinese and as the base's: 哪里领 over 哪里令, 没有货了 over 没有或了.
        plausible = self.plausible or (lambda _chars: 0.0)
        return max(readings, key=lambda reading: plausible(reading[1])
                   + BASE_WEIGHT * reading[0])[1]
