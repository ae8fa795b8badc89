import pytest
from django_redis import get_redis_connection

from meiduo_mall.apps.verifications.exceptions import VerificationError
from meiduo_mall.apps.verifications.services import check_image_code

UUID = "5b7a4a8e-3c8f-4f62-9a0c-1d2e3f4a5b6c"


def stored_text(image_code_id=UUID):
    value = get_redis_connection("verify_codes").get(f"img_{image_code_id}")
    return value.decode() if value is not None else None


@pytest.mark.parametrize("path", [f"/image_codes/{UUID}/", f"/image_codes/{UUID}"])
def test_image_code_is_a_jpeg_whose_text_waits_in_redis(api_client, path):
    response = api_client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response.content[:3] == b"\xff\xd8\xff"
    text = stored_text()
    assert len(text) == 4 and text.isalnum()
    assert 290 <= get_redis_connection("verify_codes").ttl(f"img_{UUID}") <= 300


def test_a_new_image_replaces_the_old_text(api_client):
    texts = set()
    for _ in range(5):
        api_client.get(f"/image_codes/{UUID}/")
        texts.add(stored_text())
    assert len(texts) > 1


def test_stale_token_does_not_block_the_image(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="JWT undefined")
    assert api_client.get(f"/image_codes/{UUID}/").status_code == 200


def test_oversized_id_is_not_found(api_client):
    assert api_client.get(f"/image_codes/{'a' * 65}/").status_code == 404
    assert get_redis_connection("verify_codes").keys("img_*") == []


def test_check_is_case_insensitive_and_spends_the_code(api_client):
    api_client.get(f"/image_codes/{UUID}/")
    text = stored_text()

    check_image_code(UUID, text.lower())

    assert stored_text() is None
    with pytest.raises(VerificationError, match="图片验证码无效"):
        check_image_code(UUID, text)


def test_wrong_text_is_refused_and_spends_the_code(api_client):
    api_client.get(f"/image_codes/{UUID}/")
    text = stored_text()

    with pytest.raises(VerificationError, match="图片验证码错误"):
        check_image_code(UUID, "xxxx" if text.lower() != "xxxx" else "yyyy")
    with pytest.raises(VerificationError, match="图片验证码无效"):
        check_image_code(UUID, text)


def test_unknown_or_expired_code_is_invalid():
    with pytest.raises(VerificationError, match="图片验证码无效"):
        check_image_code(UUID, "ABCD")
