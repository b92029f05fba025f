#!/usr/bin/env bash
# Installs the Debian packages a profile needs and that this machine lacks,
# and says which ones; for lab and test, also the system user the lab's
# tunnels run as, if it is missing.  Usage: scripts/deps.sh build|lab|test
set -euo pipefail

build=(gcc make pkg-config libc6-dev libmnl-dev libnftables-dev libpcap-dev
       libcmocka-dev libsodium-dev libssl-dev libyaml-dev libjansson-dev
       libgraphviz-dev graphviz)
# What a student types at the lab: ping, ip, nft, and a shell; the peers
# the lab runs (wireguard-go, configured by wg) and iperf3 for harness bench.
lab=("${build[@]}" iproute2 iputils-ping nftables procps wireguard-tools wireguard-go iperf3)
# The lab tests also move files with nc and drop privileges with setpriv;
# the fuzz targets need clang and its libFuzzer runtime, and scan-build
# (clang-tools) the static analyser, llvm-profdata and llvm-cov (llvm) the
# coverage report; tshark reads back
# the capture files the harness writes; openvpn, fastd and quicktun are the
# other tunnels that harness bench --peers compares ours with; chromium
# renders the walkthrough's page headless, as a class would see it;
# dpkg-dev, debhelper and lintian build and check the Debian package,
# systemd's systemd-analyze verifies tunnel@.service, and python3-jsonschema
# checks each --json output against its schema in docs/schema/.
test=("${lab[@]}" netcat-openbsd util-linux coreutils clang clang-tools libclang-rt-dev llvm tshark
      openvpn fastd quicktun valgrind chromium dpkg-dev debhelper lintian systemd
      python3-jsonschema)

profile=${1:-build}
case "$profile" in
build) want=("${build[@]}") ;;
lab) want=("${lab[@]}") ;;
test) want=("${test[@]}") ;;
*) echo "deps.sh: unknown profile '$profile' (build, lab or test)" >&2; exit 2 ;;
esac

# The user the lab's tunnels drop root to (LAB_USER in src/harness/up.h):
# a locked system account with no home and no shell, so that a tunnel
# that were taken over could log in nowhere and owns no files.  Without
# it the tunnels run as nobody, which other daemons may share.
lab_user=tunlab
lab_user() {
	if getent passwd "$lab_user" >/dev/null; then
		echo "deps: the system user '$lab_user' the lab's tunnels run as is there"
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: must run as root to create the system user '$lab_user'" >&2
		return 1
	fi
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin --comment "tunlab lab tunnels" "$lab_user"
	usermod --lock "$lab_user"
	echo "deps: created the locked system user '$lab_user' (no home, shell /usr/sbin/nologin) for the lab's tunnels"
}

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#want[@]} packages for '$profile' are installed"
else
	echo "deps: installing ${#missing[@]} missing package(s) for '$profile': ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: must run as root to install packages" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	echo "deps: installed ${missing[*]}"
fi
if [ "$profile" != build ]; then
	lab_user
fi
