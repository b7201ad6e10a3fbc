/* sync/usbdesc: the kiosk's USB function as FunctionFS wants it written to ep0: one vendor interface with bulk OUT/IN, and the MS OS 1.0 descriptors (WINUSB, DeviceInterfaceGUID) that let Windows bind it without a driver. */
#ifndef SPEAN_SYNC_USBDESC_H
#define SPEAN_SYNC_USBDESC_H

#include "mem.h"

/* The DeviceInterfaceGUID Windows tools open the kiosk by (fixed for Spean). */
#define USBDESC_GUID "{6E2C8A41-5F0B-4C8E-9B3D-2A7F1E5C9D04}"
#define USBDESC_EP_OUT 0x01 /* host -> kiosk */
#define USBDESC_EP_IN 0x82  /* kiosk -> host */

/* FUNCTIONFS_DESCRIPTORS_MAGIC_V2 block: full and high speed, and the MS OS descriptors. */
void usbdesc_functionfs(struct buf *out);
/* FUNCTIONFS_STRINGS_MAGIC block: the interface name in US English. */
void usbdesc_strings(struct buf *out);

#endif
