import json

import pytest
from django.core.management import call_command

from meiduo_mall.apps.areas.models import Area
from meiduo_mall.apps.areas.services import AREAS_FILE, load_areas

PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def test_data_file_is_three_levels_of_real_names():
    rows = json.loads(AREAS_FILE.read_text(encoding="utf-8"))
    by_id = {pk: (name, parent) for pk, name, parent in rows}
    assert len(by_id) == len(rows)
    assert 3200 <= len(rows) <= 3600

    provinces = [pk for pk, (_, parent) in by_id.items() if parent is None]
    cities = {pk for pk, (_, parent) in by_id.items() if parent in provinces}
    districts = [pk for pk, (_, parent) in by_id.items() if parent in cities]
    assert len(provinces) == 31
    assert len(cities) + len(provinces) + len(districts) == len(rows)
    for district in districts:
        city = by_id[district][1]
        assert by_id[by_id[city][1]][1] is None, district
    assert not {name for name, _ in by_id.values()} & PLACEHOLDER_NAMES
    assert cities <= {by_id[d][1] for d in districts}, "every city offers districts"


@pytest.mark.django_db
def test_load_areas_is_idempotent_and_repairs_rows(areas):
    assert Area.objects.filter(parent=None).count() == 31
    assert Area.objects.get(id=110101).parent.parent.name == "北京市"
    assert Area.objects.get(id=110100).name == "北京市"
    assert Area.objects.get(id=500237).parent_id == 500100  # 巫山县 under the one 重庆市
    assert Area.objects.get(id=419001).parent.name == "省直辖县级市"
    assert Area.objects.get(id=441900003).parent.name == "东莞市"

    Area.objects.filter(id=110101).update(name="错名")
    assert load_areas() == (0, 1)
    assert Area.objects.get(id=110101).name == "东城区"
    call_command("load_areas")
    assert load_areas() == (0, 0)


@pytest.mark.django_db
def test_provinces_and_subs(api_client, areas):
    provinces = api_client.get("/areas/").json()
    assert len(provinces) == 31
    assert provinces[0] == {"id": 110000, "name": "北京市"}

    beijing = api_client.get("/areas/110000/").json()
    assert beijing == {"id": 110000, "name": "北京市", "subs": [{"id": 110100, "name": "北京市"}]}
    city = api_client.get("/areas/110100/").json()
    assert {"id": 110101, "name": "东城区"} in city["subs"]
    assert api_client.get("/areas/110101/").json()["subs"] == []


@pytest.mark.django_db
def test_unknown_or_malformed_area_is_404(api_client, areas):
    assert api_client.get("/areas/999999/").status_code == 404
    assert api_client.get("/areas/abc/").status_code == 404
    assert api_client.get("/areas/99999999999999999999999/").status_code == 404


@pytest.mark.django_db
def test_stale_token_does_not_block_public_areas(api_client, areas):
    api_client.credentials(HTTP_AUTHORIZATION="JWT undefined")
    assert api_client.get("/areas/").status_code == 200


@pytest.mark.django_db
def test_second_call_is_served_from_cache_without_sql(api_client, areas, django_assert_num_queries):
    first = api_client.get("/areas/130000/")
    with django_assert_num_queries(0):
        second = api_client.get("/areas/130000/")
    assert second.json() == first.json()
    api_client.get("/areas/")
    with django_assert_num_queries(0):
        assert len(api_client.get("/areas/").json()) == 31


@pytest.mark.django_db
def test_reloading_changed_data_drops_cached_responses(api_client, areas):
    assert api_client.get("/areas/110100/").json()["subs"][0]["name"] == "东城区"
    Area.objects.filter(id=110101).update(name="错名")
    assert api_client.get("/areas/110100/").json()["subs"][0]["name"] == "东城区"  # still the cached answer
    load_areas()  # repairs the row and, because it changed something, drops the cached answers
    Area.objects.filter(id=110101).update(name="改过")
    assert api_client.get("/areas/110100/").json()["subs"][0]["name"] == "改过"


@pytest.mark.django_db
def test_areas_are_one_redis_round_trip_and_come_from_the_database_while_redis_is_down(api_client, areas, settings):
    from django.test import override_settings
    from django_redis import get_redis_connection

    paths = ["/areas/", "/areas/440300/", "/areas/999999/"]
    expected = [(response.status_code, response.content) for response in map(api_client.get, paths)]
    assert [status for status, _ in expected] == [200, 200, 404]
    assert api_client.get("/areas/999999/").json() == {"detail": "地区不存在"}

    redis = get_redis_connection("default")
    before = sum(row["calls"] for name, row in redis.info("commandstats").items() if name != "cmdstat_info")
    api_client.get("/areas/440300/")
    after = sum(row["calls"] for name, row in redis.info("commandstats").items() if name != "cmdstat_info")
    assert after - before == 1

    caches = {alias: dict(conf) for alias, conf in settings.CACHES.items()}
    caches["default"]["LOCATION"] = "redis://127.0.0.1:1/0"
    with override_settings(CACHES=caches):
        assert [(response.status_code, response.content) for response in map(api_client.get, paths)] == expected
