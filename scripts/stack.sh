# shellcheck shell=bash
# The local stack: a private MariaDB (app database + one database per share node), anvil (the dev chain) and the
# IPFS dev node. Each runs as a process of its own, bound to 127.0.0.1, with its data under .data/<stack>/, and is
# stopped only through its own pid file.

ANVIL_BIN=$EHR_ROOT/tools/chain/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
# States anvil keeps for calls at past blocks (the app replays a reverted call at the block before it).
ANVIL_KEPT_STATES=256
IPFS_NODE=$EHR_ROOT/tools/ipfs-dev-node/server.mjs
# Anvil's first dev account key: published with Foundry, known to everyone, for local chains only.
ANVIL_DEV_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80

STARTED_NOW=()

# Stops what this invocation started, so a failed `stack up` leaves nothing half-started.
rollback_started() {
  local svc
  for svc in "${STARTED_NOW[@]}"; do "${svc}_down" || true; done
  STARTED_NOW=()
}

not_ready_reason() {
  if [[ $1 == 2 ]]; then echo "exited while starting"
  else echo "did not answer${3:+ $3} within $2 s"; fi
}

fail_service() {
  local name=$1 log=$2 why=$3
  show_log_tail "$log"
  rollback_started
  die "$name: $why (log: $log)"
}

# --- MariaDB ----------------------------------------------------------------------------------------------------

mariadb_ok() { mariadb-admin --no-defaults --socket="$DB_SOCKET" -uroot ping; }

db_sql() { mariadb --no-defaults --protocol=socket --socket="$DB_SOCKET" -uroot "$@"; }

mariadb_up() {
  local log=$LOG_DIR/mariadb.log pidfile=$RUN_DIR/mariadb.pid
  if pid_alive "$pidfile" mariadbd; then
    say "mariadb already running on 127.0.0.1:$DB_PORT"
  else
    if [[ ! -d $DB_DIR/mysql ]]; then
      say "initialising MariaDB data in ${DB_DIR#"$EHR_ROOT"/}"
      if ! UMASK=0600 UMASK_DIR=0700 mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$DB_DIR" \
           --skip-test-db --skip-name-resolve > "$LOG_DIR/mariadb-install.log" 2>&1; then
        rm -rf "$DB_DIR"
        fail_service mariadb "$LOG_DIR/mariadb-install.log" "mariadb-install-db failed"
      fi
    fi
    port_in_use "$DB_PORT" && fail_service mariadb "$log" "port $DB_PORT is already in use (set EHR_DB_PORT)"
    # mariadbd sets its own umask from UMASK/UMASK_DIR (default 0660: group-readable tables), not the process's.
    start_bg mariadb "$pidfile" "$log" env UMASK=0600 UMASK_DIR=0700 \
      mariadbd --no-defaults --user="$(id -un)" --datadir="$DB_DIR" \
      --socket="$DB_SOCKET" --port="$DB_PORT" --bind-address=127.0.0.1 --skip-name-resolve \
      --pid-file="$RUN_DIR/mariadbd.pid" --log-error="$log" \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
      --max-connections=500 --innodb-buffer-pool-size=256M --max-allowed-packet=64M
    STARTED_NOW+=(mariadb)
    wait_ready "$pidfile" 60 mariadb_ok \
      || fail_service mariadb "$log" "$(not_ready_reason $? 60)"
    say "mariadb up on 127.0.0.1:$DB_PORT"
  fi
  mariadb_provision
}

# The app user owns the app database; each share node has its own database and its own user, so one node's
# credentials open only that node. Passwords are generated once and kept in secrets/ (0600).
mariadb_provision() {
  local app_pw i node_pw sql
  app_pw=$(secret_file "$SECRETS_DIR/db-app-password")
  sql="CREATE DATABASE IF NOT EXISTS ehrshare CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'ehrshare'@'127.0.0.1' IDENTIFIED BY '$app_pw';
ALTER USER 'ehrshare'@'127.0.0.1' IDENTIFIED BY '$app_pw';
GRANT ALL PRIVILEGES ON \`ehrshare\`.* TO 'ehrshare'@'127.0.0.1';"
  if [[ $STACK != dev ]]; then
    # Tests and benchmarks create throw-away databases (ehrshare_t_*) to prove migrations from empty.
    sql+="
GRANT ALL PRIVILEGES ON \`ehrshare\\_t\\_%\`.* TO 'ehrshare'@'127.0.0.1';"
  fi
  for ((i = 1; i <= SHARE_NODES; i++)); do
    node_pw=$(secret_file "$SECRETS_DIR/db-node-$i-password")
    sql+="
CREATE DATABASE IF NOT EXISTS ehr_node_$i CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'ehrnode$i'@'127.0.0.1' IDENTIFIED BY '$node_pw';
ALTER USER 'ehrnode$i'@'127.0.0.1' IDENTIFIED BY '$node_pw';
GRANT ALL PRIVILEGES ON \`ehr_node_$i\`.* TO 'ehrnode$i'@'127.0.0.1';"
  done
  printf '%s\nFLUSH PRIVILEGES;\n' "$sql" | db_sql 2> "$LOG_DIR/mariadb-provision.log" \
    || fail_service mariadb "$LOG_DIR/mariadb-provision.log" "could not create the databases and users"
}

mariadb_down() { stop_pid mariadb "$RUN_DIR/mariadb.pid" mariadbd; }

# --- anvil ------------------------------------------------------------------------------------------------------

rpc_ok() {
  curl -sf -m 2 -H 'Content-Type: application/json' \
    -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "http://127.0.0.1:$CHAIN_PORT" | grep -q result
}

anvil_up() {
  local log=$LOG_DIR/anvil.log pidfile=$RUN_DIR/anvil.pid args
  if pid_alive "$pidfile" anvil; then
    say "anvil already running on 127.0.0.1:$CHAIN_PORT"
    return 0
  fi
  [[ -x $ANVIL_BIN ]] || fail_service anvil "$log" "$ANVIL_BIN is missing (npm ci in tools/chain)"
  port_in_use "$CHAIN_PORT" && fail_service anvil "$log" "port $CHAIN_PORT is already in use (set EHR_CHAIN_PORT)"
  # --state loads the chain at start and writes it on a graceful stop; --state-interval also saves it every 10 s
  # so a crash loses at most that much. --prune-history keeps the last states in memory and none on disk: otherwise
  # anvil spills old states to ~/.foundry/anvil/tmp and never removes them (gigabytes per bench run).
  args=(--host 127.0.0.1 --port "$CHAIN_PORT" --chain-id "$CHAIN_ID" --state "$CHAIN_STATE" --state-interval 10
    --prune-history "$ANVIL_KEPT_STATES")
  [[ -n $CHAIN_BLOCK_TIME ]] && args+=(--block-time "$CHAIN_BLOCK_TIME")
  start_bg anvil "$pidfile" "$log" "$ANVIL_BIN" "${args[@]}"
  STARTED_NOW+=(anvil)
  wait_ready "$pidfile" 30 rpc_ok || fail_service anvil "$log" "$(not_ready_reason $? 30 'JSON-RPC')"
  say "anvil up on 127.0.0.1:$CHAIN_PORT (chain id $CHAIN_ID${CHAIN_BLOCK_TIME:+, block time ${CHAIN_BLOCK_TIME}s})"
}

anvil_down() { stop_pid anvil "$RUN_DIR/anvil.pid" anvil; }

# --- IPFS dev node ----------------------------------------------------------------------------------------------

ipfs_ok() { curl -sf -m 2 -X POST "http://127.0.0.1:$IPFS_PORT/api/v0/version" | grep -q Version; }

ipfs_up() {
  local log=$LOG_DIR/ipfs.log pidfile=$RUN_DIR/ipfs.pid
  if pid_alive "$pidfile" server.mjs; then
    say "ipfs dev node already running on 127.0.0.1:$IPFS_PORT"
    return 0
  fi
  [[ -f $IPFS_NODE ]] || fail_service ipfs "$log" "$IPFS_NODE is missing"
  port_in_use "$IPFS_PORT" && fail_service ipfs "$log" "port $IPFS_PORT is already in use (set EHR_IPFS_PORT)"
  start_bg ipfs "$pidfile" "$log" node "$IPFS_NODE" --host 127.0.0.1 --port "$IPFS_PORT" --repo "$IPFS_REPO"
  STARTED_NOW+=(ipfs)
  wait_ready "$pidfile" 30 ipfs_ok || fail_service ipfs "$log" "$(not_ready_reason $? 30 '/api/v0/version')"
  say "ipfs dev node up on 127.0.0.1:$IPFS_PORT"
}

ipfs_down() { stop_pid ipfs "$RUN_DIR/ipfs.pid" server.mjs; }

# --- the whole stack --------------------------------------------------------------------------------------------

stack_up() {
  ensure_stack_dirs
  mariadb_up
  anvil_up
  ipfs_up
  write_stack_env
  STARTED_NOW=()
}

stack_down() {
  ipfs_down
  anvil_down
  mariadb_down
}

stack_status() {
  local down=0
  status_line() {
    if "$2" >/dev/null 2>&1; then printf '  %-8s up    %s\n' "$1" "$3"
    else printf '  %-8s down  %s\n' "$1" "$3"; down=1; fi
  }
  printf 'stack %s (%s)\n' "$STACK" "${STACK_DIR#"$EHR_ROOT"/}"
  status_line mariadb mariadb_ok "127.0.0.1:$DB_PORT"
  status_line anvil rpc_ok "http://127.0.0.1:$CHAIN_PORT"
  status_line ipfs ipfs_ok "http://127.0.0.1:$IPFS_PORT"
  if [[ -s $CONTRACT_FILE ]]; then printf '  contract %s\n' "$(<"$CONTRACT_FILE")"; fi
  return $down
}

# stack.env holds the settings the app and the tests read, under the app's own configuration keys. It contains
# passwords, so it is 0600 and lives in the ignored data folder.
write_stack_env() {
  local i q
  q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
  {
    echo "# Written by ./ehr for the $STACK stack. Do not commit: it holds generated passwords."
    echo "EHR_STACK=$(q "$STACK")"
    echo "EHR_STACK_DIR=$(q "$STACK_DIR")"
    echo "EHR_SHARE_NODES=$SHARE_NODES"
    echo "EhrShare__DataDirectory=$(q "$STACK_DIR")"
    echo "DataProtection__KeyEncryptionKey=$(q "$(key_file "$SECRETS_DIR/key-encryption-key")")"
    echo "Database__ConnectionString=$(q "Server=127.0.0.1;Port=$DB_PORT;Database=ehrshare;User ID=ehrshare;Password=$(<"$SECRETS_DIR/db-app-password")")"
    for ((i = 1; i <= SHARE_NODES; i++)); do
      echo "ShareNodes__Nodes__$((i - 1))__Name=$(q "node-$i")"
      echo "ShareNodes__Nodes__$((i - 1))__ConnectionString=$(q "Server=127.0.0.1;Port=$DB_PORT;Database=ehr_node_$i;User ID=ehrnode$i;Password=$(<"$SECRETS_DIR/db-node-$i-password")")"
    done
    echo "ShareNodes__Threshold=$SHARE_THRESHOLD"
    echo "Ipfs__ApiUrl=$(q "http://127.0.0.1:$IPFS_PORT")"
    echo "Chain__RpcUrl=$(q "http://127.0.0.1:$CHAIN_PORT")"
    echo "Chain__ChainId=$CHAIN_ID"
    echo "# anvil's first dev key: public knowledge, local chains only"
    echo "Chain__ManagerPrivateKey=$(q "$ANVIL_DEV_KEY")"
    [[ -s $CONTRACT_FILE ]] && echo "Chain__ContractAddress=$(q "$(<"$CONTRACT_FILE")")"
  } > "$STACK_ENV.tmp"
  chmod 0600 "$STACK_ENV.tmp"
  mv "$STACK_ENV.tmp" "$STACK_ENV"
}

load_stack_env() {
  [[ -f $STACK_ENV ]] || die "$STACK_ENV is missing: start the stack with ./ehr stack up $STACK"
  set -a
  # shellcheck disable=SC1090
  source "$STACK_ENV"
  set +a
}
