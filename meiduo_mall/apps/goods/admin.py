"""Back office for the catalog. Saving or deleting here regenerates the detail pages through signals.py."""

from django.contrib import admin
from django.db.models import TextField
from import_export.admin import ImportExportModelAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.forms.widgets import WysiwygWidget

from meiduo_mall.utils.admin import ImageStorageErrorsAsMessages, RecordedChanges, yuan_column
from meiduo_mall.utils.spreadsheets import SpreadsheetAdminMixin

from . import models
from .resources import SKUPriceStockResource, SKUResource


@admin.register(models.GoodsCategory)
class GoodsCategoryAdmin(ModelAdmin):
    list_display = ("id", "name", "parent")
    list_select_related = ("parent",)
    search_fields = ("name",)
    autocomplete_fields = ("parent",)


@admin.register(models.GoodsChannel)
class GoodsChannelAdmin(ModelAdmin):
    list_display = ("id", "category", "group_id", "sequence", "url")
    list_select_related = ("category",)
    list_filter = ("group_id",)
    autocomplete_fields = ("category",)


@admin.register(models.Brand)
class BrandAdmin(ImageStorageErrorsAsMessages, ModelAdmin):
    list_display = ("id", "name", "first_letter")
    search_fields = ("name",)


class GoodsSpecificationInline(TabularInline):
    model = models.GoodsSpecification
    extra = 0


@admin.register(models.Goods)
class GoodsAdmin(RecordedChanges, ModelAdmin):
    list_display = ("id", "name", "brand", "category3", "sales", "comments", "returnable")
    list_select_related = ("brand", "category3")
    list_filter = ("brand", "category1", "returnable")
    search_fields = ("name",)
    autocomplete_fields = ("brand", "category1", "category2", "category3")
    inlines = [GoodsSpecificationInline]
    # The descriptions are rich text (Trix, shipped with unfold); detail pages sanitize it with nh3.
    formfield_overrides = {TextField: {"widget": WysiwygWidget}}


@admin.register(models.GoodsSpecification)
class GoodsSpecificationAdmin(ModelAdmin):
    list_display = ("id", "goods", "name")
    list_select_related = ("goods",)
    search_fields = ("name", "goods__name")


@admin.register(models.SpecificationOption)
class SpecificationOptionAdmin(ModelAdmin):
    list_display = ("id", "spec", "value")
    list_select_related = ("spec__goods",)
    search_fields = ("value", "spec__name", "spec__goods__name")
    autocomplete_fields = ("spec",)


class SKUImageInline(TabularInline):
    model = models.SKUImage
    extra = 0


class SKUSpecificationInline(TabularInline):
    model = models.SKUSpecification
    extra = 0
    autocomplete_fields = ("spec", "option")


@admin.register(models.SKU)
class SKUAdmin(
    SpreadsheetAdminMixin, RecordedChanges, ImageStorageErrorsAsMessages, ModelAdmin, ImportExportModelAdmin
):
    resource_classes = [SKUResource]
    list_display = ("id", "name", "category", yuan_column("price", "价格"), "stock", "sales", "is_launched")
    list_select_related = ("category",)
    list_filter = ("is_launched", "category__parent__parent")
    list_editable = ("is_launched",)
    search_fields = ("name", "caption")
    autocomplete_fields = ("goods", "category")
    inlines = [SKUImageInline, SKUSpecificationInline]

    def get_import_resource_classes(self, request):
        # An import changes prices and stock only; the export keeps every column.
        return [SKUPriceStockResource]


@admin.register(models.BrandAlias)
class BrandAliasAdmin(ModelAdmin):
    list_display = ("id", "name", "brand")
    list_select_related = ("brand",)
    search_fields = ("name", "brand__name")
    autocomplete_fields = ("brand",)


@admin.register(models.SearchSynonym)
class SearchSynonymAdmin(ModelAdmin):
    list_display = ("id", "words", "update_time")
    search_fields = ("words",)
