from django.urls import path

from . import views

# /carts/ is what one generation of pages calls; both reach the same cart.
urlpatterns = [
    path("cart/", views.CartView.as_view(), name="cart"),
    path("cart/selection/", views.CartSelectionView.as_view(), name="cart-selection"),
    path("carts/", views.CartView.as_view()),
    path("carts/selection/", views.CartSelectionView.as_view()),
]
