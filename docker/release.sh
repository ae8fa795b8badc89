#!/bin/sh
# The one-shot release step of docker/docker-compose.yml ("migrate"): the app, worker and beat start only after
# it exits 0. Every command here is safe to run again on the next deploy.
set -eu

python manage.py migrate --noinput
# STATIC_ROOT is the "static" volume nginx serves under /static/ (the back office's CSS and scripts).
python manage.py collectstatic --noinput
python manage.py load_areas
python manage.py build_search_index
# The "pages" volume outlives images: copy this image's shop pages over it on every deploy, keeping the pages
# generated into it (index.html, goods/<id>.html), then render the home page for this release.
cp -R front_end_pc/. "${GENERATED_STATIC_HTML_FILES_DIR:?}/"
python manage.py generate_index_html
