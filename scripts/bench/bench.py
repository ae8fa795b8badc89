"""The Python half of `make bench` (scripts/bench/run.sh): fixtures, load, table, JSON and chart.

    bench.py timed NAME SECONDS COMMAND...   run a setup step (seeding, index build, pages) with a time
                                             limit; its duration goes into $BENCH_WORK/setup.json
    bench.py run                             members and carts, then the load through nginx, each path
                                             side by side with bare /health/; prints the table and writes
                                             bench_results/<timestamp>.json and .png

run.sh sets the environment: BENCH_API and BENCH_WWW (nginx's API and pages origins), BENCH_WORK,
BENCH_UWSGI_PID, BENCH_CELERY_PID, BENCH_SQL_USER (the MariaDB account only the app's workers use, so
its statement counters are the app's SQL), BENCH_PAGES_DIR, BENCH_QUICK, BENCH_SECONDS, BENCH_ROUNDS,
BENCH_CONNECTIONS, BENCH_ORDER_MEMBERS, BENCH_RESULTS, BENCH_DEMO.
"""

import http.client
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from processes import children, cpu_seconds, descendants, named, rss_mb

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent.parent
WORK = Path(os.environ.get("BENCH_WORK", "/tmp"))
SETUP_FILE = WORK / "setup.json"
QUICK = os.environ.get("BENCH_QUICK") == "1"
SECONDS = int(os.environ.get("BENCH_SECONDS") or (3 if QUICK else 4))
ROUNDS = int(os.environ.get("BENCH_ROUNDS") or (1 if QUICK else 3))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
ORDER_MEMBERS = int(os.environ.get("BENCH_ORDER_MEMBERS", "4000"))
CART_MEMBERS, VIEW_MEMBERS, RUSH_BUYERS, RUSH_STOCK = 500, 100, 200, 50
# Unused coupons each order member holds before a measured run of order_1_coupon: one is used per request, and a
# run of a few seconds places fewer orders than there are members, so two leave room for a machine twice as fast.
ORDER_COUPONS = 2
AMPLE_STOCK = 10_000_000
PASSWORD = "bench12345"


# Setup steps -----------------------------------------------------------------------------------------


def load_setup():
    return json.loads(SETUP_FILE.read_text()) if SETUP_FILE.exists() else {}


def timed(name, limit, command):
    """Run a setup step, stopping it after `limit` seconds; record how long it took and how it ended."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    timed_out = False
    try:
        output, _ = process.communicate(timeout=limit)
        finished = process.returncode == 0
    except subprocess.TimeoutExpired:
        timed_out = True
        process.terminate()
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        finished = False
    spent = time.monotonic() - started
    step = {"seconds": round(spent, 1), "finished": finished, "timed_out": timed_out, "limit": limit}
    written = re.findall(r"(\d+) detail pages written", output or "")
    if written:
        step["pages"] = int(written[-1])
        step["pages_per_second"] = round(int(written[-1]) / spent, 1) if spent else None
        # the command's own rate leaves out its start (imports, the menu), which is the same whatever changed
        own_rate = re.findall(r"\(([\d.]+) pages/s\)", output)
        if own_rate:
            step["pages_per_second"] = float(own_rate[-1])
    setup = load_setup()
    setup[name] = step
    SETUP_FILE.write_text(json.dumps(setup, indent=2))
    state = "done" if finished else f"stopped after {limit} s" if timed_out else f"failed ({process.returncode})"
    print(f"[bench] {name}: {spent:.1f} s ({state})", flush=True)
    tail = (output or "").strip().splitlines()[-3:]
    for line in tail:
        print(f"[bench]   {line[-200:]}", flush=True)
    if not finished and name in ("migrate", "seed"):
        sys.exit(f"[bench] {name} failed")


# Fixtures (in the bench database) ------------------------------------------------------------------


def django_setup():
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


@dataclass
class Fixtures:
    category: int
    order_skus: list
    cart_skus: list
    rush_sku: int
    detail_sku: int
    members: dict = field(default_factory=dict)  # pool name -> [(user id, address id, token)]
    order_coupon: int = 0  # the Coupon the order_1_coupon requests use


def bench_members(prefix, count, area):
    """`count` members named <prefix>_<n>, each with a default address; created once, found again after."""
    from django.contrib.auth.hashers import make_password

    from meiduo_mall.apps.users.models import Address, User
    from meiduo_mall.apps.users.tokens import issue_jwt

    names = [f"{prefix}_{number:05d}" for number in range(count)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    password = make_password(PASSWORD)
    # mobiles 19<kind><7 digits>: unique per pool and never a seeded shopper's
    kind = {"bench_order": 1, "bench_cart": 2, "bench_view": 3, "bench_rush": 4, "bench_coupon": 5}[prefix]
    User.objects.bulk_create(
        [
            User(username=name, password=password, mobile=f"19{kind}{number:08d}")
            for number, name in enumerate(names)
            if name not in existing
        ],
        batch_size=2000,
    )
    users = list(User.objects.filter(username__in=names).order_by("username"))
    without = [user for user in users if user.default_address_id is None]
    if without:
        province, city, district = area
        Address.objects.bulk_create(
            [
                Address(
                    user=user,
                    title="家",
                    receiver=user.username[:20],
                    province=province,
                    city=city,
                    district=district,
                    place="压测路 1 号",
                    mobile=user.mobile,
                )
                for user in without
            ],
            batch_size=2000,
        )
        addresses = dict(Address.objects.filter(user__in=without).values_list("user_id", "id"))
        for user in without:
            user.default_address_id = addresses[user.id]
        User.objects.bulk_update(without, ["default_address"], batch_size=2000)
    return [(user.id, user.default_address_id, issue_jwt(user)) for user in users]


def prepare_fixtures():
    from django.db.models import Count

    from meiduo_mall.apps.areas.models import Area
    from meiduo_mall.apps.goods.demo.seed import BULK_CAPTION
    from meiduo_mall.apps.goods.detail_page import regenerate_detail_html
    from meiduo_mall.apps.goods.models import SKU
    from meiduo_mall.apps.goods.static_html import category_menu

    category = (
        SKU.objects.filter(is_launched=True).values("category").annotate(n=Count("id")).order_by("-n")[0]["category"]
    )
    demo_skus = list(
        SKU.objects.filter(is_launched=True).exclude(caption=BULK_CAPTION).order_by("id").values_list("id", flat=True)
    )
    order_skus, cart_skus, rush_sku = demo_skus[:3], demo_skus[3:53], demo_skus[53]
    SKU.objects.filter(pk__in=order_skus + cart_skus).update(stock=AMPLE_STOCK)
    district = Area.objects.filter(parent__parent__isnull=False).select_related("parent__parent").first()
    area = (district.parent.parent, district.parent, district)
    regenerate_detail_html(order_skus[0], category_menu())
    fixtures = Fixtures(category, order_skus, cart_skus, rush_sku, order_skus[0])
    for pool, count in (
        ("bench_order", ORDER_MEMBERS),
        ("bench_cart", CART_MEMBERS),
        ("bench_view", VIEW_MEMBERS),
        ("bench_coupon", VIEW_MEMBERS),
    ):
        fixtures.members[pool] = bench_members(pool, count, area)
    fixtures.members["bench_rush"] = bench_members("bench_rush", RUSH_BUYERS, area)
    for pool, members in fixtures.members.items():
        (WORK / f"{pool}.tokens").write_text("".join(f"{token} {address}\n" for _, address, token in members))
    fill_carts(fixtures.members["bench_view"], order_skus)
    fill_carts(fixtures.members["bench_coupon"], order_skus)
    coupons = bench_coupons(order_skus)
    fixtures.order_coupon = coupons[0].pk
    hold_coupons(fixtures.members["bench_coupon"], coupons)
    return fixtures


def fill_carts(members, sku_ids):
    """Every member's cart becomes one piece of each SKU, all selected (the shape RedisCartStore keeps)."""
    from meiduo_mall.apps.carts.stores import RedisCartStore

    client = RedisCartStore(0).client
    pipeline = client.pipeline(transaction=False)
    for user_id, _, _ in members:
        store = RedisCartStore(user_id)
        pipeline.delete(store.cart_key, store.selected_key)
        pipeline.hset(store.cart_key, mapping={sku_id: 1 for sku_id in sku_ids})
        pipeline.sadd(store.selected_key, *sku_ids)
    pipeline.execute()


def bench_coupons(order_skus):
    """The bench's coupon templates, made once: first a 满2减1 for the whole shop, which every cart of the order SKUs
    can use (the one orders spend, any number per member), then four it cannot: thresholds out of reach (满减 and
    折扣) and scopes of another SPU and another category, so that settlement prices each kind and scope."""
    from decimal import Decimal

    from meiduo_mall.apps.coupons.models import Coupon
    from meiduo_mall.apps.goods.models import SKU, Goods

    in_carts = SKU.objects.filter(pk__in=order_skus).values_list("goods_id", "category_id")
    goods_ids = {goods_id for goods_id, _ in in_carts}
    category_ids = {category_id for _, category_id in in_carts}
    other = Goods.objects.exclude(pk__in=goods_ids).exclude(category3_id__in=category_ids).order_by("id").first()
    out_of_reach = Decimal("10000000.00")
    spend = {"kind": Coupon.Kind.SPEND_AND_SAVE, "amount": Decimal("1.00")}
    templates = [
        ("压测满2减1", {**spend, "threshold": Decimal("2.00")}, {}),
        ("压测满减够不着", {**spend, "threshold": out_of_reach}, {}),
        ("压测折扣够不着", {"kind": Coupon.Kind.PERCENT_OFF, "percent_off": 10, "threshold": out_of_reach}, {}),
        ("压测指定商品", {**spend, "threshold": Decimal("2.00"), "scope": Coupon.Scope.GOODS}, {"goods": [other]}),
        (
            "压测指定分类",
            {**spend, "threshold": Decimal("2.00"), "scope": Coupon.Scope.CATEGORIES},
            {"categories": [other.category3]},
        ),
    ]
    coupons = []
    for name, fields, scope in templates:
        coupon, created = Coupon.objects.get_or_create(
            name=name,
            defaults={
                **fields,
                "valid_days": 3650,
                "total_quantity": 2_000_000_000,
                "per_member_limit": 30000,
                "is_public": False,
            },
        )
        if created:
            for relation, values in scope.items():
                getattr(coupon, relation).set(values)
        coupons.append(coupon)
    return coupons


def hold_coupons(members, coupons, copies=1):
    """Each member holds at least `copies` usable copies of each coupon, given as an operator's grant would be
    (bulk, for thousands of members); returns {user id: [usable copy ids of the first coupon]}."""
    from datetime import timedelta

    from django.db.models import F, Max
    from django.utils import timezone

    from meiduo_mall.apps.coupons.models import Coupon, MemberCoupon

    now = timezone.now()
    user_ids = [user_id for user_id, _, _ in members]
    usable = MemberCoupon.objects.filter(
        user_id__in=user_ids, status=MemberCoupon.Status.UNUSED, valid_from__lte=now, valid_until__gt=now
    )
    for coupon in coupons:
        held = {}
        for user_id, copy_id in usable.filter(coupon=coupon).order_by("id").values_list("user_id", "id"):
            held.setdefault(user_id, []).append(copy_id)
        last = dict(
            MemberCoupon.objects.filter(coupon=coupon, user_id__in=user_ids)
            .values("user_id")
            .annotate(sequence=Max("sequence"))
            .values_list("user_id", "sequence")
        )
        # A minute back: the copies are usable at once whatever the clocks of the workers.
        valid_from, valid_until = now - timedelta(minutes=1), now + timedelta(days=coupon.valid_days)
        new = [
            MemberCoupon(
                coupon=coupon,
                user_id=user_id,
                sequence=last.get(user_id, 0) + number,
                source=MemberCoupon.Source.GRANTED,
                valid_from=valid_from,
                valid_until=valid_until,
            )
            for user_id in user_ids
            for number in range(1, copies - len(held.get(user_id, [])) + 1)
        ]
        MemberCoupon.objects.bulk_create(new, batch_size=5000)
        Coupon.objects.filter(pk=coupon.pk).update(issued_count=F("issued_count") + len(new))
    first = {}
    for user_id, copy_id in usable.filter(coupon=coupons[0]).order_by("id").values_list("user_id", "id"):
        first.setdefault(user_id, []).append(copy_id)
    return first


def order_coupons(members, coupon_id):
    """Before each measured run of order_1_coupon: ORDER_COUPONS unused copies per member, their ids written one line
    per member in the tokens' order, for member.lua's {coupon}."""
    from meiduo_mall.apps.coupons.models import Coupon

    held = hold_coupons(members, [Coupon.objects.get(pk=coupon_id)], ORDER_COUPONS)
    (WORK / "bench_order.coupons").write_text(
        "".join(" ".join(str(copy_id) for copy_id in held[user_id]) + "\n" for user_id, _, _ in members)
    )


# Measuring -------------------------------------------------------------------------------------------


class SQLCounter:
    """Statements the app's own MariaDB account ran (information_schema.USER_STATISTICS, userstat=ON),
    on the primary and on the replica when there is one. Counting costs the app nothing.

    Each reading connects afresh: a server restarted meanwhile (scripts/replica.sh turns the binary log on
    that way) costs that run its SQL figure, None, and not the whole bench.
    """

    def __init__(self):
        self.user = os.environ.get("BENCH_SQL_USER", "")
        self.ports = [int(os.environ.get("DB_PORT", "3306"))]
        if os.environ.get("DB_REPLICA_HOST"):
            self.ports.append(int(os.environ.get("DB_REPLICA_PORT", "3307")))

    def total(self):
        import MySQLdb

        count = 0
        try:
            for port in self.ports:
                connection = MySQLdb.connect(host="127.0.0.1", port=port, user="root", autocommit=True)
                try:
                    cursor = connection.cursor()
                    cursor.execute("SET GLOBAL userstat = ON")
                    cursor.execute(
                        "SELECT COALESCE(SUM(SELECT_COMMANDS + UPDATE_COMMANDS + OTHER_COMMANDS), 0)"
                        " FROM information_schema.USER_STATISTICS WHERE USER = %s",
                        [self.user],
                    )
                    count += int(cursor.fetchone()[0])
                finally:
                    connection.close()
        except MySQLdb.Error as exc:
            print(f"[bench] SQL counters unreadable: {exc}", flush=True)
            return None
        return count


class ServerCPU:
    """CPU seconds used so far by the processes that serve a request: uwsgi (master and workers), nginx, the
    bench's Redis and MariaDB (primary and replica). Per request, and against /health/'s, this is the ratio
    the machine's other load does not move: what an endpoint costs, not how much of the cores it got."""

    GROUPS = ("app", "nginx", "redis", "mariadb")

    def __init__(self):
        self.uwsgi = int(os.environ["BENCH_UWSGI_PID"])
        self.nginx = int((WORK / "nginx.pid").read_text())
        self.redis_port = urlsplit(os.environ["REDIS_URL"]).port

    def reading(self):
        return {
            "app": cpu_seconds(descendants(self.uwsgi)),
            "nginx": cpu_seconds(descendants(self.nginx)),
            "redis": cpu_seconds(named("redis-server", cmdline_has=f":{self.redis_port}")),
            "mariadb": cpu_seconds(named("mariadbd")),
        }

    @staticmethod
    def per_request_ms(before, after, requests):
        """Only processes alive at both readings count: a worker replaced meanwhile takes its CPU with it."""
        spent = {
            group: sum(after[group][pid] - used for pid, used in before[group].items() if pid in after[group])
            * 1000
            / requests
            for group in ServerCPU.GROUPS
        }
        return {**spent, "total": sum(spent.values())}


def wrk(url, *, connections, seconds, member=None, headers=()):
    """One wrk run; member = {"tokens": pool, "method": ..., "body": ..., "skus": [...], "coupons": pool} for JWT
    requests."""
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    env = dict(os.environ, BENCH_LUA_DIR=str(BENCH_DIR), BENCH_THREADS=str(threads))
    if member:
        env.update(BENCH_TOKENS=str(WORK / f"{member['tokens']}.tokens"), BENCH_METHOD=member.get("method", "GET"))
        if "body" in member:
            env["BENCH_BODY"] = member["body"]
        env["BENCH_SKUS"] = ",".join(str(sku) for sku in member.get("skus", [0]))
        if "coupons" in member:
            env["BENCH_COUPONS"] = str(WORK / f"{member['coupons']}.coupons")
        command += ["-s", str(BENCH_DIR / "member.lua")]
    else:
        command += ["-s", str(BENCH_DIR / "report.lua")]
    result = subprocess.run([*command, url], capture_output=True, text=True, env=env, timeout=seconds + 60)
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk {url}: {result.stdout[-500:]} {result.stderr[-500:]}")
    summary = json.loads(line.removeprefix("BENCH_JSON "))
    duration = summary["duration_us"] / 1e6
    return {
        "requests": summary["requests"],
        "rps": summary["requests"] / duration if duration else 0.0,
        "p50_ms": summary["p50_us"] / 1000,
        "p99_ms": summary["p99_us"] / 1000,
        "errors": summary["errors"],
    }


@dataclass
class Row:
    key: str
    title: str
    path: str
    origin: str = "api"  # or "www": nginx's pages origin
    ratio_target: float | None = None
    p99_target_ms: float | None = None
    sql_target: float | None = None
    connections: int | None = None
    member: dict | None = None
    before: object = None  # called before each measured run (fresh carts for the order rows)
    baseline: str = "/health/"  # a same-size static file for the generated pages
    headers: tuple = ()
    quick: bool = False


def rows(fixtures, documents):
    category = fixtures.category
    gzip = ("Accept-Encoding: gzip",)
    order_members = fixtures.members["bench_order"]
    order_body = '{"address": {address}, "pay_method": 1}'
    coupon_order_body = '{"address": {address}, "pay_method": 1, "coupon_id": {coupon}}'

    def coupon_order_carts():
        fill_carts(order_members, fixtures.order_skus[:1])
        order_coupons(order_members, fixtures.order_coupon)

    listed = []
    for ordering, quick in (("-create_time", True), ("price", False), ("-sales", False)):
        listed.append(
            Row(
                f"list_page1_{ordering.strip('-')}",
                f"category list page 1 ({ordering})",
                f"/categories/{category}/skus/?page=1&page_size=20&ordering={ordering}",
                ratio_target=0.80,
                p99_target_ms=30,
                quick=quick,
            )
        )
    return [
        *listed,
        Row(
            "list_page500",
            "category list page 500",
            f"/categories/{category}/skus/?page=500&page_size=20&ordering=-create_time",
            ratio_target=0.80,
            quick=True,
        ),
        Row("breadcrumb", "breadcrumb /categories/<id>/", f"/categories/{category}/", ratio_target=0.80, quick=True),
        Row("hot", "hot /categories/<id>/hotskus/", f"/categories/{category}/hotskus/", ratio_target=0.80),
        Row("areas", "areas /areas/", "/areas/", ratio_target=0.80),
        Row(
            "cart_add",
            "member cart add POST /cart/",
            "/cart/",
            ratio_target=0.60,
            member={
                "tokens": "bench_cart",
                "method": "POST",
                "body": '{"sku_id": {sku}, "count": 1, "selected": true}',
                "skus": fixtures.cart_skus,
            },
            quick=True,
        ),
        Row("cart_get", "member cart GET /cart/", "/cart/", ratio_target=0.50, member={"tokens": "bench_view"}),
        Row(
            "settlement",
            "member /orders/settlement/",
            "/orders/settlement/",
            ratio_target=0.40,
            member={"tokens": "bench_view"},
            quick=True,  # the baseline of settlement_coupon
        ),
        Row(
            "settlement_coupon",
            "settlement, 5 coupons held, 1 applies",
            "/orders/settlement/",
            ratio_target=0.40,
            member={"tokens": "bench_coupon"},
            quick=True,
        ),
        Row(
            "order_1",
            "place order, 1 line, ample stock",
            "/orders/",
            ratio_target=0.15,
            member={"tokens": "bench_order", "method": "POST", "body": order_body},
            before=lambda: fill_carts(order_members, fixtures.order_skus[:1]),
            quick=True,
        ),
        Row(
            "order_1_coupon",
            "place order, 1 line, with a coupon",
            "/orders/",
            ratio_target=0.15,
            member={"tokens": "bench_order", "method": "POST", "body": coupon_order_body, "coupons": "bench_order"},
            before=coupon_order_carts,
            quick=True,
        ),
        Row(
            "order_3",
            "place order, 3 lines",
            "/orders/",
            ratio_target=0.10,
            sql_target=12,
            member={"tokens": "bench_order", "method": "POST", "body": order_body},
            before=lambda: fill_carts(order_members, fixtures.order_skus),
        ),
        Row(
            "search",
            f"search 手机 (c=8, {documents} documents)",
            f"/skus/search/?text={quote('手机')}&page=1&page_size=20",
            p99_target_ms=50,
            connections=8,
            quick=True,
        ),
        Row(
            "goods_html",
            "goods/<id>.html via nginx vs same-size file",
            f"/goods/{fixtures.detail_sku}.html",
            origin="www",
            ratio_target=0.95,
            baseline="/bench-same-size-goods.html",
            headers=gzip,
            quick=True,
        ),
        Row(
            "index_html",
            "index.html via nginx vs same-size file",
            "/index.html",
            origin="www",
            ratio_target=0.95,
            baseline="/bench-same-size-index.html",
            headers=gzip,
        ),
    ]


def same_size_files(pages_dir, fixtures):
    """Copies of the generated pages under other names: nginx serves them as plain files of the same size."""
    for source, copy in (
        (pages_dir / "goods" / f"{fixtures.detail_sku}.html", "bench-same-size-goods.html"),
        (pages_dir / "index.html", "bench-same-size-index.html"),
    ):
        if source.exists():
            shutil.copyfile(source, pages_dir / copy)


def gzip_on(url):
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", parts.path, headers={"Accept-Encoding": "gzip"})
    response = connection.getresponse()
    response.read()
    return response.status == 200 and response.getheader("Content-Encoding") == "gzip"


def measure_row(row, api, www, sql, cpu):
    origin = api if row.origin == "api" else www
    connections = row.connections or CONNECTIONS
    if row.before:
        row.before()
    cpu_start = cpu.reading()
    baseline = wrk(origin + row.baseline, connections=connections, seconds=SECONDS, headers=row.headers)
    cpu_between = cpu.reading()
    before = sql.total()
    run = wrk(origin + row.path, connections=connections, seconds=SECONDS, member=row.member, headers=row.headers)
    after = sql.total()
    cpu_end = cpu.reading()
    if baseline["requests"] and run["requests"]:
        baseline_cpu = ServerCPU.per_request_ms(cpu_start, cpu_between, baseline["requests"])
        run["cpu_ms"] = ServerCPU.per_request_ms(cpu_between, cpu_end, run["requests"])
        run["baseline_cpu_ms"] = baseline_cpu["total"]
        run["cpu_ratio"] = baseline_cpu["total"] / run["cpu_ms"]["total"] if run["cpu_ms"]["total"] else None
    # a server restarted during the run starts its counters again from zero
    statements = after - before if None not in (before, after) and after >= before else None
    run["sql_per_request"] = statements / run["requests"] if run["requests"] and statements is not None else None
    run["baseline_rps"] = baseline["rps"]
    run["baseline_p99_ms"] = baseline["p99_ms"]
    run["ratio"] = run["rps"] / baseline["rps"] if baseline["rps"] else 0.0
    return run


def rush(api, fixtures):
    """200 buyers at once on one SKU with 50 in stock: exactly 50 orders, how fast they are all answered."""
    from meiduo_mall.apps.goods.models import SKU
    from meiduo_mall.apps.orders.models import OrderGoods

    buyers = fixtures.members["bench_rush"]
    SKU.objects.filter(pk=fixtures.rush_sku).update(stock=RUSH_STOCK)
    fill_carts(buyers, [fixtures.rush_sku])
    lines_before = OrderGoods.objects.filter(sku_id=fixtures.rush_sku).count()
    parts = urlsplit(api)
    barrier = threading.Barrier(len(buyers) + 1)
    answers = [None] * len(buyers)

    def buy(index, address, token):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        connection.connect()
        body = json.dumps({"address": address, "pay_method": 1})
        headers = {"Authorization": f"JWT {token}", "Content-Type": "application/json"}
        barrier.wait()
        started = time.monotonic()
        try:
            connection.request("POST", "/orders/", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            answers[index] = (response.status, time.monotonic(), time.monotonic() - started)
        except OSError as exc:
            answers[index] = (repr(exc), time.monotonic(), time.monotonic() - started)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=buy, args=(index, address, token)) for index, (_, address, token) in enumerate(buyers)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.monotonic()
    for thread in threads:
        thread.join()
    elapsed = max(answer[1] for answer in answers) - started
    orders = OrderGoods.objects.filter(sku_id=fixtures.rush_sku).count() - lines_before
    stock = SKU.objects.get(pk=fixtures.rush_sku).stock
    statuses = {}
    for status, _, _ in answers:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    latencies = sorted(answer[2] for answer in answers)
    return {
        "orders": orders,
        "stock_left": stock,
        "statuses": statuses,
        "seconds": elapsed,
        "orders_per_second": orders / elapsed if elapsed else 0.0,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def memory_snapshot():
    uwsgi_master = int(os.environ["BENCH_UWSGI_PID"])
    celery_main = int(os.environ["BENCH_CELERY_PID"])
    return {
        "uwsgi_workers": {str(pid): rss_mb(pid) for pid in children(uwsgi_master)},
        "uwsgi_master": rss_mb(uwsgi_master),
        "celery_main": rss_mb(celery_main),
        "celery_workers": {str(pid): rss_mb(pid) for pid in children(celery_main)},
    }


def median(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def summarize(row, runs):
    ratio = median([run["ratio"] for run in runs])
    cpu_runs = [run for run in runs if "cpu_ms" in run]
    p99 = median([run["p99_ms"] for run in runs])
    sql = median([run["sql_per_request"] for run in runs])
    errors = sum(run["errors"] for run in runs)
    checks = []
    if row.ratio_target is not None:
        checks.append(ratio >= row.ratio_target)
    if row.p99_target_ms is not None:
        checks.append(p99 is not None and p99 < row.p99_target_ms)
    if row.sql_target is not None:
        checks.append(sql is not None and sql <= row.sql_target)
    checks.append(errors == 0)
    targets = []
    if row.ratio_target is not None:
        targets.append(f"≥{row.ratio_target:.2f}")
    if row.p99_target_ms is not None:
        targets.append(f"p99<{row.p99_target_ms:g}ms")
    if row.sql_target is not None:
        targets.append(f"≤{row.sql_target:g} SQL")
    return {
        "key": row.key,
        "title": row.title,
        "path": row.path,
        "connections": row.connections or CONNECTIONS,
        "rps": median([run["rps"] for run in runs]),
        "baseline_rps": median([run["baseline_rps"] for run in runs]),
        "baseline": row.baseline,
        "p50_ms": median([run["p50_ms"] for run in runs]),
        "p99_ms": p99,
        "baseline_p99_ms": median([run.get("baseline_p99_ms") for run in runs]),
        "errors": errors,
        "requests": sum(run["requests"] for run in runs),
        "sql_per_request": sql,
        "ratio": ratio,
        "cpu_ms": {group: median([run["cpu_ms"][group] for run in cpu_runs]) for group in (*ServerCPU.GROUPS, "total")},
        "baseline_cpu_ms": median([run["baseline_cpu_ms"] for run in cpu_runs]),
        "cpu_ratio": median([run["cpu_ratio"] for run in cpu_runs]),
        "ratio_target": row.ratio_target,
        "p99_target_ms": row.p99_target_ms,
        "sql_target": row.sql_target,
        "target": ", ".join(targets),
        "met": all(checks),
        "runs": runs,
    }


def fmt(value, pattern):
    return "–" if value is None else format(value, pattern)


def print_table(results):
    print()
    header = f"{'path':<46} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'err':>5} {'SQL/req':>7} {'ratio':>6}  target"
    print(header)
    print("-" * (len(header) + 24))
    for row in results["rows"]:
        print(
            f"{row['title']:<46} {fmt(row['rps'], '8.0f')} {fmt(row['p50_ms'], '8.1f')} {fmt(row['p99_ms'], '8.1f')}"
            f" {row['errors']:>5} {fmt(row['sql_per_request'], '7.1f')} {fmt(row['ratio'], '6.2f')}"
            f"  {row['target']:<22} {'✔' if row['met'] else '✘'}"
        )
    for item in results["extra"]:
        print(f"{item['title']:<46} {item['figure']:<60} {item['target']:<22} {'✔' if item['met'] else '✘'}")
    print()
    print("server CPU per request, ms (uwsgi, nginx, Redis, MariaDB), and the CPU ratio: /health/'s total ÷ the path's")
    columns = ("uwsgi", "nginx", "redis", "mariadb", "total")
    print(f"{'path':<46} " + " ".join(f"{name:>7}" for name in columns) + f" {'/health/':>8} {'CPU ratio':>9}")
    for row in results["rows"]:
        cpu = row["cpu_ms"]
        print(
            f"{row['title']:<46} {fmt(cpu['app'], '7.2f')} {fmt(cpu['nginx'], '7.2f')} {fmt(cpu['redis'], '7.2f')}"
            f" {fmt(cpu['mariadb'], '7.2f')} {fmt(cpu['total'], '7.2f')} {fmt(row['baseline_cpu_ms'], '8.2f')}"
            f" {fmt(row['cpu_ratio'], '9.2f')}   /health/ p99 {fmt(row['baseline_p99_ms'], '.1f')} ms"
        )
    print()
    print("load average (1 min) after each round: " + ", ".join(f"{value:.2f}" for value in results["loadavg"]))


def extra_rows(results):
    """Rows that are not a wrk ratio: what a coupon costs, the rush, the setup steps and memory."""
    items = coupon_costs(results["rows"])
    rush_result = results.get("rush")
    if rush_result:
        items.append(
            {
                "key": "rush",
                "title": f"{RUSH_BUYERS} buyers, one SKU, stock {RUSH_STOCK}",
                "figure": f"{rush_result['orders']} orders, {rush_result['orders_per_second']:.0f} orders/s, "
                f"p99 {rush_result['p99_ms']:.0f} ms, stock left {rush_result['stock_left']}",
                "target": f"={RUSH_STOCK}, ≥150 orders/s",
                "met": rush_result["orders"] == RUSH_STOCK and rush_result["orders_per_second"] >= 150,
            }
        )
    setup = results["setup"]
    index = setup.get("index_build")
    if index:
        docs = results.get("index_documents")
        items.append(
            {
                "key": "index_build",
                "title": f"index build, {results['catalog_skus']} SKUs",
                "figure": f"{index['seconds']:.0f} s{'' if index['finished'] else ' (stopped)'}, {docs} documents",
                "target": "all in <180 s",
                "met": index["finished"] and index["seconds"] < 180 and docs == results["launched_skus"],
            }
        )
    pages = setup.get("detail_pages")
    if pages:
        rate = pages.get("pages_per_second")
        unchanged = setup.get("detail_pages_unchanged", {})
        items.append(
            {
                "key": "detail_pages",
                "title": "regenerate_detail_html (--all; then again)",
                "figure": f"{pages['seconds']:.0f} s{'' if pages['finished'] else ' (stopped)'}, "
                f"{pages.get('pages', '?')} pages, {fmt(rate, '.0f')} pages/s; unchanged: "
                f"{unchanged.get('pages', '?')} written in {fmt(unchanged.get('seconds'), '.1f')} s",
                "target": "≥300 pages/s, only what changed",
                "met": pages["finished"] and (rate or 0) >= 300 and unchanged.get("pages") == 0,
            }
        )
    gzip_state = results.get("gzip")
    if gzip_state is not None:
        items.append(
            {
                "key": "gzip",
                "title": "gzip on generated pages",
                "figure": ", ".join(f"{name}: {'on' if on else 'off'}" for name, on in gzip_state.items()),
                "target": "on",
                "met": all(gzip_state.values()),
            }
        )
    memory = results.get("memory")
    if memory:
        first, second = memory["after_run"], memory["after_second_run"]
        workers = [rss for rss in second["uwsgi_workers"].values() if rss]
        same = set(first["uwsgi_workers"]) == set(second["uwsgi_workers"])
        growth = None
        if same and first["uwsgi_workers"]:
            growth = max(
                second["uwsgi_workers"][pid] / first["uwsgi_workers"][pid] - 1 for pid in first["uwsgi_workers"]
            )
        memory["worker_growth"] = growth
        items.append(
            {
                "key": "uwsgi_rss",
                "title": "uwsgi worker RSS (after 1st / 2nd run)",
                "figure": f"{fmt(max(first['uwsgi_workers'].values(), default=None), '.0f')} / "
                f"{fmt(max(workers, default=None), '.0f')} MB max, growth "
                + (f"{growth * 100:+.1f}%" if growth is not None else "– (workers recycled)"),
                "target": "≤200 MB, growth <5%",
                "met": bool(workers) and max(workers) <= 200 and growth is not None and growth < 0.05,
            }
        )
        celery = [rss for rss in [second["celery_main"], *second["celery_workers"].values()] if rss]
        items.append(
            {
                "key": "celery_rss",
                "title": "Celery worker RSS (main, children)",
                "figure": f"{fmt(second['celery_main'], '.0f')} MB, "
                + ", ".join(f"{rss:.0f}" for rss in second["celery_workers"].values() if rss)
                + " MB",
                "target": "≤200 MB each",
                "met": bool(celery) and max(celery) <= 200,
            }
        )
    demo = results.get("demo_memory")
    if demo:
        items.append(
            {
                "key": "demo_rss",
                "title": "demo (make run) RSS, all processes",
                "figure": f"{fmt(demo.get('total_mb'), '.0f')} MB"
                + (f" ({demo['error']})" if demo.get("error") else f" in {len(demo['processes'])} processes"),
                "target": "≤400 MB",
                "met": demo.get("total_mb") is not None and demo["total_mb"] <= 400,
            }
        )
    return items


def coupon_costs(rows):
    """Each coupon row against the same path without one: the quotient of their ratios to /health/ (each measured
    beside its own baseline, so the machine's load between the two runs cancels out)."""
    measured = {row["key"]: row for row in rows}
    items = []
    for key, plain_key in (("settlement_coupon", "settlement"), ("order_1_coupon", "order_1")):
        row, plain = measured.get(key), measured.get(plain_key)
        if not (row and plain and row["ratio"] and plain["ratio"]):
            continue
        relative = row["ratio"] / plain["ratio"]
        cpu = (row["cpu_ms"]["total"], plain["cpu_ms"]["total"])
        items.append(
            {
                "key": f"{key}_relative",
                "title": f"{key} ÷ {plain_key}",
                "figure": f"{relative:.2f} ({'ok' if relative >= 0.80 else 'over'}: {row['rps']:.0f} vs"
                f" {plain['rps']:.0f} req/s, ratios {row['ratio']:.3f} vs {plain['ratio']:.3f},"
                f" CPU {fmt(cpu[0], '.1f')} vs {fmt(cpu[1], '.1f')} ms/req)",
                "target": "≥0.80 (within 20 %)",
                "met": relative >= 0.80 and row["errors"] == 0,
            }
        )
    return items


def chart(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [row for row in results["rows"] if row["ratio_target"] is not None]
    fig, axis = plt.subplots(figsize=(10, 0.45 * len(shown) + 1.5))
    positions = range(len(shown))
    axis.barh(
        positions,
        [row["ratio"] for row in shown],
        color=["#3a923a" if row["met"] else "#c0392b" for row in shown],
        label="ratio (req/s ÷ baseline req/s)",
    )
    axis.scatter(
        [row["ratio_target"] for row in shown], positions, marker="|", s=400, color="black", zorder=3, label="target"
    )
    axis.set_yticks(list(positions), [row["key"] for row in shown])
    axis.invert_yaxis()
    axis.set_xlabel("ratio to /health/ (pages: to a same-size static file)")
    axis.set_title(f"make bench {results['started']} — green: every target of the row met")
    axis.set_xlim(0, max([1.05, *(row["ratio"] + 0.05 for row in shown)]))
    fig.legend(loc="lower center", ncol=2)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def catalog_figures(results):
    from haystack.query import SearchQuerySet

    from meiduo_mall.apps.goods.models import SKU

    results["catalog_skus"] = SKU.objects.count()
    results["launched_skus"] = SKU.objects.filter(is_launched=True).count()
    try:
        results["index_documents"] = SearchQuerySet().models(SKU).count()
    except Exception as exc:  # noqa: BLE001 - an index the bench could not build is a figure, not a crash
        results["index_documents"] = f"unreadable: {exc}"


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(int(memory) / 1024 / 1024, 1),
        "kernel": platform.release(),
    }


def run():
    django_setup()
    api, www = os.environ["BENCH_API"], os.environ["BENCH_WWW"]
    started = datetime.now(UTC)
    print(
        f"[bench] fixtures: {ORDER_MEMBERS} order members, {CART_MEMBERS} cart members, {RUSH_BUYERS} buyers",
        flush=True,
    )
    fixtures = prepare_fixtures()
    same_size_files(Path(os.environ["BENCH_PAGES_DIR"]), fixtures)
    sql = SQLCounter()
    cpu = ServerCPU()
    catalog = {}
    catalog_figures(catalog)
    chosen = [row for row in rows(fixtures, catalog["index_documents"]) if row.quick or not QUICK]
    for row in chosen:  # warm caches and connections: the first answer of a cached path is not what is measured
        if row.before:
            row.before()
        wrk((api if row.origin == "api" else www) + row.path, connections=2, seconds=1, member=row.member)
    runs = {row.key: [] for row in chosen}
    loadavg = []
    for number in range(1, ROUNDS + 1):
        for row in chosen:
            measured = measure_row(row, api, www, sql, cpu)
            runs[row.key].append(measured)
            print(
                f"[bench] round {number} {row.key}: {measured['rps']:.0f} req/s vs {measured['baseline_rps']:.0f}"
                f" (ratio {measured['ratio']:.2f}), p99 {measured['p99_ms']:.1f} ms, {measured['errors']} errors,"
                f" SQL/req {fmt(measured['sql_per_request'], '.1f')},"
                f" CPU {fmt(measured.get('cpu_ms', {}).get('total'), '.2f')} ms/req vs"
                f" {fmt(measured.get('baseline_cpu_ms'), '.2f')} (CPU ratio {fmt(measured.get('cpu_ratio'), '.2f')})",
                flush=True,
            )
        loadavg.append(os.getloadavg()[0])
    results = {
        "started": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "config": {
            "quick": QUICK,
            "seconds": SECONDS,
            "rounds": ROUNDS,
            "connections": CONNECTIONS,
            "uwsgi_processes": os.environ.get("MEIDUO_UWSGI_PROCESSES", "4 (uwsgi.ini)"),
            "uwsgi_threads": os.environ.get("MEIDUO_UWSGI_THREADS", "2 (uwsgi.ini)"),
            "replica": bool(os.environ.get("DB_REPLICA_HOST")),
            "database": os.environ.get("DB_NAME"),
        },
        "setup": load_setup(),
        "loadavg": loadavg,
    }
    results["rush"] = rush(api, fixtures)
    print(f"[bench] rush: {results['rush']}", flush=True)
    results["gzip"] = {
        "goods": gzip_on(f"{www}/goods/{fixtures.detail_sku}.html"),
        "index": gzip_on(f"{www}/index.html"),
    }
    memory = {"after_run": memory_snapshot()}
    # The same load once more: RSS that keeps growing with it is a leak, not a warm cache.
    for row in chosen:
        measure_row(row, api, www, sql, cpu)
    memory["after_second_run"] = memory_snapshot()
    results["memory"] = memory
    results.update(catalog)
    if os.environ.get("BENCH_DEMO", "0" if QUICK else "1") == "1":
        from demo_memory import measure_demo

        results["demo_memory"] = measure_demo()
    results["rows"] = [summarize(row, runs[row.key]) for row in chosen]
    results["extra"] = extra_rows(results)
    print_table(results)
    out_dir = Path(os.environ.get("BENCH_RESULTS", BASE_DIR / "bench_results"))
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    (out_dir / f"{stamp}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    chart(results, out_dir / f"{stamp}.png")
    print(f"[bench] wrote {out_dir / f'{stamp}.json'} and {out_dir / f'{stamp}.png'}")


def main():
    if sys.argv[1:2] == ["timed"]:
        timed(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
    elif sys.argv[1:2] == ["run"]:
        run()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
