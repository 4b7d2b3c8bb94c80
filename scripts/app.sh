# shellcheck shell=bash
# Building and running the web app against a stack. The app reads every setting from the environment (stack.env),
# under the same keys a user would put in appsettings.json or environment variables: nothing in the app knows about
# these scripts.

WEB_PROJECT=$EHR_ROOT/src/EhrShare.Web/EhrShare.Web.csproj

web_dll() { echo "$EHR_ROOT/src/EhrShare.Web/bin/$1/net10.0/EhrShare.Web.dll"; }

# app_build CONFIG: Release builds the web app for ./ehr run; Debug builds the whole solution for ./ehr test.
app_build() {
  local config=$1 log target=$WEB_PROJECT
  [[ $config == Debug ]] && target=$EHR_ROOT/EhrShare.sln
  if [[ -f $EHR_ROOT/tools/chain/compile.mjs ]]; then
    # The contract's ABI and bytecode come from its source; recompile so the app embeds what the source says.
    node "$EHR_ROOT/tools/chain/compile.mjs" > "$LOG_DIR/solc.log" 2>&1 \
      || { show_log_tail "$LOG_DIR/solc.log"; die "the contract did not compile"; }
  fi
  log=$LOG_DIR/build-$config.log
  say "building ($config)"
  if ! dotnet build "$target" -c "$config" -nologo -v quiet > "$log" 2>&1; then
    grep -E ': (error|warning) ' "$log" | sort -u | head -n 40 >&2 || show_log_tail "$log" 40
    die "the build failed (log: $log)"
  fi
}

app_env_name() { [[ $STACK == dev ]] && echo Development || echo Test; }

# app_cli CONFIG VERB ARGS...: runs one of the app's command-line verbs against the stack.
app_cli() {
  local config=$1
  shift
  (
    load_stack_env
    export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-$(app_env_name)}
    cd "$EHR_ROOT/src/EhrShare.Web"
    dotnet "$(web_dll "$config")" "$@"
  )
}

# Deploys the contract if the chain has no code at the recorded address, applies the migrations, creates the share
# tables and seeds the admin (printing a generated password once).
app_setup() {
  local config=$1
  say "setting up: contract, migrations, share nodes, admin"
  app_cli "$config" setup --contract-file "$CONTRACT_FILE" --admin-password-file "$SECRETS_DIR/admin-password" \
    || die "app setup failed (see the messages above; logs in ${LOG_DIR#"$EHR_ROOT"/})"
  write_stack_env
}

# Where the generated admin credentials are: written once by setup (absent when EHR_ADMIN_PASSWORD was given).
admin_password_hint() {
  local file=$SECRETS_DIR/admin-password
  if [[ -f $file ]]; then
    say "admin sign-in: ${file#"$EHR_ROOT"/} (line 1 the email, line 2 the password; owner-only, mode 0600)"
  fi
}

app_serve() {
  local config=$1
  port_in_use "$APP_PORT" && die "app: port $APP_PORT is already in use (set EHR_APP_PORT)"
  load_stack_env
  export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-$(app_env_name)}
  cd "$EHR_ROOT/src/EhrShare.Web"
  exec dotnet "$(web_dll "$config")" --urls "http://127.0.0.1:$APP_PORT"
}
