#!/bin/sh
# Run by the nginx image's entrypoint (mounted into /docker-entrypoint.d/) before nginx starts. Installs the
# repository's nginx.conf as the site with its upstream servers replaced by MEIDUO_UPSTREAM (app:8000 in
# docker/docker-compose.yml): the shipped file reaches uwsgi on a unix socket of its own machine, which
# another container cannot see. Everything else in nginx.conf is served as shipped.
set -eu

site=${MEIDUO_NGINX_SITE:-/srv/meiduo/nginx.conf}
target=${MEIDUO_NGINX_TARGET:-/etc/nginx/conf.d/default.conf}
upstream=${MEIDUO_UPSTREAM:?set MEIDUO_UPSTREAM to host:port of uwsgi}

sed "/^upstream [A-Za-z0-9_]* *{/,/^}/ s|^\([[:space:]]*server[[:space:]]\{1,\}\)[^;]*;|\1${upstream};|" "$site" > "$target"
if ! grep -q "server ${upstream};" "$target"; then
    echo "$0: $site has no upstream block to point at ${upstream}" >&2
    exit 1
fi
echo "$0: $site installed as $target, upstream ${upstream}"
