#!/usr/bin/env bash
# Serve Backprop Lab from several server processes behind nginx, on this machine.
#
#   deploy/serve.sh [REPLICAS] [PORT]      # default: 2 replicas, nginx on 127.0.0.1:8080
#
# Starts a Redis for the runs' checkpoints (Debian's redis-server, on 127.0.0.1 port
# BACKPROP_REDIS_PORT, default 6390, its data in BACKPROP_DATA, default ./backprop-data/redis),
# then REPLICAS `streamlit run app.py` processes on loopback (ports 8601, 8602, …, or the
# space-separated list in BACKPROP_PORTS) that all keep their runs in it, waits until each
# answers, then runs nginx in front of them with deploy/nginx.conf. With BACKPROP_STORE
# already set (a Redis on another machine, say), no Redis is started and the replicas use that.
# Set BACKPROP_LISTEN (default 127.0.0.1:PORT) to serve another address.
#
# A replica that dies is started again by its own restart loop below, and nginx sends its
# students to the others meanwhile; their runs resume from the store. (A loop, not a
# supervisor daemon: nothing more to install or configure, and it stops with this script.)
# Ctrl-C or SIGTERM stops nginx, Redis and every replica, and removes the run directory.
set -euo pipefail

replicas=${1:-2}
port=${2:-8080}
if ! [[ $replicas =~ ^[1-9][0-9]?$ ]]; then
    echo "serve.sh: REPLICAS must be a whole number from 1 to 99, got '$replicas'" >&2
    exit 2
fi
if ! [[ $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
    echo "serve.sh: PORT must be a whole number from 1 to 65535, got '$port'" >&2
    exit 2
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)
if [[ ! -x $nginx ]]; then
    echo "serve.sh: nginx is not installed (on Debian: apt-get install -y nginx)" >&2
    exit 2
fi

root=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z ${BACKPROP_STORE:-} ]] && ! command -v redis-server > /dev/null; then
    echo "serve.sh: redis-server is not installed (on Debian: apt-get install -y redis-server)," \
        "or set BACKPROP_STORE to a Redis elsewhere" >&2
    exit 2
fi
read -r -a ports <<< "${BACKPROP_PORTS:-$(seq -s ' ' 8601 $((8600 + replicas)))}"
if ((${#ports[@]} != replicas)); then
    echo "serve.sh: BACKPROP_PORTS lists ${#ports[@]} ports for $replicas replicas" >&2
    exit 2
fi
run=$(mktemp -d -t backprop-lab.XXXXXX)
chmod 755 "$run"
mkdir -m 1777 "$run/tmp"
# One name for the replicas started together: a link from one is not "an earlier server".
export BACKPROP_SERVER_ID=${BACKPROP_SERVER_ID:-$(od -An -N4 -tx1 /dev/urandom | tr -d " \n")}

pids=()
replica_pids=()
stop() {
    trap - EXIT INT TERM
    [[ -f $run/nginx.pid ]] && kill "$(cat "$run/nginx.pid")" 2>/dev/null || true
    ((${#replica_pids[@]})) && kill "${replica_pids[@]}" 2>/dev/null || true
    ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null
    rm -rf "$run"
}
trap stop EXIT
trap 'exit 0' INT TERM

redis_port=${BACKPROP_REDIS_PORT:-6390}
if [[ -z ${BACKPROP_STORE:-} ]]; then
    data=${BACKPROP_DATA:-$root/backprop-data}/redis
    mkdir -p "$data"
    redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$data" --save "" \
        --appendonly yes --maxmemory "${BACKPROP_REDIS_MEMORY:-512mb}" \
        --maxmemory-policy volatile-lru > "$run/redis.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do
        redis-cli -p "$redis_port" ping > /dev/null 2>&1 && break
        sleep 0.1
    done
    export BACKPROP_STORE=redis://127.0.0.1:$redis_port/0
fi

# One replica on port $1, started again whenever it exits (a crash, an out-of-memory kill).
replica() {
    local child=""
    # Stop the replica and wait for it: serve.sh's own stop waits for this loop.
    trap '[[ -n $child ]] && kill "$child" 2> /dev/null && wait "$child"; exit 0' TERM INT
    while true; do
        (cd "$root" && exec python -m streamlit run app.py --server.port "$1" \
            --server.address 127.0.0.1 --server.headless true >> "$run/replica-$1.log" 2>&1) &
        child=$!
        wait "$child" || true
        echo "serve.sh: the replica on port $1 stopped; starting it again" >&2
        sleep 1
    done
}

upstreams=""
for p in "${ports[@]}"; do
    replica "$p" &
    replica_pids+=($!)
    upstreams+="        server 127.0.0.1:$p max_fails=1 fail_timeout=5s;"$'\n'
done
for p in "${ports[@]}"; do
    for _ in $(seq 120); do
        python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$p/_stcore/health', timeout=2)" \
            2> /dev/null && break
        sleep 0.5
    done || true
done

listen=${BACKPROP_LISTEN:-127.0.0.1:$port}
python - "$root/deploy/nginx.conf" "$run/nginx.conf" "$run" "$listen" "$upstreams" <<'PY'
import sys
template, out, run, listen, upstreams = sys.argv[1:]
text = open(template).read()
for name, value in (("RUN", run), ("LISTEN", listen), ("UPSTREAMS", upstreams.rstrip())):
    text = text.replace(f"@{name}@", value)
open(out, "w").write(text)
PY
"$nginx" -t -q -e "$run/error.log" -p "$run" -c "$run/nginx.conf"
"$nginx" -e "$run/error.log" -p "$run" -c "$run/nginx.conf" -g "daemon off;" &
pids+=($!)
echo "Backprop Lab: http://$listen ($replicas replicas: ${ports[*]}; runs in $BACKPROP_STORE)"
wait -n "${pids[@]}"
echo "serve.sh: nginx or Redis stopped; stopping the rest (logs were in $run)" >&2
exit 1
