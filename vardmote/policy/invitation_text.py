"""What an invitation's text gives away: identity numbers, health words, names with addresses.

Invitations are written by people, in any editor, so the text is first brought to one form: Unicode
compatibility forms (full-width digits, ligatures) folded (NFKC), every dash and minus read as "-",
every space character (no-break, thin, narrow) as " ", and invisible characters (soft hyphens,
zero-width spaces) removed. Everything after works on that form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from vardmote.policy.settings import HealthWords, policy_settings

_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−﹘﹣－"), "-")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_INVISIBLE)
    return "".join(" " if unicodedata.category(char) == "Zs" else char for char in folded)


def text_fields(data: object) -> Iterator[tuple[str, str]]:
    """Every text field of an invitation: subject, body, description and whatever else it has."""
    if isinstance(data, dict):
        for field, value in data.items():
            if isinstance(value, str):
                yield str(field), value


# -- personnummer and samordningsnummer ---------------------------------------------------------------

# [CC]YYMMDD, a separator or none (- before 100 years of age, + after; people also write spaces, dots and
# slashes, and spaces around the dash), then NNNC. Digits right before or after make it another number.
_IDENTITY = re.compile(r"(?<![\d+])((?:18|19|20)?\d{6})(\s*[-+./]\s*|\s?)(\d{4})(?!\d)")
_PHONE_WORDS = re.compile(r"\b(tel|telefon|telefonnummer|ring|ringa|nummer|support|växel|sms|mobil|phone|call)\b", re.I)


@dataclass(frozen=True)
class IdentityNumber:
    kind: str  # "personnummer" or "samordningsnummer"
    checksum_ok: bool
    start: int
    masked: str  # the number's shape, every digit hidden: "••••••-••••"


def _luhn_ok(ten_digits: str) -> bool:
    total = 0
    for index, char in enumerate(ten_digits[:9]):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10 == int(ten_digits[9])


def _looks_like_phone(text: str, match: re.Match[str]) -> bool:
    """A Swedish phone number written without separators (0NNNNNNNNN) beside a word that says it is one."""
    digits = match.group(1) + match.group(3)
    if match.group(2).strip() or not digits.startswith("0") or len(digits) != 10:
        return False
    line_start = text.rfind("\n", 0, match.start()) + 1
    return bool(_PHONE_WORDS.search(text[max(line_start, match.start() - 40) : match.start()]))


def identity_numbers(text: str) -> list[IdentityNumber]:
    """Every number in `text` that has the shape and date of a personnummer or samordningsnummer (day + 60).
    A wrong check digit is still reported, as a likely identity number: a typo does not make it anonymous."""
    text = normalise(text)
    found = []
    for match in _IDENTITY.finditer(text):
        date_part, serial = match.group(1), match.group(3)
        month, day = int(date_part[-4:-2]), int(date_part[-2:])
        kind = "samordningsnummer" if day > 60 else "personnummer"
        real_day = day - 60 if day > 60 else day
        if not (1 <= month <= 12 and 1 <= real_day <= 31) or _looks_like_phone(text, match):
            continue
        masked = re.sub(r"\d", "•", match.group(0))
        found.append(IdentityNumber(kind, _luhn_ok(date_part[-6:] + serial), match.start(), masked))
    return found


# -- health words -------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


@dataclass(frozen=True)
class HealthWord:
    word: str  # as written
    term: str  # the listed root, abbreviation or word it matched


@cache
def _stemmers() -> tuple[object, object]:
    import snowballstemmer  # type: ignore[import-untyped]  # noqa: PLC0415 - only invitations need it

    return snowballstemmer.stemmer("swedish"), snowballstemmer.stemmer("english")


def _stem(word: str) -> tuple[str, str]:
    swedish, english = _stemmers()
    return swedish.stemWord(word), english.stemWord(word)  # type: ignore[attr-defined]


@cache
def _rules() -> tuple[HealthWords, frozenset[str], frozenset[str]]:
    rules = policy_settings().invitation.health_words
    words = frozenset(stem for word in rules.words for stem in _stem(word.lower()))
    neutral = frozenset(word.lower() for word in rules.neutral_words)
    return rules, words, neutral


def health_words(text: str) -> Iterator[HealthWord]:
    """Health words in `text`: a root anywhere in a word (inflections and compounds: "lungcancer",
    "diabetiker", "deprimerade"), a short word by its stem, an abbreviation in capitals (KOL, BUP)."""
    rules, stemmed_words, neutral = _rules()
    text = normalise(text)
    lowered = text.lower()
    for phrase in rules.neutral_phrases:  # "beroende på" means "depending on"
        lowered = re.sub(rf"\b{re.escape(phrase.lower())}\b", " " * len(phrase), lowered)
    for match in _WORD.finditer(lowered):
        word = match.group(0)
        original = text[match.start() : match.end()]
        if word in neutral:
            continue
        abbreviation = next((part for part in original.split("-") if part in rules.abbreviations), None)
        if abbreviation:  # in capitals only: "KOL-mottagningen", not "kol" (coal)
            yield HealthWord(abbreviation, abbreviation)
            continue
        root = next((r for r in rules.roots if r in word), None)
        if root is not None:
            if root in rules.ambiguous and word == root:
                continue  # bare "abort" is also the English "abort" (cancel); its Swedish forms are not
            yield HealthWord(original, root)
            continue
        stems = _stem(word)
        if any(stem in stemmed_words for stem in stems):
            yield HealthWord(original, word)


# -- names with addresses -----------------------------------------------------------------------------

_STREET = re.compile(
    r"\b[A-ZÅÄÖ][a-zåäöé]+(?:gatan|vägen|gränd|gränden|stigen|torget|allén|backen|leden|plan|väg|gata)"
    r"\s+\d+\s?[A-Za-z]?\b"
)
_POSTAL = re.compile(r"\b\d{3}\s?\d{2}\s+[A-ZÅÄÖ][a-zåäö]+")
# Two capitalised words in a row, found overlapping ("Hej Anna Andersson" holds "Anna Andersson").
_CAPITALISED_PAIR = re.compile(r"(?=(?<!\w)([A-ZÅÄÖ][a-zåäöé]+(?:-[A-ZÅÄÖ][a-zåäöé]+)?)\s+([A-ZÅÄÖ][a-zåäöé]+)\b)")
# Capitalised words that begin sentences in invitations and are no first names.
_SENTENCE_STARTERS = frozenset(
    {
        "Du",
        "Datum",
        "Tid",
        "Anslut",
        "Välj",
        "Frågor",
        "Klicka",
        "Hej",
        "Välkommen",
        "Mötet",
        "Om",
        "Vid",
        "Ditt",
        "Din",
    }
)


def name_with_address(text: str) -> str | None:
    """What shows that `text` names a person together with where they live, or None."""
    text = normalise(text)
    address = _STREET.search(text) or _POSTAL.search(text)
    if address is None:
        return None
    for pair in _CAPITALISED_PAIR.finditer(text):
        first, second = pair.groups()
        if (
            first in _SENTENCE_STARTERS
            or _STREET.match(f"{second} 1")
            or address.start() <= pair.start() < address.end()
        ):
            continue
        return "a street address" if address.re is _STREET else "a postal code and town"
    return None
