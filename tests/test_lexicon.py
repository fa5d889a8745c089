"""Translations learned from the directory's own translated offers (search/lexicon.py): how
they are learned, kept with an index generation, and used so that a question in one language
finds an offer nobody has translated into it."""
from __future__ import annotations

import json

from wegweiser import db
from wegweiser.search import SearchQuery, lexicon, search_service
from wegweiser.search.analysis import language_analyzer
from wegweiser.services.directory import offers_by_ids

from .helpers import import_and_index


def terms(text: str, lang: str) -> list[str]:
    return [t.text for t in language_analyzer(lang)(text)]


def term(word: str, lang: str) -> str:
    (only,) = terms(word, lang)
    return only


def test_translated_fields_pair_line_by_line_or_as_a_whole():
    german = {"title": "Wohnung", "description": "Zeile eins\nZeile zwei", "summary": "a\nb"}
    arabic = {"title": "شقة", "description": "السطر الأول\n\nالسطر الثاني", "summary": "ا"}
    assert lexicon.aligned_units(german, arabic) == [
        ("Wohnung", "شقة"), ("Zeile eins", "السطر الأول"), ("Zeile zwei", "السطر الثاني"),
        ("a\nb", "ا")]
    assert lexicon.aligned_units({"title": "Wohnung"}, {"description": "شقة"}) == []


# Lines about a piano, a balcony and a course, in German and Arabic, over three offers; words
# the thesaurus does not know, so only learning can connect them.
LINES = [
    ("Wir spielen zusammen Klavier", "نعزف البيانو معا"),
    ("Das Klavier steht im Saal", "البيانو في القاعة"),
    ("Treffen auf dem Balkon", "لقاء على الشرفة"),
    ("Der Balkon ist groß", "الشرفة كبيرة"),
    ("Ein neues Klavier für alle", "بيانو جديد للجميع"),
    ("Kurs am Montag", "دورة يوم الاثنين"),
]


def translated_offers() -> list[dict]:
    offers = []
    for start in range(0, len(LINES), 2):
        pair = LINES[start:start + 2]
        offers.append({"de": {"description": "\n".join(de for de, _ in pair)},
                       "ar": {"description": "\n".join(ar for _, ar in pair)}})
    offers.append({"de": {"description": "Nur Deutsch: Klavier, Balkon"}})
    return offers


def test_words_that_keep_meeting_in_aligned_lines_are_learned_as_translations():
    learned = lexicon.learn(translated_offers(), terms)
    arabic = learned["ar"]
    assert ("de", term("Klavier", "de")) in arabic[term("بيانو", "ar")]
    assert ("de", term("Balkon", "de")) in arabic[term("الشرفة", "ar")]
    # "Kurs" and "دورة" meet in one line only: too little to go on.
    assert term("دورة", "ar") not in arabic
    # Each word keeps its best translation per language, and German words get theirs too.
    assert all(len({lang for lang, _ in pairs}) == len(pairs) for pairs in arabic.values())
    assert ("ar", term("الشرفة", "ar")) in learned["de"][term("Balkon", "de")]


def test_a_lexicon_is_kept_as_json_and_a_missing_or_damaged_one_is_empty(tmp_path):
    learned = lexicon.learn(translated_offers(), terms)
    lexicon.save(learned, tmp_path)
    assert lexicon.load(tmp_path) == learned
    (tmp_path / lexicon.LEXICON_FILE).write_text("{not json")
    assert lexicon.load(tmp_path) == {}
    (tmp_path / lexicon.LEXICON_FILE).write_text(json.dumps(
        {"ar": {"شق": [["de", "wohnung"], ["de"], [1, 2], "x"], "x": 3}, "de": []}))
    assert lexicon.load(tmp_path) == {"ar": {"شق": [("de", "wohnung")]}}
    assert lexicon.load(tmp_path / "missing") == {}


def offer(key: str, texts: dict[str, tuple[str, str]]) -> dict:
    return {"id": key, "organisation": "verein", "original_language": "de",
            "title": {lang: title for lang, (title, _) in texts.items()},
            "description": {lang: body for lang, (_, body) in texts.items()},
            "categories": ["social-counselling"], "citywide": True}


def test_an_arabic_question_finds_an_offer_only_written_in_german(app, tmp_path):
    offers = [offer(f"translated-{n}", {
        "de": (f"Beratung {n}", f"{LINES[2 * n][0]}\n{LINES[2 * n + 1][0]}"),
        "ar": (f"استشارة {n}", f"{LINES[2 * n][1]}\n{LINES[2 * n + 1][1]}")}) for n in range(3)]
    offers.append(offer("only-german", {"de": ("Musikschule", "Unterricht am Klavier")}))
    # Has an Arabic text without the word: a translation is no reason to find it.
    offers.append(offer("arabic-without-the-word", {
        "de": ("Klavier und Gesang", "Wir üben am Klavier"),
        "ar": ("الغناء", "نتدرب على الغناء")}))
    import_and_index(app, tmp_path, offers)
    with app.app_context():
        service = search_service()
        generation = service.store.current_generation()
        learned = lexicon.load(service.store.root / generation)
        assert ("de", term("Klavier", "de")) in learned["ar"][term("بيانو", "ar")]

        def found(text: str) -> list[str]:
            result = service.search(SearchQuery(text=text, locale="ar"), db.session())
            return [o.external_id for o in offers_by_ids(db.session(), result.offer_ids)]

        piano = found("بيانو")
        assert piano[:2] in (["translated-0", "translated-2"], ["translated-2", "translated-0"]), \
            "offers with the word itself first"
        assert piano[2:] == ["only-german"], "then the one found through the translation"
        # A word with no translation learned finds only what has it.
        assert found("يوم") == ["translated-2"]
