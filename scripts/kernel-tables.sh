#!/bin/sh
# Rebuilds the bundled kernel tables in kernels/ from Debian's kernel image packages.
#
#   scripts/kernel-tables.sh [WORKDIR]        (default WORKDIR: .cache/kernels)
#
# For each package below: `apt-get download` it (suites the host does not list are added through a
# private apt configuration under WORKDIR, so the system's sources stay untouched), unpack it with
# dpkg -x, cut the compressed payload out of the bzImage and decompress it with xz or zstd, then let
# `cdk8s-tetragon kernel add` parse the ELF .BTF section (lib/kernels/btf.ts) and write the table, with the
# features the kernel's own config gives (kprobe_multi, bpf_override_return, BPF LSM, release; the config
# is boot/config-<release> in the same package, or usr/lib/modules/<release>/config in the companion
# package named in the last column). Last, `kernel syscalls` reads the syscall metadata of every vmlinux
# (CONFIG_FTRACE_SYSCALLS) into kernels/syscalls.json, the model of Tetragon's own syscall table.
#
# Needs: apt-get, dpkg, xz-utils, zstd, node (>= 20) and the project's dev dependencies (esbuild).
# Package names are pinned so the tables are reproducible; bump them to refresh the set. Debian keeps
# superseded versions on snapshot.debian.org only.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-"$ROOT/.cache/kernels"}
OUT="$ROOT/kernels"
mkdir -p "$WORK" "$OUT"
WORK=$(cd "$WORK" && pwd)

# name in kernels/ | apt suite | binary package | description | package with the config (when not the binary one)
PACKAGES='
debian-11-5.10|bullseye-security|linux-image-5.10.0-46-amd64-unsigned|Debian 11 bullseye, linux 5.10 (amd64)|
debian-12-6.1|bookworm-security|linux-image-6.1.0-56-amd64-unsigned|Debian 12 bookworm, linux 6.1 (amd64)|
debian-13-6.12|trixie-security|linux-image-6.12.118+deb13-amd64-unsigned|Debian 13 trixie, linux 6.12 (amd64)|
debian-sid-7.2|sid|linux-binary-7.2.13+deb14-amd64|Debian unstable (sid), linux 7.2 (amd64)|linux-base-7.2.13+deb14-amd64
'

# Private apt configuration: every suite we need, with its own lists and cache.
APT="$WORK/apt"
mkdir -p "$APT/sources.list.d" "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/preferences.d"
cat > "$APT/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bullseye bookworm trixie sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bullseye-security bookworm-security trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
: > "$APT/sources.list"
APT_OPTS="-o Dir::Etc::sourcelist=$APT/sources.list -o Dir::Etc::sourceparts=$APT/sources.list.d \
 -o Dir::Etc::preferencesparts=$APT/preferences.d -o Dir::State::lists=$APT/lists -o Dir::Cache=$APT/cache \
 -o Dir::State::status=/dev/null -o APT::Architecture=amd64"
# shellcheck disable=SC2086
apt-get $APT_OPTS -q update >/dev/null

# Bundle the `kernel` command once so the table writer is the same code users run.
CLI="$WORK/kernel-cli.js"
printf "require('%s/lib/cli/kernel').run(process.argv.slice(2)).then((c) => { process.exitCode = c; });\n" "$ROOT" > "$WORK/kernel-entry.js"
npx --prefix "$ROOT" esbuild "$WORK/kernel-entry.js" --bundle --platform=node --target=node20 --log-level=warning --outfile="$CLI"

# Finds the compressed kernel inside a bzImage and writes the ELF vmlinux.
decompress() { # vmlinuz out
  for magic in 'xz:\3757zXZ' 'zstd:\050\265\057\375'; do
    tool=${magic%%:*}
    pat=$(printf "${magic#*:}")
    off=$(LC_ALL=C grep -obUaF -m1 -- "$pat" "$1" | head -1 | cut -d: -f1 || true)
    [ -n "$off" ] || continue
    if tail -c +$((off + 1)) "$1" | "$tool" -dc > "$2" 2>/dev/null || [ -s "$2" ]; then
      if [ "$(head -c 4 "$2" | od -An -c | tr -d ' ')" = '177ELF' ]; then echo "$tool"; return 0; fi
    fi
  done
  echo "no xz or zstd payload with an ELF kernel found in $1" >&2
  return 1
}

# Downloads a package into a folder once and prints the .deb's path.
fetch() { # dir suite package
  deb=$(ls "$1"/"$3"_*.deb 2>/dev/null | head -1 || true)
  if [ -z "$deb" ]; then
    # shellcheck disable=SC2086
    (cd "$1" && apt-get $APT_OPTS -q -t "$2" download "$3" >/dev/null)
    deb=$(ls "$1"/"$3"_*.deb | head -1)
  fi
  echo "$deb"
}

SYSCALLS=''
echo "$PACKAGES" | { while IFS='|' read -r name suite pkg describe configpkg; do
  [ -n "$name" ] || continue
  dir="$WORK/$name"
  mkdir -p "$dir"
  deb=$(fetch "$dir" "$suite" "$pkg")
  version=$(dpkg-deb -f "$deb" Version)
  sha=$(sha256sum "$deb" | cut -c1-64)
  rm -rf "$dir/x" && dpkg -x "$deb" "$dir/x"
  extra=''
  if [ -n "$configpkg" ]; then
    cdeb=$(fetch "$dir" "$suite" "$configpkg")
    dpkg -x "$cdeb" "$dir/x"
    extra=", config from $configpkg $(dpkg-deb -f "$cdeb" Version) .deb sha256 $(sha256sum "$cdeb" | cut -c1-64)"
  fi
  # /boot/vmlinuz-<release> up to Debian 13; /usr/lib/modules/<release>/vmlinuz from 7.x packages.
  vmlinuz=$(ls "$dir"/x/boot/vmlinuz-* "$dir"/x/usr/lib/modules/*/vmlinuz 2>/dev/null | head -1)
  release=$(basename "$(dirname "$vmlinuz")")
  case "$vmlinuz" in */boot/vmlinuz-*) release=${vmlinuz##*/vmlinuz-} ;; esac
  config=$(ls "$dir"/x/boot/config-* "$dir"/x/usr/lib/modules/*/config 2>/dev/null | head -1)
  [ -n "$config" ] || { echo "no kernel config in $deb${configpkg:+ or $configpkg}" >&2; exit 1; }
  tool=$(decompress "$vmlinuz" "$dir/vmlinux")
  node "$CLI" add "$dir/vmlinux" --name "$name" --out "$OUT" --config "$config" \
    --describe "$describe: $pkg $version (kernel $release, $suite, .deb sha256 $sha, payload $tool$extra)"
  node "$CLI" syscalls "$dir/vmlinux" --out "$dir/syscalls.json" >/dev/null
  SYSCALLS="$dir/syscalls.json $SYSCALLS" # newest first
  rm -rf "$dir/x" "$dir/vmlinux"
done
# shellcheck disable=SC2086
node "$CLI" syscalls $SYSCALLS --out "$OUT/syscalls.json"
}
ls -l "$OUT"
