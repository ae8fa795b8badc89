"""Search engines behind haystack, chosen by HAYSTACK_CONNECTIONS alone.

`tantivy_jieba.TantivyEngine` (dev, demo, tests: an index under var/),
`elasticsearch_ik.IKElasticsearchEngine` (production: Elasticsearch 7 with the IK analyzer) and
`whoosh.ChineseWhooshEngine` (the former embedded engine, still selectable).
Each lives in its own module so production never imports jieba and the demo never needs a cluster.
When the engine cannot answer they raise goods.exceptions.SearchUnavailable.
"""
