#!/usr/bin/env bash
# Secret-scanner benchmark: creor scan (release) against one ripgrep pass over the same files,
# plus the wall time of a 12-file staged scan including process start.
#
#   bench/scan.sh [SIZE_MB=128] [SEED=1]      (KEEP=1 keeps the generated tree)
#
# Baseline: `rg -c 'key|token|secret'` (one regex pass, counting matching lines; case-sensitive,
# which is the cheaper variant for rg). creor does more per byte: ~70 case-insensitive keywords,
# then per-rule regexes on the lines with hits.
set -euo pipefail

SIZE_MB=${1:-128}
SEED=${2:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/creor-bench.XXXXXX)
# KEEP=1 keeps the generated files for profiling.
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT

command -v rg >/dev/null || { echo "ripgrep (rg) is required: apt-get install ripgrep" >&2; exit 2; }
(cd "$ROOT" && cargo build --release --quiet --bin creor --bin creor-agent)
CREOR="$ROOT/target/release/creor"

echo "generating ${SIZE_MB} MB of source-like text (seed $SEED) in $WORK/tree"
python3 - "$WORK/tree" "$SIZE_MB" "$SEED" <<'PY'
import os, random, sys
root, size_mb, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
words = ["user", "session", "config", "request", "item", "node", "entry", "cache", "index",
         "buffer", "result", "value", "handler", "client", "server", "parser", "state"]
alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
def w(): return rng.choice(words)
templates = [
    lambda: f"    let {w()}_{w()} = {w()}.get_{w()}({rng.randint(0, 999)})?;",
    lambda: f"    if {w()}.len() > {rng.randint(1, 64)} {{ return Err(Error::{w().title()}); }}",
    lambda: f"def {w()}_{w()}(self, {w()}: int = {rng.randint(0, 9)}) -> None:",
    lambda: f"        self.{w()} = {w()}.{w()}({w()}, {rng.randint(0, 100)})",
    lambda: f"const {w()}{w().title()} = await fetch{w().title()}({w()}Id);",
    lambda: f"    // {w()} {w()} {w()}: see the {w()} docs for details",
    lambda: f"import {{ {w().title()}Service }} from './{w()}/{w()}.service';",
    lambda: f"    for (i, {w()}) in {w()}s.iter().enumerate() {{",
    lambda: f"    return {{ \"{w()}\": {rng.randint(0, 10**6)}, \"ok\": true }}",
    lambda: "    }",
    lambda: "",
    lambda: f"    let key = {w()}_map.get(&{w()})?;",
    lambda: f"    token = self.tokenizer.next_token()  # {w()}",
    lambda: f"    cache_key = f\"{w()}:{{{w()}_id}}\"",
]
weights = [10, 8, 8, 8, 6, 6, 4, 5, 4, 8, 6, 1, 1, 1]
target = size_mb * 1024 * 1024
total, nfile, planted = 0, 0, 0
while total < target:
    d = os.path.join(root, f"pkg{nfile % 40:02d}", f"mod{nfile % 7}")
    os.makedirs(d, exist_ok=True)
    lines = []
    size = 0
    for t in rng.choices(templates, weights, k=2500):
        s = t()
        lines.append(s)
        size += len(s) + 1
    if nfile % 97 == 5:
        tok = "gh" + "p_" + "".join(rng.choice(alnum) for _ in range(36))
        lines.insert(rng.randrange(len(lines)), f"GITHUB_TOKEN = \"{tok}\"")
        planted += 1
    path = os.path.join(d, f"file{nfile:05d}.{rng.choice(['rs', 'py', 'ts', 'go'])}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    total += size
    nfile += 1
print(f"  {nfile} files, {total / 1e6:.1f} MB, {planted} planted secrets")
PY

BYTES=$(du -sb "$WORK/tree" | cut -f1)
now() { date +%s%N; }
# Median of 5 runs (after one warm-up run that fills the page cache).
time_cmd() {
  "$@" >/dev/null 2>&1 || true
  local ts=()
  for _ in 1 2 3 4 5; do
    local a; a=$(now); "$@" >/dev/null 2>&1 || true; local b; b=$(now)
    ts+=($(( (b - a) / 1000 )))
  done
  printf '%s\n' "${ts[@]}" | sort -n | sed -n 3p
}

CPUS=$(nproc)
RG_US=$(time_cmd rg -c 'key|token|secret' "$WORK/tree")
RGI_US=$(time_cmd rg -i -c 'key|token|secret|password' "$WORK/tree")
CREOR_US=$(time_cmd "$CREOR" scan "$WORK/tree")
FOUND=$("$CREOR" scan "$WORK/tree" 2>/dev/null | wc -l || true)

mbps() { python3 -c "print(f'{$BYTES / 1e6 / ($1 / 1e6):.0f}')"; }
echo
echo "cpus: $CPUS   data: $(python3 -c "print(f'{$BYTES/1e6:.1f}')") MB"
echo "rg -c 'key|token|secret'   $(python3 -c "print(f'{$RG_US/1000:.0f}')") ms   $(mbps "$RG_US") MB/s"
echo "rg -i -c 'key|token|secret|password'  $(python3 -c "print(f'{$RGI_US/1000:.0f}')") ms   $(mbps "$RGI_US") MB/s   (for reference)"
echo "creor scan                 $(python3 -c "print(f'{$CREOR_US/1000:.0f}')") ms   $(mbps "$CREOR_US") MB/s   ($FOUND findings)"
echo "ratio creor/rg             $(python3 -c "print(f'{$CREOR_US/$RG_US:.2f}')")x   (target <= 3x)"

# A 12-file staged commit: new and edited files of a few hundred lines each.
REPO="$WORK/repo"
mkdir -p "$REPO"
git -C "$REPO" init -q
for i in $(seq 1 12); do
  mkdir -p "$REPO/src"
  find "$WORK/tree" -type f | sort | sed -n "${i}p" | xargs -I{} head -c 12000 {} > "$REPO/src/f$i.rs"
done
git -C "$REPO" add -A >/dev/null
git -C "$REPO" -c user.name=b -c user.email=b@x commit -qm base --no-verify
for i in $(seq 1 12); do
  { echo "// edit $i"; head -c 4000 "$REPO/src/f$i.rs"; } >> "$REPO/src/f$i.rs"
done
git -C "$REPO" add -A
ts=()
for _ in $(seq 1 21); do
  a=$(now); (cd "$REPO" && "$CREOR" scan --staged >/dev/null 2>&1) || true; b=$(now)
  ts+=($(( (b - a) / 1000 )))
done
STAGED_US=$(printf '%s\n' "${ts[@]}" | sort -n | sed -n 11p)
echo "staged scan, 12 files      $(python3 -c "print(f'{$STAGED_US/1000:.1f}')") ms median of 21, incl. process start (target < 50 ms)"
