#!/bin/sh
# Render Envoy's configuration from the contracts and the environment, then become Envoy.
#   MARQUEE_GATEWAY_UPSTREAMS   host:port[,host:port] of `marquee serve` (required)
#   MARQUEE_GATEWAY_LISTEN      host:port Envoy listens on (default 0.0.0.0:8080)
#   MARQUEE_GATEWAY_MEDIA_GATES host:port[,host:port] of Media's segment gates (optional: routes /media/v1/play/)
#   MARQUEE_CORS_ALLOWED_ORIGINS  comma-separated browser origins (required in production)
set -eu
: "${MARQUEE_GATEWAY_UPSTREAMS:?set MARQUEE_GATEWAY_UPSTREAMS to host:port of the marquee gRPC servers}"
config=${MARQUEE_GATEWAY_CONFIG:-/tmp/envoy.json}
marquee gateway-config \
  --upstreams "$MARQUEE_GATEWAY_UPSTREAMS" \
  --listen "${MARQUEE_GATEWAY_LISTEN:-0.0.0.0:8080}" \
  ${MARQUEE_GATEWAY_MEDIA_GATES:+--media-gates "$MARQUEE_GATEWAY_MEDIA_GATES"} \
  --out "$config"
exec envoy -c "$config" --disable-hot-restart --log-level "${ENVOY_LOG_LEVEL:-warning}"
