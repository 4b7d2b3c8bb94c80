# shellcheck shell=bash
# Installs what the stack needs, by package name only: Debian packages with apt, Node tools with npm ci from the
# committed lockfiles. Nothing is reinstalled when it is already there, so a second run takes a moment.

APT_PACKAGES_RUN=(mariadb-server mariadb-client curl jq)
# ipfs-cid checks our CIDs independently; docker-compose (v1) validates docker-compose.yml; chromium runs the
# end-to-end tests; nginx (with openssl) is the TLS-terminating reverse proxy the app is tested behind.
APT_PACKAGES_TEST=(ipfs-cid docker-compose chromium python3-aiosmtpd nginx openssl)

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "installing system packages needs root (or sudo): $*"
  fi
}

install_apt_packages() {
  local missing=() pkg log
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  log=$(mktemp /tmp/ehr-apt.XXXXXX.log)
  say "installing Debian packages: ${missing[*]}"
  # Another apt run may hold the lock for a while (unattended upgrades, a parallel install): wait for it. System files
  # are for every user: apt runs under umask 022, not ./ehr's private 077.
  if ! (umask 022 && as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -q) \
          > "$log" 2>&1 \
     || ! (umask 022 && as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
          --no-install-recommends "${missing[@]}") >> "$log" 2>&1; then
    show_log_tail "$log" 40
    die "could not install Debian packages: ${missing[*]} (full log: $log)"
  fi
  rm -f "$log"
}

# npm ci in a tools folder when its node_modules is missing or older than its lockfile.
install_node_tools() {
  local dir=$1 stamp log
  stamp=$dir/node_modules/.ehr-installed
  [[ -f $dir/package-lock.json ]] || die "$dir/package-lock.json is missing"
  if [[ -f $stamp && ! $dir/package-lock.json -nt $stamp ]]; then
    return 0
  fi
  log=$(mktemp /tmp/ehr-npm.XXXXXX.log)
  say "installing Node packages in ${dir#"$EHR_ROOT"/} (npm ci)"
  if ! (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts) > "$log" 2>&1; then
    show_log_tail "$log" 40
    die "npm ci failed in $dir (full log: $log)"
  fi
  rm -f "$log"
  touch "$stamp"
}

check_toolchain() {
  command -v node >/dev/null || install_apt_packages nodejs npm
  command -v npm >/dev/null || install_apt_packages npm
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  ((major >= 20)) || die "Node.js 20 or newer is needed (found $(node --version 2>/dev/null || echo none))"
  command -v dotnet >/dev/null || die "the .NET 10 SDK is needed: https://dot.net (dotnet was not found on PATH)"
}

# install_all [test]: everything ./ehr run needs; with "test" also what the tests need.
install_all() {
  check_toolchain
  install_apt_packages "${APT_PACKAGES_RUN[@]}"
  [[ ${1:-} == test ]] && install_apt_packages "${APT_PACKAGES_TEST[@]}"
  install_node_tools "$EHR_ROOT/tools/chain"
  install_node_tools "$EHR_ROOT/tools/ipfs-dev-node"
  # The committed browser libraries are checked against their npm packages by a test.
  if [[ ${1:-} == test ]]; then install_node_tools "$EHR_ROOT/tools/web-assets"; fi
}
