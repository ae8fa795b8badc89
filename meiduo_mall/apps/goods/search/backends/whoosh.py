"""Whoosh with jieba's Chinese word segmentation, for the demo and the tests.

Whoosh's default StemmingAnalyzer splits on spaces and punctuation only, so "华为手机" would be
one token and a search for "手机" would miss it.
"""

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from jieba.analyse import ChineseAnalyzer


class ChineseWhooshSearchBackend(WhooshSearchBackend):
    def build_schema(self, fields):
        for field in fields.values():
            if field.field_type in (None, "string") and not field.is_multivalued and field.analyzer is None:
                field.analyzer = ChineseAnalyzer()
        return super().build_schema(fields)


class ChineseWhooshEngine(WhooshEngine):
    backend = ChineseWhooshSearchBackend
