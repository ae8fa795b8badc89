"""Search engines behind haystack, chosen by HAYSTACK_CONNECTIONS alone.

`whoosh.ChineseWhooshEngine` (dev, demo, tests: files under var/) and
`elasticsearch_ik.IKElasticsearchEngine` (production: Elasticsearch 7 with the IK analyzer).
Each lives in its own module so production never imports jieba and the demo never needs a cluster.
"""


class SearchUnavailable(Exception):
    """The search engine could not answer; callers answer 503 rather than an empty result."""
