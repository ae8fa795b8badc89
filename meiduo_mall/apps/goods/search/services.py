"""What a shopper typed → what the engine is asked: brand aliases, synonyms, model tokens, typos, OR fallback.

The rules live here, engine-agnostic; the embedded engine expands every word into its alternatives
(tantivy_jieba.TantivySearchQuery), Elasticsearch gets the same lists as an IK synonym filter
(elasticsearch_ik.py).
"""

import hashlib
import re

from django.core.cache import cache
from django.utils.encoding import force_str
from haystack.inputs import BaseInput
from redis.exceptions import RedisError

from meiduo_mall.utils.redis_breaker import log_worked_around

from ..models import BrandAlias, Goods, SearchSynonym

TERMS_CACHE_KEY = "goods:search:terms"
TERMS_CACHE_SECONDS = 300
WORD_CHARACTER = re.compile(r"[^\W_]")
LATIN = re.compile(r"^[a-z]+$")
# 64G and 64GB are the same size to a shopper; both are indexed and asked as "64g".
SIZE = re.compile(r"^(\d+)(g|gb|t|tb)$")
LATIN_WORDS = re.compile(r"[a-z]+")
LATIN_OR_DIGITS = re.compile(r"[a-z]+|\d+")
# A Latin word this long or longer, absent from the catalog, is taken for a typo of a word one edit away.
TYPO_MIN_LENGTH = 4
MAX_WORDS_OF_A_SYNONYM = 3


def normal_terms(word):
    """One lowercased word as the index holds it: sizes as "64g", a model glued to its number in pieces
    ("mate30" → "mate", "30"), anything else unchanged."""
    word = word.lower()
    size = SIZE.match(word)
    if size:
        return [size.group(1) + size.group(2)[0]]
    if word.isascii() and word.isalnum() and not word.isalpha() and not word.isdigit():
        return LATIN_OR_DIGITS.findall(word)
    return [word]


def words_of(text):
    """The words of a text cut by jieba's precise mode, lowercased, without quotes or backslashes.

    The text is cut upper-cased, as the index's (jieba's dictionary writes "T恤", and would cut "t恤" apart)."""
    # Imported here: only the embedded engine cuts words in Python; production (Elasticsearch) never loads
    # jieba's dictionary.
    import jieba

    words = (word.lower().replace('"', "").replace("\\", "") for word in jieba.cut(force_str(text).upper()))
    return [word for word in words if WORD_CHARACTER.search(word)]


def terms_of(text):
    return [term for word in words_of(text) for term in normal_terms(word)]


def synonym_groups():
    """Every list of words that mean the same: each synonym, and each brand with its aliases."""
    groups = [synonym.word_list() for synonym in SearchSynonym.objects.all()]
    brands = {}
    for alias in BrandAlias.objects.select_related("brand"):
        brands.setdefault(alias.brand.name, [alias.brand.name]).append(alias.name)
    return [group for group in [*groups, *brands.values()] if len(group) > 1]


def synonym_rules():
    """The same lists as Elasticsearch's synonym filter reads them ("手机, 电话, 移动电话")."""
    return [", ".join(group) for group in synonym_groups()]


def load_terms():
    """{word: every word meaning the same} from the synonyms and the brand aliases, and the catalog's
    Latin vocabulary (for typos)."""
    same = {}
    for group in synonym_groups():
        for word in group:
            same.setdefault(word.lower(), set()).update(other.lower() for other in group)
    vocabulary = {
        word
        for text in [*Goods.objects.values_list("name", flat=True), *same]
        for word in LATIN_WORDS.findall(text.lower())
    }
    return {"same": {word: sorted(words) for word, words in same.items()}, "vocabulary": sorted(vocabulary)}


def cached(key, compute, seconds):
    """`compute()` kept in the cache for `seconds`; with Redis down, computed from the database each time
    (search keeps nothing of its own in Redis, so it answers through an outage)."""
    try:
        value = cache.get(key)
    except RedisError as exc:
        log_worked_around("search cache unavailable, answering from the database: %r", exc)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, seconds)
        except RedisError as exc:
            log_worked_around("search cache unavailable, answer not kept: %r", exc)
    return value


def search_terms():
    return cached(TERMS_CACHE_KEY, load_terms, TERMS_CACHE_SECONDS)


def forget_terms(**kwargs):
    cache.delete(TERMS_CACHE_KEY)


def one_edit_apart(a, b):
    """True when b is a with one letter added, removed, replaced, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        )
    shorter, longer = sorted((a, b), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def corrected(word, vocabulary):
    if len(word) < TYPO_MIN_LENGTH or not LATIN.match(word) or word in vocabulary:
        return word
    candidates = [known for known in vocabulary if one_edit_apart(word, known)]
    return candidates[0] if len(candidates) == 1 else word


def expand(text):
    """The groups a search asks for: one per word typed, each a list of alternatives (lists of terms that
    must all be there). A word is also any of its synonyms and brand aliases."""
    terms = search_terms()
    vocabulary = set(terms["vocabulary"])
    groups = []
    words = [corrected(word, vocabulary) for word in words_of(text)]
    start = 0
    while start < len(words):
        # The longest run of words that is a synonym: jieba cuts 充电宝 into 充电 and 宝.
        for length in range(min(MAX_WORDS_OF_A_SYNONYM, len(words) - start), 0, -1):
            alternatives = terms["same"].get("".join(words[start : start + length]))
            if alternatives:
                groups.append([terms_of(alternative) for alternative in alternatives])
                break
        else:
            length = 1
            groups += [[[term]] for term in normal_terms(words[start])]
        start += length
    return [[alternative for alternative in group if alternative] for group in groups if any(group)]


class ShopperQuery(BaseInput):
    """What a shopper typed, asked word by word (every word, or any word for the fallback)."""

    input_type_name = "shopper"
    post_process = False

    def __init__(self, query_string, any_word=False, **kwargs):
        super().__init__(query_string, **kwargs)
        self.any_word = any_word

    def groups(self):
        return expand(self.query_string)

    def prepare(self, query_obj):
        """For engines that expand synonyms themselves (Elasticsearch): the typed words, typos corrected, all
        required by the query's default operator (AND) or any of them."""
        vocabulary = set(search_terms()["vocabulary"])
        text = LATIN_WORDS.sub(lambda latin: corrected(latin.group(), vocabulary), self.query_string.lower())
        return (" OR " if self.any_word else " ").join(query_obj.clean(word) for word in text.split())


SUGGEST_CACHE_SECONDS = 60
SUGGEST_NAMES = 8
SUGGEST_CATEGORIES = 4
SUGGEST_HITS = 50


def suggestions(text):
    """What the header box offers for `text`: the best-selling goods names and level-3 categories whose
    SKUs the search finds (aliases and synonyms included), then those whose name holds the text as typed
    so far ("华" before "华为"). Cached a minute per text."""
    key = "goods:search:suggest:" + hashlib.sha1(text.lower().encode()).hexdigest()
    return cached(key, lambda: find_suggestions(text), SUGGEST_CACHE_SECONDS)


def find_suggestions(text):
    from haystack.query import SearchQuerySet

    from ..models import SKU, GoodsCategory

    hit_ids = [
        int(result.pk) for result in SearchQuerySet().models(SKU).filter(content=ShopperQuery(text))[:SUGGEST_HITS]
    ]
    found = SKU.objects.filter(id__in=hit_ids, is_launched=True).select_related("goods", "category")
    goods = sorted({sku.goods for sku in found}, key=lambda item: -item.sales)
    categories = {sku.category for sku in found}
    if len(goods) < SUGGEST_NAMES:
        goods += [
            item
            for item in Goods.objects.filter(name__icontains=text, skus__is_launched=True)
            .distinct()
            .order_by("-sales")[:SUGGEST_NAMES]
            if item not in goods
        ]
    if len(categories) < SUGGEST_CATEGORIES:
        categories |= set(
            GoodsCategory.objects.filter(name__icontains=text, parent__parent__isnull=False)[:SUGGEST_CATEGORIES]
        )
    names = list(dict.fromkeys(item.name for item in goods))[:SUGGEST_NAMES]
    shown = sorted(categories, key=lambda category: category.id)[:SUGGEST_CATEGORIES]
    return {"names": names, "categories": [{"id": category.id, "name": category.name} for category in shown]}
