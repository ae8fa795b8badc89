#!/usr/bin/env bash
# Benchmark of the SKU list (G1) against the bare /health/ view, under uwsgi on loopback with wrk.
#
#   scripts/bench_list.sh            # seeds a MariaDB catalog with 100 000 bulk SKUs on first use
#
# Environment: BENCH_DB (meiduo_bench), REDIS_URL (redis://127.0.0.1:6379), BENCH_PORT (8683),
# BENCH_SECONDS (5 per run), BENCH_ROUNDS (3), BENCH_CONNECTIONS (16), BENCH_SKUS (100000). Needs MariaDB and Redis running
# (scripts/services.sh) and wrk. Prints the best req/s of each URL over the rounds and its ratio to /health/.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
BENCH_DB=${BENCH_DB:-meiduo_bench}
PORT=${BENCH_PORT:-8683}
SECONDS_EACH=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
SKUS=${BENCH_SKUS:-100000}
WORK_DIR=$(mktemp -d /tmp/meiduo-bench.XXXXXX)
trap 'if [ -f "$WORK_DIR/uwsgi.pid" ]; then kill "$(cat "$WORK_DIR/uwsgi.pid")" || true; sleep 1; fi; rm -rf "$WORK_DIR"' EXIT

export DJANGO_SETTINGS_MODULE=meiduo_mall.settings.prod
export DJANGO_SECRET_KEY=bench-only-secret-key-0123456789abcdef
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export SECURE_SSL_REDIRECT=false
export DB_NAME=$BENCH_DB
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
export MEIDUO_VAR_DIR=$WORK_DIR
export GENERATED_STATIC_HTML_FILES_DIR=$WORK_DIR/pages

mysql -uroot -e "CREATE DATABASE IF NOT EXISTS \`$BENCH_DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
$PY manage.py migrate -v0
start=$(date +%s)
$PY manage.py seed_demo --skus "$SKUS"
echo "seed_demo --skus $SKUS: $(( $(date +%s) - start )) s"

# The level-3 category with the most launched SKUs, and what its uncached pages cost in-process.
CATEGORY=$($PY manage.py shell -v0 -c "
from django.db.models import Count
from meiduo_mall.apps.goods.models import SKU
print(SKU.objects.filter(is_launched=True).values('category').annotate(n=Count('id')).order_by('-n')[0]['category'])")
$PY manage.py shell -v0 -c "
import time
from meiduo_mall.apps.goods import services
for page in (1, 500):
    spent = []
    for _ in range(50):
        services.bump_catalog_version()
        begin = time.perf_counter()
        services.sku_list_page($CATEGORY, '-create_time', page, 20)
        spent.append(time.perf_counter() - begin)
    spent.sort()
    print(f'uncached page {page}: median {spent[25] * 1000:.2f} ms (version bumped before each call)')"

.venv/bin/uwsgi --chdir "$PWD" --module meiduo_mall.wsgi:application --http-socket "127.0.0.1:$PORT" \
  --master --processes 4 --threads 2 --disable-logging --die-on-term --pidfile "$WORK_DIR/uwsgi.pid" \
  --daemonize "$WORK_DIR/uwsgi.log"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health/" >/dev/null && break; sleep 0.2; done

BASE="http://127.0.0.1:$PORT"
declare -A URLS=(
  [health]="$BASE/health/"
  [page1]="$BASE/categories/$CATEGORY/skus/?page=1&page_size=20"
  [page500]="$BASE/categories/$CATEGORY/skus/?page=500&page_size=20"
)
declare -A RPS=([health]=0 [page1]=0 [page500]=0)
for name in health page1 page500; do curl -sf "${URLS[$name]}" >/dev/null; done
# Interleaved rounds, best of each: on a shared 2-core machine other work only ever slows a run down.
for round in $(seq "$ROUNDS"); do
  for name in health page1 page500; do
    rps=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" "${URLS[$name]}" | awk '/Requests\/sec/ {print $2}')
    echo "round $round $name: $rps req/s"
    RPS[$name]=$(awk -v a="${RPS[$name]}" -v b="$rps" 'BEGIN { print (b > a ? b : a) }')
  done
done
for name in health page1 page500; do echo "$name: best ${RPS[$name]} req/s  (${URLS[$name]})"; done
awk -v h="${RPS[health]}" -v p1="${RPS[page1]}" -v p500="${RPS[page500]}" \
  'BEGIN { printf "ratio to /health/: page 1 %.2f, page 500 %.2f\n", p1 / h, p500 / h }'
