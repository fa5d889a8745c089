"""Evaluation helper: a plain Whoosh BM25F index to compare the search service against.

Not used by the application. Whoosh's own analyzers (Snowball stemming and stop words where
Whoosh has them for the language, else lower-casing only), one title and one body field per
language, Whoosh's BM25F scorer with its defaults and an OR of every analysed query word in every
field: what fifteen lines of Whoosh give anyone, so the benchmark can say whether the service's
own matching and ranking are worth their code.
"""
from __future__ import annotations

from whoosh import scoring
from whoosh.analysis import LanguageAnalyzer, StandardAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.lang import has_stemmer
from whoosh.query import Or, Term


def _analyzer(lang: str):
    return LanguageAnalyzer(lang) if has_stemmer(lang) else StandardAnalyzer()


class PlainBM25F:
    """``PlainBM25F(directory, languages)``, ``add(id, {lang: (title, body)})``, ``commit()``,
    then ``search(text, limit)`` → ids, best first."""

    def __init__(self, directory: str, languages: tuple[str, ...]):
        fields = {"id": ID(stored=True, unique=True)}
        for lang in languages:
            fields[f"title_{lang}"] = TEXT(analyzer=_analyzer(lang))
            fields[f"body_{lang}"] = TEXT(analyzer=_analyzer(lang))
        self.index = FileStorage(directory).create().create_index(Schema(**fields))
        self.writer = self.index.writer()
        self.searcher = None

    def add(self, doc_id: str, texts: dict[str, tuple[str, str]]) -> None:
        doc = {"id": doc_id}
        for lang, (title, body) in texts.items():
            doc[f"title_{lang}"], doc[f"body_{lang}"] = title, body
        self.writer.add_document(**doc)

    def commit(self) -> None:
        self.writer.commit()
        self.searcher = self.index.searcher(weighting=scoring.BM25F())

    def search(self, text: str, limit: int = 10) -> list[str]:
        schema = self.index.schema
        terms = [Term(name, token.text) for name in schema.names() if name != "id"
                 for token in schema[name].analyzer(text)]
        if not terms:
            return []
        return [hit["id"] for hit in self.searcher.search(Or(terms), limit=limit)]
