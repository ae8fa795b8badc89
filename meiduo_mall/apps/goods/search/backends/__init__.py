"""Search engines behind haystack, chosen by HAYSTACK_CONNECTIONS alone.

`tantivy_jieba.TantivyEngine` (dev, demo, tests: an index under var/),
`elasticsearch_ik.IKElasticsearchEngine` (production: Elasticsearch 7 with the IK analyzer) and
`whoosh.ChineseWhooshEngine` (the former embedded engine, still selectable).
Each lives in its own module so production never imports jieba and the demo never needs a cluster.
"""


class SearchUnavailable(Exception):
    """The search engine could not answer; callers answer 503 rather than an empty result."""
