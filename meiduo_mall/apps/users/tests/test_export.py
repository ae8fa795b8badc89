"""Members exported from the back office: mobiles whole only for operators who may change users."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from meiduo_mall.apps.users.models import User
from meiduo_mall.apps.users.resources import masked_mobile
from meiduo_mall.utils.tests.spreadsheets import CSV, XLSX, as_dicts, csv_rows, export, operator_with, xlsx_rows
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/users/user/"


@pytest.fixture
def member():
    member = UserFactory(username="小明", mobile="13800138000", email="xm@example.com", email_active=True)
    User.objects.filter(pk=member.pk).update(date_joined=datetime(2026, 11, 30, 16, 30, 5, 123, tzinfo=ZoneInfo("UTC")))
    return member


def exported_member(client, file_format=CSV):
    rows = csv_rows if file_format == CSV else xlsx_rows
    response = export(client, CHANGELIST, file_format, "q=13800138000")
    assert response.status_code == 200
    [row] = as_dicts(rows(response.content))
    return row


def test_an_analyst_who_may_only_export_sees_masked_mobiles(member):
    _, analyst = operator_with("users.view_user", "users.export_user")
    row = exported_member(analyst)
    assert row == {
        "用户编号": str(member.id),
        "用户名": "小明",
        "手机号": "138****8000",
        "邮箱": "xm@example.com",
        "邮箱已验证": "是",
        "注册时间": "2026-12-01 00:30:05",
        "最近登录": "",
    }
    assert exported_member(analyst, XLSX)["手机号"] == "138****8000"


def test_an_operator_who_may_change_users_and_a_superuser_see_whole_mobiles(member):
    _, service = operator_with("users.view_user", "users.change_user", "users.export_user")
    assert exported_member(service)["手机号"] == "13800138000"
    _, superuser = operator_with(is_superuser=True)
    assert exported_member(superuser, XLSX)["手机号"] == "13800138000"


def test_the_search_of_the_list_applies_and_filters_too(member):
    UserFactory(email_active=False)
    _, analyst = operator_with("users.view_user", "users.export_user")
    rows = as_dicts(csv_rows(export(analyst, CHANGELIST, CSV, "email_active__exact=1").content))
    assert [row["用户名"] for row in rows] == ["小明"]


def test_without_export_user_there_is_no_export(member):
    _, clerk = operator_with("users.view_user", "users.change_user")
    assert f"{CHANGELIST}export/" not in clerk.get(CHANGELIST).content.decode()
    assert export(clerk, CHANGELIST, CSV).status_code == 403


def test_masks_keep_the_first_three_and_last_four_digits():
    assert masked_mobile("13912345678") == "139****5678"
    assert masked_mobile("123") == "****"
