# Helpers for the CLI tests (sourced). Each check prints nothing on success
# and one FAIL line otherwise; finish prints "N passed, M failed".
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL  %s\n' "$*"; }

run_airlock() { timeout 30 "$AIRLOCK" "$@" >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"; }

expect_status() {
    want=$1; shift
    run_airlock "$@" <"${STDIN:-/dev/null}"
    got=$(cat "$TMP/rc")
    if [ "$got" = "$want" ]; then ok; else bad "status $got, want $want: airlock $*"; fi
}

expect_stdout() {
    want=$1; shift
    run_airlock "$@"
    if [ "$(cat "$TMP/out")" = "$want" ]; then ok; else bad "stdout '$(head -c 200 "$TMP/out")', want '$want': airlock $*"; fi
}

expect_stdout_has() {
    want=$1; shift
    run_airlock "$@" </dev/null
    if grep -qF -- "$want" "$TMP/out"; then ok; else bad "stdout lacks '$want': airlock $*"; fi
}

expect_stderr_has() {
    want=$1; shift
    run_airlock "$@" </dev/null
    if grep -qF -- "$want" "$TMP/err"; then ok; else bad "stderr lacks '$want': airlock $*"; fi
}

# json_check CODE PYTHON-PREDICATE-ON-d [extra airlock flags]
json_check() {
    code=$1; pred=$2; shift 2
    run_airlock --json "$@" -c "$code" </dev/null
    if python3 -c '
import json, sys
text = open(sys.argv[1], "rb").read()
lines = text.splitlines()
assert len(lines) == 1, "not exactly one line of output"
d = json.loads(lines[0])
sys.exit(0 if eval(sys.argv[2]) else 1)' "$TMP/out" "$pred" 2>"$TMP/pyerr"; then ok
    else bad "json: $pred: $(head -c 300 "$TMP/out") $(head -c 200 "$TMP/pyerr"): airlock --json $* -c $code"; fi
}

finish() {
    echo "cli: $pass passed, $fail failed"
    [ "$fail" = 0 ]
}
