import pytest

from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.goods.models import Goods
from meiduo_mall.apps.orders.models import OrderGoods, OrderInfo
from meiduo_mall.apps.orders.services import place_order
from tests.factories import AddressFactory, GoodsFactory, SKUFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = OrderInfo.Status


def received_order(user, skus, status=Status.UNCOMMENT):
    fill_cart(user, {sku.id: 1 for sku in skus})
    order = place_order(user, AddressFactory(user=user), OrderInfo.PayMethod.CASH)
    OrderInfo.objects.filter(pk=order.pk).update(status=status)
    return order


def comment_body(order, line_sku, /, **changes):
    return {
        "order": order.order_id,
        "sku": line_sku.id,
        "comment": "很好用，推荐购买",
        "score": 5,
        "is_anonymous": False,
        **changes,
    }


@pytest.fixture
def two_skus():
    goods = GoodsFactory()
    return SKUFactory(goods=goods), SKUFactory(goods=goods)


def test_uncommented_goods_lists_the_lines_still_to_comment(auth_client, user, two_skus):
    first, second = two_skus
    order = received_order(user, two_skus)
    OrderGoods.objects.filter(order=order, sku=first).update(is_commented=True)

    response = auth_client.get(f"/orders/{order.order_id}/uncommentgoods/")

    assert response.status_code == 200
    assert response.json() == [
        {
            "sku": {"id": second.id, "name": second.name, "default_image_url": second.default_image_url},
            "count": 1,
            "price": "100.00",
        }
    ]


def test_commenting_every_line_finishes_the_order(auth_client, user, two_skus):
    first, second = two_skus
    order = received_order(user, two_skus)
    url = f"/orders/{order.order_id}/comments/"

    response = auth_client.post(url, comment_body(order, first, score=4, is_anonymous=True), format="json")

    assert response.status_code == 201
    line = OrderGoods.objects.get(order=order, sku=first)
    assert (line.is_commented, line.comment, line.score, line.is_anonymous) == (True, "很好用，推荐购买", 4, True)
    assert OrderInfo.objects.get(pk=order.pk).status == Status.UNCOMMENT
    first.refresh_from_db()
    assert first.comments == 1

    assert auth_client.post(url, comment_body(order, second), format="json").status_code == 201
    assert OrderInfo.objects.get(pk=order.pk).status == Status.FINISHED
    assert Goods.objects.get(pk=first.goods_id).comments == 2
    assert auth_client.get(f"/orders/{order.order_id}/uncommentgoods/").status_code == 400


def test_a_line_is_commented_once(auth_client, user, two_skus):
    first, _ = two_skus
    order = received_order(user, two_skus)
    url = f"/orders/{order.order_id}/comments/"
    auth_client.post(url, comment_body(order, first), format="json")

    response = auth_client.post(url, comment_body(order, first, comment="改主意了，差评差评"), format="json")

    assert response.status_code == 400
    assert response.json() == {"message": "该商品已经评价过了"}
    assert OrderGoods.objects.get(order=order, sku=first).comment == "很好用，推荐购买"
    first.refresh_from_db()
    assert first.comments == 1


@pytest.mark.parametrize("status", [Status.UNPAID, Status.UNSEND, Status.UNRECEIVED, Status.CANCELED])
def test_an_order_not_yet_received_cannot_be_commented(auth_client, user, sku, status):
    order = received_order(user, [sku], status=status)

    response = auth_client.post(f"/orders/{order.order_id}/comments/", comment_body(order, sku), format="json")

    assert response.status_code == 400
    assert response.json() == {"message": "订单当前不能评价"}
    assert auth_client.get(f"/orders/{order.order_id}/uncommentgoods/").status_code == 400
    assert not OrderGoods.objects.filter(is_commented=True).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"comment": "太短"},
        {"comment": "长" * 201},
        {"comment": "     "},
        {"score": 6},
        {"score": -1},
        {"score": "很好"},
        {"sku": "abc"},
        {"sku": 10**20},
        {"order": "20190215223200000000001"},
        {"is_anonymous": "maybe"},
    ],
)
def test_bad_comment_input_is_refused(auth_client, user, sku, changes):
    order = received_order(user, [sku])

    response = auth_client.post(
        f"/orders/{order.order_id}/comments/", comment_body(order, sku, **changes), format="json"
    )

    assert response.status_code == 400
    assert not OrderGoods.objects.filter(is_commented=True).exists()


def test_a_sku_outside_the_order_cannot_be_commented(auth_client, user, sku):
    order = received_order(user, [sku])
    stranger = SKUFactory()

    response = auth_client.post(f"/orders/{order.order_id}/comments/", comment_body(order, stranger), format="json")

    assert response.status_code == 400
    assert response.json() == {"message": "订单中没有该商品"}
    stranger.refresh_from_db()
    assert stranger.comments == 0


def test_nobody_comments_another_members_order(auth_client, other_user, sku):
    theirs = received_order(other_user, [sku])

    assert auth_client.get(f"/orders/{theirs.order_id}/uncommentgoods/").status_code == 404
    response = auth_client.post(f"/orders/{theirs.order_id}/comments/", comment_body(theirs, sku), format="json")
    assert response.status_code == 404
    assert not OrderGoods.objects.filter(is_commented=True).exists()


def test_comment_endpoints_need_a_member(api_client, user, sku):
    order = received_order(user, [sku])
    assert api_client.get(f"/orders/{order.order_id}/uncommentgoods/").status_code == 401
    assert (
        api_client.post(f"/orders/{order.order_id}/comments/", comment_body(order, sku), format="json").status_code
        == 401
    )


def test_sku_comments_show_recent_comments_with_anonymous_names_masked(api_client, auth_client, user, sku):
    named = UserFactory(username="xiaoming")
    hidden = UserFactory(username="shopper01")
    for buyer, anonymous, text in ((named, False, "第一条评价内容"), (hidden, True, "匿名的评价内容")):
        order = received_order(buyer, [sku])
        OrderGoods.objects.filter(order=order).update(is_commented=True, is_anonymous=anonymous, comment=text, score=4)
    received_order(user, [sku])  # bought, not commented: not shown

    api_client.credentials(HTTP_AUTHORIZATION="JWT undefined")
    response = api_client.get(f"/skus/{sku.id}/comments/")

    assert response.status_code == 200
    assert sorted(response.json(), key=lambda c: c["comment"]) == sorted(
        [
            {"username": "xiaoming", "comment": "第一条评价内容", "score": 4},
            {"username": "s****1", "comment": "匿名的评价内容", "score": 4},
        ],
        key=lambda c: c["comment"],
    )
    assert api_client.get("/skus/999999/comments/").json() == []
    assert api_client.get(f"/skus/{10**30}/comments/").json() == []
