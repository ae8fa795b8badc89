"""The demo's reviews (seed_demo): real commented order lines behind every SKU's `comments`, 1–5 stars, and
detail pages whose "累计评价 N" is the number of comments they list."""

import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Sum

from meiduo_mall.apps.areas.models import Area
from meiduo_mall.apps.goods.models import SKU, Goods
from meiduo_mall.apps.orders.demo import CITY, DISTRICT, PROVINCE
from meiduo_mall.apps.orders.models import OrderGoods, OrderInfo

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages_dir(settings, tmp_path):
    settings.GENERATED_STATIC_HTML_FILES_DIR = tmp_path
    return tmp_path


def load_reviewers_area():
    province = Area.objects.create(id=PROVINCE, name="北京市")
    city = Area.objects.create(id=CITY, name="北京市", parent=province)
    Area.objects.create(id=DISTRICT, name="东城区", parent=city)


def test_every_demo_sku_counts_the_comments_it_really_has(api_client, pages_dir):
    load_reviewers_area()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    reviews = OrderGoods.objects.filter(is_commented=True)
    assert reviews.count() > 100
    assert f"with {reviews.count()} reviews" in out.getvalue()
    assert set(reviews.values_list("score", flat=True)) == {1, 2, 3, 4, 5}
    assert not OrderInfo.objects.exclude(status=OrderInfo.Status.FINISHED).exists()
    for sku in SKU.objects.all():
        assert sku.comments == reviews.filter(sku=sku).count(), sku
    for goods in Goods.objects.all():
        assert goods.comments == goods.skus.aggregate(n=Sum("comments"))["n"], goods
    assert SKU.objects.filter(comments=0).exists()

    reviewed = SKU.objects.filter(comments__gt=0).order_by("-comments").first()
    listed = api_client.get(f"/skus/{reviewed.id}/comments/").json()
    assert len(listed) == reviewed.comments
    assert all(1 <= row["score"] <= 5 and len(row["comment"]) >= 5 for row in listed)
    page = (pages_dir / "goods" / f"{reviewed.id}.html").read_text(encoding="utf-8")
    assert re.search(rf"累计评价 {reviewed.comments}\b", page)


def test_without_the_areas_the_demo_has_no_reviews_and_says_so(pages_dir):
    out = io.StringIO()
    call_command("seed_demo", skus=20, stdout=out)  # bulk SKUs have no reviews either
    assert "load_areas" in out.getvalue()
    assert not OrderGoods.objects.exists()
    assert not SKU.objects.filter(comments__gt=0).exists()


def test_one_rating_scale_of_five_stars(tmp_path):
    call_command("build_pages", pages_dir=str(tmp_path), stdout=io.StringIO())
    form = (tmp_path / "goods_judge.html").read_text(encoding="utf-8")
    assert "[[ line.score ]] 星" in form and "分</span>" not in form
    assert [label for _, label in OrderGoods.SCORE_CHOICES] == ["0星", "1星", "2星", "3星", "4星", "5星"]
