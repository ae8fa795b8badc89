from django.urls import path

from . import views

urlpatterns = [
    path("categories/<int:category_id>/", views.CategoryView.as_view(), name="category"),
    path("categories/<int:category_id>/skus/", views.CategorySKUListView.as_view(), name="category-skus"),
    path("categories/<int:category_id>/hotskus/", views.CategoryHotSKUsView.as_view(), name="category-hotskus"),
]
