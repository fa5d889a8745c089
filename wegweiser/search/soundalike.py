"""Names and loanwords written in another script: "Аугсбург", "أوغسبورغ" and "Augsburg",
"Шпігельберг" and "Spiegelberg", "джобцентр" and "Jobcenter" sound alike and are spelt with
the same consonants. A word's sound key is its consonants by class (labials, dentals,
sibilants, velars and h, m, n, l, r), vowels, glides and doubled letters left out, so a query
word written in Cyrillic or Arabic letters that no offer has can meet the Latin spelling the
offers use (SearchService._with_soundalikes)."""
from __future__ import annotations

import re

from .analysis import fold

# Letter groups first, read as one sound: German "sch", "ck", English "sh", "ph"; a "c"
# before e, i or y is a sibilant (Celle, center), else a velar; Cyrillic "дж" is the English
# j, which Latin spellings leave as "j" (not a consonant class here, as German j is a glide).
# A dental before a sibilant (tz, ts, tsch, ц, تس) is read as the sibilant alone (sound_key).
_GROUPS = (("sch", "S"), ("sh", "S"), ("ck", "K"), ("ph", "F"), ("qu", "KF"), ("x", "KS"),
           ("дж", ""))
_C_BEFORE_FRONT_VOWEL = re.compile(r"c(?=[eiy])")
_CLASSES = {
    "B": "bpбпبپ",
    "F": "fvwфвفڤ",
    "T": "tdтдتدطضذث",
    "K": "kgcqhкгґхكقغخحهگک",
    "S": "szсзцшщжчسصزشژچ",
    "M": "mмم",
    "N": "nнن",
    "L": "lлل",
    "R": "rрر",
}
_CLASS_OF = {letter: cls for cls, letters in _CLASSES.items() for letter in letters}
# Arabic ج, like Latin j and Cyrillic дж, is no class: it writes the English j ("جوب سنتر",
# Jobcenter), while names write German g as غ.


def sound_key(word: str) -> str:
    """``word``'s consonants by class ("augsburg" → "KSBRK"); empty for a word without any."""
    text = fold(word.casefold())
    for group, cls in _GROUPS:
        text = text.replace(group, cls)
    text = _C_BEFORE_FRONT_VOWEL.sub("S", text)
    key: list[str] = []
    for char in text:
        cls = char if char in _CLASSES else _CLASS_OF.get(char)
        if cls == "S" and key and key[-1] == "T":
            key.pop()  # German z and Cyrillic ц are "ts", which Arabic writes تس: one sibilant
        if cls and (not key or key[-1] != cls):
            key.append(cls)
    return "".join(key)
