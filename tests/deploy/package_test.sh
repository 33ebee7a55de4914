#!/usr/bin/env bash
# The Debian package as an administrator gets it: builds it with cpack from an already built
# tree, checks its file list and control data, unpacks it into a scratch root, runs the
# unpacked programs, validates the shipped example configuration with freshly generated keys,
# and checks the unit and sysusers file with systemd's own tools against that root.
#
# usage: package_test.sh BUILD_DIR CPACK PROGRAM_FILE...
#   PROGRAM_FILE: the built programs (ctest passes $<TARGET_FILE:...>); they must exist, since
#   cpack installs what is built and builds nothing (deploy/build builds all before ctest).
# Needs dpkg-deb, openssl, systemd-analyze and systemd-sysusers (package systemd).
set -euo pipefail

build_dir=$1
cpack=$2
shift 2

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
step() { echo "== $*"; }

for tool in dpkg-deb openssl systemd-analyze systemd-sysusers; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (Debian: apt-get install systemd dpkg openssl)"
done
for program in "$@"; do
  [[ -x $program ]] || fail "$program is not built; build everything first (deploy/build)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/mab-package-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"

step "cpack -G DEB"
"$cpack" -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack failed"; }
shopt -s nullglob
debs=("$work"/pkg/*.deb)
shopt -u nullglob
((${#debs[@]} == 1)) || fail "expected one .deb in $work/pkg, found ${#debs[@]}"
deb=${debs[0]}
echo "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

step "control data"
field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == mab ]] || fail "Package is '$(field Package)', expected mab"
[[ -n $(field Version) ]] || fail "no Version"
[[ -n $(field Maintainer) ]] || fail "no Maintainer"
[[ $(field Section) == net ]] || fail "Section is '$(field Section)', expected net"
depends=$(field Depends)
for lib in libc6 libzmq5 libssl3 libsqlite3-0 libprotobuf; do
  [[ $depends == *"$lib"* ]] || fail "Depends does not name $lib: $depends"
done
echo "Depends: $depends"
dpkg-deb -e "$deb" "$work/control"
for script in postinst prerm postrm; do
  [[ -x $work/control/$script ]] || fail "maintainer script $script is missing or not executable"
  sh -n "$work/control/$script" || fail "maintainer script $script is not valid sh"
done
grep -q systemd-sysusers "$work/control/postinst" || fail "postinst does not run systemd-sysusers"
grep -q daemon-reload "$work/control/postinst" || fail "postinst does not run daemon-reload"
[[ ! -e $work/control/conffiles ]] || fail "conffiles present, but nothing should be installed to /etc"

step "file list"
dpkg-deb -c "$deb" >"$work/contents"
# "-rwxr-xr-x root/root 123 2026-11-23 08:00 ./usr/bin/mabd" -> "-rwxr-xr-x ./usr/bin/mabd"
awk '{print $1, $6}' "$work/contents" >"$work/files"
expect() {
  local mode=$1 path=$2
  grep -qxF -- "$mode $path" "$work/files" || fail "package lacks $path with mode $mode"
}
for program in mabd mabctl mab-school mab-police mab-health mab-housing mab-synth; do
  expect -rwxr-xr-x "./usr/bin/$program"
done
expect -rw-r--r-- ./usr/lib/systemd/system/mabd.service
expect -rw-r--r-- ./usr/lib/sysusers.d/mab.conf
expect -rw-r--r-- ./usr/share/mab/mabd.example.toml
expect -rw-r--r-- ./usr/share/doc/mab/mabd.example.toml
expect -rw-r--r-- ./usr/share/doc/mab/README.md
if grep -q ' \./etc/' "$work/files"; then fail "the package installs into /etc"; fi
if awk '{print $1}' "$work/files" | grep -q '^-..[sS]\|^-.....[sS]'; then
  fail "the package has setuid or setgid files"
fi
echo "$(wc -l <"$work/files") entries, every expected file present"

step "unpack into a scratch root"
dpkg-deb -x "$deb" "$root"
# A merged-/usr Debian 12 root, as systemd-analyze resolves paths inside it.
ln -s usr/bin "$root/bin"
ln -s usr/lib "$root/lib"

step "the unpacked programs run"
for program in mabd mabctl mab-school mab-police mab-health mab-housing mab-synth; do
  out=$("$root/usr/bin/$program" --help 2>&1) || fail "$program --help exited $?: $out"
  [[ $out == *"$program"* ]] || fail "$program --help does not name the program: $out"
done
mabctl=$root/usr/bin/mabctl
mabd=$root/usr/bin/mabd

step "keys and certificate, as an administrator makes them"
mkdir -p "$root/var/lib/mab" "$root/etc/mab/tls" "$work/agencies"
"$mabctl" keygen --agency broker --out-dir "$root/var/lib/mab/keys" >/dev/null
"$mabctl" keygen --subject-key "$root/var/lib/mab/keys/subject.key" >/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=mab.example.gov.uk" -keyout "$root/etc/mab/tls/mabd.key" \
  -out "$root/etc/mab/tls/mabd.crt" 2>/dev/null || fail "openssl could not write a certificate"

# The example, pointed at the scratch root the way an administrator points it at the server.
example=$root/usr/share/mab/mabd.example.toml
sed -e "s#/var/lib/mab#$root/var/lib/mab#g" -e "s#/etc/mab#$root/etc/mab#g" "$example" \
  >"$root/etc/mab/mabd.unedited.toml"

step "the example as shipped is refused until its placeholders are replaced"
set +e
out=$("$mabd" --config "$root/etc/mab/mabd.unedited.toml" --validate-config 2>&1)
rc=$?
set -e
((rc == 2)) || fail "mabd --validate-config on the unedited example exited $rc, expected 2: $out"
[[ $out == *"signing_keys[0]: not base64 of a 32-byte Ed25519 public key"* ]] ||
  fail "the unedited example's error does not name the placeholder signing key: $out"
[[ $out == *"sha256"* ]] || fail "the unedited example's error does not name the token hash: $out"

step "the example with every placeholder filled validates"
config=$(<"$root/etc/mab/mabd.unedited.toml")
placeholders=$(grep -o 'REPLACE-WITH-contents-of-[a-z0-9._-]*\.pub' <<<"$config" | sort -u)
[[ -n $placeholders ]] || fail "the example has no agency key placeholders to fill"
agencies=0
for placeholder in $placeholders; do
  file=${placeholder#REPLACE-WITH-contents-of-}
  agency=${file%.sign.pub}
  agency=${agency%.curve.pub}
  if [[ ! -e $work/agencies/$agency.sign.pub ]]; then
    "$mabctl" keygen --agency "$agency" --out-dir "$work/agencies" >/dev/null
    agencies=$((agencies + 1))
  fi
  value=$(<"$work/agencies/$file")
  # Quoted, so a '&' in a Z85 key is taken literally (bash 5.2 patsub_replacement).
  config=${config//"$placeholder"/"$value"}
done
token_hash=$("$mabctl" token new --name duty-manager-e09 --role operator \
  --secret-file "$work/token" | sed -n 's/^sha256 = "\([0-9a-f]\{64\}\)"$/\1/p')
[[ -n $token_hash ]] || fail "mabctl token new printed no sha256 line"
config=${config//REPLACE-WITH-sha256-printed-by-mabctl-token-new/"$token_hash"}
if grep -n "REPLACE-WITH-" <<<"$config"; then fail "placeholders left after filling"; fi
printf '%s\n' "$config" >"$root/etc/mab/mabd.toml"
out=$("$mabd" --config "$root/etc/mab/mabd.toml" --validate-config 2>&1) ||
  fail "mabd --validate-config on the filled example: $out"
echo "$out"
[[ $out == *"valid ($agencies agencies"* ]] || fail "expected $agencies agencies in: $out"

step "systemd-analyze verify on the unpacked unit"
# The unit's dependencies (network-online.target, multi-user.target, ...) and ExecReload's
# /bin/kill come from this machine; mabd.service and /usr/bin/mabd from the package.
cp -rn /usr/lib/systemd/system/. "$root/usr/lib/systemd/system/"
kill_bin=$(type -P kill) || fail "no kill program (package procps)"
cp "$kill_bin" "$root/usr/bin/kill"
set +e
out=$(systemd-analyze verify --man=no --recursive-errors=no --root="$root" mabd.service 2>&1)
rc=$?
set -e
# verify exits 0 on warnings such as an unknown key or a bad value, so any output fails too.
((rc == 0)) && [[ -z $out ]] || fail "systemd-analyze verify (exit $rc): $out"
echo "verify: clean"

step "systemd-analyze security on the unpacked unit"
set +e
out=$(systemd-analyze security --offline=yes --threshold=20 --root="$root" mabd.service 2>&1)
rc=$?
set -e
grep 'Overall exposure level' <<<"$out" || fail "systemd-analyze security printed no score: $out"
((rc == 0)) || fail "exposure above 2.0: the unit's hardening was weakened"

step "systemd-sysusers on the unpacked sysusers file"
out=$(systemd-sysusers --root="$root" --dry-run 2>&1) || fail "systemd-sysusers: $out"
[[ $out == *"Creating user 'mab'"* ]] || fail "systemd-sysusers would not create user mab: $out"
echo "sysusers: would create user and group mab"

echo "PASS"
