#!/usr/bin/env bash
# board/image/trim.sh ROOTFS: what a kiosk never uses, out of the image's base (build.sh runs it as
# mmdebstrap's customize hook: the result is cached with the base). Kernel modules for hardware a kiosk or
# outreach device does not have (kept: every GPU, input, HID, USB, sound, storage a mini PC boots from,
# Ethernet and Wi-Fi a center may sync over, the filesystems a USB stick comes with), then the module index
# and the initrd made again without them.
set -euo pipefail
rootfs=${1:?usage: trim.sh ROOTFS}
# usrmerge (and Perl, 47 MiB, with it) came with the base's first pass: init-system-helpers depends on
# "usrmerge | usr-is-merged" and the base is merged already; usr-is-merged (build.sh's list) stays. dpkg
# refuses if anything else needs them.
chroot "$rootfs" dpkg --purge usrmerge libfile-find-rule-perl libnumber-compare-perl libtext-glob-perl \
	perl libperl5.36 perl-modules-5.36 >/dev/null
for m in "$rootfs"/usr/lib/modules/*/; do
	k=$m/kernel
	[ -d "$k" ] || continue
	rm -rf \
		"$k"/drivers/media "$k"/drivers/infiniband "$k"/drivers/isdn "$k"/drivers/comedi "$k"/drivers/staging \
		"$k"/drivers/target "$k"/drivers/iio "$k"/drivers/mtd "$k"/drivers/bluetooth "$k"/net/bluetooth \
		"$k"/drivers/net/ethernet/{mellanox,chelsio,qlogic,cavium,huawei,netronome,sfc,emulex,brocade,pensando,fungible} \
		"$k"/drivers/scsi/{lpfc,qla2xxx,qla4xxx,bfa,be2iscsi,bnx2fc,bnx2i,megaraid,mpt3sas,aacraid,fnic,csiostor,qedf,qedi,smartpqi,cxgbi,mpi3mr,elx,pm8001,isci,hisi_sas,arcmsr,esas2r,snic} \
		"$k"/fs/{btrfs,xfs,ocfs2,gfs2,ceph,nfs,nfsd,nfs_common,smb,cifs,jfs,reiserfs,nilfs2,orangefs,afs,coda,dlm,ubifs,lockd,9p,cachefiles,fscache,netfs} \
		"$k"/fs/{adfs,affs,befs,bfs,efs,freevxfs,hpfs,jffs2,minix,omfs,qnx4,qnx6,romfs,sysv,ufs,zonefs,ecryptfs,vboxsf} \
		"$k"/net/{ceph,sunrpc,rds,tipc,9p,sctp,rxrpc,smc,ceph} \
		"$k"/drivers/net/wireless/{ath/ath11k,ath/ath12k,mediatek/mt76/mt7996,intersil,zydas,atmel,cisco,ralink,purelifi}
	chroot "$rootfs" depmod "$(basename "$m")"
done
chroot "$rootfs" update-initramfs -u -k all >/dev/null
