from django.urls import path, re_path

from . import views

urlpatterns = [
    path("orders/settlement/", views.SettlementView.as_view()),
    path("orders/", views.OrdersView.as_view()),
    # The course left the order list as homework; this is the name one client calls it by.
    path("orders_list/", views.OrderListView.as_view()),
    re_path(r"^orders/(?P<order_id>\d+)/$", views.OrderDetailView.as_view()),
    re_path(r"^orders/(?P<order_id>\d+)/cancel/$", views.OrderCancelView.as_view()),
    re_path(r"^orders/(?P<order_id>\d+)/receipt/$", views.OrderReceiptView.as_view()),
    re_path(r"^orders/(?P<order_id>\d+)/uncommentgoods/$", views.UncommentedGoodsView.as_view()),
    re_path(r"^orders/(?P<order_id>\d+)/comments/$", views.OrderCommentView.as_view()),
    re_path(r"^skus/(?P<sku_id>\d+)/comments/$", views.SKUCommentsView.as_view()),
    re_path(r"^orders/(?P<order_id>\d+)/returns/$", views.OrderReturnsView.as_view()),
    re_path(r"^orders/(?P<order_id>\d+)/returnable/$", views.ReturnableView.as_view()),
    path("returns/", views.ReturnListView.as_view()),
    re_path(r"^returns/(?P<return_id>\d+)/$", views.ReturnDetailView.as_view()),
    re_path(r"^returns/(?P<return_id>\d+)/shipment/$", views.ReturnShipmentView.as_view()),
]
