"""Tantivy (an embedded Rust search library) with jieba's Chinese word segmentation: dev, demo, tests, benchmarks.

Whoosh, pure Python, scores and counts every hit of a query in the worker: "手机" over 100 000 SKUs (40 000
hits) took seconds a page. Tantivy does the same in native code in well under a millisecond, counts included,
so every page answers its exact count with a single query.

Tantivy's tokenizers cannot run Python, so the text is cut by jieba here (`cut_for_search`: every dictionary
word, overlapping ones too, so "智能手机" is found by "手机" and by "智能手机") and handed over as words
separated by spaces; the index splits on spaces and lowercases. A search cuts what the shopper typed with
jieba's precise mode and asks for all of its words.

Only one process at a time may write to the index (tantivy's lock file): a writer that finds it taken waits
and retries for `WRITER_WAIT_SECONDS`. Searches need no lock; a reader sees another process's commit within
about a second (tantivy watches the index's meta file), its own at once.
"""

import functools
import json
import logging
import os
import re
import shutil
import threading
import time

import haystack
import jieba
import tantivy
from django.utils.encoding import force_str
from haystack.backends import BaseEngine, BaseSearchBackend, BaseSearchQuery
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.inputs import BaseInput
from haystack.models import SearchResult
from haystack.utils import get_identifier, get_model_ct

from meiduo_mall.apps.goods.exceptions import SearchUnavailable
from meiduo_mall.apps.goods.search.services import ShopperQuery, normal_terms

# Loaded here, at import, so that a uwsgi master that imports the URL table loads the dictionary once for all
# of its workers instead of each worker on its first search.
jieba.setLogLevel(logging.WARNING)
jieba.initialize()

WORDS_TOKENIZER = "meiduo_words"
STORED_FIELD = "_stored"
WRITER_HEAP_BYTES = 64 * 1024 * 1024
REBUILD_HEAP_BYTES = 256 * 1024 * 1024
WRITER_WAIT_SECONDS = 10
# Hits within this many of the best are ordered by relevance (scores equal to 0.1), then by sales; deeper pages
# keep the engine's order, the same set of hits either way. Each costs a stored-document read (about 1 ms for
# 40 on page 1), so the window is two pages of 20.
RANKED_BY_SALES = 40
# A word that has neither a letter nor a digit (punctuation, spaces) is never indexed nor asked for.
WORD_CHARACTER = re.compile(r"[^\W_]")


@functools.lru_cache(maxsize=200_000)
def chunk_words(chunk):
    return " ".join(
        term
        for word in jieba.cut_for_search(chunk.upper())
        if WORD_CHARACTER.search(word)
        for term in normal_terms(word)
    )


def index_words(text):
    """Every word jieba finds in `text`, lowercased, in order, joined by spaces.

    jieba cuts the runs between spaces independently anyway, so each run is cut once per process and
    remembered: brands, categories, captions and product names repeat across a catalog's SKUs, and cutting
    was most of the time of an index build.
    """
    return " ".join(words for words in map(chunk_words, force_str(text).split()) if words)


def query_words(text):
    """The words of what a shopper typed (jieba's precise cut), lowercased, without quotes or backslashes."""
    words = (word.lower().replace('"', "").replace("\\", "") for word in jieba.cut(force_str(text)))
    return [word for word in words if WORD_CHARACTER.search(word)]


class TantivySearchBackend(BaseSearchBackend):
    """haystack's backend interface over one tantivy index directory (`PATH`)."""

    _indexes = {}
    _indexes_lock = threading.Lock()

    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.path = connection_options["PATH"]
        self.content_field_name = None
        self.text_fields = set()
        self.setup_complete = False

    def build_schema(self, fields):
        builder = tantivy.SchemaBuilder()
        for name in (ID, DJANGO_CT, DJANGO_ID):
            builder.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
        # What a hit shows, as one JSON document: the indexed text fields hold words, not the shown text.
        builder.add_bytes_field(STORED_FIELD, stored=True, indexed=False)
        content_field_name, text_fields = None, set()
        for field in fields.values():
            if field.document:
                content_field_name = field.index_fieldname
            if field.indexed and field.field_type in (None, "string", "edge_ngram", "ngram"):
                text_fields.add(field.index_fieldname)
                builder.add_text_field(field.index_fieldname, tokenizer_name=WORDS_TOKENIZER, index_option="freq")
        return content_field_name, text_fields, builder.build()

    def setup(self):
        unified_index = haystack.connections[self.connection_alias].get_unified_index()
        self.content_field_name, self.text_fields, schema = self.build_schema(unified_index.all_searchfields())
        self.index = self.open_index(schema)
        self.setup_complete = True

    def open_index(self, schema):
        """One tantivy Index per directory and process: its reader follows commits and is shared by threads."""
        with self._indexes_lock:
            index = self._indexes.get(self.path)
            if index is None or index.schema != schema:
                os.makedirs(self.path, exist_ok=True)
                if tantivy.Index.exists(self.path) and tantivy.Index.open(self.path).schema != schema:
                    # An index of another schema (fields added to SKUIndex) cannot be read: start afresh and
                    # let `build_search_index --rebuild` fill it.
                    shutil.rmtree(self.path)
                    os.makedirs(self.path)
                index = tantivy.Index(schema, path=self.path, reuse=True)
                index.register_tokenizer(
                    WORDS_TOKENIZER,
                    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
                    .filter(tantivy.Filter.lowercase())
                    .build(),
                )
                self._indexes[self.path] = index
            return index

    def ensure_setup(self):
        if not self.setup_complete:
            self.setup()

    def writer(self, heap_bytes=WRITER_HEAP_BYTES):
        """The index's only writer; another process holding it is waited for."""
        self.ensure_setup()
        deadline = time.monotonic() + WRITER_WAIT_SECONDS
        while True:
            try:
                return self.index.writer(heap_size=heap_bytes, num_threads=1)
            except ValueError as exc:
                if time.monotonic() > deadline:
                    raise SearchUnavailable(f"tantivy index {self.path!r} is locked by another writer: {exc}") from exc
                time.sleep(0.05)

    def document(self, index, obj):
        prepared = index.full_prepare(obj)
        doc = tantivy.Document()
        for name in (ID, DJANGO_CT, DJANGO_ID):
            doc.add_text(name, force_str(prepared[name]))
        shown = {}
        for name, value in prepared.items():
            if name in (ID, DJANGO_CT, DJANGO_ID) or value is None:
                continue
            if name in self.text_fields:
                doc.add_text(name, index_words(value))
            shown[name] = value if isinstance(value, (int, float, bool, str)) else force_str(value)
        doc.add_bytes(STORED_FIELD, json.dumps(shown, ensure_ascii=False).encode())
        return prepared[ID], doc

    def write(self, writer, index, iterable):
        """Replace the documents of `iterable`'s objects; the caller commits. Returns how many were written."""
        written = 0
        for obj in iterable:
            identifier, doc = self.document(index, obj)
            writer.delete_documents_by_term(ID, identifier)
            writer.add_document(doc)
            written += 1
        return written

    def commit(self, writer):
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def update(self, index, iterable, commit=True):
        writer = self.writer()
        try:
            self.write(writer, index, iterable)
        except BaseException:
            writer.rollback()
            raise
        self.commit(writer)

    def rebuild(self, index, iterable):
        """The whole index anew from `iterable` in one writer and one commit: searches see the old index until
        the new one is complete. Returns how many documents were written."""
        writer = self.writer(REBUILD_HEAP_BYTES)
        try:
            writer.delete_documents_by_term(DJANGO_CT, get_model_ct(index.get_model()))
            written = self.write(writer, index, iterable)
        except BaseException:
            writer.rollback()
            raise
        self.commit(writer)
        return written

    def remove(self, obj_or_string, commit=True):
        writer = self.writer()
        writer.delete_documents_by_term(ID, get_identifier(obj_or_string))
        self.commit(writer)

    def clear(self, models=None, commit=True):
        writer = self.writer()
        if models:
            for model in models:
                writer.delete_documents_by_term(DJANGO_CT, get_model_ct(model))
        else:
            writer.delete_all_documents()
        self.commit(writer)

    def search(
        self,
        query_string,
        start_offset=0,
        end_offset=None,
        models=None,
        narrow_queries=None,
        result_class=None,
        **kwargs,
    ):
        if end_offset is not None and end_offset <= start_offset:
            return {"results": [], "hits": 0}
        indexed_models = set(haystack.connections[self.connection_alias].get_unified_index().get_indexed_models())
        if not models and kwargs.get("limit_to_registered_models", True):
            models = indexed_models
        if models and set(models) >= indexed_models:
            # The index holds documents of indexed models only: narrowing to all of them is a wasted intersection.
            models = None
        try:
            self.ensure_setup()
            query = self.index.parse_query(query_string, [self.content_field_name])
            clauses = [(tantivy.Occur.Must, query)]
            for narrow in narrow_queries or ():
                clauses.append((tantivy.Occur.Must, self.index.parse_query(narrow, [self.content_field_name])))
            if models:
                types = [
                    (tantivy.Occur.Should, tantivy.Query.term_query(self.index.schema, DJANGO_CT, get_model_ct(model)))
                    for model in models
                ]
                clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(types)))
            searcher = self.index.searcher()
            # No hit lies past the index's last document, so the window stops there: one sized by a far page
            # (any page number a client sends) overflows tantivy's allocation, a panic or an abort of the process.
            total = max(searcher.num_docs, 1)
            offset = min(start_offset, total)
            limit = max((total if end_offset is None else min(end_offset, total)) - offset, 1)
            query = tantivy.Query.boolean_query(clauses)
            if offset + limit <= RANKED_BY_SALES:
                # The first pages: the best hits, equally relevant ones the best-selling first.
                found = searcher.search(query, limit=min(RANKED_BY_SALES, total), count=True)
                ranked = [
                    self.search_result(searcher.doc(address), score, result_class) for score, address in found.hits
                ]
                ranked.sort(key=lambda result: (-round(result.score, 1), -int(getattr(result, "sales", 0) or 0)))
                results = ranked[offset : offset + limit]
            else:
                found = searcher.search(query, limit=limit, offset=offset, count=True)
                results = [
                    self.search_result(searcher.doc(address), score, result_class) for score, address in found.hits
                ]
        except (OSError, ValueError) as exc:
            raise SearchUnavailable(f"tantivy index {self.path!r}: {exc}") from exc
        return {"results": results, "hits": found.count, "facets": {}, "spelling_suggestion": None}

    def search_result(self, doc, score, result_class):
        app_label, model_name = doc[DJANGO_CT][0].split(".")
        shown = json.loads(doc[STORED_FIELD][0])
        fields = haystack.connections[self.connection_alias].get_unified_index().fields
        for name, value in shown.items():
            if name in fields and hasattr(fields[name], "convert"):
                shown[name] = fields[name].convert(value)
        return (result_class or SearchResult)(app_label, model_name, doc[DJANGO_ID][0], score, **shown)


class TantivySearchQuery(BaseSearchQuery):
    """Writes haystack's filters in tantivy's query language: every word of a value is a required term."""

    def build_query_fragment(self, field, filter_type, value):
        if filter_type not in ("content", "contains", "exact", "in"):
            raise ValueError(f"the tantivy backend does not filter with {filter_type!r}")
        self.backend.ensure_setup()
        if isinstance(value, ShopperQuery):
            return self.shopper_fragment(field, value)
        if isinstance(value, BaseInput):
            value = value.query_string
        values = value if filter_type == "in" else [value]
        field_name = self.backend.content_field_name if field == "content" else field
        if field_name in (ID, DJANGO_CT, DJANGO_ID):
            terms = [force_str(item).replace('"', "").replace("\\", "") for item in values]
        else:
            terms = [word for item in values for word in query_words(item)]
        if not terms:
            # Nothing that can be a word (punctuation only): a term that no document holds.
            terms = ["_"]
        joiner = " OR " if filter_type == "in" else " AND "
        return "(" + joiner.join(f'{field_name}:"{term}"' for term in terms) + ")"

    def shopper_fragment(self, field, value):
        """Every word typed (any word, for the fallback) as one of its alternatives, each alternative's terms all
        required: (apple OR 苹果) AND (手机 OR 电话 OR (移动 AND 电话))."""
        field_name = self.backend.content_field_name if field == "content" else field

        def alternative(terms):
            return "(" + " AND ".join(f'{field_name}:"{term}"' for term in terms) + ")"

        groups = ["(" + " OR ".join(map(alternative, group)) + ")" for group in value.groups()]
        if not groups:
            # Nothing that can be a word (punctuation only): a term that no document holds.
            groups = [f'{field_name}:"_"']
        return "(" + (" OR " if value.any_word else " AND ").join(groups) + ")"


class TantivyEngine(BaseEngine):
    backend = TantivySearchBackend
    query = TantivySearchQuery
