"""Product search: the API view, the index's signal processor and the engines behind haystack.

The index itself stays in `goods/search_indexes.py`, the module haystack looks for in each app.
"""
