#!/bin/sh
set -eu
: "${UPSTREAM:=web:3000}" "${TLS_HOSTNAMES:=localhost,127.0.0.1}" "${PUBLIC_HTTPS_PORT:=443}"
if [ ! -s /tls/cert.pem ] || [ ! -s /tls/key.pem ]; then
  san=$(printf '%s' "$TLS_HOSTNAMES" | tr ',' '\n' | sed '/^$/d' | while read -r h; do
    case "$h" in *[!0-9.]*) printf 'DNS:%s,' "$h" ;; *) printf 'IP:%s,' "$h" ;; esac
  done)
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=${TLS_HOSTNAMES%%,*}" \
    -addext "subjectAltName=${san%,}" -keyout /tls/key.pem -out /tls/cert.pem 2>/dev/null
  echo "tls-front: no certificate mounted at /tls, made a self-signed one for $TLS_HOSTNAMES"
fi
# The :443 of the redirect is left out when it is the default port.
port_suffix=":$PUBLIC_HTTPS_PORT"; [ "$PUBLIC_HTTPS_PORT" = 443 ] && port_suffix=
sed -e "s|@UPSTREAM@|$UPSTREAM|g" -e "s|@PORT_SUFFIX@|$port_suffix|g" \
  /etc/nginx/nginx.conf.template > /tmp/nginx/nginx.conf
exec nginx -c /tmp/nginx/nginx.conf -g 'daemon off;'
