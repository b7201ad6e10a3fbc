#!/usr/bin/env bash
# debian/build.sh [OUTDIR]: the Debian packages (spean, spean-center, spean-common) from the tracked files
# as they are in the work tree (git archive of 'git stash create', else HEAD: what a clean clone holds plus
# changes not yet committed; never an untracked file, a build dir or a log), built with
# dpkg-buildpackage -b -us -uc in OUTDIR (default build-deb/), then checked: lintian (any error,
# warning or info tag fails, pedantic ones are shown; the overrides carry their reasons) and no byte
# of any package (debug symbols aside) naming the build path.
# SPEAN_DEB_ARCH=arm64 cross-builds them for arm64 (dpkg-buildpackage -a arm64: the cross compiler and the
# arm64 build deps of board/deps.sh arm64); default: this machine's architecture.
# Needs: board/deps.sh pkg (the build deps of debian/control, dpkg-dev, debhelper, fakeroot, lintian).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/build-deb}" && cd "${1:-$root/build-deb}" && pwd)
src=$out/spean-$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
t0=$(date +%s)
rm -rf "$src" && mkdir -p "$src"
rev=$(git -C "$root" stash create 2>/dev/null || true)
git -C "$root" archive --format=tar "${rev:-HEAD}" | tar -x -C "$src"
arch=${SPEAN_DEB_ARCH:-$(dpkg --print-architecture)}
cross=()
[ "$arch" = "$(dpkg --print-architecture)" ] || cross=(-a "$arch" -Pcross,nocheck)
(cd "$src" && dpkg-checkbuilddeps "${cross[@]}" && dpkg-buildpackage -b -us -uc "${cross[@]}" -j"$(nproc)") >"$out/build.log" 2>&1 ||
	{ tail -40 "$out/build.log" >&2; echo "build.sh: dpkg-buildpackage failed (whole log: $out/build.log)" >&2; exit 1; }
t1=$(date +%s)
changes=$(ls -t "$out"/spean_*_"$arch".changes | head -1)
debs=$(sed -n '/^Files:/,$p' "$changes" | awk 'NF==5 && $5 ~ /\.deb$/ {print $5}')
# The built tree's path must not be in any installed byte (debug symbols are in the -dbgsym packages).
rc=0
for d in $debs; do
	x=$out/check-${d%%_*}
	rm -rf "$x" && dpkg-deb -x "$out/$d" "$x"
	case $d in *-dbgsym_*) ;; *)
		if hits=$(grep -rlaF -- "$src" "$x"); then echo "build.sh: $d names $src in: $hits" >&2; rc=1; fi ;;
	esac
	rm -rf "$x"
done
# The console's review screens are in spean-center when the packages were built natively (debian/rules).
if [ "$arch" = "$(dpkg --print-architecture)" ]; then
	center=$(echo "$debs" | tr ' ' '\n' | grep '^spean-center_' | head -1)
	dpkg-deb -c "$out/$center" | grep -q '/usr/share/spean/review-shots/keys.tsv$' ||
		{ echo "build.sh: $center lacks the review screens (usr/share/spean/review-shots)" >&2; rc=1; }
fi
lintian -I --pedantic --fail-on error,warning,info "$changes" >"$out/lintian.log" 2>&1 ||
	{ cat "$out/lintian.log" >&2; echo "build.sh: lintian failed" >&2; rc=1; }
[ -s "$out/lintian.log" ] && sed 's/^/lintian: /' "$out/lintian.log"
echo "build.sh: $(echo $debs | wc -w) packages in $out in $((t1 - t0)) s:"
for d in $debs; do echo "  $d ($(du -k "$out/$d" | cut -f1) KiB)"; done
exit $rc
