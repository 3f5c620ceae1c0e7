#!/usr/bin/env bash
# Serve Backprop Lab from several server processes behind nginx, on this machine.
#
#   deploy/serve.sh [REPLICAS] [PORT]      # default: 2 replicas, nginx on 127.0.0.1:8080
#
# Starts REPLICAS `streamlit run app.py` processes on loopback (ports 8601, 8602, …, or the
# space-separated list in BACKPROP_PORTS), waits until each answers, then runs nginx in front
# of them with deploy/nginx.conf. Set BACKPROP_LISTEN (default 127.0.0.1:PORT) to serve
# another address. Ctrl-C or SIGTERM stops nginx and every replica, and removes the run
# directory.
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
stop() {
    trap - EXIT INT TERM
    [[ -f $run/nginx.pid ]] && kill "$(cat "$run/nginx.pid")" 2>/dev/null
    ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$run"
}
trap stop EXIT
trap 'exit 0' INT TERM

upstreams=""
for p in "${ports[@]}"; do
    (cd "$root" && exec python -m streamlit run app.py --server.port "$p" \
        --server.address 127.0.0.1 --server.headless true > "$run/replica-$p.log" 2>&1) &
    pids+=($!)
    upstreams+="        server 127.0.0.1:$p;"$'\n'
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
echo "Backprop Lab: http://$listen ($replicas replicas: ${ports[*]})"
wait -n
echo "serve.sh: a replica or nginx stopped; stopping the rest (logs were in $run)" >&2
exit 1
