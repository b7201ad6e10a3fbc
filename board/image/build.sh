#!/usr/bin/env bash
# board/image/build.sh [--checks] [--arch amd64|arm64] [OUT]: a bootable Debian 12 image of the kiosk (run as
# root). amd64 (the default): x86 mini PCs and the tests. arm64: UEFI arm64 boards and QEMU's virt machine
# (tests/appliance/arm64_test.sh); the base is made under qemu-user (binfmt: board/deps.sh arm64), the kiosk's
# packages cross-built (debian/build.sh with SPEAN_DEB_ARCH=arm64), GRUB's arm64 EFI modules taken from
# Debian's grub-efi-arm64-bin package (an arm64 package: downloaded and unpacked into OUT/cache).
#   OUT (default build-image/) gets
#     disk.img             the whole disk (GPT): ESP (GRUB EFI + grubenv), root slots A and B, data; boot it
#                          with qemu-system-x86_64 -bios /usr/share/ovmf/OVMF.fd -drive file=OUT/disk.img,...
#     rootfs.ext4          the root filesystem's slot image (slot A of disk.img; what an update writes)
#     spean-update.raucb   the RAUC bundle of rootfs.ext4, signed by the test update CA in OUT/keys/
#     vmlinuz, initrd.img  the slot's kernel and initrd (also inside the slot: GRUB boots them from there)
#     rootfs/, data/       the tree a device runs (its data partition's directories in place); that partition's
#                          files (/data on the device)
#     keys/                the test update CA and signer (board/image/bundle.sh signs with them)
#   The partitions and the A/B update: board/image/stage.sh (fstab, RAUC) and board/image/grub.cfg.
# The kiosk is installed from its Debian packages (debian/build.sh, into OUT/deb unless $SPEAN_DEBS names a
# directory that has them): its units, user, udev rules and journald/watchdog settings, as on a device.
# --checks adds the test layer of tests/appliance/ (stage-checks.sh: a test center, spean-center, the checks
# run at boot). The mmdebstrap tarball (dpkg and the initrd: the slow part) is cached in OUT/cache keyed by
# the package list and this script; the packages are installed on top of it each time (stage.sh).
# Needs: bash board/deps.sh image (mmdebstrap, qemu-system-x86, e2fsprogs, the packages' build tools, and for
# the disk and the bundle: fdisk, dosfstools, mtools, grub-efi-amd64-bin, rauc, squashfs-tools, openssl).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
checks= arch=amd64
while [ $# -gt 0 ]; do
	case $1 in
	--checks) checks=1 ;;
	--arch) arch=${2:?build.sh: --arch needs amd64 or arm64}; shift ;;
	-*) echo "build.sh: unknown option $1 (usage: build.sh [--checks] [--arch amd64|arm64] [OUT])" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
case $arch in
amd64) efi_target=x86_64-efi efi_name=BOOTX64.EFI efi_video="efi_gop efi_uga all_video" ;;
arm64) efi_target=arm64-efi efi_name=BOOTAA64.EFI efi_video="efi_gop all_video" ;;
*) echo "build.sh: no image for '$arch' (amd64 or arm64)" >&2; exit 2 ;;
esac
out=$(mkdir -p "${1:-$root/build-image}" && cd "${1:-$root/build-image}" && pwd)
case $out in "$root") echo "build.sh: not into the source tree's root" >&2; exit 2 ;; esac
if [ "$(id -u)" != 0 ]; then
	echo "build.sh: run as root (mmdebstrap, and the staged files must belong to root)" >&2
	exit 1
fi
mirror=${SPEAN_MIRROR:-http://deb.debian.org/debian}

# Only what the kiosk needs. The kiosk's own libraries are its binary's NEEDED entries (readelf -d,
# dpkg -S); SDL's KMSDRM driver dlopens EGL/GLES/GBM and Mesa's drivers, which a minbase image has
# none of (no Recommends): they are listed by name.
pkgs=(
	linux-image-$arch systemd systemd-sysv udev kmod initramfs-tools adduser
	libsdl2-2.0-0 libsdl2-ttf-2.0-0 libsodium23 libsqlite3-0 libicu72 libqrencode4 libpng16-16 zlib1g
	libharfbuzz0b libusb-1.0-0
	libegl1 libgles2 libgbm1 libegl-mesa0 libgl1-mesa-dri libdrm2
	rauc grub-common e2fsprogs usr-is-merged
)
# rauc: the A/B update (installs a signed bundle into the other slot, marks slots good or bad; brings dbus,
# its service's bus); grub-common: grub-editenv, with which RAUC's grub backend writes GRUB's environment;
# e2fsprogs: fsck.ext4 and mkfs.ext4 for the data partition at boot (fstab pass 2, x-systemd.makefs);
# usr-is-merged: what init-system-helpers' "usrmerge | usr-is-merged" needs on a merged base; trim.sh then
# removes usrmerge, which the base's first pass took, and Perl with it (47 MiB nobody runs).
# The test layer's spean-center (tests/appliance: the office side of the cable in the same VM) needs its own
# libraries (libmicrohttpd, libcurl; Pango, Cairo and fontconfig for the form as PDF; libxlsxwriter); a device's image has none of them.
[ -z "$checks" ] || pkgs+=(libmicrohttpd12 libcurl3-gnutls libpangocairo-1.0-0 libcairo2 libfontconfig1 libxlsxwriter4)
# Bump base_rev when the mmdebstrap command below changes (trim.sh, its customize hook, is in the key).
base_rev=4
key=$(printf '%s\n' "${pkgs[@]}" "$mirror" "$base_rev" "$(cat "$root/board/image/trim.sh")" | sha256sum | cut -c1-16)
cache=$out/cache
tarball=$cache/debian12-$arch-$key.tar
mkdir -p "$cache"
t0=$(date +%s)
if [ -f "$tarball" ]; then
	echo "image: cached base $tarball"
else
	echo "image: mmdebstrap bookworm $arch minbase (${#pkgs[@]} packages + their Depends)"
	[ "$arch" = "$(dpkg --print-architecture)" ] || arch-test "$arch" >/dev/null ||
		{ echo "build.sh: this machine cannot run $arch programs (qemu-user-static and binfmt: board/deps.sh arm64)" >&2; exit 1; }
	rm -rf "$cache/debian12-$arch-"*.tar "$cache"/*.part
	# Apt's lists and .debs are left out of the tarball: the appliance never runs apt. Nor are manuals,
	# documentation (but the copyright files) and message translations: nobody reads them on a kiosk.
	mmdebstrap --variant=minbase --format=tar --architectures="$arch" \
		--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
		--include="$(
		IFS=,
		echo "${pkgs[*]}"
	)" \
		--customize-hook='echo spean > "$1/etc/hostname"' \
		--customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/apt/archives/*.deb' \
		--customize-hook="bash '$root/board/image/trim.sh' \"\$1\"" \
		bookworm "$tarball.part" "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
		"deb ${mirror%/debian}/debian-security bookworm-security main" \
		>"$cache/mmdebstrap.log" 2>&1 || {
		tail -30 "$cache/mmdebstrap.log" >&2
		exit 1
	}
	mv "$tarball.part" "$tarball"
fi
t1=$(date +%s)

# The packages (about 30 s) unless given.
debs=${SPEAN_DEBS:-$out/deb}
if [ -z "${SPEAN_DEBS:-}" ]; then
	SPEAN_DEB_ARCH=$arch bash "$root/debian/build.sh" "$debs" | grep -v '^lintian: ' || exit 1
fi
# The root filesystem: the base, the kiosk's packages, an fstab; then the test layer.
rootfs=$out/rootfs
rm -rf "$rootfs"
mkdir -p "$rootfs"
tar -C "$rootfs" -xf "$tarball"
bash "$root/board/image/stage.sh" "$rootfs" "$debs"
[ -z "$checks" ] || bash "$root/tests/appliance/stage-checks.sh" "$rootfs" "$out" "$debs"
cp -L "$rootfs/vmlinuz" "$out/vmlinuz"
cp -L "$rootfs/initrd.img" "$out/initrd.img"

# The update CA (a test one, made once per build dir): the device's keyring is its certificate; bundles are
# signed by a key it issued. A real center keeps the CA's key offline (a hardware token or an air-gapped
# machine) and signs with a short-lived signer certificate; only the CA certificate goes into the image.
keys=$out/keys
if [ ! -f "$keys/signer.pem" ]; then
	rm -rf "$keys" && mkdir -p "$keys" && chmod 0700 "$keys"
	openssl req -x509 -newkey rsa:3072 -nodes -keyout "$keys/ca.key" -out "$keys/ca.pem" -days 3650 \
		-subj "/O=Spean test/CN=Spean test update CA" >/dev/null 2>&1
	openssl req -newkey rsa:3072 -nodes -keyout "$keys/signer.key" -out "$keys/signer.csr" \
		-subj "/O=Spean test/CN=Spean test update signer" >/dev/null 2>&1
	printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n' >"$keys/signer.ext"
	openssl x509 -req -in "$keys/signer.csr" -CA "$keys/ca.pem" -CAkey "$keys/ca.key" -CAcreateserial \
		-days 3650 -extfile "$keys/signer.ext" -out "$keys/signer.pem" >/dev/null 2>&1
fi
install -m 0644 "$keys/ca.pem" "$rootfs/etc/rauc/keyring.pem"

# The data partition's directories (fstab's bind mounts from /data: the store, and the test layer's) take
# what the packages and the test layer put there; their mount points stay, empty, on the read-only root.
data=$out/data
rm -rf "$data" && mkdir -p "$data"
awk '$1 ~ /^\/data\// && $3 == "none" { print $1, $2 }' "$rootfs/etc/fstab" | while read -r src dst; do
	mkdir -p "$rootfs$dst" "$data${src#/data}"
	cp -a "$rootfs$dst/." "$data${src#/data}/"
	chown --reference="$rootfs$dst" "$data${src#/data}"
	chmod --reference="$rootfs$dst" "$data${src#/data}"
	find "$rootfs$dst" -mindepth 1 -delete
done

# The slot image: the root filesystem, ext4 without a journal (it is never mounted read-write), 10% and
# 64 MiB free. Both slots are this size; the bundle carries this image.
size_kib=$(du -sk "$rootfs" | cut -f1)
slot_mib=$((size_kib * 11 / 10 / 1024 + 64))
rm -f "$out/rootfs.ext4"
mkfs.ext4 -q -F -L spean-root -O ^has_journal -d "$rootfs" "$out/rootfs.ext4" "${slot_mib}M"
# OUT/rootfs stays the tree a device runs (the data partition's directories back in place): the tests
# render their reference screens from it.
awk '$1 ~ /^\/data\// && $3 == "none" { print $1, $2 }' "$rootfs/etc/fstab" | while read -r src dst; do
	cp -a "$data${src#/data}/." "$rootfs$dst/"
done
version=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)-$(date -u +%Y%m%d%H%M%S)
t2=$(date +%s)
bash "$root/board/image/bundle.sh" "$out/rootfs.ext4" "$keys" "$version" "$out/spean-update.raucb"
t3=$(date +%s)

# The ESP: GRUB EFI standalone (its modules inside), grub.cfg (with the test layer's hook under --checks)
# and the GRUB environment (slot A good, B not). mtools: no loop device, no mount.
esp_mib=32 data_mib=${SPEAN_DATA_MIB:-256}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo 'configfile "$cmdpath/grub.cfg"' >"$tmp/embed.cfg"
grub_dir=/usr/lib/grub/$efi_target
if [ ! -d "$grub_dir" ]; then
	# Debian builds grub-efi-arm64-bin for arm64 only; its modules are data to grub-mkstandalone.
	grub_dir=$cache/grub/usr/lib/grub/$efi_target
	if [ ! -d "$grub_dir" ]; then
		(cd "$tmp" && apt-get download -q "grub-efi-$arch-bin:$arch" >/dev/null) ||
			{ echo "build.sh: cannot download grub-efi-$arch-bin:$arch (dpkg --add-architecture $arch; apt-get update)" >&2; exit 1; }
		rm -rf "$cache/grub" && dpkg-deb -x "$tmp"/grub-efi-"$arch"-bin_*.deb "$cache/grub"
	fi
fi
grub-mkstandalone -O "$efi_target" -d "$grub_dir" --locales= --fonts= --themes= \
	--install-modules="part_gpt fat ext2 normal configfile linux echo test regexp loadenv search search_label $efi_video" \
	--modules="part_gpt fat ext2" -o "$tmp/$efi_name" "boot/grub/grub.cfg=$tmp/embed.cfg"
if [ -n "$checks" ]; then
	sed -e "/^#SPEAN-TEST-HOOK/r $root/tests/appliance/grub-hook.cfg" -e '/^#SPEAN-TEST-HOOK/d' \
		"$root/board/image/grub.cfg" >"$tmp/grub.cfg"
else
	sed '/^#SPEAN-TEST-HOOK/d' "$root/board/image/grub.cfg" >"$tmp/grub.cfg"
fi
grub-editenv "$tmp/grubenv" create
grub-editenv "$tmp/grubenv" set ORDER="A B" A_OK=1 A_TRY=0 B_OK=0 B_TRY=0
rm -f "$tmp/esp.img"
mkfs.vfat -C -n SPEAN-ESP "$tmp/esp.img" $((esp_mib * 1024)) >/dev/null
mmd -i "$tmp/esp.img" ::/EFI ::/EFI/BOOT
mcopy -i "$tmp/esp.img" "$tmp/$efi_name" "$tmp/grub.cfg" "$tmp/grubenv" ::/EFI/BOOT/
# The data partition (ext4, journaled: data=ordered).
mkfs.ext4 -q -F -L spean-data -d "$data" "$tmp/data.ext4" "${data_mib}M"

# The disk: GPT, 1 MiB aligned; partitions written in place (dd conv=notrunc), no loop device.
#   1 spean-esp (EFI system, FAT)  2 spean-a  3 spean-b (root slots, ext4, read-only)  4 spean-data (ext4)
a_at=$((1 + esp_mib)) b_at=$((1 + esp_mib + slot_mib)) d_at=$((1 + esp_mib + 2 * slot_mib))
disk_mib=$((d_at + data_mib + 1))
rm -f "$out/disk.img"
truncate -s "${disk_mib}M" "$out/disk.img"
sfdisk -q "$out/disk.img" <<SFDISK
label: gpt
start=2048, size=$((esp_mib * 2048)), type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=spean-esp
start=$((a_at * 2048)), size=$((slot_mib * 2048)), type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=spean-a
start=$((b_at * 2048)), size=$((slot_mib * 2048)), type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=spean-b
start=$((d_at * 2048)), size=$((data_mib * 2048)), type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=spean-data
SFDISK
put() { dd if="$1" of="$out/disk.img" bs=1M seek="$2" conv=notrunc,sparse status=none; }
put "$tmp/esp.img" 1
put "$out/rootfs.ext4" "$a_at"
# Slot B holds the same root from the factory (B_OK=0: GRUB boots it only once an update is installed):
# no blank gigabyte on the disk (a scan of the whole disk, like the kiosk check's, reads it as one line).
put "$out/rootfs.ext4" "$b_at"
put "$tmp/data.ext4" "$d_at"
t4=$(date +%s)
echo "image: base $((t1 - t0)) s, staging and ext4 $((t2 - t1)) s, bundle $((t3 - t2)) s, disk $((t4 - t3)) s"
echo "image: root filesystem $((size_kib / 1024)) MiB used in a ${slot_mib} MiB slot (x2); bundle $(du -k "$out/spean-update.raucb" | cut -f1) KiB; disk $out/disk.img ${disk_mib} MiB (ESP ${esp_mib}, data ${data_mib}); kernel $(du -k "$out/vmlinuz" | cut -f1) KiB, initrd $(du -k "$out/initrd.img" | cut -f1) KiB"
