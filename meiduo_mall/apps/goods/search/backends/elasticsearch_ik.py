"""Elasticsearch 7 with the IK Chinese analysis plugin, for production.

haystack's stock Elasticsearch 7 backend maps text with `snowball`, which cuts Chinese into single
characters, so "手机" also finds "手表" and "机油". Here every text field is indexed with `ik_max_word`
(every dictionary word IK finds, overlapping ones included) and searched with `ik_smart` (the coarsest
split of what the shopper typed), so a query asks for whole words of a name.

The engine needs the IK plugin of the cluster's exact version (`elasticsearch-plugin install`); an index
created without it is refused by Elasticsearch ("analyzer [ik_max_word] has not been configured").

A search also reads the shop's brand aliases and synonyms (back office 品牌别名, 搜索同义词): the search analyzer
is `ik_smart` followed by a `synonym_graph` filter built from the same lists as the embedded engine's
(goods/search/services.py), written into the index's settings when it is created. Analyzers of an open
index cannot change, so edits reach Elasticsearch with `manage.py build_search_index --rebuild`.
"""

import copy

import elasticsearch
import haystack
from elasticsearch.exceptions import RequestError
from haystack.backends.elasticsearch7_backend import Elasticsearch7SearchBackend, Elasticsearch7SearchEngine
from haystack.constants import ID

from meiduo_mall.apps.goods.exceptions import SearchUnavailable
from meiduo_mall.apps.goods.search.services import synonym_rules

INDEX_ANALYZER = "ik_max_word"
SEARCH_TOKENIZER = "ik_smart"
SEARCH_ANALYZER = "ik_smart_synonyms"
SYNONYM_FILTER = "meiduo_synonyms"


def index_settings(default_settings):
    """haystack's index settings plus the search analyzer: IK's coarsest cut, lowercased, with the synonyms."""
    settings = copy.deepcopy(default_settings)
    analysis = settings.setdefault("analysis", {})
    # lenient: a rule IK cuts into nothing (punctuation) is skipped rather than refusing the whole index.
    analysis.setdefault("filter", {})[SYNONYM_FILTER] = {
        "type": "synonym_graph",
        "synonyms": synonym_rules(),
        "lenient": True,
    }
    analysis.setdefault("analyzer", {})[SEARCH_ANALYZER] = {
        "type": "custom",
        "tokenizer": SEARCH_TOKENIZER,
        "filter": ["lowercase", SYNONYM_FILTER],
    }
    return settings


class IKElasticsearchSearchBackend(Elasticsearch7SearchBackend):
    """haystack's Elasticsearch 7 backend with IK analyzers; an engine failure always reaches the caller.

    SILENTLY_FAIL is ignored: haystack's default (True) answers a search with no hits while the cluster is
    down and hides a refused index creation.
    """

    DEFAULT_FIELD_MAPPING = {"type": "text", "analyzer": INDEX_ANALYZER, "search_analyzer": SEARCH_ANALYZER}

    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.silently_fail = False

    def build_schema(self, fields):
        content_field_name, mapping = super().build_schema(fields)
        # Every document carries haystack's "goods.sku.<pk>" id; unmapped, Elasticsearch would analyze it.
        mapping[ID] = {"type": "keyword"}
        for field_mapping in mapping.values():
            # haystack turns unindexed and facet fields into keywords and drops `analyzer` only.
            if field_mapping["type"] == "keyword":
                field_mapping.pop("search_analyzer", None)
        return content_field_name, mapping

    def setup(self):
        """Create the index with its settings and mapping in one request, or bring the mapping up to date.

        haystack creates the index first and puts the mapping afterwards, ignoring a refused creation;
        one request lets Elasticsearch refuse a mapping it cannot serve (no IK plugin) loudly.
        """
        unified_index = haystack.connections[self.connection_alias].get_unified_index()
        self.content_field_name, field_mapping = self.build_schema(unified_index.all_searchfields())
        mapping = self._get_current_mapping(field_mapping)
        if not self.conn.indices.exists(index=self.index_name):
            try:
                self.conn.indices.create(
                    index=self.index_name, settings=index_settings(self.DEFAULT_SETTINGS["settings"]), mappings=mapping
                )
            except RequestError as exc:
                # Another process created it between our check and our request: compare mappings instead.
                if exc.error != "resource_already_exists_exception":
                    raise
                self._update_mapping(mapping)
        else:
            self._update_mapping(mapping)
        self.existing_mapping = mapping
        self.setup_complete = True

    def _update_mapping(self, mapping):
        # An index made by another analyzer cannot change it in place: Elasticsearch answers 400 and
        # `manage.py build_search_index --rebuild` recreates the index.
        existing = self.conn.indices.get_mapping(index=self.index_name)[self.index_name]["mappings"]
        properties = existing.get("properties", {})
        if any(properties.get(name) != field for name, field in mapping["properties"].items()):
            self.conn.indices.put_mapping(index=self.index_name, body=mapping)

    def search(self, query_string, **kwargs):
        try:
            return super().search(query_string, **kwargs)
        except elasticsearch.ElasticsearchException as exc:
            raise SearchUnavailable(f"Elasticsearch index {self.index_name!r}: {exc}") from exc


class IKElasticsearchEngine(Elasticsearch7SearchEngine):
    backend = IKElasticsearchSearchBackend
