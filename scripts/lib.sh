# shellcheck shell=bash
# Common helpers for ./ehr: messages, stack profiles, processes by pid file, ports and waiting.

EHR_ROOT=${EHR_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

say()  { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Prints the last lines of a log file so a failure names its cause.
show_log_tail() {
  local log=$1 lines=${2:-30}
  if [[ -s $log ]]; then
    printf -- '----- last %s lines of %s -----\n' "$lines" "$log" >&2
    tail -n "$lines" "$log" >&2
    printf -- '-----\n' >&2
  fi
}

# Stack profiles: dev (./ehr run), test (./ehr test), bench (./ehr bench). Each has its own data folder and ports,
# so tests and benchmarks never touch dev data. Every port can be overridden by an environment variable.
stack_profile() {
  STACK=${1:-dev}
  case $STACK in
    dev)   local base_db=13306 base_chain=18545 base_ipfs=15001 base_app=5080 ;;
    test)  local base_db=23306 base_chain=28545 base_ipfs=25001 base_app=25080 ;;
    bench) local base_db=33306 base_chain=38545 base_ipfs=35001 base_app=35080 ;;
    *) die "unknown stack '$STACK' (expected dev, test or bench)" ;;
  esac
  STACK_DIR=${EHR_DATA_DIR:-$EHR_ROOT/.data}/$STACK
  DB_PORT=${EHR_DB_PORT:-$base_db}
  CHAIN_PORT=${EHR_CHAIN_PORT:-$base_chain}
  IPFS_PORT=${EHR_IPFS_PORT:-$base_ipfs}
  APP_PORT=${EHR_APP_PORT:-$base_app}
  SHARE_NODES=${EHR_SHARE_NODES:-5}
  SHARE_THRESHOLD=${EHR_SHARE_THRESHOLD:-3}
  CHAIN_ID=${EHR_CHAIN_ID:-31337}
  CHAIN_BLOCK_TIME=${EHR_CHAIN_BLOCK_TIME:-}
  RUN_DIR=$STACK_DIR/run
  LOG_DIR=$STACK_DIR/logs
  SECRETS_DIR=$STACK_DIR/secrets
  DB_DIR=$STACK_DIR/mariadb
  DB_SOCKET=$RUN_DIR/mysqld.sock
  CHAIN_STATE=$STACK_DIR/anvil/state.json
  IPFS_REPO=$STACK_DIR/ipfs
  STACK_ENV=$STACK_DIR/stack.env
  CONTRACT_FILE=$STACK_DIR/contract-address
}

# A stack's folder holds patients' record blocks and shares, the chain state, logs and secrets: it is the owner's only
# (folders 0700, files 0600). ./ehr runs with umask 077, so what it and the services it starts create is private.
ensure_stack_dirs() {
  (umask 077 && mkdir -p "$STACK_DIR" "$RUN_DIR" "$LOG_DIR" "$DB_DIR" "$(dirname "$CHAIN_STATE")" "$IPFS_REPO" \
    "$SECRETS_DIR")
  # A stack made before this rule (or files copied in by hand): take group and other access away.
  chmod -R go= "$STACK_DIR"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A random secret of 32 url-safe characters, written once with mode 0600 and reused afterwards.
secret_file() {
  local file=$1
  if [[ ! -s $file ]]; then
    (umask 077; head -c 48 /dev/urandom | base64 | tr -d '/+=\n' | head -c 32 > "$file")
  fi
  chmod 0600 "$file"
  cat "$file"
}

# 32 random bytes in base64, generated once (0600): the key that encrypts the app's Data Protection key ring.
key_file() {
  local file=$1
  [[ -s $file ]] || (umask 077; head -c 32 /dev/urandom | base64 > "$file")
  chmod 0600 "$file"
  cat "$file"
}

# --- processes started by the stack, tracked by pid file --------------------------------------------------------

pid_alive() {
  local pidfile=$1 expect=$2 pid
  [[ -s $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against pid reuse: the process must still be the program we started.
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$expect"
}

# start_bg NAME PIDFILE LOG CMD...: runs CMD detached in its own session; records its pid.
start_bg() {
  local name=$1 pidfile=$2 log=$3
  shift 3
  : >> "$log"
  printf '\n=== %s starting %s ===\n' "$(date -Is)" "$name" >> "$log"
  setsid nohup "$@" >> "$log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  # Not a job of this shell: it is stopped by pid file, and one the fault bench kills is not reported as "Killed".
  disown
}

# stop_pid NAME PIDFILE EXPECT: graceful stop (TERM, then KILL after 15 s) of a process this stack started.
stop_pid() {
  local name=$1 pidfile=$2 expect=$3 pid i
  if ! pid_alive "$pidfile" "$expect"; then
    rm -f "$pidfile"
    return 0
  fi
  pid=$(<"$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$name (pid $pid) did not stop within 15 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  say "stopped $name"
}

# wait_ready PIDFILE SECONDS CMD...: polls CMD every 0.1 s while the process of PIDFILE lives; fails at once if it
# exits (a service that crashes at start is reported right away, not after the timeout).
wait_ready() {
  local pidfile=$1 seconds=$2 i
  shift 2
  for ((i = 0; i < seconds * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$(<"$pidfile")" 2>/dev/null || return 2
    sleep 0.1
  done
  return 1
}

# wait_until SECONDS CMD...: polls CMD every 0.1 s.
wait_until() {
  local seconds=$1 i
  shift
  for ((i = 0; i < seconds * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}
