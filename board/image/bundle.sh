#!/usr/bin/env bash
# board/image/bundle.sh ROOTFS_EXT4 KEYS VERSION OUT.raucb: a RAUC bundle of one root filesystem image (the
# slot image board/image/build.sh makes) for the compatible string that image's own /etc/rauc/system.conf
# names (spean-kiosk-amd64, spean-kiosk-arm64: a device refuses another's bundle), signed with KEYS/signer.key
# (its certificate KEYS/signer.pem issued by the update CA KEYS/ca.pem, the keyring the device holds).
# Format plain (a signed squashfs): the device verifies the whole bundle before it writes the other slot.
set -euo pipefail
img=${1:?usage: bundle.sh ROOTFS_EXT4 KEYS VERSION OUT.raucb} keys=${2:?} version=${3:?} bundle=${4:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
compatible=$(debugfs -R 'cat /etc/rauc/system.conf' "$img" 2>/dev/null | sed -n 's/^compatible=//p')
[ -n "$compatible" ] || { echo "bundle.sh: $img has no /etc/rauc/system.conf with a compatible= line" >&2; exit 1; }
ln "$img" "$tmp/rootfs.ext4" 2>/dev/null || cp --sparse=always "$img" "$tmp/rootfs.ext4"
cat >"$tmp/manifest.raucm" <<MANIFEST
[update]
compatible=$compatible
version=$version
description=Spean kiosk root filesystem

[bundle]
format=plain

[image.rootfs]
filename=rootfs.ext4
MANIFEST
rm -f "$bundle"
rauc bundle --cert="$keys/signer.pem" --key="$keys/signer.key" --keyring="$keys/ca.pem" \
	--mksquashfs-args="-comp zstd -Xcompression-level 6" "$tmp" "$bundle" >"$tmp/rauc.log" 2>&1 ||
	{ cat "$tmp/rauc.log" >&2; exit 1; }
