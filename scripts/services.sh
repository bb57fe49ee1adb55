#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) are up; start them if not.
# With CI=true a service that cannot be started fails the run: nothing is skipped.
set -u
pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null || (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_up; then
  echo "PostgreSQL is down; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start 2>&1 || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
if ! redis_up; then
  echo "Redis is down; starting it"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no 2>&1 || true
  for _ in $(seq 1 30); do redis_up && break; sleep 0.5; done
fi
fail=0
pg_up || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; fail=1; }
redis_up || { echo "Redis is not reachable on 127.0.0.1:6379" >&2; fail=1; }
exit $fail
