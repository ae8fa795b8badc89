import time
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import signing
from django_redis import get_redis_connection

from meiduo_mall.apps.oauth.models import OAuthQQUser
from meiduo_mall.apps.oauth.services import OPENID_TOKEN_SALT, openid_from_token, sign_openid
from meiduo_mall.apps.users.models import User
from tests.factories import DEFAULT_PASSWORD
from tests.fakes.qq_server import CLIENT_SECRET

pytestmark = pytest.mark.django_db


def sms_code_for(mobile, code="246810"):
    get_redis_connection("verify_codes").set(f"sms_{mobile}", code, ex=300)
    return code


def bind(api_client, token, mobile="13712345678", password="newpass123", sms_code=None):
    return api_client.post(
        "/oauth/qq/user/",
        {
            "access_token": token,
            "mobile": mobile,
            "password": password,
            "sms_code": sms_code or sms_code_for(mobile),
        },
        format="json",
    )


class TestAuthorizationURL:
    def test_carries_client_redirect_and_next_as_state(self, api_client, fake_qq, settings):
        response = api_client.get("/oauth/qq/authorization/", {"next": "/user_center_info.html"})
        assert response.status_code == 200
        url = urlparse(response.data["login_url"])
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert f"{url.scheme}://{url.netloc}{url.path}" == f"{fake_qq.base_url}/oauth2.0/authorize"
        assert query["client_id"] == settings.QQ_CLIENT_ID
        assert query["redirect_uri"] == settings.QQ_REDIRECT_URI
        assert query["state"] == "/user_center_info.html"
        assert response.data["oauth_url"] == response.data["login_url"]

    def test_accepts_state_instead_of_next(self, api_client, fake_qq):
        response = api_client.get("/oauth/qq/authorization/", {"state": "/cart.html"})
        assert "state=%2Fcart.html" in response.data["login_url"]

    @pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
    def test_foreign_targets_become_the_home_page(self, api_client, fake_qq, target):
        response = api_client.get("/oauth/qq/authorization/", {"next": target})
        assert "state=%2F&" in response.data["login_url"]

    def test_is_503_while_qq_login_is_not_configured(self, api_client, settings):
        settings.QQ_CLIENT_ID = ""
        response = api_client.get("/oauth/qq/authorization/")
        assert response.status_code == 503
        assert response.data == {"message": "QQ登录未开启"}


class TestCallback:
    def test_missing_code_is_400(self, api_client, fake_qq):
        response = api_client.get("/oauth/qq/user/")
        assert response.status_code == 400
        assert response.data == {"message": "缺少code"}

    def test_unknown_code_is_a_qq_service_error(self, api_client, fake_qq):
        response = api_client.get("/oauth/qq/user/", {"code": "not-a-code"})
        assert response.status_code == 503
        assert response.data == {"message": "QQ服务异常"}

    def test_is_503_without_asking_qq_while_qq_login_is_not_configured(self, api_client, fake_qq, settings):
        code = fake_qq.issue_code("OPENID-UNCONFIGURED")
        settings.QQ_CLIENT_SECRET = ""

        response = api_client.get("/oauth/qq/user/", {"code": code})

        assert response.status_code == 503
        assert response.data == {"message": "QQ登录未开启"}
        settings.QQ_CLIENT_SECRET = CLIENT_SECRET
        assert api_client.get("/oauth/qq/user/", {"code": code}).status_code == 200

    def test_qq_down_is_a_qq_service_error(self, api_client, fake_qq):
        fake_qq.down = True
        response = api_client.get("/oauth/qq/user/", {"code": fake_qq.issue_code()})
        assert response.status_code == 503

    def test_unbound_openid_gets_a_signed_binding_token(self, api_client, fake_qq):
        response = api_client.get("/oauth/qq/user/", {"code": fake_qq.issue_code("OPENID-NEW")})
        assert response.status_code == 200
        assert set(response.data) == {"access_token"}
        assert openid_from_token(response.data["access_token"]) == "OPENID-NEW"
        assert "OPENID-NEW" not in response.data["access_token"]

    def test_bound_openid_logs_in(self, api_client, fake_qq, user):
        OAuthQQUser.objects.create(user=user, openid="OPENID-BOUND")
        response = api_client.get("/oauth/qq/user/", {"code": fake_qq.issue_code("OPENID-BOUND")})
        assert response.status_code == 200
        assert response.data["user_id"] == user.id
        assert response.data["username"] == user.username
        me = api_client.get("/health/", HTTP_AUTHORIZATION=f"JWT {response.data['token']}")
        assert me.status_code == 200

    def test_a_code_works_once(self, api_client, fake_qq):
        code = fake_qq.issue_code()
        assert api_client.get("/oauth/qq/user/", {"code": code}).status_code == 200
        assert api_client.get("/oauth/qq/user/", {"code": code}).status_code == 503


class TestBinding:
    def test_new_mobile_creates_an_account_named_after_it(self, api_client):
        response = bind(api_client, sign_openid("OPENID-1"), mobile="13712345678", password="newpass123")
        assert response.status_code == 200
        user = User.objects.get(mobile="13712345678")
        assert user.username == "13712345678"
        assert user.check_password("newpass123")
        assert response.data["user_id"] == user.id
        assert OAuthQQUser.objects.get(openid="OPENID-1").user == user

    def test_existing_mobile_binds_with_the_right_password(self, api_client, user):
        response = bind(api_client, sign_openid("OPENID-2"), mobile=user.mobile, password=DEFAULT_PASSWORD)
        assert response.status_code == 200
        assert response.data["user_id"] == user.id
        assert OAuthQQUser.objects.get(openid="OPENID-2").user == user

    def test_existing_mobile_with_a_wrong_password_is_refused(self, api_client, user):
        response = bind(api_client, sign_openid("OPENID-3"), mobile=user.mobile, password="wrongpass99")
        assert response.status_code == 400
        assert response.data["message"] == "密码错误"
        assert not OAuthQQUser.objects.exists()

    def test_wrong_sms_code_is_refused(self, api_client):
        mobile = "13712345678"
        sms_code_for(mobile, "111111")
        response = bind(api_client, sign_openid("OPENID-4"), mobile=mobile, sms_code="222222")
        assert response.status_code == 400
        assert response.data["message"] == "短信验证码错误"
        assert not User.objects.filter(mobile=mobile).exists()

    def test_forged_token_is_refused(self, api_client):
        forged = sign_openid("OPENID-5")[:-2] + "xx"
        response = bind(api_client, forged)
        assert response.status_code == 400
        assert response.data["message"] == "无效的access_token"
        assert not OAuthQQUser.objects.exists()

    def test_expired_token_is_refused(self, api_client):
        class ElevenMinutesAgo(signing.TimestampSigner):
            def timestamp(self):
                return signing.b62_encode(int(time.time()) - 660)

        expired = ElevenMinutesAgo(salt=OPENID_TOKEN_SALT).sign_object({"openid": "OPENID-6"})
        response = bind(api_client, expired)
        assert response.status_code == 400
        assert not OAuthQQUser.objects.exists()

    def test_an_openid_bound_to_someone_else_cannot_be_bound_again(self, api_client, other_user):
        OAuthQQUser.objects.create(user=other_user, openid="OPENID-7")
        response = bind(api_client, sign_openid("OPENID-7"), mobile="13712345678")
        assert response.status_code == 400
        assert OAuthQQUser.objects.filter(openid="OPENID-7").get().user == other_user

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"mobile": "13712345678", "password": "newpass123", "sms_code": "123456"},
            {"access_token": "x", "mobile": "12345", "password": "newpass123", "sms_code": "123456"},
            {"access_token": "x", "mobile": "13712345678", "password": "short", "sms_code": "123456"},
            {"access_token": "x", "mobile": "13712345678", "password": "p" * 21, "sms_code": "123456"},
            {"access_token": "x", "mobile": ["13712345678"], "password": "newpass123", "sms_code": "123456"},
        ],
    )
    def test_bad_input_is_400_with_a_message(self, api_client, body):
        response = api_client.post("/oauth/qq/user/", body, format="json")
        assert response.status_code == 400
        assert response.data["message"]
        assert not User.objects.exists()


class TestGuestCartMerge:
    def test_a_bound_qq_login_merges_the_guest_cart(self, api_client, fake_qq, user, sku):
        OAuthQQUser.objects.create(user=user, openid="OPENID-CART")
        assert api_client.post("/cart/", {"sku_id": sku.id, "count": 3}, format="json").status_code == 201

        response = api_client.get("/oauth/qq/user/", {"code": fake_qq.issue_code("OPENID-CART")})

        assert response.status_code == 200
        assert response.cookies["cart"].value == ""
        assert get_redis_connection("cart").hget(f"cart_{user.id}", sku.id) == b"3"

    def test_binding_merges_the_guest_cart_into_the_new_account(self, api_client, sku):
        assert api_client.post("/cart/", {"sku_id": sku.id, "count": 2}, format="json").status_code == 201

        response = bind(api_client, sign_openid("OPENID-CART-2"), mobile="13712345678")

        assert response.status_code == 200
        assert response.cookies["cart"].value == ""
        assert get_redis_connection("cart").hget(f"cart_{response.data['user_id']}", sku.id) == b"2"
