#!/usr/bin/env bash
# allow_specific proxy benchmark: a 256 MiB download from a loopback server through
# creor's sandbox forwarder + proxy, against the same download by curl outside the sandbox,
# interleaved; plus the latency each proxied connection adds (small requests, one per
# connection, both loops timed by the same shell).
#
#   bench/proxy.sh [ROUNDS=5] [SIZE_MIB=256] [SMALL_REQUESTS=200]
#
# The server streams SIZE_MIB of zeros from memory (python sendall of 4 MiB chunks), so the
# baseline is the loopback + curl ceiling, not a disk.
set -euo pipefail

ROUNDS=${1:-5}
SIZE_MIB=${2:-256}
SMALL=${3:-200}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/creor-bench-proxy.XXXXXX)
cleanup() {
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null
  [ -n "${RELAY_PID:-}" ] && kill "$RELAY_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

(cd "$ROOT" && cargo build --release --quiet --bin creor --bin creor-agent)
CREOR="$ROOT/target/release/creor"
mkdir -p "$WORK/project"

python3 - "$WORK/port" "$SIZE_MIB" <<'PY' &
import socket, sys, threading
port_file, size = sys.argv[1], int(sys.argv[2]) * 1024 * 1024
chunk = bytes(4 * 1024 * 1024)
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen(128)
open(port_file, "w").write(str(srv.getsockname()[1]))
def serve(c):
    with c:
        head = b""
        while b"\r\n\r\n" not in head:
            d = c.recv(65536)
            if not d: return
            head += d
        n = size if b" /big " in head else 1
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % n)
        while n > 0:
            m = min(n, len(chunk)); c.sendall(memoryview(chunk)[:m]); n -= m
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
SERVER_PID=$!
for _ in $(seq 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
PORT=$(cat "$WORK/port")

# The ceiling for any one-hop relay on this machine: a bare splice(2) relay (1 MiB pipe, one
# thread per direction, no sandbox, no policy) between two loopback TCP connections.
python3 - "$WORK/relay_port" "$PORT" <<'PY' &
import fcntl, os, socket, sys, threading
port_file, target = sys.argv[1], int(sys.argv[2])
def pump(a, b):
    r, w = os.pipe()
    try: fcntl.fcntl(w, 1031, 1 << 20)  # F_SETPIPE_SZ
    except OSError: pass
    while (n := os.splice(a.fileno(), w, 1 << 20)) > 0:
        while n: n -= os.splice(r, b.fileno(), n)
    b.shutdown(socket.SHUT_WR)
def serve(c):
    u = socket.create_connection(("127.0.0.1", target))
    t = threading.Thread(target=pump, args=(c, u)); t.start(); pump(u, c); t.join()
    c.close(); u.close()
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen(128)
open(port_file, "w").write(str(srv.getsockname()[1]))
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
RELAY_PID=$!
for _ in $(seq 50); do [ -s "$WORK/relay_port" ] && break; sleep 0.1; done
RELAY_URL="http://127.0.0.1:$(cat "$WORK/relay_port")"
URL="http://127.0.0.1:$PORT"
sandboxed() {
  (cd "$WORK/project" && XDG_STATE_HOME="${BENCH_STATE:-$WORK/state}" "$CREOR" exec --project "$WORK/project" \
    --network allow_specific --allow-host "127.0.0.1:$PORT" -- "$@")
}

echo "download: ${SIZE_MIB} MiB from $URL/big, $ROUNDS interleaved rounds (bytes/s as curl reports)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
direct=(); proxied=(); relayed=()
for r in $(seq "$ROUNDS"); do
  d=$(curl -sS --noproxy '*' -o /dev/null -w '%{speed_download}' "$URL/big")
  p=$(sandboxed curl -sS -o /dev/null -w '%{speed_download}' "$URL/big")
  b=$(curl -sS --noproxy '*' -o /dev/null -w '%{speed_download}' "$RELAY_URL/big")
  direct+=("$d"); proxied+=("$p"); relayed+=("$b")
  awk -v r="$r" -v d="$d" -v p="$p" -v b="$b" \
    'BEGIN { printf "  round %d: direct %7.1f MiB/s   proxied %7.1f MiB/s (%.2f)   bare splice relay %7.1f MiB/s (%.2f)\n", r, d/1048576, p/1048576, p/d, b/1048576, b/d }'
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
md=$(median "${direct[@]}"); mp=$(median "${proxied[@]}"); mb=$(median "${relayed[@]}")
awk -v d="$md" -v p="$mp" -v b="$mb" 'BEGIN { printf "median: direct %.1f MiB/s, proxied %.1f MiB/s, ratio %.2fx (target >= 0.70x); bare splice relay %.1f MiB/s (%.2fx)\n", d/1048576, p/1048576, p/d, b/1048576, b/d }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "latency: $SMALL sequential 1-byte requests, a new connection each"
loop='s=$(date +%s%N); for i in $(seq '"$SMALL"'); do curl -sS -o /dev/null "$0/small" || exit 1; done; e=$(date +%s%N); echo $(( (e - s) / '"$SMALL"' / 1000 ))'
# Two more loops separate what the proxy adds from what the sandbox adds to starting curl
# (seccomp and landlock on each of its syscalls): the same curl, on the host and inside the
# same sandbox, bypassing any proxy to a closed port, which both refuse at once.
refused='s=$(date +%s%N); for i in $(seq '"$SMALL"'); do curl -sS --noproxy "*" -o /dev/null "$0/small" 2>/dev/null; done; e=$(date +%s%N); echo $(( (e - s) / '"$SMALL"' / 1000 ))'
ld=$(sh -c "$loop" "$URL")
lp=$(sandboxed sh -c "$loop" "$URL")
rh=$(sh -c "$refused" "http://127.0.0.1:9")
rs=$(sandboxed sh -c "$refused" "http://127.0.0.1:9")
echo "  direct:  ${ld} us per request (curl start included)"
echo "  proxied: ${lp} us per request"
echo "  curl refused at once (start-up cost): host ${rh} us, sandbox ${rs} us"
echo "  added per connection: $(( lp - ld )) us, of which curl's start in the sandbox $(( rs - rh )) us and the proxy path $(( (lp - ld) - (rs - rh) )) us"
# The shell-timed loops above include curl's start-up and are noisy on a shared VM; curl's own
# clock (connect to last byte, per request) isolates the connection itself.
each='for i in $(seq '"$SMALL"'); do curl -sS -o /dev/null -w "%{time_total}\n" "$0/small"; done'
cd_=$(sh -c "$each" "$URL" | sort -g | awk '{a[NR]=$1} END {print int(a[int((NR+1)/2)]*1e6)}')
cp_=$(sandboxed sh -c "$each" "$URL" | sort -g | awk '{a[NR]=$1} END {print int(a[int((NR+1)/2)]*1e6)}')
echo "  curl's own time per request (median): direct ${cd_} us, proxied ${cp_} us: the proxy adds $(( cp_ - cd_ )) us"
