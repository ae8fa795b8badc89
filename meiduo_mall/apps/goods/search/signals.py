from django.db import transaction
from django.db.models.signals import post_delete, post_save
from haystack.signals import BaseSignalProcessor

from ..models import SKU, Brand, BrandAlias, SearchSynonym
from .services import forget_terms


class SKUSearchSignalProcessor(BaseSignalProcessor):
    """Keeps the search index in step with SKUs, once the change is committed.

    Bulk loads (`seed_demo --skus N`) send no signals; they rebuild the index at the end.
    The SKU is committed by then: an engine that does not answer must not turn the save into an
    error (Django logs it), and the next `build_search_index` catches the index up.
    """

    def setup(self):
        post_save.connect(self.handle_save, sender=SKU)
        post_delete.connect(self.handle_delete, sender=SKU)

    def teardown(self):
        post_save.disconnect(self.handle_save, sender=SKU)
        post_delete.disconnect(self.handle_delete, sender=SKU)

    def sku_index(self):
        return self.connections["default"].get_unified_index().get_index(SKU)

    def handle_save(self, sender, instance, **kwargs):
        def sync():
            # An SKU taken off sale leaves the index; update_object alone would keep it.
            if instance.is_launched:
                self.sku_index().update_object(instance)
            else:
                self.sku_index().remove_object(instance)

        transaction.on_commit(sync, robust=True)

    def handle_delete(self, sender, instance, **kwargs):
        transaction.on_commit(lambda: self.sku_index().remove_object(instance), robust=True)


# Aliases and synonyms are read through a cache (services.search_terms): a change in the back office is
# asked for by the next search.
for model in (BrandAlias, SearchSynonym, Brand):
    post_save.connect(forget_terms, sender=model, dispatch_uid=f"search-terms-{model.__name__}")
    post_delete.connect(forget_terms, sender=model, dispatch_uid=f"search-terms-{model.__name__}")
