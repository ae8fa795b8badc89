from datetime import datetime

import pytest
from rest_framework import serializers

from meiduo_mall.utils.serializer_fields import BooleanOrWordField, MinuteField, StrictBooleanField


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
