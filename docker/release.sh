#!/bin/sh
# The one-shot release step of docker/docker-compose.yml ("migrate"): the app, worker and beat start only after
# it exits 0. Every command here is safe to run again on the next deploy.
set -eu

# The replica of this stack has the primary's accounts (it replicates them), so the shop logs in to both alike;
# another replica login (an empty DB_REPLICA_PASSWORD copied from .env.example) would only fail.
if [ "${DB_REPLICA_USER:-$DB_USER}" != "$DB_USER" ] || [ "${DB_REPLICA_PASSWORD-$DB_PASSWORD}" != "$DB_PASSWORD" ]; then
    echo "release: set DB_REPLICA_USER and DB_REPLICA_PASSWORD in .env to DB_USER and DB_PASSWORD" >&2
    exit 1
fi
# The deployment checks (keys, URLs, secret key) stop a misconfigured release before it touches the database.
python manage.py check --deploy
python manage.py migrate --noinput
# STATIC_ROOT is the "static" volume nginx serves under /static/ (the back office's CSS and scripts).
python manage.py collectstatic --noinput
python manage.py load_areas
python manage.py build_search_index
# The "pages" volume outlives images: copy this image's scripts and styles over it on every deploy, keeping the
# pages generated into it (index.html, goods/<id>.html), then build the shop's pages and the home page of this release.
cp -R front_end_pc/. "${GENERATED_STATIC_HTML_FILES_DIR:?}/"
python manage.py build_pages
# js/host.js tells the pages the API origin (API_ORIGIN); it is written into the pages volume, not the image.
python manage.py write_host_js
python manage.py generate_index_html
