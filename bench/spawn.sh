#!/usr/bin/env bash
# Spawn cost of `creor exec -- true` against bare `true` and a bwrap line of comparable isolation.
#
#   bench/spawn.sh [ROUNDS]          (default 100; at least 50)
#   CREOR=/path/to/creor bench/spawn.sh   (default: the shipping build, see below)
#   CREOR_ALSO=/path/to/creor bench/spawn.sh  (a fourth contender: another build, for an A/B)
#   BENCH_PROJECT=DIR bench/spawn.sh      (time it in DIR instead of an empty scratch project)
#
# The default binary is the one README "Install" gives users: on *-linux-gnu a static-pie
# build (`+crt-static` with an explicit --target, so proc-macros still build), which needs no
# dynamic loader at start and keeps ASLR. It is (re)built here so a stale binary is never timed.
#
# Rounds are interleaved (each round runs all three, in a rotating order) so machine noise hits
# every contender alike. Prints median, p90, min and the ratios; the target (issue 3) is creor's
# median no slower than the bwrap line's in the same run. Exit status 0 either way; 1 on errors.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-100}
if [ "$rounds" -lt 50 ]; then echo "spawn.sh: use at least 50 rounds" >&2; exit 1; fi
if [ -n "${CREOR:-}" ]; then
  creor=$CREOR
else
  host=$(rustc -vV | sed -n 's/^host: //p')
  case "$host" in
    *-linux-gnu)
      echo "building the static-pie release (target $host)…" >&2
      RUSTFLAGS="-C target-feature=+crt-static" \
        cargo build --release --target "$host" --bin creor --bin creor-agent >&2
      creor=target/$host/release/creor ;;
    *)
      cargo build --release --bin creor --bin creor-agent >&2
      creor=target/release/creor ;;
  esac
fi
also=${CREOR_ALSO:+$(realpath "$CREOR_ALSO")}
command -v bwrap >/dev/null || { echo "spawn.sh: bwrap not found (apt-get install bubblewrap)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "spawn.sh: python3 not found" >&2; exit 1; }
creor=$(realpath "$creor")

# A scratch project (creor's default project is the current directory), or a real one:
# BENCH_PROJECT=DIR times the spawn there (a git checkout with its creor.json, say).
if [ -n "${BENCH_PROJECT:-}" ]; then
  cd "$BENCH_PROJECT"
else
  proj=$(mktemp -d "${TMPDIR:-/tmp}/creor-bench-XXXXXX")
  trap 'rm -rf "$proj"' EXIT
  cd "$proj"
fi

exec python3 - "$rounds" "$creor" "$also" <<'PY'
import os, statistics, sys, time

rounds, creor, also = int(sys.argv[1]), sys.argv[2], sys.argv[3]
true = "/usr/bin/true" if os.path.exists("/usr/bin/true") else "/bin/true"
contenders = [
    ("true", [true]),
    ("bwrap", ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
               "--unshare-all", "--new-session", "--die-with-parent", true]),
    ("creor", [creor, "exec", "--", true]),
] + ([("also", [also, "exec", "--", true])] if also else [])

def linkage(path):
    """'static-pie' when the ELF has no PT_INTERP (no dynamic loader runs), else 'dynamic'."""
    with open(path, "rb") as f:
        elf = f.read(64)
        phoff = int.from_bytes(elf[32:40], "little")
        phentsize = int.from_bytes(elf[54:56], "little")
        phnum = int.from_bytes(elf[56:58], "little")
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    types = [int.from_bytes(table[i * phentsize:i * phentsize + 4], "little") for i in range(phnum)]
    return "dynamic" if 3 in types else "static-pie"  # PT_INTERP = 3
devnull = os.open(os.devnull, os.O_RDWR)
actions = [(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1),
           (os.POSIX_SPAWN_DUP2, devnull, 2)]

def once(argv):
    t0 = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
    _, status = os.waitpid(pid, 0)
    dt = time.perf_counter_ns() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"spawn.sh: {' '.join(argv)} exited {os.waitstatus_to_exitcode(status)}; "
                 "run it by hand to see why")
    return dt / 1e6

for _, argv in contenders:          # warm-up, and fail early if one does not work
    for _ in range(3):
        once(argv)

samples = {name: [] for name, _ in contenders}
for r in range(rounds):
    k = r % len(contenders)
    for name, argv in contenders[k:] + contenders[:k]:
        samples[name].append(once(argv))

def p90(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.9 * (len(xs) - 1))))]

med = {n: statistics.median(xs) for n, xs in samples.items()}
print(f"spawn cost, {rounds} interleaved rounds, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
print(f"creor: {creor} ({linkage(creor)})" + (f"; also: {also} ({linkage(also)})" if also else ""))
print(f"{'':8}{'median ms':>11}{'p90 ms':>9}{'min ms':>9}")
for name, xs in samples.items():
    print(f"{name:8}{med[name]:11.2f}{p90(xs):9.2f}{min(xs):9.2f}")
print(f"ratios (median): creor/true {med['creor']/med['true']:.1f}x, "
      f"bwrap/true {med['bwrap']/med['true']:.1f}x, creor/bwrap {med['creor']/med['bwrap']:.2f}x"
      + (f", also/bwrap {med['also']/med['bwrap']:.2f}x, also/creor {med['also']/med['creor']:.2f}x"
         if also else ""))
verdict = "MET" if med["creor"] <= med["bwrap"] else "MISSED"
print(f"target (creor median <= bwrap median): {verdict}")
PY
