#!/usr/bin/env bash
# A stand-in "creor" built on bwrap without seccomp, landlock or an idmapped project, to check
# which escape cases only a complete sandbox passes:
#   CREOR_TEST_BIN=tests/support/stand-ins/bwrap.sh cargo test --test escape
set -euo pipefail
[ "${1:-}" = exec ] || { echo "usage: $0 exec [--project DIR] [--timeout S] -- CMD..." >&2; exit 2; }
shift
proj=$PWD
timeout=
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
  case "$1" in
    --project) proj=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --network|--profile|--allow-host) shift 2 ;;
    *) shift ;;
  esac
done
shift
args=(--ro-bind /usr /usr --ro-bind /etc /etc --symlink usr/bin /bin --symlink usr/lib /lib
  --symlink usr/lib64 /lib64 --symlink usr/sbin /sbin --dev /dev --proc /proc --tmpfs /tmp
  --bind "$proj" "$proj" --unshare-all --new-session --die-with-parent --clearenv
  --setenv PATH /usr/local/bin:/usr/bin:/bin --setenv HOME "${HOME:-/}" --chdir "$proj" --cap-drop ALL)
for f in .git/hooks .git/config creor.json creor.local.json .creor; do
  if [ -e "$proj/$f" ]; then args+=(--ro-bind "$proj/$f" "$proj/$f"); fi
done
if [ -n "$timeout" ]; then exec timeout -s KILL "$timeout" bwrap "${args[@]}" -- "$@"; fi
exec bwrap "${args[@]}" -- "$@"
