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

# bench_fresh_stack [APT_PACKAGE...]: installs what is missing (and these Debian packages), then a bench stack made
# fresh every run (empty databases, a new chain, an empty IPFS repo, so runs compare), the app and the bench built in
# Release, and the app's setup run against it.
bench_fresh_stack() {
  install_all
  (($# == 0)) || install_apt_packages "$@"
  stack_profile bench
  CHAIN_BLOCK_TIME=
  stack_down >/dev/null 2>&1 || true
  rm -rf "$STACK_DIR"
  stack_up
  app_build Release
  bench_build
  app_setup Release
}

cmd_bench() {
  if [[ ${1:-} == faults ]]; then
    shift
    cmd_bench_faults "$@"
    return
  fi
  local t0=$SECONDS publish=0 readers=0 fhir=0 stamp out rc=0
  case ${1:-} in
    --publish) publish=1 ;;
    --readers) readers=1 ;;
    --fhir) fhir=1 ;;
    "") ;;
    *) die "unknown bench option '$1' (--publish copies the report and plots to docs/bench/; --readers runs the doctors' concurrency sweep alone; --fhir the FHIR API stage alone)" ;;
  esac
  bench_fresh_stack "${APT_PACKAGES_BENCH[@]}"

  stamp=$(date -u +%Y%m%d-%H%M%S)
  out=$EHR_ROOT/artifacts/bench/$stamp
  mkdir -p "$out"
  if ((readers)); then
    say "the doctors' concurrency sweep alone (results in ${out#"$EHR_ROOT"/}/results.csv; no report)"
    bench_program run readers --out "$out" || rc=$?
    stack_down
    ((rc == 0)) || die "the bench failed (exit $rc); partial results in ${out#"$EHR_ROOT"/}"
    grep '^concurrency readers' "$out/results.csv" || true
    say "bench (readers) done in $((SECONDS - t0)) s: ${out#"$EHR_ROOT"/}/results.csv"
    return 0
  fi
  if ((fhir)); then
    say "the FHIR API stage alone (results in ${out#"$EHR_ROOT"/}/results.csv; no report)"
    bench_program run fhir --out "$out" || rc=$?
    stack_down
    ((rc == 0)) || die "the bench failed (exit $rc); partial results in ${out#"$EHR_ROOT"/}"
    grep '^fhir' "$out/results.csv" | grep -E ',(p50|p50_ratio),' || true
    say "bench (fhir) done in $((SECONDS - t0)) s: ${out#"$EHR_ROOT"/}/results.csv"
    return 0
  fi
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

# ./ehr bench faults [--publish]: the fault bench (bench/EhrShare.SystemBench/Faults) on a fresh bench stack. The program
# starts two app instances as processes of their own and restarts the stack's services it stops with
# `./ehr stack start bench`; this script builds, sets up, and takes the stack down afterwards.
cmd_bench_faults() {
  local t0=$SECONDS publish=0 stamp out rc=0
  case ${1:-} in
    --publish) publish=1 ;;
    "") ;;
    *) die "unknown bench faults option '$1' (--publish copies the report to docs/bench/faults.md)" ;;
  esac
  bench_fresh_stack

  stamp=$(date -u +%Y%m%d-%H%M%S)
  out=$EHR_ROOT/artifacts/bench/faults-$stamp
  mkdir -p "$out"
  say "fault bench (results in ${out#"$EHR_ROOT"/})"
  bench_program run faults --out "$out" || rc=$?
  stack_down
  [[ -f $out/faults.md ]] || die "the fault bench failed (exit $rc) before writing its report"
  if ((publish)); then
    mkdir -p "$EHR_ROOT/docs/bench"
    cp "$out/faults.md" "$EHR_ROOT/docs/bench/faults.md"
    say "published the report to docs/bench/faults.md"
  fi
  ((rc == 0)) || die "a check failed after the faults (exit $rc): ${out#"$EHR_ROOT"/}/faults.md"
  say "fault bench done in $((SECONDS - t0)) s: ${out#"$EHR_ROOT"/}/faults.md"
}
