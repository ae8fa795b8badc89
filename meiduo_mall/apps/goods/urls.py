from django.urls import path

from . import views
from .search import views as search_views

urlpatterns = [
    path("categories/<int:category_id>/", views.CategoryView.as_view(), name="category"),
    path("categories/<int:category_id>/skus/", views.CategorySKUListView.as_view(), name="category-skus"),
    path("categories/<int:category_id>/brands/", views.CategoryBrandsView.as_view(), name="category-brands"),
    path("categories/<int:category_id>/hotskus/", views.CategoryHotSKUsView.as_view(), name="category-hotskus"),
    path("skus/search/", search_views.SKUSearchView.as_view(), name="sku-search"),
    path("skus/search/suggest/", search_views.SKUSearchSuggestView.as_view(), name="sku-search-suggest"),
]
