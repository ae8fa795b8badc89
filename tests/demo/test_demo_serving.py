"""`make run` serves with DEBUG off, as production does, and still serves the pages, media and the back
office's static files itself (there is no nginx in the demo)."""

import re

import requests


def test_no_debug_page_reaches_a_shopper(demo):
    for path in ("/no-such-page.html", "/no/such/api/"):
        response = requests.get(demo.url + path, timeout=30)
        assert response.status_code == 404
        assert "URLconf" not in response.text and "DEBUG = True" not in response.text, response.text[:500]
    assert "meiduo_mall.settings.dev" not in requests.get(f"{demo.url}/no-such-page.html", timeout=30).text


def test_pages_media_and_static_files_are_served(demo):
    home = requests.get(f"{demo.url}/index.html", timeout=30)
    assert home.status_code == 200
    picture = re.search(r"/media/[^\"')\s]+", home.text)
    assert picture, "the home page shows no picture"
    assert requests.get(demo.url + picture.group(0), timeout=30).status_code == 200
    assert requests.get(f"{demo.url}/static/admin/css/base.css", timeout=30).status_code == 200
