#!/usr/bin/env bash
# The project's one test command. CI runs it through .ci/run; run it locally the same way:
#
#   ./test.sh                                   # everything
#   ./test.sh --filter "FullyQualifiedName~Outbox"   # extra args go to `dotnet test`
#   OUTBOX_TEST_NO_SERVERS=1 ./test.sh          # skip RabbitMQ/PostgreSQL setup (quick local run)
#
# Steps (each one is a no-op when its work is already done, so re-runs are fast):
#   1. make sure RabbitMQ and PostgreSQL 15 are installed and running (and docker-compose, which
#      validates compose/), and export their URLs;
#   2. `npm ci` in tests/nylas-sdk when its node_modules is missing or stale;
#   3. build the solution once, then run every test project from that build, writing TRX files;
#   4. print "N passed, N failed, N skipped" (summed from the TRX files) as the very last line.
# Exits non-zero if setup, the build or `dotnet test` failed, if any test failed, or if no test ran.
set -euo pipefail

# Work from the repo root whatever the caller's directory, so relative paths below hold.
cd "$(dirname "${BASH_SOURCE[0]}")"

readonly SOLUTION="Outbox.Bus.sln"
readonly RESULTS_DIR="artifacts/test-results"
readonly NODE_TESTS_DIR="tests/nylas-sdk"

# rabbitmq-* and pg_* helpers live in /usr/sbin and /usr/lib/postgresql, which a non-root PATH lacks.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin:/usr/lib/postgresql/15/bin"
# Keep the .NET CLI quiet and offline-friendly (no telemetry, banners or first-run work).
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

build_rc="unset" # exit code of `dotnet build`, "unset" until it has run
test_rc="unset"  # exit code of `dotnet test`, "unset" until it has run
policy_rc_d_ours=false

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'test.sh: error: %s\n' "$*" >&2; exit 1; }

# --------------------------------------------------------------------------------------------
# Summary. Runs on every exit (EXIT trap) so the summary line is always the last line printed,
# even when an earlier step stopped the script.
# --------------------------------------------------------------------------------------------

# Sums the <Counters> of every TRX file under $RESULTS_DIR; prints "passed failed skipped unreadable".
# - failed also counts error/timeout/aborted results, so a crashed or hung test is never "green";
# - xunit's skipped tests are not counted in any counter attribute (notExecuted stays 0), they
#   only show up as total - executed, so that is what "skipped" is.
# shellcheck disable=SC2317  # only called from the EXIT trap, which shellcheck cannot follow
sum_trx_counters() {
  python3 - "$RESULTS_DIR" <<'PY'
import glob, os, sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
passed = failed = skipped = unreadable = 0
for path in sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.trx"), recursive=True)):
    try:
        counters = ET.parse(path).getroot().find(f"{NS}ResultSummary/{NS}Counters")
        if counters is None:
            raise ValueError("no ResultSummary/Counters element")
        c = {k: int(v) for k, v in counters.attrib.items() if v.lstrip("-").isdigit()}
    except (ET.ParseError, ValueError, OSError) as e:
        print(f"test.sh: warning: cannot read {path}: {e}", file=sys.stderr)
        unreadable += 1
        continue
    passed += c.get("passed", 0)
    failed += sum(c.get(k, 0) for k in ("failed", "error", "timeout", "aborted"))
    skipped += max(c.get("total", 0) - c.get("executed", 0), c.get("notExecuted", 0))
print(passed, failed, skipped, unreadable)
PY
}

# shellcheck disable=SC2317  # runs as the EXIT trap
finish() {
  local rc=$?
  set +e   # never let the summary itself abort half-way
  # An exit from inside a redirected command (e.g. `check >/dev/null`) would keep that
  # redirection for this trap and swallow the summary: go back to the original outputs.
  exec 1>&3 2>&4
  restore_policy_rc_d
  if [[ ${CI:-} == true && $build_rc != unset ]]; then
    dotnet build-server shutdown >/dev/null 2>&1
  fi

  local passed=0 failed=0 skipped=0 unreadable=0 counts
  if [[ -d "$RESULTS_DIR" ]] && counts=$(sum_trx_counters); then
    read -r passed failed skipped unreadable <<<"$counts"
  elif [[ -d "$RESULTS_DIR" ]]; then
    echo "test.sh: error: could not parse the TRX files in $RESULTS_DIR" >&2
    unreadable=1
  fi

  # Say why we fail; the first reason that applies sets the exit code.
  if ((rc != 0)) && [[ $build_rc == unset ]]; then
    echo "test.sh: FAILED: stopped before the build (exit $rc), see the messages above" >&2
  elif [[ $build_rc != 0 && $build_rc != unset ]]; then
    echo "test.sh: FAILED: dotnet build exited with $build_rc" >&2
    rc=$build_rc
  elif ((failed > 0)); then
    echo "test.sh: FAILED: $failed test(s) failed" >&2
    rc=1
  elif [[ $test_rc != 0 && $test_rc != unset ]]; then
    echo "test.sh: FAILED: dotnet test exited with $test_rc (see the output above)" >&2
    rc=$test_rc
  elif ((unreadable > 0)); then
    echo "test.sh: FAILED: $unreadable unreadable TRX file(s) in $RESULTS_DIR" >&2
    rc=1
  elif ((rc == 0 && passed + failed == 0)); then
    # A typo in --filter, or test projects that lost their tests, must not look like success.
    # Skipped tests did not run either, so "all skipped" fails too.
    echo "test.sh: FAILED: no tests ran ($skipped skipped)" >&2
    rc=1
  fi

  printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
  exit "$rc"
}
exec 3>&1 4>&2   # the original stdout/stderr, for finish()
trap finish EXIT

# --------------------------------------------------------------------------------------------
# Privilege helpers. Installing/starting servers needs root; use sudo when we are not root.
# --------------------------------------------------------------------------------------------

can_be_root() { ((EUID == 0)) || command -v sudo >/dev/null 2>&1; }

as_root() {
  if ((EUID == 0)); then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "'$*' needs root, and sudo is not installed. Run ./test.sh as root, install sudo," \
        "or start RabbitMQ/PostgreSQL yourself and use OUTBOX_TEST_NO_SERVERS=1."
  fi
}

# Runs a command as the postgres OS user (peer authentication on the local socket).
# cd / first so psql does not warn that it cannot access the caller's directory.
as_postgres() {
  if ((EUID == 0)); then
    (cd / && runuser -u postgres -- "$@")
  elif command -v sudo >/dev/null 2>&1; then
    (cd / && sudo -u postgres "$@")
  else
    die "'$*' must run as the postgres user, and sudo is not installed."
  fi
}

# Debian's postinst scripts try to start services during `apt-get install`. Without systemd (as in
# containers) that can fail and leave the package half-configured, so we forbid it while
# installing (the standard policy-rc.d trick) and start the servers ourselves afterwards.
deny_service_starts() {
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    as_root sh -c 'printf "#!/bin/sh\n# created by Outbox.Bus test.sh while installing\nexit 101\n" >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
    policy_rc_d_ours=true
  fi
}
restore_policy_rc_d() {
  if [[ $policy_rc_d_ours == true ]]; then
    as_root rm -f /usr/sbin/policy-rc.d || true
    policy_rc_d_ours=false
  fi
}

apt_install() {
  (($# > 0)) || return 0
  log "installing $* (apt)"
  deny_service_starts
  # C.UTF-8 always exists on Debian: it stops perl locale noise and makes the PostgreSQL
  # cluster created by the package UTF8-encoded instead of SQL_ASCII.
  # On a freshly booted machine unattended-upgrades may hold the dpkg lock: wait, don't fail.
  local apt=(env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 apt-get -o DPkg::Lock::Timeout=300)
  as_root "${apt[@]}" update -qq
  as_root "${apt[@]}" install -y -qq --no-install-recommends "$@" >/dev/null
  restore_policy_rc_d
}

# --------------------------------------------------------------------------------------------
# Step 1: servers. Each check is cheap, and nothing is installed or started when it passes.
# --------------------------------------------------------------------------------------------

rabbitmq_installed() { command -v rabbitmq-server >/dev/null 2>&1; }
# Something (e.g. a developer's container) already listens on the AMQP port.
amqp_port_open() { timeout 3 bash -c '</dev/tcp/127.0.0.1/5672' 2>/dev/null; }
rabbitmq_up() {
  rabbitmq_installed && can_be_root || return 1
  # Debian's rabbitmq CLI wrappers only run as root or the rabbitmq user, hence as_root.
  as_root timeout 60 rabbitmq-diagnostics -q ping >/dev/null 2>&1
}

postgres_installed() { [[ -x /usr/lib/postgresql/15/bin/postgres ]] && command -v pg_ctlcluster >/dev/null 2>&1; }
postgres_ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432 -t 5; }
# The role the tests use can log in over TCP with its password and may create databases.
postgres_role_ok() {
  [[ "$(PGPASSWORD=outbox PGCONNECT_TIMEOUT=5 psql -X -qtA -h 127.0.0.1 -p 5432 -U outbox -d postgres \
        -c 'SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user' 2>/dev/null)" == t ]]
}

ensure_rabbitmq() {
  if ! rabbitmq_installed && amqp_port_open; then
    log "RabbitMQ not installed here, but 127.0.0.1:5672 answers: using that server"
    return 0
  fi
  if ! can_be_root && amqp_port_open; then
    # Debian's rabbitmq CLI refuses to run for other users, so the open port has to do.
    log "RabbitMQ port 5672 answers (no root/sudo to check it further)"
    return 0
  fi
  if rabbitmq_up; then
    log "RabbitMQ already running"
  else
    # Enabling offline only edits the enabled_plugins file, so it works before the first start.
    as_root rabbitmq-plugins enable --offline rabbitmq_management >/dev/null
    log "starting RabbitMQ"
    as_root rabbitmq-server -detached
    # -detached returns before the Erlang node exists, and await_startup fails at once on a
    # node it cannot reach, so first wait for the node itself to answer.
    local i
    for ((i = 0; i < 60; i++)); do rabbitmq_up && break; sleep 1; done
  fi
  # Whether it was just started or was already up: wait until the broker accepts clients.
  as_root timeout 180 rabbitmqctl -q await_startup >/dev/null ||
    die "RabbitMQ did not finish starting; see /var/log/rabbitmq/"
  # A server that was already running may lack the management plugin: enable it online then.
  if ! as_root rabbitmq-plugins -q is_enabled rabbitmq_management >/dev/null 2>&1; then
    log "enabling the RabbitMQ management plugin"
    as_root rabbitmq-plugins -q enable rabbitmq_management >/dev/null
  fi
}

ensure_postgres() {
  if postgres_ready && postgres_role_ok; then
    log "PostgreSQL already running with the outbox role"
    return 0
  fi
  if ! postgres_installed; then
    # Only reachable when a server we did not install (e.g. a container) owns the port.
    die "127.0.0.1:5432 is not this machine's PostgreSQL 15 and the outbox/outbox role" \
        "(CREATEDB) cannot log in to it; create that role there"
  fi
  if ! postgres_ready; then
    if [[ ! -d /etc/postgresql/15/main ]]; then
      # The package normally creates this cluster; recreate it if someone dropped it.
      log "creating PostgreSQL cluster 15/main"
      as_root env LC_ALL=C.UTF-8 pg_createcluster --port 5432 15 main >/dev/null
    fi
    # Test suites open many short-lived databases and pools; the default 100 slots is tight on a shared server.
    as_root pg_conftool 15 main set max_connections 300 >/dev/null 2>&1 || true
    log "starting PostgreSQL"
    as_root pg_ctlcluster 15 main start
    local i
    for ((i = 0; i < 30; i++)); do postgres_ready && break; sleep 1; done
    postgres_ready || die "PostgreSQL is not accepting connections on 127.0.0.1:5432;" \
                          "see /var/log/postgresql/postgresql-15-main.log"
  fi
  # Create or repair the tests' role. The local socket with peer auth needs no password.
  log "ensuring PostgreSQL role outbox (password outbox, CREATEDB)"
  as_postgres psql -X -q -v ON_ERROR_STOP=1 -d postgres <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'outbox') THEN
    CREATE ROLE outbox LOGIN CREATEDB PASSWORD 'outbox';
  ELSE
    ALTER ROLE outbox LOGIN CREATEDB PASSWORD 'outbox';
  END IF;
  -- Lets the tests drop their databases WITH (FORCE) even while autovacuum is working on them.
  GRANT pg_signal_backend TO outbox;
END
$$;
SQL
  postgres_role_ok ||
    die "cannot log in to PostgreSQL on 127.0.0.1:5432 as outbox/outbox (check pg_hba.conf)"
}

setup_servers() {
  # Install what is missing in one apt run (apt-get update only happens if something is missing).
  local missing=()
  if ! rabbitmq_installed && ! amqp_port_open; then missing+=(rabbitmq-server); fi
  if ! postgres_ready && ! postgres_installed; then missing+=(postgresql); fi
  # Parses compose/docker-compose.yml for the deployment tests; no Docker engine is needed for that.
  if ! command -v docker-compose >/dev/null 2>&1; then missing+=(docker-compose); fi
  # The reply-tracking tests start their own Dovecot (own config, free port, current user); the package's system
  # service is never started (policy-rc.d above) and not needed.
  if [[ ! -x /usr/sbin/dovecot ]] && ! command -v dovecot >/dev/null 2>&1; then missing+=(dovecot-imapd); fi
  apt_install "${missing[@]}"

  ensure_rabbitmq
  ensure_postgres
}

# Leave results from a previous run behind us first, so an early failure can't report them.
rm -rf "$RESULTS_DIR"

if [[ ${OUTBOX_TEST_NO_SERVERS:-0} == 1 ]]; then
  # Only pass on URLs the caller set: tests needing a server can then tell it is unavailable.
  log "OUTBOX_TEST_NO_SERVERS=1: not setting up RabbitMQ/PostgreSQL"
else
  setup_servers
  # Callers may point the tests at other servers; these are the ones set up above.
  export OUTBOX_TEST_RABBITMQ="${OUTBOX_TEST_RABBITMQ:-amqp://guest:guest@127.0.0.1:5672/}"
  export OUTBOX_TEST_POSTGRES="${OUTBOX_TEST_POSTGRES:-Host=127.0.0.1;Port=5432;Username=outbox;Password=outbox}"
fi

# --------------------------------------------------------------------------------------------
# Step 2: Node dependencies of the Nylas SDK tests. The folder may not exist yet: skip quietly.
# --------------------------------------------------------------------------------------------

if [[ -f "$NODE_TESTS_DIR/package-lock.json" ]]; then
  # npm ci wipes node_modules, so a stamp inside it means "installed from exactly these files".
  lock_hash=$(cat "$NODE_TESTS_DIR/package.json" "$NODE_TESTS_DIR/package-lock.json" | sha256sum | cut -d' ' -f1)
  stamp="$NODE_TESTS_DIR/node_modules/.outbox-test-sh.sha256"
  if [[ ! -f "$stamp" || "$(<"$stamp")" != "$lock_hash" ]]; then
    command -v npm >/dev/null 2>&1 || die "npm is needed for $NODE_TESTS_DIR but is not installed"
    log "npm ci in $NODE_TESTS_DIR"
    (cd "$NODE_TESTS_DIR" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_hash" >"$stamp"
  fi
fi

# --------------------------------------------------------------------------------------------
# Step 3: build once, then test that build. A failure here is reported by finish(), which also
# prints the summary, so record the exit codes instead of letting set -e stop the script.
# --------------------------------------------------------------------------------------------

if [[ ${CI:-} == true ]]; then
  # In CI, leave no idle MSBuild worker nodes behind to outlive the job (finish() also stops
  # the compiler server). Locally they are kept: they make the next run faster.
  export MSBUILDDISABLENODEREUSE=1
fi

log "dotnet build $SOLUTION -c Release"
build_rc=0
dotnet build "$SOLUTION" -c Release -nologo -v minimal || build_rc=$?
((build_rc == 0)) || exit "$build_rc"

log "dotnet test $SOLUTION -c Release --no-build $*"
mkdir -p "$RESULTS_DIR"
test_rc=0
# The default TRX file names are unique per test project; the console logger's default
# (minimal) verbosity lists failed and skipped tests with their messages but not passed ones.
# -m:1 runs one test project at a time: on two cores, projects that each start hosts, brokers'
# virtual hosts and databases in parallel only starve each other and turn timing into flakiness.
dotnet test "$SOLUTION" -c Release --no-build --nologo -m:1 \
  --results-directory "$RESULTS_DIR" --logger trx \
  "$@" || test_rc=$?

exit 0   # finish() decides the real exit code from the results above
