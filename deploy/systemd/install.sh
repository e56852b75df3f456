#!/usr/bin/env bash
# Installs, upgrades or removes EdgeEnergy as a systemd service (Raspberry Pi OS 64-bit, Debian, Ubuntu).
#
#   sudo deploy/systemd/install.sh                    publish for this machine's architecture, install, enable, start
#   sudo deploy/systemd/install.sh --from DIR         install an existing self-contained publish (e.g. built on a PC)
#   deploy/systemd/install.sh --arch arm64 --publish-only DIR
#                                                     only publish (on a PC, for a Pi), then copy DIR to the Pi
#   sudo deploy/systemd/install.sh --uninstall [--purge]
#                                                     stop and remove; --purge also deletes config, data and the user
#   add --dry-run to any of these to print every step without changing anything (no root needed)
#
# Idempotent: running it again upgrades in place. The previous build is kept in /opt/edgeenergy.prev, the config in
# /etc/edgeenergy is never overwritten, the SQLite data in /var/lib/edgeenergy is never touched (except by --purge).
set -euo pipefail

PREFIX=/opt/edgeenergy
CONFIG_DIR=/etc/edgeenergy
STATE_DIR=/var/lib/edgeenergy
UNIT_PATH=/etc/systemd/system/edgeenergy.service
SERVICE_USER=edgeenergy
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

DRY_RUN=0 ACTION=install ARCH='' FROM='' PUBLISH_ONLY='' PURGE=0

usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "install.sh: $*" >&2; exit 2; }

while (($#)); do
  case $1 in
    --dry-run) DRY_RUN=1 ;;
    --uninstall) ACTION=uninstall ;;
    --purge) PURGE=1 ;;
    --arch) [[ $# -ge 2 ]] || die "--arch needs arm64 or x64"; ARCH=$2; shift ;;
    --arch=*) ARCH=${1#*=} ;;
    --from) [[ $# -ge 2 ]] || die "--from needs a directory"; FROM=$2; shift ;;
    --from=*) FROM=${1#*=} ;;
    --publish-only) [[ $# -ge 2 ]] || die "--publish-only needs a directory"; PUBLISH_ONLY=$2; ACTION=publish; shift ;;
    --publish-only=*) PUBLISH_ONLY=${1#*=}; ACTION=publish ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
[[ $PURGE -eq 0 || $ACTION == uninstall ]] || die "--purge only goes with --uninstall"

# Every step that changes the machine goes through run: printed with a '+', executed unless --dry-run.
run() {
  printf '+'; printf ' %q' "$@"; printf '\n'
  ((DRY_RUN)) || "$@"
}
step() { echo "== $*"; }

# Our name for the architecture, from the machine's when --arch is absent.
if [[ -z $ARCH ]]; then
  case $(uname -m) in
    aarch64|arm64) ARCH=arm64 ;;
    x86_64|amd64) ARCH=x64 ;;
    armv7l|armv6l) die "this is a 32-bit ARM OS; EdgeEnergy (and OR-Tools) need a 64-bit OS: install Raspberry Pi OS (64-bit)" ;;
    *) die "unsupported machine '$(uname -m)'; pass --arch arm64 or --arch x64" ;;
  esac
fi
case $ARCH in arm64|x64) ;; *) die "--arch must be arm64 or x64, not '$ARCH'" ;; esac
RID=linux-$ARCH

# The ELF e_machine a binary for this architecture has (bytes 18-19): 0xb7 AArch64, 0x3e x86-64.
expected_machine() { [[ $ARCH == arm64 ]] && echo b7 || echo 3e; }
elf_machine() { od -An -tx1 -j18 -N1 "$1" | tr -d ' \n'; }

check_publish() {  # DIR: a complete publish for $ARCH (the Native AOT binary and its native libraries), or die saying what is missing
  local dir=$1 f
  for f in edgeenergy libortools.so.9 google-ortools-native.so libe_sqlite3.so; do
    [[ -f $dir/$f ]] || die "$dir/$f is missing: not a complete self-contained $RID publish of src/EdgeEnergy.Host"
  done
  [[ $(elf_machine "$dir/edgeenergy") == "$(expected_machine)" ]] || die "$dir/edgeenergy is not a $RID binary"
  [[ $(elf_machine "$dir/libortools.so.9") == "$(expected_machine)" ]] || die "$dir/libortools.so.9 is not a $RID library"
}

# A publish for a runtime identifier is a Native AOT binary (src/EdgeEnergy.Host/EdgeEnergy.Host.csproj): the .NET SDK
# compiles it to native code and clang links it. Building for arm64 on an x64 machine also needs the arm64 C library,
# GCC runtime and binutils (Debian's cross packages) and llvm-objcopy to strip the binary.
check_aot_toolchain() {
  local missing=()
  command -v clang >/dev/null || missing+=(clang)
  if [[ $ARCH == arm64 && $(uname -m) != aarch64 ]]; then
    [[ -e /usr/aarch64-linux-gnu/lib/Scrt1.o ]] || missing+=(libc6-dev-arm64-cross)
    compgen -G '/usr/lib/gcc-cross/aarch64-linux-gnu/*/crtbeginS.o' >/dev/null || missing+=(libgcc-12-dev-arm64-cross)
    command -v aarch64-linux-gnu-ld >/dev/null || missing+=(binutils-aarch64-linux-gnu)
    command -v llvm-objcopy >/dev/null || missing+=(llvm)
  fi
  ((${#missing[@]} == 0)) || die "building the $RID binary (Native AOT) needs: sudo apt-get install ${missing[*]}; or publish elsewhere and pass --from DIR"
}

publish() {  # DIR
  command -v dotnet >/dev/null || ((DRY_RUN)) || die "dotnet (the .NET 10 SDK) is needed to publish; or publish elsewhere and pass --from DIR"
  ((DRY_RUN)) || check_aot_toolchain
  step "publish $RID (self-contained) to $1"
  local isolate=()
  # Under sudo, build outside the checkout: root-owned files in its artifacts/ would break the user's next build.
  if [[ $(id -u) -eq 0 && -n ${SUDO_USER:-} && $SUDO_USER != root ]]; then isolate=(--artifacts-path "$1.build"); fi
  run dotnet publish "$REPO/src/EdgeEnergy.Host" -c Release -r "$RID" --self-contained -o "$1" -nologo "${isolate[@]}"
  if ((${#isolate[@]})); then run rm -rf "$1.build"; fi
  ((DRY_RUN)) || check_publish "$1"
}

need_root_and_systemd() {
  ((DRY_RUN)) && return 0
  [[ $(id -u) -eq 0 ]] || die "run as root (sudo), or add --dry-run to see the steps"
  [[ -d /run/systemd/system ]] || die "systemd is not running here (no /run/systemd/system); use the Balena image or run 'edgeenergy run' yourself"
}

install_service() {
  need_root_and_systemd
  local src=$FROM
  if [[ -z $src ]]; then
    src=$(mktemp -d -t edgeenergy-publish.XXXXXX)
    ((DRY_RUN)) && rmdir "$src"
    publish "$src"
  else
    step "use the publish in $src"
    check_publish "$src"
  fi

  step "service user '$SERVICE_USER' and the device groups"
  if ! getent group dialout >/dev/null; then run groupadd --system dialout; fi
  if ! getent group gpio >/dev/null; then run groupadd --system gpio; fi
  if ! getent passwd "$SERVICE_USER" >/dev/null; then
    run useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
  else
    echo "user $SERVICE_USER exists"
  fi

  step "program files in $PREFIX (the previous build is kept in $PREFIX.prev)"
  run rm -rf "$PREFIX.new"
  run cp -a "$src" "$PREFIX.new"
  run install -m 0644 "$REPO/README.md" "$PREFIX.new/README.md"
  run chown -R root:root "$PREFIX.new"
  if systemctl is-active --quiet edgeenergy 2>/dev/null; then run systemctl stop edgeenergy; fi
  if [[ -d $PREFIX ]]; then run rm -rf "$PREFIX.prev"; run mv "$PREFIX" "$PREFIX.prev"; fi
  run mv "$PREFIX.new" "$PREFIX"

  step "configuration in $CONFIG_DIR (kept when present)"
  run install -d -m 0750 -o root -g "$SERVICE_USER" "$CONFIG_DIR"
  if [[ -e $CONFIG_DIR/appsettings.json ]]; then
    echo "$CONFIG_DIR/appsettings.json exists: kept"
  else
    run install -m 0640 -o root -g "$SERVICE_USER" "$HERE/appsettings.example.json" "$CONFIG_DIR/appsettings.json"
  fi
  run install -d -m 0750 -o "$SERVICE_USER" -g "$SERVICE_USER" "$STATE_DIR"

  step "systemd unit $UNIT_PATH"
  run install -m 0644 "$HERE/edgeenergy.service" "$UNIT_PATH"
  run systemctl daemon-reload
  run systemctl enable edgeenergy
  run systemctl restart edgeenergy
  step "done: 'systemctl status edgeenergy', logs with 'journalctl -u edgeenergy -f'"
  if [[ -z $FROM ]] && ((!DRY_RUN)); then rm -rf "$src"; fi
}

uninstall_service() {
  need_root_and_systemd
  step "stop and remove the service"
  if [[ -e $UNIT_PATH ]] || ((DRY_RUN)); then
    run systemctl disable --now edgeenergy
    run rm -f "$UNIT_PATH"
    run systemctl daemon-reload
  fi
  run rm -rf "$PREFIX" "$PREFIX.prev" "$PREFIX.new"
  if ((PURGE)); then
    step "purge configuration, data and the user"
    run rm -rf "$CONFIG_DIR" "$STATE_DIR"
    if getent passwd "$SERVICE_USER" >/dev/null || ((DRY_RUN)); then run userdel "$SERVICE_USER"; fi
  else
    step "kept $CONFIG_DIR and $STATE_DIR (the SQLite history); --purge removes them"
  fi
}

((DRY_RUN)) && echo "install.sh: dry run ($ACTION, $RID): nothing is changed"
case $ACTION in
  install) install_service ;;
  uninstall) uninstall_service ;;
  publish) publish "$PUBLISH_ONLY" ;;
esac
