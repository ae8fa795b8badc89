"""Read/write splitting on two real MariaDB servers: the primary and the replica of scripts/replica.sh.

Rows are committed on the primary (transactional tests: an open test transaction never replicates), the replica
catches up, and a marker written on the replica alone shows which server answered.
"""

import io
import time

import pytest
from django.core.management import call_command
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.contents.index_page import generate_index_html
from meiduo_mall.apps.goods.detail_page import detail_page_path
from meiduo_mall.apps.goods.models import SKU, GoodsCategory
from meiduo_mall.apps.orders.models import OrderGoods, OrderInfo
from meiduo_mall.apps.orders.services import place_order
from meiduo_mall.apps.users.history import record_visit
from meiduo_mall.apps.users.models import User
from meiduo_mall.utils.db_router import ReplicaScopeMiddleware, replica_breaker, replica_reads, wait_for_replica
from tests.factories import DEFAULT_PASSWORD, AddressFactory, SKUFactory, UserFactory, area_chain

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

MARK = "·副本"
CASH = OrderInfo.PayMethod.CASH


@pytest.fixture
def sku_on_both(replica):
    """A launched SKU committed on the primary whose name, on the replica only, ends with MARK."""
    sku = SKUFactory()
    replica.mark(sku, "name", sku.name + MARK)
    return sku


def commented_line(user, sku, comment):
    fill_cart(user, {sku.id: 1})
    order = place_order(user, AddressFactory(user=user), CASH)
    OrderGoods.objects.filter(order=order).update(is_commented=True, comment=comment, score=5)
    return OrderGoods.objects.get(order=order)


def breadcrumb(client, sku):
    return client.get(f"/categories/{sku.category_id}/").json()["cat3"]["name"]


def test_opted_in_endpoints_read_the_replica(replica, replica_guard, api_client, auth_client, user):
    sku = SKUFactory()
    category = sku.category
    province, city, _ = area_chain()
    line = commented_line(UserFactory(), sku, "物流很快")
    record_visit(user.id, sku.id)
    replica.mark(sku, "name", sku.name + MARK)
    replica.mark(category, "name", category.name + MARK)
    replica.mark(province, "name", province.name + MARK)
    replica.mark(city, "name", city.name + MARK)
    replica.mark(line, "comment", "物流很快" + MARK)

    assert breadcrumb(api_client, sku) == category.name + MARK
    assert api_client.get(f"/categories/{category.id}/skus/").json()["results"][0]["name"] == sku.name + MARK
    assert api_client.get(f"/categories/{category.id}/hotskus/").json()[0]["name"] == sku.name + MARK
    assert api_client.get("/areas/").json() == [{"id": province.id, "name": province.name + MARK}]
    assert api_client.get(f"/areas/{province.id}/").json()["subs"][0]["name"] == city.name + MARK
    assert api_client.get(f"/skus/{sku.id}/comments/").json()[0]["comment"] == "物流很快" + MARK
    assert auth_client.get("/browse_histories/").json()[0]["name"] == sku.name + MARK
    assert replica_guard.paths() == {
        f"/categories/{category.id}/",
        f"/categories/{category.id}/skus/",
        f"/categories/{category.id}/hotskus/",
        "/areas/",
        f"/areas/{province.id}/",
        f"/skus/{sku.id}/comments/",
        "/browse_histories/",
    }


def test_page_generation_reads_the_replica(replica, replica_guard, settings):
    sku = SKUFactory()
    category = sku.category
    replica.mark(category, "name", category.name + MARK)
    replica.mark(sku, "name", sku.name + MARK)

    generate_index_html()
    call_command("regenerate_detail_html", stdout=io.StringIO(), stderr=io.StringIO())

    pages = settings.GENERATED_STATIC_HTML_FILES_DIR
    assert category.name + MARK in (pages / "index.html").read_text(encoding="utf-8")
    assert sku.name + MARK in (pages / detail_page_path(sku.id)).read_text(encoding="utf-8")
    assert replica_guard.queries and replica_guard.paths() == {None}


def test_endpoints_not_opted_in_read_the_primary(sku_on_both, replica_guard, api_client, auth_client, user):
    sku = sku_on_both
    address = AddressFactory(user=user)
    fill_cart(user, {sku.id: 1})

    assert auth_client.get("/cart/").json()[0]["name"] == sku.name
    assert auth_client.get("/orders/settlement/").json()["skus"][0]["name"] == sku.name
    placed = auth_client.post("/orders/", {"address": address.id, "pay_method": CASH}, format="json")
    assert placed.status_code == 201
    order_id = placed.json()["order_id"]
    assert auth_client.get(f"/orders/{order_id}/").json()["skus"][0]["sku"]["name"] == sku.name
    assert auth_client.get("/user/").json()["username"] == user.username
    assert auth_client.get("/addresses/").status_code == 200
    login = api_client.post(
        "/authorizations/", {"username": user.username, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert login.status_code == 200
    assert replica_guard.queries == []


def test_reads_after_a_write_in_the_same_request_use_the_primary(sku_on_both):
    sku = sku_on_both
    other = SKUFactory()

    def view(request):
        with replica_reads():
            before = SKU.objects.get(pk=sku.pk).name
        SKU.objects.filter(pk=other.pk).update(caption="刚改过")
        with replica_reads():
            after = SKU.objects.get(pk=sku.pk).name
            written = SKU.objects.get(pk=other.pk).caption
        return HttpResponse(f"{before}|{after}|{written}")

    # The marked row is not the one written: only the write seen earlier in the request keeps it off the replica.
    answer = ReplicaScopeMiddleware(view)(RequestFactory().get("/"))
    assert answer.content.decode() == f"{sku.name}{MARK}|{sku.name}|刚改过"

    # The next request has written nothing yet: its opted-in reads use the replica again.
    def reader(request):
        with replica_reads():
            return HttpResponse(SKU.objects.get(pk=sku.pk).name)

    assert ReplicaScopeMiddleware(reader)(RequestFactory().get("/")).content.decode() == sku.name + MARK


def test_reads_inside_a_transaction_use_the_primary(sku_on_both):
    with transaction.atomic(), replica_reads():
        assert SKU.objects.get(pk=sku_on_both.pk).name == sku_on_both.name
    with replica_reads():
        assert SKU.objects.get(pk=sku_on_both.pk).name == sku_on_both.name + MARK


def test_accounts_and_orders_never_read_the_replica(replica, replica_guard, user):
    order = commented_line(user, SKUFactory(), "好").order
    replica.mark(user, "username", user.username + "x")
    replica.mark(order, "status", OrderInfo.Status.CANCELED)

    with replica_reads():
        assert User.objects.get(pk=user.pk).username == user.username
        assert OrderInfo.objects.get(pk=order.pk).status == order.status
    assert replica_guard.queries == []


def test_an_order_is_placed_and_pages_served_with_the_replica_stopped(stopped_replica, auth_client, user, api_client):
    sku = SKUFactory()
    fill_cart(user, {sku.id: 2})
    address = AddressFactory(user=user)

    placed = auth_client.post("/orders/", {"address": address.id, "pay_method": CASH}, format="json")

    assert placed.status_code == 201
    assert SKU.objects.get(pk=sku.pk).stock == 8
    assert breadcrumb(api_client, sku) == sku.category.name
    assert not replica_breaker.allows()
    assert api_client.get(f"/categories/{sku.category_id}/skus/").json()["results"][0]["name"] == sku.name
    ready = api_client.get("/health/ready/")
    assert (ready.status_code, ready.json()["replica"]) == (200, "unavailable")


def test_readiness_reports_the_replica(replica, api_client):
    ready = api_client.get("/health/ready/")
    assert (ready.status_code, ready.json()["replica"]) == (200, "ok")


def test_a_hung_replica_costs_one_bounded_attempt(sku_on_both, hung_replica, api_client):
    sku = sku_on_both
    started = time.monotonic()

    assert breadcrumb(api_client, sku) == sku.category.name
    assert api_client.get(f"/categories/{sku.category_id}/hotskus/").json()[0]["name"] == sku.name

    # connect_timeout is 1 s; the breaker spares the second request any attempt.
    assert time.monotonic() - started < 10
    assert len(hung_replica.accepted) == 1


def test_wait_for_replica_sees_the_latest_commit(replica):
    category = GoodsCategory.objects.create(name="刚建的类别")

    assert wait_for_replica(10)
    with replica_reads():
        assert GoodsCategory.objects.get(pk=category.pk).name == "刚建的类别"


def test_the_guard_catches_an_endpoint_that_is_not_opted_in(sku_on_both, replica_guard, auth_client, user):
    fill_cart(user, {sku_on_both.id: 1})

    with replica_reads():
        assert auth_client.get("/cart/").json()[0]["name"] == sku_on_both.name + MARK

    assert replica_guard.violations()
    assert all("/cart/" in violation and "not opted in" in violation for violation in replica_guard.violations())
    replica_guard.queries.clear()
