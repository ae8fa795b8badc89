"""The freight rules' back office: a rule with its remote-province surcharges, the rules it refuses, which rule
applies, and who may change them."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import ADDITION, LogEntry

from meiduo_mall.apps.orders.freight import active_freight_rule
from meiduo_mall.apps.orders.models import FreightRule, FreightSurcharge
from meiduo_mall.apps.users.tests.fixtures import client_of, operator_in
from tests.english_strings import english_in_html
from tests.factories import area_chain

pytestmark = pytest.mark.django_db

RULES = "/admin/orders/freightrule/"


@pytest.fixture
def provinces(db):
    """新疆 and 西藏 with a city each, and Beijing's chain: level-1 areas and the levels below them."""
    xinjiang = area_chain(("650000", "新疆维吾尔自治区"), ("650100", "乌鲁木齐市"), ("650102", "天山区"))
    tibet = area_chain(("540000", "西藏自治区"), ("540100", "拉萨市"), ("540102", "城关区"))
    beijing = area_chain()
    return {"新疆": xinjiang, "西藏": tibet, "北京": beijing}


def rule_form(surcharges=(), existing=(), **fields):
    """The rule's page as it posts: ¥10, free from ¥99, with the surcharge rows (province, fee)."""
    form = {"name": "标准运费", "base_fee": "10", "free_over": "99", "per_item_fee": "0", "is_active": "on"}
    form.update(fields)
    rows = [*existing, *((None, province, fee) for province, fee in surcharges)]
    form.update({"surcharges-TOTAL_FORMS": len(rows), "surcharges-INITIAL_FORMS": len(existing)})
    for n, (pk, province, fee) in enumerate(rows):
        form.update({f"surcharges-{n}-id": pk or "", f"surcharges-{n}-province": province, f"surcharges-{n}-fee": fee})
    return {key: value for key, value in form.items() if value is not None}


def errors_of(response):
    assert response.status_code == 200, response.status_code
    context = response.context
    errors = {name: [str(e) for e in errs] for name, errs in context["adminform"].form.errors.items()}
    for formset in context["inline_admin_formsets"]:
        for n, form_errors in enumerate(formset.formset.errors):
            errors.update({f"surcharges-{n}-{name}": [str(e) for e in errs] for name, errs in form_errors.items()})
        errors.update({"surcharges": [str(e) for e in formset.formset.non_form_errors()]})
    return errors


def test_a_rule_with_surcharges_for_remote_provinces_is_added_and_applies(staff_client, provinces):
    xinjiang, tibet = provinces["新疆"][0], provinces["西藏"][0]
    form = rule_form(surcharges=[(xinjiang.pk, "20"), (tibet.pk, "20")])
    response = staff_client.post(f"{RULES}add/", form)
    assert response.status_code == 302
    rule = active_freight_rule()
    assert (rule.name, rule.base_fee, rule.free_over, rule.per_item_fee) == (
        "标准运费",
        Decimal("10.00"),
        Decimal("99.00"),
        Decimal("0.00"),
    )
    assert sorted(rule.surcharges.values_list("province_id", "fee")) == [
        (540000, Decimal("20.00")),
        (650000, Decimal("20.00")),
    ]
    assert LogEntry.objects.filter(object_id=str(rule.pk), action_flag=ADDITION).exists()


def test_only_provinces_are_offered_for_a_surcharge(staff_client, provinces):
    page = staff_client.get(f"{RULES}add/")
    field = page.context["inline_admin_formsets"][0].formset.empty_form.fields["province"]
    assert sorted(field.queryset.values_list("name", flat=True)) == ["北京市", "新疆维吾尔自治区", "西藏自治区"]
    city = provinces["新疆"][1]
    errors = errors_of(staff_client.post(f"{RULES}add/", rule_form(surcharges=[(city.pk, "20")])))
    assert errors["surcharges-0-province"] == ["选择一个有效的选项： 该选择不在可用的选项中。"]
    assert not FreightRule.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"base_fee": "-0.01"}, "base_fee", "基础运费不能为负数"),
        ({"per_item_fee": "-1"}, "per_item_fee", "续件运费不能为负数"),
        ({"free_over": "0"}, "free_over", "包邮门槛须大于0；不包邮请留空"),
        ({"free_over": "-99"}, "free_over", "包邮门槛须大于0；不包邮请留空"),
        ({"base_fee": ""}, "base_fee", "该字段是必填项。"),
    ],
)
def test_a_rule_breaking_a_rule_is_refused(staff_client, fields, field, message):
    errors = errors_of(staff_client.post(f"{RULES}add/", rule_form(**fields)))
    assert errors[field] == [message]
    assert not FreightRule.objects.exists()


def test_a_negative_or_repeated_surcharge_is_refused(staff_client, provinces):
    xinjiang = provinces["新疆"][0]
    negative = errors_of(staff_client.post(f"{RULES}add/", rule_form(surcharges=[(xinjiang.pk, "-5")])))
    assert negative["surcharges-0-fee"] == ["加收运费不能为负数"]
    response = staff_client.post(f"{RULES}add/", rule_form(surcharges=[(xinjiang.pk, "20"), (xinjiang.pk, "30")]))
    assert english_in_html(response.content.decode()) == []
    twice = errors_of(response)
    assert twice["surcharges"] == ["同一省份只能设置一次加收运费"]
    assert twice["surcharges-1-__all__"] == ["请修正重复的省份"]
    assert not FreightRule.objects.exists()


def test_free_over_left_empty_means_never_free_and_the_free_fee_zero_is_allowed(staff_client):
    assert staff_client.post(f"{RULES}add/", rule_form(name="不包邮", free_over="", base_fee="0")).status_code == 302
    rule = FreightRule.objects.get()
    assert (rule.free_over, rule.base_fee) == (None, Decimal("0.00"))
    assert "不包邮" in staff_client.get(RULES).content.decode()


def test_the_list_marks_the_newest_active_rule_as_the_one_that_applies(staff_client, provinces):
    old = FreightRule.objects.create(name="旧规则", base_fee=8)
    current = FreightRule.objects.create(name="标准运费", base_fee=10, free_over=99)
    FreightSurcharge.objects.create(rule=current, province=provinces["新疆"][0], fee=20)
    FreightRule.objects.create(name="停用规则", base_fee=0, is_active=False)
    page = staff_client.get(RULES)
    admin = page.context["cl"].model_admin
    rows = {rule.name: rule for rule in page.context["cl"].result_list}
    assert {name: admin.applies(rule) for name, rule in rows.items()} == {
        "旧规则": False,
        "标准运费": True,
        "停用规则": False,
    }
    assert admin.free_shipping(rows["标准运费"]) == "满¥99.00包邮"
    assert admin.surcharge_count(rows["标准运费"]) == "1个省份"
    assert admin.surcharge_count(rows["旧规则"]) == "—"
    assert active_freight_rule() == current
    assert "启用的规则中最新建的一条生效" in staff_client.get(f"{RULES}{old.pk}/change/").content.decode()


def test_catalog_operators_change_rules_and_remove_a_surcharge_others_only_read(provinces):
    rule = FreightRule.objects.create(name="标准运费", base_fee=10, free_over=99)
    surcharge = FreightSurcharge.objects.create(rule=rule, province=provinces["新疆"][0], fee=20)
    existing = [(surcharge.pk, surcharge.province_id, "20")]
    form = rule_form(existing=existing, base_fee="12")
    form["surcharges-0-DELETE"] = "on"
    form["surcharges-0-rule"] = rule.pk

    for role in ("订单客服", "数据分析"):
        reader = client_of(operator_in(role))
        assert reader.get(RULES).status_code == 200
        page = reader.get(f"{RULES}{rule.pk}/change/")
        assert page.status_code == 200 and "新疆维吾尔自治区" in page.content.decode()
        assert reader.post(f"{RULES}{rule.pk}/change/", form).status_code == 403
        assert reader.get(f"{RULES}add/").status_code == 403

    catalog = client_of(operator_in("商品运营"))
    assert catalog.get(f"{RULES}add/").status_code == 200
    assert catalog.post(f"{RULES}{rule.pk}/change/", form).status_code == 302
    rule.refresh_from_db()
    assert rule.base_fee == Decimal("12.00")
    assert not rule.surcharges.exists()
    # Rules stay on record: an order's freight was priced by one of them.
    assert catalog.post(f"{RULES}{rule.pk}/delete/", {"post": "yes"}).status_code == 403
