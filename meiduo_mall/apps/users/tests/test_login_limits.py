"""The login limits (users/login_limits.py on django-axes): per (client IP, account) and per client IP, with a
wait that doubles, for the shop's L1 and the back office's login alike."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db.models import F, Sum

from tests.factories import DEFAULT_PASSWORD, UserFactory

OWNER_IP = "198.51.100.7"
STRANGER_IP = "203.0.113.9"
PROXY_IP = "10.0.0.1"


def log_in(api_client, username, password=DEFAULT_PASSWORD, ip=OWNER_IP, **extra):
    return api_client.post(
        "/authorizations/", {"username": username, "password": password}, format="json", REMOTE_ADDR=ip, **extra
    )


def fail(api_client, username, times, ip=STRANGER_IP, **extra):
    """`times` wrong passwords; the statuses they got."""
    return [log_in(api_client, username, "wrong-password", ip=ip, **extra).status_code for _ in range(times)]


def wait_out(seconds):
    """As if `seconds` had passed: every recorded failure that much older."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=seconds))


def recorded_failures(**where):
    return AccessAttempt.objects.filter(**where).aggregate(total=Sum("failures_since_start"))["total"] or 0


@pytest.mark.django_db
def test_owner_logs_in_from_own_address_after_a_strangers_twenty_failures(api_client, user):
    statuses = fail(api_client, user.username, 20)

    assert statuses[:4] == [400] * 4
    assert set(statuses[4:]) == {429}
    assert log_in(api_client, user.username, ip=OWNER_IP).status_code == 200
    assert log_in(api_client, user.mobile, ip=OWNER_IP).status_code == 200


@pytest.mark.django_db
def test_the_stranger_waits_after_the_limit_even_with_the_right_password(api_client, user):
    fail(api_client, user.username, 5)

    response = log_in(api_client, user.username, ip=STRANGER_IP)

    assert response.status_code == 429
    assert response.json() == {
        "message": "登录失败次数过多，请1分钟后再试",
        "non_field_errors": ["登录失败次数过多，请1分钟后再试"],
    }
    assert 55 <= int(response["Retry-After"]) <= 60
    # Refused unchecked, and not counted: waiting is what makes the wait end.
    assert recorded_failures(ip_address=STRANGER_IP) == 5


@pytest.mark.django_db
def test_username_mobile_and_spelling_of_one_account_add_up(api_client):
    owner = UserFactory(username="demo_owner", mobile="13812345678")

    statuses = [
        *fail(api_client, "demo_owner", 2),
        *fail(api_client, "13812345678", 2),
        *fail(api_client, "DEMO_OWNER", 1),
    ]

    assert statuses == [400, 400, 400, 400, 429]
    assert log_in(api_client, owner.mobile, ip=STRANGER_IP).status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"demo_owner"}


@pytest.mark.django_db
def test_one_address_failing_on_many_accounts_is_held_back_from_all(api_client, user):
    statuses = [log_in(api_client, f"guess{n:03d}", "wrong-password", ip=STRANGER_IP).status_code for n in range(50)]

    assert set(statuses[:49]) == {400} and statuses[49] == 429
    assert log_in(api_client, user.username, ip=STRANGER_IP).status_code == 429
    assert log_in(api_client, "guess999", "wrong-password", ip=STRANGER_IP).status_code == 429
    assert log_in(api_client, user.username, ip=OWNER_IP).status_code == 200


@pytest.mark.django_db
def test_the_wait_doubles_with_each_failure_after_it(api_client, user):
    fail(api_client, user.username, 5)
    waits = []
    for _ in range(4):
        response = log_in(api_client, user.username, "wrong-password", ip=STRANGER_IP)
        assert response.status_code == 429
        wait = int(response["Retry-After"])
        waits.append(wait)
        wait_out(wait)
    # After the wait, the next guess is checked again: it fails and the next wait is twice as long.
    assert waits[0] <= 60
    assert [round(b / a) for a, b in zip(waits, waits[1:], strict=False)] == [2, 2, 2]
    assert recorded_failures(ip_address=STRANGER_IP) == 8


@pytest.mark.django_db
def test_the_wait_stops_growing_at_its_longest_and_is_not_forgotten_by_waiting(api_client, user, settings):
    settings.LOGIN_LIMITS = [{**settings.LOGIN_LIMITS[0], "max_wait": 240}, settings.LOGIN_LIMITS[1]]
    fail(api_client, user.username, 4)
    waits = []
    for _ in range(5):
        response = log_in(api_client, user.username, "wrong-password", ip=STRANGER_IP)
        waits.append(int(response["Retry-After"]))
        wait_out(waits[-1])

    assert [round(wait / 60) for wait in waits] == [1, 2, 4, 4, 4]


@pytest.mark.django_db
def test_the_wait_is_said_in_hours_when_long(api_client, user, settings):
    settings.LOGIN_LIMITS = [{**settings.LOGIN_LIMITS[0], "first_wait": 7200}, settings.LOGIN_LIMITS[1]]
    fail(api_client, user.username, 5)

    response = log_in(api_client, user.username, ip=STRANGER_IP)

    assert response.json()["message"] == "登录失败次数过多，请2小时后再试"


@pytest.mark.django_db
def test_an_ended_wait_lets_the_owner_in_and_clears_the_count(api_client, user):
    assert fail(api_client, user.username, 5, ip=OWNER_IP)[-1] == 429
    wait_out(60)

    assert log_in(api_client, user.username, ip=OWNER_IP).status_code == 200
    assert fail(api_client, user.username, 4, ip=OWNER_IP) == [400] * 4
    assert log_in(api_client, user.username, ip=OWNER_IP).status_code == 200


@pytest.mark.django_db
def test_a_success_clears_only_its_own_account_from_that_address(api_client, user, settings):
    settings.LOGIN_LIMITS = [settings.LOGIN_LIMITS[0], {**settings.LOGIN_LIMITS[1], "limit": 8}]
    fail(api_client, user.username, 4)
    fail(api_client, "somebody_else", 3)

    assert log_in(api_client, user.username, ip=STRANGER_IP).status_code == 200

    assert recorded_failures(username=user.username) == 0
    assert recorded_failures(username="somebody_else") == 3
    # The address's own count went on: 3 before, 5 more makes 8.
    assert fail(api_client, "a_third_name", 5) == [400, 400, 400, 400, 429]


@pytest.mark.django_db
def test_failures_are_forgotten_a_while_after_the_latest(api_client, user, settings):
    fail(api_client, user.username, 4)
    wait_out(settings.LOGIN_LIMITS[0]["forget_after"])

    assert fail(api_client, user.username, 4) == [400] * 4


@pytest.mark.django_db
def test_a_forged_x_forwarded_for_from_an_untrusted_peer_is_ignored(api_client, user):
    statuses = [
        log_in(
            api_client, user.username, "wrong-password", ip=STRANGER_IP, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        ).status_code
        for n in range(5)
    ]

    assert statuses[-1] == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {STRANGER_IP}


@pytest.mark.django_db
def test_x_forwarded_for_names_the_client_behind_a_trusted_proxy(api_client, user, settings):
    settings.TRUSTED_PROXY_IPS = [PROXY_IP]
    behind = {"ip": PROXY_IP}

    statuses = fail(api_client, user.username, 5, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {STRANGER_IP}", **behind)
    owner = log_in(api_client, user.username, HTTP_X_FORWARDED_FOR=OWNER_IP, **behind)

    assert statuses[-1] == 429
    assert owner.status_code == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {STRANGER_IP}


@pytest.fixture
def operator(db):
    return UserFactory(username="operator", mobile="13800001111", is_staff=True, is_superuser=True)


def admin_log_in(client, username, password=DEFAULT_PASSWORD, ip=OWNER_IP):
    return client.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_the_back_office_login_is_held_back_the_same_way(client, operator):
    statuses = [admin_log_in(client, "operator", "wrong-password", ip=STRANGER_IP).status_code for _ in range(5)]
    right_password = admin_log_in(client, "operator", ip=STRANGER_IP)

    assert statuses == [200, 200, 200, 200, 429]
    assert right_password.status_code == 429
    assert 55 <= int(right_password["Retry-After"]) <= 60
    page = right_password.content.decode()
    assert "登录失败次数过多，请1分钟后再试" in page
    assert 'name="password"' in page and "美多商城" in page
    assert admin_log_in(client, "operator", ip=OWNER_IP).status_code == 302


@pytest.mark.django_db
def test_the_back_office_and_the_shop_count_together(client, api_client, operator):
    fail(api_client, "operator", 3)
    statuses = [admin_log_in(client, "13800001111", "wrong-password", ip=STRANGER_IP).status_code for _ in range(2)]

    assert statuses == [200, 429]
    assert log_in(api_client, "operator", ip=STRANGER_IP).status_code == 429


@pytest.mark.django_db
def test_a_wrong_back_office_password_still_reads_as_one(client, operator):
    page = admin_log_in(client, "operator", "wrong-password").content.decode()

    assert "登录失败次数过多" not in page
    assert "请输入一个正确的" in page


@pytest.mark.django_db
def test_resetting_an_address_from_the_shell_ends_its_wait(api_client, user):
    fail(api_client, user.username, 5)

    call_command("axes_reset_ip", STRANGER_IP)

    assert log_in(api_client, user.username, ip=STRANGER_IP).status_code == 200
