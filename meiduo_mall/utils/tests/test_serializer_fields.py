from datetime import datetime

import pytest
from rest_framework import serializers

from meiduo_mall.utils.serializer_fields import BooleanOrWordField, MinuteField, StrictBooleanField, StrictCharField


class Flags(serializers.Serializer):
    strict = StrictBooleanField(required=False)
    word = BooleanOrWordField(required=False)


@pytest.mark.parametrize("value", [True, False])
def test_json_booleans_are_taken(value):
    serializer = Flags(data={"strict": value, "word": value})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {"strict": value, "word": value}


@pytest.mark.parametrize("value", [0, 1, "1", "0", "true", "True", "yes", "on", "", None, [], {}, 1.0])
def test_anything_else_is_refused_by_the_strict_field(value):
    serializer = Flags(data={"strict": value})
    assert not serializer.is_valid()
    assert "strict" in serializer.errors


def test_the_word_field_also_takes_the_words_the_register_page_sends():
    for word, value in (("true", True), ("false", False)):
        serializer = Flags(data={"word": word})
        assert serializer.is_valid(), serializer.errors
        assert serializer.validated_data["word"] is value
    for other in ("True", "1", "yes", 1, 0):
        assert not Flags(data={"word": other}).is_valid()


def test_minutes_are_shown_without_seconds():
    assert MinuteField().to_representation(datetime(2026, 12, 1, 9, 30, 59)) == "2026-12-01 09:30"


@pytest.mark.parametrize("selected", [0, 1, "true"])
def test_the_cart_refuses_a_selection_that_is_not_a_boolean(api_client, db, selected):
    response = api_client.put("/cart/selection/", {"selected": selected}, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["勾选状态须为true或false"]}


@pytest.mark.parametrize("value", [0, 12.5, True, [], {}])
def test_the_strict_char_field_takes_strings_only(value):
    field = StrictCharField()
    assert field.run_validation("东华门街道1号") == "东华门街道1号"
    with pytest.raises(serializers.ValidationError):
        field.run_validation(value)


def test_an_address_whose_place_is_a_number_is_refused(auth_client, areas):
    body = {
        "receiver": "张三",
        "province_id": 110000,
        "city_id": 110100,
        "district_id": 110101,
        "place": 0,
        "mobile": "13800138000",
    }
    response = auth_client.post("/addresses/", body, format="json")
    assert response.status_code == 400
    assert auth_client.post("/addresses/", {**body, "place": "东华门街道1号"}, format="json").status_code == 201
