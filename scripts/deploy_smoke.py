"""The Python half of scripts/deploy_smoke.sh: stand-in services, nginx.conf rendering, and the checks.

    deploy_smoke.py standins ENV_FILE      run the Elasticsearch and FastDFS stand-ins until killed;
                                            their settings go to ENV_FILE (shell `export` lines)
    deploy_smoke.py nginx-config SRC DST   nginx.conf with paths, ports and the uwsgi socket substituted
    deploy_smoke.py check                  everything a shopper and the back office do, through nginx

The checks read SMOKE_WWW, SMOKE_API (split layout), SMOKE_ONE (single origin), SMOKE_USER and
SMOKE_PASSWORD, SMOKE_UWSGI_PID, SMOKE_RUN_AS and SMOKE_REPLICA, MEDIA_ROOT, and the worker log beside MEIDUO_VAR_DIR.
Each failure says what was asked and what came back; the first one stops the run (exit status 1).
"""

import argparse
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent


class SmokeFailure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise SmokeFailure(message)


# Stand-ins -------------------------------------------------------------------------------------------


def run_standins(env_file):
    sys.path.insert(0, str(BASE_DIR))
    from tests.fakes.elasticsearch_server import FakeElasticsearch
    from tests.fakes.fastdfs_server import FakeFastDFS

    elasticsearch = FakeElasticsearch()
    elasticsearch.start()
    fastdfs = FakeFastDFS().start()
    settings = {
        "ELASTICSEARCH_URL": elasticsearch.url,
        "FDFS_TRACKER_SERVERS": fastdfs.tracker_address,
        "FDFS_BASE_URL": fastdfs.base_url,
    }
    partial = Path(f"{env_file}.partial")
    partial.write_text("".join(f"export {key}={shlex.quote(value)}\n" for key, value in settings.items()))
    partial.replace(env_file)
    print(settings, flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


# nginx.conf ------------------------------------------------------------------------------------------


def server_blocks(text):
    """(start, end) of every top-level `server { ... }` block."""
    blocks, depth, start = [], 0, None
    for match in re.finditer(r"#[^\n]*|[{}]|\bserver\s*\{", text):
        token = match.group()
        if token.startswith("#"):
            continue
        if token != "}" and depth == 0 and token.startswith("server"):
            start = match.start()
            depth = 1
        elif token.endswith("{"):
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0 and start is not None:
                blocks.append((start, match.end()))
                start = None
    return blocks


def render_nginx_config(source, target, root, single_root, socket_path, ports):
    """The shipped nginx.conf, each server block on its loopback port, the paths and socket of this run."""
    text = Path(source).read_text()
    wanted = dict(port.split("=", 1) for port in ports)
    rendered, last = [], 0
    for start, end in server_blocks(text):
        block = text[start:end]
        name = re.search(r"server_name\s+([^;\s]+)", block).group(1)
        expect(name in wanted, f"nginx.conf: no port given for server {name}")
        expect(block.count("listen 80;") == 1, f"nginx.conf: server {name} should listen on 80 exactly once")
        block = block.replace("listen 80;", f"listen 127.0.0.1:{wanted.pop(name)};")
        if name == "meiduo.site":
            block = block.replace("root /srv/meiduo/front_end_pc;", f"root {single_root}/front_end_pc;")
        rendered.append(text[last:start] + block)
        last = end
    expect(not wanted, f"nginx.conf has no server block for {sorted(wanted)}")
    rendered.append(text[last:])
    config = "".join(rendered)
    expect("unix:/run/meiduo/uwsgi.sock" in config, "nginx.conf: the upstream is not unix:/run/meiduo/uwsgi.sock")
    config = config.replace("unix:/run/meiduo/uwsgi.sock", f"unix:{socket_path}").replace("/srv/meiduo/", f"{root}/")
    Path(target).write_text(config)


# Checks ----------------------------------------------------------------------------------------------


class Smoke:
    def __init__(self):
        import requests

        self.requests = requests
        self.www = os.environ["SMOKE_WWW"]
        self.api = os.environ["SMOKE_API"]
        self.one = os.environ["SMOKE_ONE"]
        self.session = requests.Session()
        self.token = None

    def call(self, method, url, *, status=200, origin=None, auth=False, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if origin:
            headers["Origin"] = origin
        if auth:
            headers["Authorization"] = f"JWT {self.token}"
        kwargs.setdefault("allow_redirects", False)
        response = self.session.request(method, url, headers=headers, timeout=30, **kwargs)
        expect(
            response.status_code == status,
            f"{method} {url} answered {response.status_code}, expected {status}: {response.text[:300]}",
        )
        return response

    def json(self, method, url, **kwargs):
        response = self.call(method, url, **kwargs)
        expect(
            response.headers.get("Content-Type", "").startswith("application/json"),
            f"{method} {url} is not JSON: {response.headers.get('Content-Type')}",
        )
        if kwargs.get("origin"):
            allowed = response.headers.get("Access-Control-Allow-Origin")
            expect(allowed == kwargs["origin"], f"{method} {url}: Access-Control-Allow-Origin {allowed!r}")
        return response.json()

    def step(self, title, check):
        started = time.monotonic()
        check()
        print(f"  ok  {title} ({time.monotonic() - started:.1f} s)", flush=True)

    # pages ----------------------------------------------------------------------------------------

    def home_pages(self):
        for origin in (self.www, self.one):
            page = self.call("GET", f"{origin}/")
            expect("美多商城" in page.text, f"{origin}/ is not the shop's home page")
            expect("max-age=60" in page.headers.get("Cache-Control", ""), f"{origin}/: a generated page cached long")
            self.category_ids = [int(cat) for cat in re.findall(r"list\.html\?cat=(\d+)", page.text)]
            expect(self.category_ids, f"{origin}/index.html links no category")
            css = self.call("GET", f"{origin}/css/main.css", headers={"Accept-Encoding": "gzip"})
            expect("max-age=2592000" in css.headers.get("Cache-Control", ""), f"{origin}/css/main.css not cached long")
            expect(css.headers.get("Content-Encoding") == "gzip", f"{origin}/css/main.css is not gzipped")
            self.call("GET", f"{origin}/package.json", status=404)
            self.call("GET", f"{origin}/node_modules/vue/package.json", status=404)
            self.call("GET", f"{origin}/goods/0.html", status=404)
        host = self.call("GET", f"{self.www}/js/host.js")
        expect(f'"{self.api}"' in host.text, f"split layout: js/host.js does not name the API origin: {host.text}")
        expect(host.headers.get("Cache-Control") == "no-cache", "js/host.js may be cached")
        host = self.call("GET", f"{self.one}/js/host.js")
        expect("window.location.origin" in host.text, f"single origin: js/host.js is {host.text}")

    def catalog(self):
        for category in self.category_ids:
            preflight = self.call(
                "OPTIONS",
                f"{self.api}/categories/{category}/skus/",
                origin=self.www,
                headers={"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"},
            )
            expect(preflight.headers.get("Access-Control-Allow-Origin") == self.www, "CORS preflight refused")
            expect(preflight.headers.get("Access-Control-Allow-Credentials") == "true", "preflight: no credentials")
            expect("authorization" in preflight.headers.get("Access-Control-Allow-Headers", ""), "preflight: headers")
            listing = self.json("GET", f"{self.api}/categories/{category}/skus/?page=1&page_size=5", origin=self.www)
            if listing["results"]:
                break
        else:
            raise SmokeFailure("no category of the home page lists an SKU")
        self.sku = listing["results"][0]
        same = self.json("GET", f"{self.one}/categories/{category}/skus/?page=1&page_size=5")
        expect(same["count"] == listing["count"], "the single origin lists other SKUs than the API origin")
        self.check_image(self.sku["default_image_url"], "the list's default_image_url")

    def check_image(self, url, what):
        expect(url.startswith("http://127.0.0.1:"), f"{what} is not absolute: {url!r}")
        picture = self.call("GET", url)
        expect(picture.headers.get("Content-Type", "").startswith("image/"), f"{what} {url} is not an image")

    def detail_page(self):
        url = f"{self.www}/goods/{self.sku['id']}.html"
        deadline = time.monotonic() + 90
        # The Celery worker writes the detail pages queued by seed_demo.
        while self.session.get(url, timeout=10).status_code != 200:
            expect(time.monotonic() < deadline, f"{url} was not generated by the Celery worker within 90 s")
            time.sleep(1)
        page = self.call("GET", url)
        expect(self.sku["name"] in page.text, f"{url} does not show {self.sku['name']}")
        main_image = re.search(r'id="main-image" src="([^"]*)"', page.text)
        expect(main_image, f"{url} has no main image")
        self.check_image(main_image.group(1), "the detail page's main image")
        self.call("GET", f"{self.one}/goods/{self.sku['id']}.html")

    def search(self):
        word = self.sku["name"].split()[0]
        found = self.json("GET", f"{self.api}/skus/search/", params={"text": word}, origin=self.www)
        expect(found["count"] >= 1, f"searching {word!r} found nothing")
        expect(any(hit["id"] == self.sku["id"] for hit in found["results"]) or found["count"] > 1, "search misses")

    def back_office(self):
        for origin in (self.api, self.one):
            login = self.call("GET", f"{origin}/admin/login/")
            stylesheets = re.findall(r'href="(/static/unfold/[^"]+\.css)"', login.text)
            expect(stylesheets, f"{origin}/admin/login/ links no /static/unfold/ stylesheet")
            css = self.call("GET", f"{origin}{stylesheets[0]}")
            expect(css.headers.get("Content-Type", "").startswith("text/css"), f"{stylesheets[0]} is not CSS")
        docs = self.call("GET", f"{self.api}/api/docs/")
        asset = re.search(r'src="(/static/drf_spectacular_sidecar/[^"]+\.js)"', docs.text)
        expect(asset, "/api/docs/ loads no Swagger UI script from /static/")
        self.call("GET", f"{self.api}{asset.group(1)}")

    def admin_upload(self):
        """An ad picture uploaded in the back office lands in the default storage and is served at its URL."""
        import io

        from PIL import Image

        admin = self.requests.Session()
        login = admin.get(f"{self.api}/admin/login/", timeout=30)
        admin.post(
            f"{self.api}/admin/login/",
            data={
                "csrfmiddlewaretoken": form_token(login.text),
                "username": os.environ["SMOKE_USER"],
                "password": os.environ["SMOKE_PASSWORD"],
                "next": "/admin/",
            },
            timeout=30,
        )
        add_url = f"{self.api}/admin/contents/content/add/"
        form = admin.get(add_url, timeout=30)
        expect(form.status_code == 200, f"the back office login failed: {add_url} answered {form.status_code}")
        category = re.search(r'<select name="category"[^>]*>.*?<option value="(\d+)"', form.text, re.S)
        expect(category, "the ad form offers no category")
        picture = io.BytesIO()
        Image.new("RGB", (64, 32), (220, 40, 40)).save(picture, "PNG")
        title = f"冒烟广告{int(time.time())}"
        saved = admin.post(
            add_url,
            data={
                "csrfmiddlewaretoken": form_token(form.text),
                "category": category.group(1),
                "title": title,
                "url": "/index.html",
                "sequence": "99",
                "status": "on",
                "_save": "保存",
            },
            files={"image": ("smoke.png", picture.getvalue(), "image/png")},
            allow_redirects=False,
            timeout=30,
        )
        expect(saved.status_code == 302, f"saving the ad answered {saved.status_code}: {saved.text[-500:]}")
        listing = admin.get(f"{self.api}/admin/contents/content/", params={"q": title}, timeout=30)
        change = re.search(r'href="(/admin/contents/content/\d+/change/[^"]*)"', listing.text)
        expect(change, "the new ad is not in the back office list")
        page = admin.get(f"{self.api}{change.group(1)}", timeout=30)
        stored = re.search(r'href="(http[^"]+\.png)"', page.text)
        expect(stored, "the ad's change page links no stored picture")
        fetched = self.call("GET", stored.group(1))
        expect(fetched.content == picture.getvalue(), f"{stored.group(1)} does not serve the uploaded picture")
        self.uploaded_url = stored.group(1)

    def media_location(self):
        # Uploads of the file-system storage (DEFAULT_FILE_STORAGE_BACKEND=...FileSystemStorage) live in MEDIA_ROOT.
        picture = Path(os.environ["MEDIA_ROOT"]) / "smoke" / "pixel.gif"
        picture.parent.mkdir(parents=True, exist_ok=True)
        picture.write_bytes(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")
        for origin in (self.api, self.one):
            served = self.call("GET", f"{origin}/media/smoke/pixel.gif")
            expect(served.content == picture.read_bytes(), f"{origin}/media/ does not serve MEDIA_ROOT")
            expect("max-age=2592000" in served.headers.get("Cache-Control", ""), f"{origin}/media/ not cached long")
        self.call("GET", f"{self.www}/media/smoke/pixel.gif", status=404)

    def readiness(self):
        ready = self.json("GET", f"{self.api}/health/ready/")
        expect(ready["status"] == "ok", f"/health/ready/ says {ready}")
        if os.environ.get("SMOKE_REPLICA") == "1":
            expect(ready.get("replica") == "ok", f"/health/ready/ reports the replica as {ready.get('replica')}")

    def proxy_headers(self):
        # A client's own X-Forwarded-Proto must not make Django believe the request came over https.
        answer = self.call("GET", f"{self.api}/health/", headers={"X-Forwarded-Proto": "https"})
        expect("Strict-Transport-Security" not in answer.headers, "nginx passed the client's X-Forwarded-Proto on")
        uwsgi = os.environ["SMOKE_UWSGI_PID"]
        workers = subprocess.run(["ps", "-o", "user=", "--ppid", uwsgi], capture_output=True, text=True).stdout.split()
        expect(workers, "uwsgi has no worker processes")
        expect(set(workers) == {os.environ["SMOKE_RUN_AS"]}, f"uwsgi workers run as {set(workers)}")

    # a member's order ------------------------------------------------------------------------------

    def order_and_payment(self):
        www, api = self.www, self.api
        login = self.json(
            "POST",
            f"{api}/authorizations/",
            origin=www,
            json={"username": os.environ["SMOKE_USER"], "password": os.environ["SMOKE_PASSWORD"]},
        )
        self.token = login["token"]
        province = self.json("GET", f"{api}/areas/", origin=www)[0]
        city = self.json("GET", f"{api}/areas/{province['id']}/", origin=www)["subs"][0]
        district = self.json("GET", f"{api}/areas/{city['id']}/", origin=www)["subs"][0]
        address = self.json(
            "POST",
            f"{api}/addresses/",
            status=201,
            origin=www,
            auth=True,
            json={
                "receiver": "冒烟测试",
                "province_id": province["id"],
                "city_id": city["id"],
                "district_id": district["id"],
                "place": "测试路1号",
                "mobile": "13800000000",
            },
        )
        line = {"sku_id": self.sku["id"], "count": 1}
        self.json("POST", f"{api}/cart/", status=201, origin=www, auth=True, json=line)
        alipay_order = {"address": address["id"], "pay_method": 2}
        order = self.json("POST", f"{api}/orders/", status=201, origin=www, auth=True, json=alipay_order)
        order_id = order["order_id"]

        # Single origin: a same-origin GET has no Origin header; the return leads to the request's own origin.
        single = self.json("GET", f"{self.one}/orders/{order_id}/payment/", auth=True)["alipay_url"]
        expect(return_url(single) == f"{self.one}/pay_success.html", f"single origin return_url {return_url(single)}")

        alipay_url = self.json("GET", f"{api}/orders/{order_id}/payment/", origin=www, auth=True)["alipay_url"]
        expect(return_url(alipay_url) == f"{www}/pay_success.html", f"split return_url {return_url(alipay_url)}")
        gateway = self.call("GET", alipay_url)
        expect(f"美多商城{order_id}" in gateway.text, "the Alipay sandbox does not show the order")
        # The 付款 button: the form posts back to the same URL with its CSRF token, as a browser does.
        paid = self.call("POST", alipay_url, status=302, data={"csrfmiddlewaretoken": form_token(gateway.text)})
        back = paid.headers["Location"]
        expect(back.startswith(f"{www}/pay_success.html?"), f"Alipay sent the buyer to {back}")
        self.call("GET", f"{www}/pay_success.html")
        status = self.json("PUT", f"{api}/payment/status/?{urlsplit(back).query}", origin=www, auth=True, json={})
        expect(status.get("trade_id"), f"PUT /payment/status/ gave {status}")
        detail = self.json("GET", f"{api}/orders/{order_id}/", origin=www, auth=True)
        expect(detail["status"] == 2, f"the paid order is in status {detail['status']}, expected 2 (待发货)")

    def verification_mail(self):
        self.json("PUT", f"{self.api}/emails/", origin=self.www, auth=True, json={"email": "smoke@meiduo.site"})
        log = Path(os.environ["MEIDUO_VAR_DIR"]).parent.parent / "worker.log"
        # The mail waits behind the detail-page tasks that seeding queued (one per saved SKU, image and spec).
        deadline = time.monotonic() + 90
        link = f"{self.www}/success_verify_email.html?token="
        while link not in log.read_text(errors="replace"):
            expect(time.monotonic() < deadline, f"the worker mailed no link to {link}… (see worker.log)")
            time.sleep(0.5)

    def run(self):
        self.step("/health/ready/: database, Redis, search (and the replica)", self.readiness)
        self.step("home pages of both layouts, cache headers, gzip, host.js", self.home_pages)
        self.step("SKU list with its CORS preflight, absolute image URLs", self.catalog)
        self.step("a detail page written by the Celery worker", self.detail_page)
        self.step("search", self.search)
        self.step("back office login page and Swagger UI with their /static/ assets", self.back_office)
        self.step("/media/ serves MEDIA_ROOT on the API origins", self.media_location)
        self.step("X-Forwarded-Proto set by nginx, uwsgi workers unprivileged", self.proxy_headers)
        self.step("a picture uploaded in the back office, fetched back at its URL", self.admin_upload)
        self.step("log in, cart, order, Alipay sandbox payment, order paid", self.order_and_payment)
        self.step("verification mail links back to the pages origin", self.verification_mail)


def form_token(html):
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    expect(token, "a back office form without its CSRF token")
    return token.group(1)


def return_url(alipay_url):
    return dict(parse_qsl(urlsplit(alipay_url).query)).get("return_url")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    standins = commands.add_parser("standins")
    standins.add_argument("env_file")
    nginx = commands.add_parser("nginx-config")
    nginx.add_argument("source")
    nginx.add_argument("target")
    nginx.add_argument("--root", required=True)
    nginx.add_argument("--single-root", required=True)
    nginx.add_argument("--socket", required=True)
    nginx.add_argument("--port", action="append", required=True, help="server_name=port")
    commands.add_parser("check")
    args = parser.parse_args()
    try:
        if args.command == "standins":
            run_standins(args.env_file)
        elif args.command == "nginx-config":
            render_nginx_config(args.source, args.target, args.root, args.single_root, args.socket, args.port)
        else:
            Smoke().run()
    except SmokeFailure as failure:
        sys.exit(f"[smoke] FAILED: {failure}")


if __name__ == "__main__":
    main()
