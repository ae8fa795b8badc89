"""The back office speaks Simplified Chinese: every page an operator opens, the catalog shipped in locale/,
money in ¥ and times in Beijing time."""

import ast
import gettext
import json
import re
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from meiduo_mall.apps.contents.models import Content, ContentCategory
from meiduo_mall.apps.coupons.models import Coupon, MemberCoupon
from meiduo_mall.apps.goods.models import (
    BrandAlias,
    GoodsSpecification,
    SearchSynonym,
    SKUSpecification,
    SpecificationOption,
)
from meiduo_mall.apps.orders.models import (
    FreightRule,
    FreightSurcharge,
    OrderGoods,
    OrderInfo,
    Refund,
    ReturnLine,
    ReturnRequest,
)
from meiduo_mall.apps.payment.models import Payment
from meiduo_mall.apps.users.models import User
from meiduo_mall.utils.admin import yuan
from tests.english_strings import english_in_html, english_in_text, english_on_page, shown_text
from tests.factories import DEFAULT_PASSWORD, AddressFactory, OrderFactory, SKUFactory, UserFactory

CATALOG = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
REGISTERED_MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label_lower)


# The checker -------------------------------------------------------------------------------------------


def test_checker_finds_english_text_and_shown_attributes():
    html = """
        <h1>Welcome back to 美多商城</h1>
        <input type="search" placeholder="Type to search">
        <button title="More actions" aria-label="更多操作">…</button>
        <input type="submit" value="Run">
        <img src="/media/a.png" alt="Record picture">
    """
    assert english_in_html(html) == ["Welcome back to", "Type to search", "More actions", "Run", "Record picture"]


def test_checker_ignores_scripts_styles_edited_text_and_unshown_attributes():
    html = """
        <script>const label = "Select format";</script><style>.Run { color: red }</style>
        <textarea name="text">Hello there</textarea>
        <input type="hidden" name="action" value="export_admin_action">
        <div class="flex items-center" data-label="Loading more results">选择格式</div>
        <a href="/admin/goods/sku/?o=1">商品</a>
    """
    assert english_in_html(html) == []


def test_checker_skips_icons_and_key_caps():
    html = """
        <button><span class="material-symbols-outlined md-18">search</span> 搜索</button>
        <span class="material-symbols-outlined"><b>dock_to_right</b></span><br>
        <kbd class="px-1">esc</kbd><p>Close</p>
    """
    assert english_in_html(html) == ["Close"]


def test_checker_leaves_data_alone():
    html = """
        <td>shopper0001</td><td>shopper0001@example.com</td><td>https://www.meiduo.site/index.html</td>
        <td>2026120118300000000000101</td><td>¥6999.00</td><td>SKU 编号 ID</td><td>导出 CSV / XLSX</td>
        <td>JWT 已签发</td><td>Redis 不可用</td><td>P</td><td>Apple iPhone 15 Pro</td>
    """
    assert english_in_html(html) == ["Apple iPhone Pro"]
    assert english_in_html(html, data=["Apple", "iPhone 15 Pro"]) == []


def test_checker_reads_visible_text_as_playwright_gives_it():
    text = "首页\n欢迎回到 美多商城\nShow all\n共 3 条记录\nFound 3 results in 0.01 seconds"
    assert english_in_text(text) == ["Show all", "Found results in seconds"]


def test_shown_text_unescapes_entities():
    assert shown_text("<p>Save &amp; continue</p>") == "Save & continue"


# The catalog in locale/ --------------------------------------------------------------------------------


def read_po(path):
    """{(msgctxt, msgid): [msgstr, ...]} of a .po file, enough of the format for the catalog we ship."""
    entries, entry, field = {}, {}, None

    def keep():
        if "msgid" in entry and entry["msgid"]:
            entries[(entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural"))] = entry["msgstr"]

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line:
            keep()
            entry, field = {}, None
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += ast.literal_eval(line)
            else:
                entry[field[0]] += ast.literal_eval(line)
        else:
            keyword, text = line.split(" ", 1)
            plural_form = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if keyword == "msgstr" or plural_form:
                field = ("msgstr", int(plural_form.group(1)) if plural_form else 0)
                entry.setdefault("msgstr", {})[field[1]] = ast.literal_eval(text)
            else:
                field = (keyword,)
                entry[keyword] = ast.literal_eval(text)
    return entries


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_entry_of_the_catalogs_is_translated_and_compiled(domain):
    """The .mo is committed (no gettext tools needed to run the shop): it must say what the .po says."""
    with open(CATALOG / f"{domain}.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    entries = read_po(CATALOG / f"{domain}.po")
    assert entries
    for (context, msgid, plural), msgstrs in entries.items():
        assert all(msgstrs.values()), f"untranslated: {msgid!r}"
        if plural:
            translated = (
                compiled.npgettext(context, msgid, plural, 1) if context else compiled.ngettext(msgid, plural, 1)
            )
        else:
            translated = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        assert translated == msgstrs[0], f"{msgid!r}: run compilemessages in locale/"
    assert len(compiled._catalog) == len(entries) + 1 + sum(len(m) - 1 for m in entries.values())


def test_the_shipped_catalog_wins_over_the_apps_catalogs():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Welcome back to") == "欢迎回到"
        assert translation.gettext("Select format") == "选择格式"
        assert translation.gettext("Save") == "保存"
        assert len(read_po(CATALOG / "django.po")) > 140


@pytest.mark.django_db
def test_the_admin_scripts_catalog_has_the_missing_strings(back_office):
    # The catalog is written as JSON, non-ASCII escaped.
    script = back_office.get(reverse("admin:jsi18n")).content.decode()
    assert json.dumps("选择全部%s") in script
    assert json.dumps("选中了 %(cnt)s 个中的 %(sel)s 个") in script


# Every page an operator opens --------------------------------------------------------------------------


@pytest.fixture
def back_office(db, client):
    """A superuser logged in, and one object of every model the back office lists."""
    operator = UserFactory(is_staff=True, is_superuser=True)
    address = AddressFactory(user=operator)
    sku = SKUFactory()
    spec = GoodsSpecification.objects.create(goods=sku.goods, name="颜色")
    option = SpecificationOption.objects.create(spec=spec, value="黑色")
    SKUSpecification.objects.create(sku=sku, spec=spec, option=option)
    BrandAlias.objects.create(brand=sku.goods.brand, name="别名品牌")
    SearchSynonym.objects.create(words="手机,电话")
    order = OrderFactory(user=operator, address=address, status=OrderInfo.Status.UNSEND)
    line = OrderGoods.objects.create(order=order, sku=sku, count=1, price=sku.price)
    payment = Payment.objects.create(order=order, trade_id="2026120122001400000000000001", amount=order.total_amount)
    return_request = ReturnRequest.objects.create(
        order=order,
        user=operator,
        reason=ReturnRequest.Reason.QUALITY,
        description="屏幕有划痕",
        refund_amount=sku.price,
    )
    ReturnLine.objects.create(return_request=return_request, order_goods=line, count=1, amount=sku.price)
    Refund.objects.create(
        order=order,
        payment=payment,
        return_request=return_request,
        out_request_no="R20261201000000000001",
        amount=sku.price,
        reason="质量问题",
    )
    coupon = Coupon.objects.create(
        name="满100减10",
        kind=Coupon.Kind.SPEND_AND_SAVE,
        threshold=100,
        amount=10,
        scope=Coupon.Scope.GOODS,
        valid_days=7,
        total_quantity=100,
        issued_count=1,
    )
    coupon.goods.add(sku.goods)
    member_coupon = MemberCoupon.objects.create(
        coupon=coupon,
        user=operator,
        sequence=1,
        source=MemberCoupon.Source.GRANTED,
        status=MemberCoupon.Status.USED,
        valid_from=timezone.now(),
        valid_until=timezone.now() + timedelta(days=7),
        used_time=timezone.now(),
    )
    OrderInfo.objects.filter(pk=order.pk).update(coupon=member_coupon, discount=10)
    rule = FreightRule.objects.create(name="满99包邮", base_fee=10, free_over=99)
    FreightSurcharge.objects.create(rule=rule, province=address.province, fee=20)
    category = ContentCategory.objects.create(name="首页轮播图", key="index_lbt")
    Content.objects.create(category=category, title="双十二大促", url="/list.html", sequence=1)
    Group.objects.create(name="客服")
    LogEntry.objects.create(
        user=operator,
        content_type=ContentType.objects.get_for_model(sku),
        object_id=str(sku.pk),
        object_repr=str(sku),
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["价格"]}}]',
    )
    client.force_login(operator)
    return client


def data_of_the_database():
    """What the pages show that is data, not interface: usernames, SKU and brand names, key names."""
    from meiduo_mall.apps.goods.models import SKU, Brand

    return [
        *User.objects.values_list("username", flat=True),
        *ContentCategory.objects.values_list("key", flat=True),
        *SearchSynonym.objects.values_list("words", flat=True),
        *BrandAlias.objects.values_list("name", flat=True),
        *Brand.objects.values_list("name", flat=True),
        *SKU.objects.values_list("name", flat=True),
    ]


def assert_chinese(client, url):
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    english = english_in_html(response.content.decode(), data=data_of_the_database())
    assert english == [], f"English on {url}: {english}"


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.django_db
def test_the_home_page_is_chinese(back_office):
    assert_chinese(back_office, "/admin/")


@pytest.mark.django_db
def test_the_login_page_is_chinese(client):
    assert_chinese(client, "/admin/login/")


@pytest.mark.django_db
def test_an_empty_search_and_the_logged_out_page_are_chinese(back_office):
    from meiduo_mall.apps.goods.models import SKU

    assert_chinese(back_office, admin_url(SKU, "changelist") + "?q=没有这种商品")
    assert_chinese(back_office, admin_url(OrderInfo, "changelist") + "?status__exact=5&pay_method__exact=1")
    # The search box of the header and of the command palette (⌘K).
    assert_chinese(back_office, reverse("admin:search") + "?s=商品")
    assert_chinese(back_office, reverse("admin:search") + "?s=商品&extended=1")
    assert_chinese(back_office, reverse("admin:search") + "?s=没有这种东西&extended=1")
    response = back_office.post("/admin/logout/")
    assert response.status_code == 200
    assert english_in_html(response.content.decode()) == []
    assert "您已成功退出管理后台" in response.content.decode()


@pytest.mark.django_db
def test_the_password_change_pages_are_chinese(back_office):
    assert_chinese(back_office, "/admin/password_change/")
    assert_chinese(back_office, reverse("admin:auth_user_password_change", args=[User.objects.first().pk]))


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda model: model._meta.label_lower)
def test_every_list_is_chinese(back_office, model):
    assert_chinese(back_office, admin_url(model, "changelist"))


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda model: model._meta.label_lower)
def test_every_add_form_is_chinese(back_office, model, rf):
    request = rf.get("/admin/")
    request.user = User.objects.get(is_superuser=True)
    if not admin.site._registry[model].has_add_permission(request):
        pytest.skip("nobody adds these by hand")
    assert_chinese(back_office, admin_url(model, "add"))


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda model: model._meta.label_lower)
def test_every_change_form_and_history_is_chinese(back_office, model):
    obj = model._default_manager.first()
    assert obj is not None, f"the back_office fixture makes no {model._meta.label}"
    assert_chinese(back_office, admin_url(model, "change", obj.pk))
    assert_chinese(back_office, admin_url(model, "history", obj.pk))


@pytest.mark.django_db
def test_permissions_are_listed_in_chinese(back_office):
    html = back_office.get(admin_url(Group, "add")).content.decode()
    assert "商品SKU | 修改商品SKU" in html
    assert "登录尝试 | 查看登录尝试" in html
    assert "Can change" not in html


@pytest.mark.django_db
def test_the_order_pages_of_shipping_and_cancelling_are_chinese(back_office):
    order = OrderInfo.objects.get()
    assert_chinese(back_office, admin_url(OrderInfo, "ship_detail", order.pk))
    response = back_office.post(admin_url(OrderInfo, "ship_detail", order.pk), {"carrier": "", "tracking_number": "x"})
    assert response.status_code == 200
    assert english_in_html(response.content.decode(), data=data_of_the_database()) == []
    response = back_office.post(admin_url(OrderInfo, "changelist"), {"action": "ship", "_selected_action": [order.pk]})
    assert response.status_code == 200
    assert english_in_html(response.content.decode(), data=data_of_the_database()) == []
    OrderInfo.objects.filter(pk=order.pk).update(status=OrderInfo.Status.UNPAID)
    assert_chinese(back_office, admin_url(OrderInfo, "cancel_detail", order.pk))


@pytest.mark.django_db
def test_the_coupon_grant_page_is_chinese(back_office):
    coupon = Coupon.objects.get()
    assert_chinese(back_office, admin_url(Coupon, "grant_detail", coupon.pk))
    response = back_office.post(admin_url(Coupon, "grant_detail", coupon.pk), {"mobiles": "123, abc"})
    assert response.status_code == 200
    assert english_in_html(response.content.decode(), data=data_of_the_database()) == []
    response = back_office.post(admin_url(Coupon, "add"), {"kind": Coupon.Kind.PERCENT_OFF, "percent_off": 100})
    assert response.status_code == 200
    assert english_in_html(response.content.decode(), data=data_of_the_database()) == []


@pytest.mark.django_db
def test_the_steps_of_returns_and_refunds_are_chinese(back_office):
    return_request = ReturnRequest.objects.get()
    assert_chinese(back_office, admin_url(ReturnRequest, "approve_detail", return_request.pk))
    assert_chinese(back_office, admin_url(ReturnRequest, "reject_detail", return_request.pk))
    response = back_office.post(admin_url(ReturnRequest, "reject_detail", return_request.pk), {"note": ""})
    assert response.status_code == 200
    assert english_in_html(response.content.decode(), data=data_of_the_database()) == []
    response = back_office.post(
        admin_url(ReturnRequest, "changelist"), {"action": "approve", "_selected_action": [return_request.pk]}
    )
    assert response.status_code == 200
    assert english_in_html(response.content.decode(), data=data_of_the_database()) == []
    ReturnRequest.objects.update(status=ReturnRequest.Status.SENT_BACK, carrier="顺丰速运", tracking_number="SF1234567")
    assert_chinese(back_office, admin_url(ReturnRequest, "receive_detail", return_request.pk))
    assert_chinese(back_office, admin_url(ReturnRequest, "change", return_request.pk))
    Refund.objects.update(status=Refund.Status.FAILED, failure_reason="交易已关闭")
    assert_chinese(back_office, admin_url(Refund, "retry_detail", Refund.objects.get().pk))
    assert_chinese(back_office, admin_url(Refund, "change", Refund.objects.get().pk))
    assert_chinese(back_office, admin_url(OrderInfo, "change", OrderInfo.objects.get().pk))


@pytest.mark.django_db
def test_the_return_and_refund_pages_are_chinese(back_office):
    return_request, refund = ReturnRequest.objects.get(), Refund.objects.get()
    assert_chinese(back_office, admin_url(ReturnRequest, "approve_detail", return_request.pk))
    assert_chinese(back_office, admin_url(ReturnRequest, "reject_detail", return_request.pk))
    response = back_office.post(admin_url(ReturnRequest, "reject_detail", return_request.pk), {})
    assert response.status_code == 200
    assert english_in_html(response.content.decode(), data=data_of_the_database()) == []
    ReturnRequest.objects.update(status=ReturnRequest.Status.SENT_BACK, carrier="顺丰速运", tracking_number="SF1234567")
    assert_chinese(back_office, admin_url(ReturnRequest, "receive_detail", return_request.pk))
    Refund.objects.update(status=Refund.Status.FAILED, failure_reason="余额不足")
    assert_chinese(back_office, admin_url(Refund, "retry_detail", refund.pk))


@pytest.mark.django_db
def test_the_export_jobs_page_is_chinese(back_office):
    assert_chinese(back_office, reverse("export_jobs"))


@pytest.mark.django_db
def test_the_sku_import_and_export_pages_are_chinese(back_office):
    from meiduo_mall.apps.goods.models import SKU

    assert_chinese(back_office, admin_url(SKU, "import"))
    assert_chinese(back_office, admin_url(SKU, "export"))


@pytest.mark.django_db
def test_an_import_with_a_bad_file_answers_in_chinese(back_office):
    from meiduo_mall.apps.goods.models import SKU

    bad_file = SimpleUploadedFile("skus.csv", b"\xff\xfe\x00not,a\x00csv", content_type="text/csv")
    response = back_office.post(admin_url(SKU, "import"), {"format": "0", "import_file": bad_file})
    assert response.status_code == 200
    # The exception's name is what the operator passes on to whoever looks into the file.
    english = english_in_html(response.content.decode(), data=[*data_of_the_database(), "UnicodeDecodeError"])
    assert english == [], english
    assert "读取文件时出错" in response.content.decode()


# Money and time ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(Decimal("6999"), "¥6999.00"), (Decimal("0.5"), "¥0.50"), (Decimal("-10"), "-¥10.00"), (None, None)],
)
def test_yuan_writes_money_as_the_shop_does(amount, shown):
    assert yuan(amount) == shown


@pytest.mark.django_db
def test_lists_show_money_in_yuan_and_times_in_beijing_time(back_office):
    from meiduo_mall.apps.goods.models import SKU

    order = OrderInfo.objects.get()
    # 2026-12-01 12:30 UTC is 20:30 in Beijing.
    OrderInfo.objects.filter(pk=order.pk).update(
        create_time=datetime(2026, 12, 1, 12, 30, tzinfo=ZoneInfo("UTC")), total_amount=Decimal("6999.00")
    )
    SKU.objects.update(price=Decimal("1299.50"))
    orders = back_office.get(admin_url(OrderInfo, "changelist")).content.decode()
    assert "¥6999.00" in orders
    assert "2026年12月1日 20:30" in orders
    assert "¥1299.50" in back_office.get(admin_url(SKU, "changelist")).content.decode()
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"


@pytest.mark.django_db
def test_logging_in_keeps_chinese_on_a_refused_login(client):
    UserFactory(username="operator", is_staff=True, is_superuser=True)
    response = client.post("/admin/login/", {"username": "operator", "password": DEFAULT_PASSWORD + "x"})
    assert response.status_code == 200
    assert english_in_html(response.content.decode(), data=["operator"]) == []


@pytest.mark.django_db(transaction=True)
def test_the_browser_shows_no_english_after_logging_in(page):
    UserFactory(username="operator", is_staff=True, is_superuser=True)
    page.goto("/admin/login/")
    assert english_on_page(page) == []
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    assert english_on_page(page, data=["operator"]) == []
    page.goto("/admin/goods/sku/")
    # The icons are drawn, not read: "search" is the magnifier of the search box.
    assert page.locator(".material-symbols-outlined", has_text="search").count() > 0
    assert english_on_page(page, data=["operator"]) == []
    # Pages whose widgets write text from JavaScript: the permission picker, the rich-text editor.
    for url in ("/admin/auth/group/add/", "/admin/goods/goods/add/"):
        page.goto(url)
        assert english_on_page(page, data=["operator"]) == [], (url, english_on_page(page, data=["operator"]))
