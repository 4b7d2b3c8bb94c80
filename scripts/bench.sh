# shellcheck shell=bash
# ./ehr bench: the system benchmark (bench/EhrShare.SystemBench) against a fresh bench stack. The program hosts the real
# app in-process on Kestrel (at a free loopback port: the bench stack's 35080 lies in the ephemeral port range); this
# script owns the stack's processes, so it also restarts the stack's anvil with a 1 s block time for the
# interval-mining phase.

BENCH_PROJECT=$EHR_ROOT/bench/EhrShare.SystemBench/EhrShare.SystemBench.csproj
# The plots are drawn with Skia (ScottPlot), which needs a font on the machine to draw text.
APT_PACKAGES_BENCH=(fonts-dejavu-core fontconfig)

bench_dll() { echo "$EHR_ROOT/bench/EhrShare.SystemBench/bin/Release/net10.0/EhrShare.SystemBench.dll"; }

bench_build() {
  local log=$LOG_DIR/build-bench.log
  say "building the bench (Release)"
  if ! dotnet build "$BENCH_PROJECT" -c Release -nologo -v quiet > "$log" 2>&1; then
    grep -E ': (error|warning) ' "$log" | sort -u | head -n 40 >&2 || show_log_tail "$log" 40
    die "the bench build failed (log: $log)"
  fi
}

# bench_program ARGS...: runs the bench program with the stack's settings (the same environment the app gets).
bench_program() {
  (
    load_stack_env
    export ASPNETCORE_ENVIRONMENT=Test
    dotnet "$(bench_dll)" "$@"
  )
}

# bench_block_time SECONDS|"": restarts this stack's anvil (its own process, by pid file) with that block time, or
# automine when empty. anvil writes its state on the way down and loads it back, so the chain goes on where it was.
bench_block_time() {
  anvil_down
  CHAIN_BLOCK_TIME=$1
  anvil_up
  STARTED_NOW=()
}

cmd_bench() {
  local t0=$SECONDS publish=0 stamp out rc=0
  case ${1:-} in
    --publish) publish=1 ;;
    "") ;;
    *) die "unknown bench option '$1' (--publish copies the report and plots to docs/bench/)" ;;
  esac
  install_all
  install_apt_packages "${APT_PACKAGES_BENCH[@]}"
  stack_profile bench
  CHAIN_BLOCK_TIME=
  # Fresh every run: empty databases, a new chain, an empty IPFS repo, so runs compare.
  stack_down >/dev/null 2>&1 || true
  rm -rf "$STACK_DIR"
  stack_up
  app_build Release
  bench_build
  app_setup Release

  stamp=$(date -u +%Y%m%d-%H%M%S)
  out=$EHR_ROOT/artifacts/bench/$stamp
  mkdir -p "$out"
  say "benchmark phase 1 of 3: automine (results in ${out#"$EHR_ROOT"/})"
  bench_program run main --out "$out" || rc=$?
  if ((rc == 0)); then
    say "restarting anvil with a 1 s block time"
    bench_block_time 1
    say "benchmark phase 2 of 3: 1 s block time"
    bench_program run blocktime --out "$out" || rc=$?
  fi
  if ((rc == 0)); then
    say "restarting anvil in automine"
    bench_block_time ""
    say "benchmark phase 3 of 3: History and monitor with 1,000 and 100,000 contract events"
    bench_program run chain --out "$out" || rc=$?
  fi
  stack_down
  ((rc == 0)) || die "the bench failed (exit $rc); partial results in ${out#"$EHR_ROOT"/}"

  bench_program report --out "$out" --run-seconds $((SECONDS - t0)) >/dev/null
  ln -sfn "$stamp" "$EHR_ROOT/artifacts/bench/latest"
  if ((publish)); then
    mkdir -p "$EHR_ROOT/docs/bench"
    cp "$out"/report.md "$out"/headline.md "$out"/results.csv "$out"/*.png "$EHR_ROOT/docs/bench/"
    say "published the report and plots to docs/bench/"
  fi
  say "bench done in $((SECONDS - t0)) s: ${out#"$EHR_ROOT"/}/report.md"
}
