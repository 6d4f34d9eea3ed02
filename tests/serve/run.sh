#!/bin/sh
# airlock serve over HTTP on loopback: JSON API, tenants, stores, workers,
# Redis and a load balancer (tests/serve/serve_test.py).
exec python3 "$(dirname "$0")/serve_test.py" "${1:-build/airlock}"
