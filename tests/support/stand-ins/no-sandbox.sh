#!/usr/bin/env bash
# A stand-in "creor" that runs the command with NO sandbox, to check that the escape suite can
# fail: CREOR_TEST_BIN=tests/support/stand-ins/no-sandbox.sh cargo test --test escape
# Nearly every case must fail. The probe refuses host-damaging operations (kill(-1), fork bomb,
# sethostname, kexec, modules) outside a pid+uts namespace, so this is safe to run.
set -euo pipefail
[ "${1:-}" = exec ] || { echo "usage: $0 exec [--project DIR] [--timeout S] -- CMD..." >&2; exit 2; }
shift
proj=$PWD
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
  case "$1" in
    --project|--timeout|--network|--profile|--allow-host) [ "$1" = --project ] && proj=$2; shift 2 ;;
    *) shift ;;
  esac
done
shift
cd "$proj" && exec "$@"
