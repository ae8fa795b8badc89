from haystack import indexes

from .models import SKU


class SKUIndex(indexes.SearchIndex, indexes.Indexable):
    """Launched SKUs, searched by name, caption, brand, category and id (template search/indexes/goods/sku_text.txt).

    The stored fields answer a search without any SQL.
    """

    text = indexes.CharField(document=True, use_template=True)
    name = indexes.CharField(model_attr="name")
    price = indexes.DecimalField(model_attr="price")
    default_image_url = indexes.CharField(model_attr="default_image_url", null=True)
    comments = indexes.IntegerField(model_attr="comments")
    # Equally relevant hits are shown the best-selling first; a new field also makes the embedded engine start
    # a fresh index, filled by `build_search_index` with the words cut as this version cuts them.
    sales = indexes.IntegerField(model_attr="sales")

    def get_model(self):
        return SKU

    def index_queryset(self, using=None):
        return SKU.objects.filter(is_launched=True).select_related(
            "category", "goods__brand", "goods__category1", "goods__category2"
        )
