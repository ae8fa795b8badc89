"""Order placement throughput in-process: N threads post POST /orders/ through Django's whole stack.

    .venv/bin/python scripts/bench_orders.py

Forked workers with threads stand in for uwsgi's (uwsgi.ini: 4 processes x 2 threads): each thread has its own
persistent database connection, the production settings,
the real middleware, JWT authentication, serializer and service against MariaDB and Redis. Every figure is
printed next to GET /health/ measured by the same threads in the same run, as a ratio (the issue's measure).

First the shortest hold of a hot SKU's row lock (one stock UPDATE and its COMMIT, alone).
Scenarios: one line of a hot SKU with ample stock, three lines of the same three hot SKUs, and the race of
BENCH_RACE_BUYERS buyers for one SKU with BENCH_RACE_STOCK in stock (exactly that many orders must go through).

Environment: BENCH_DB (h4_bench; created and migrated), REDIS_URL (redis://127.0.0.1:6379), BENCH_PROCESSES (4)
and BENCH_THREADS (2 per process), BENCH_SECONDS (5 per measurement), BENCH_ROUNDS (3, median reported),
BENCH_RACE_BUYERS (200), BENCH_RACE_STOCK (50). Needs MariaDB and Redis running (scripts/services.sh).
"""

import json
import logging
import multiprocessing
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = os.environ.get("BENCH_DB", "h4_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meiduo_mall.settings.prod")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789abcdef")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ["DB_NAME"] = BENCH_DB

PROCESSES = int(os.environ.get("BENCH_PROCESSES", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
RACE_BUYERS = int(os.environ.get("BENCH_RACE_BUYERS", "200"))
RACE_STOCK = int(os.environ.get("BENCH_RACE_STOCK", "50"))
# Enough members that none places two orders within one second (the order id holds the second).
BUYERS = 12000


def prepare_database():
    subprocess.run(
        ["mysql", "-h", os.environ.get("DB_HOST", "127.0.0.1"), "-uroot", "-e",
         f"CREATE DATABASE IF NOT EXISTS `{BENCH_DB}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"],
        check=True,
    )  # fmt: skip
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # Every refused buyer of the race would log a warning.
    logging.disable(logging.WARNING)


def seed():
    """Members with an address each, and the hot SKUs; made once, stock topped up before every run."""
    from meiduo_mall.apps.areas.models import Area
    from meiduo_mall.apps.goods.models import SKU, Brand, Goods, GoodsCategory
    from meiduo_mall.apps.users.models import Address, User

    if not SKU.objects.filter(name__startswith="压测").exists():
        category = GoodsCategory.objects.create(name="压测")
        brand = Brand.objects.create(name="压测", logo="bench.png", first_letter="Y")
        goods = Goods.objects.create(
            name="压测商品", brand=brand, category1=category, category2=category, category3=category
        )
        SKU.objects.bulk_create(
            SKU(name=f"压测{i}", caption="", goods=goods, category=category, price=10 + i, cost_price=1,
                market_price=20, stock=0)
            for i in range(5)
        )  # fmt: skip
    have = User.objects.filter(username__startswith="bench").count()
    if have < BUYERS:
        User.objects.bulk_create(
            User(username=f"bench{n:05d}", mobile=f"166{n:08d}", password="!") for n in range(have, BUYERS)
        )
        province, _ = Area.objects.get_or_create(id=110000, defaults={"name": "北京市"})
        city, _ = Area.objects.get_or_create(id=110100, defaults={"name": "北京市", "parent": province})
        district, _ = Area.objects.get_or_create(id=110101, defaults={"name": "东城区", "parent": city})
        with_address = Address.objects.values("user_id")
        Address.objects.bulk_create(
            Address(user=user, title="家", receiver="张三", province=province, city=city, district=district,
                    place="东长安街1号", mobile="13800138000")
            for user in User.objects.filter(username__startswith="bench").exclude(id__in=with_address)
        )  # fmt: skip
    skus = list(SKU.objects.filter(name__startswith="压测").order_by("id").values_list("id", flat=True))
    buyers = list(Address.objects.filter(user__username__startswith="bench").values_list("user_id", "id"))
    return skus, buyers


class Buyers:
    """Members, each with a fresh JWT and its cart filled with `lines`, handed out one by one."""

    def __init__(self, buyers, lines):
        from django_redis import get_redis_connection

        from meiduo_mall.apps.users.models import User
        from meiduo_mall.apps.users.tokens import issue_jwt

        self.lock = threading.Lock()
        self.queue = []
        redis = get_redis_connection("cart")
        pipeline = redis.pipeline(transaction=False)
        users = User.objects.in_bulk([user_id for user_id, _ in buyers])
        for user_id, address_id in buyers:
            pipeline.delete(f"cart_{user_id}", f"cart_selected_{user_id}")
            pipeline.hset(f"cart_{user_id}", mapping=lines)
            pipeline.sadd(f"cart_selected_{user_id}", *lines)
            self.queue.append((f"JWT {issue_jwt(users[user_id])}", address_id))
        pipeline.execute()
        self.queue.reverse()

    def share(self, worker):
        """Keep only this worker's share (after the fork, so no two workers hand out the same member)."""
        self.queue = self.queue[worker::PROCESSES]

    def next(self):
        with self.lock:
            return self.queue.pop() if self.queue else None


class WSGIClient:
    """Requests through Django's WSGI handler as uwsgi calls it: the request signals run, so persistent
    connections are checked (CONN_HEALTH_CHECKS) and recycled exactly as in production. (The test Client
    leaves that out.)"""

    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import RequestFactory

        self.handler = WSGIHandler()
        self.factory = RequestFactory()

    def send(self, request):
        status = []
        body = self.handler(request.environ, lambda line, headers, exc_info=None: status.append(line))
        for _ in body:
            pass
        body.close()
        return int(status[0].split()[0])

    def get(self, path):
        return self.send(self.factory.get(path))

    def post(self, path, data, **headers):
        return self.send(self.factory.post(path, json.dumps(data), content_type="application/json", **headers))


def run_workers(work, buyers=None, seconds=None):
    """PROCESSES forked workers x THREADS threads run `work(client, buyers)` until `seconds` pass or it
    returns None (no buyer left); returns (elapsed, latencies, statuses)."""
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    start = context.Barrier(PROCESSES * THREADS + 1)
    results = context.Queue()

    def worker(number):
        if buyers is not None:
            buyers.share(number)
        latencies, statuses = [], []

        def loop():
            client = WSGIClient()
            start.wait()
            deadline = time.perf_counter() + (seconds or 0)
            while seconds is None or time.perf_counter() < deadline:
                begin = time.perf_counter()
                status = work(client, buyers)
                if status is None:
                    break
                latencies.append(time.perf_counter() - begin)
                statuses.append(status)
            connections.close_all()

        threads = [threading.Thread(target=loop) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        results.put((latencies, statuses))

    processes = [context.Process(target=worker, args=(number,)) for number in range(PROCESSES)]
    for process in processes:
        process.start()
    start.wait()
    began = time.perf_counter()
    latencies, statuses = [], []
    for _ in processes:
        mine, codes = results.get()
        latencies.extend(mine)
        statuses.extend(codes)
    elapsed = time.perf_counter() - began
    for process in processes:
        process.join()
    return elapsed, latencies, statuses


def health_rate():
    elapsed, latencies, _ = run_workers(lambda client, buyers: client.get("/health/"), seconds=SECONDS)
    return len(latencies) / elapsed


def place(client, buyers):
    buyer = buyers.next()
    if buyer is None:
        return None
    token, address_id = buyer
    return client.post("/orders/", {"address": address_id, "pay_method": 1}, HTTP_AUTHORIZATION=token)


def set_stock(sku_ids, stock):
    from meiduo_mall.apps.goods.models import SKU

    SKU.objects.filter(pk__in=sku_ids).update(stock=stock)


def sql_per_order(buyers, lines):
    """The statements one order sends (the second order of a thread, as on a warm worker)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    found = {}

    def one():
        client = WSGIClient()
        place(client, buyers)
        with CaptureQueriesContext(connection) as captured:
            place(client, buyers)
        found["queries"] = [q["sql"] for q in captured.captured_queries]
        connection.close()

    thread = threading.Thread(target=one)
    thread.start()
    thread.join()
    return found["queries"]


def innodb_status():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW GLOBAL STATUS LIKE 'Innodb_%'")
        return dict(cursor.fetchall())


def lock_figures(before, orders):
    """Row-lock waits, milliseconds spent waiting and deadlocks per order, from InnoDB's server-wide counters
    (other clients of the server count too: figures of a quiet server)."""
    after = innodb_status()
    waits, waited, deadlocks = (
        int(after[k]) - int(before[k]) for k in ("Innodb_row_lock_waits", "Innodb_row_lock_time", "Innodb_deadlocks")
    )
    orders = max(orders, 1)
    return f"row-lock waits {waits / orders:.2f}/order, {waited / orders:.1f} ms waited/order, deadlocks {deadlocks}"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000


def steady(name, sku_ids, lines_per_order, buyers):
    lines = {sku_id: 1 for sku_id in sku_ids[:lines_per_order]}
    queries = sql_per_order(Buyers(buyers[:4], lines), lines)
    ratios, rates, p99s = [], [], []
    for _ in range(ROUNDS):
        set_stock(sku_ids, 10**8)
        pool = Buyers(buyers, lines)
        health = health_rate()
        locks = innodb_status()
        elapsed, latencies, statuses = run_workers(place, pool, SECONDS)
        assert set(statuses) == {201}, set(statuses)
        locks = lock_figures(locks, len(statuses))
        rate = len(latencies) / elapsed
        rates.append(rate)
        ratios.append(rate / health)
        p99s.append(percentile(latencies, 0.99))
        print(f"  {name}: {rate:.0f} orders/s, /health/ {health:.0f} req/s, ratio {rate / health:.3f}, "
              f"p50 {percentile(latencies, 0.5):.1f} ms, p99 {p99s[-1]:.1f} ms; {locks}", flush=True)  # fmt: skip
    print(f"{name}: median {statistics.median(rates):.0f} orders/s, ratio {statistics.median(ratios):.3f}, "
          f"p99 {statistics.median(p99s):.1f} ms, {len(queries)} SQL per order", flush=True)  # fmt: skip
    return queries


def race(sku_id, buyers):
    from meiduo_mall.apps.goods.models import SKU
    from meiduo_mall.apps.orders.models import OrderGoods

    set_stock([sku_id], RACE_STOCK)
    sold_before = OrderGoods.objects.filter(sku_id=sku_id).count()
    pool = Buyers(buyers[:RACE_BUYERS], {sku_id: 1})
    health = health_rate()
    locks = innodb_status()
    elapsed, latencies, statuses = run_workers(place, pool)
    locks = lock_figures(locks, len(statuses))
    placed = statuses.count(201)
    stock = SKU.objects.get(pk=sku_id).stock
    sold = OrderGoods.objects.filter(sku_id=sku_id).count() - sold_before
    print(f"race {RACE_BUYERS} buyers for {RACE_STOCK}: {placed} placed, {statuses.count(400)} refused, "
          f"other {len(statuses) - placed - statuses.count(400)}, stock left {stock}, lines written {sold}; "
          f"{len(statuses) / elapsed:.0f} answers/s, {placed / elapsed:.0f} orders/s "
          f"(/health/ {health:.0f} req/s), p99 {percentile(latencies, 0.99):.1f} ms; {locks}", flush=True)  # fmt: skip
    assert placed == sold == RACE_STOCK and stock == 0


def commit_latency(sku_id, writes=300):
    """The shortest a hot SKU's row lock can be held: one conditional stock UPDATE and its COMMIT, one
    connection, nothing else running. Its inverse bounds the orders per second of one SKU."""
    from django.db import connection, transaction
    from django.db.models import F

    from meiduo_mall.apps.goods.models import SKU

    set_stock([sku_id], 10**8)
    held = []
    for _ in range(writes):
        begin = time.perf_counter()
        with transaction.atomic():
            SKU.objects.filter(pk=sku_id, stock__gte=1).update(stock=F("stock") - 1)
        held.append(time.perf_counter() - begin)
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@innodb_flush_log_at_trx_commit, @@log_bin, @@sync_binlog")
        flush, log_bin, sync_binlog = cursor.fetchone()
    median = statistics.median(held)
    print(f"stock UPDATE + COMMIT: median {median * 1000:.2f} ms, p90 {percentile(held, 0.9):.2f} ms "
          f"(innodb_flush_log_at_trx_commit={flush}, log_bin={log_bin}, sync_binlog={sync_binlog}): "
          f"at most {1 / median:.0f} orders/s on one SKU", flush=True)  # fmt: skip


def main():
    prepare_database()
    sku_ids, buyers = seed()
    commit_latency(sku_ids[0])
    print(
        f"{PROCESSES} processes x {THREADS} threads, {SECONDS:g} s a run, {ROUNDS} rounds, database {BENCH_DB}",
        flush=True,
    )
    for query in steady("place order, 1 line", sku_ids, 1, buyers):
        print("    ", query[:160])
    for query in steady("place order, 3 lines", sku_ids, 3, buyers):
        print("    ", query[:160])
    for _ in range(ROUNDS):
        race(sku_ids[4], buyers)


if __name__ == "__main__":
    main()
