/*
 * sync/usbdesc: byte layouts from linux/usb/functionfs.h (v2 descriptors,
 * MS OS descriptor headers, extended compat ID and extended property) and
 * the USB 2.0 interface and endpoint descriptors; the MS OS 1.0 part follows
 * what adbd serves so Windows binds WinUSB to the interface by itself.
 */
#include "usbdesc.h"

#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>
#include <string.h>

static void le16(struct buf *b, unsigned v)
{
	unsigned char x[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
	buf_append(b, x, 2);
}

static void le32(struct buf *b, unsigned long v)
{
	unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
	buf_append(b, x, 4);
}

static void set_le32(struct buf *b, size_t at, unsigned long v)
{
	unsigned char *p = (unsigned char *)b->data + at;
	p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8), p[2] = (unsigned char)(v >> 16), p[3] = (unsigned char)(v >> 24);
}

/* Interface + two bulk endpoints at one speed (wMaxPacketSize 64 full speed, 512 high speed). */
static void speed(struct buf *b, unsigned mps)
{
	unsigned char intf[9] = {9, USB_DT_INTERFACE, 0, 0, 2, USB_CLASS_VENDOR_SPEC, 0, 0, 1};
	buf_append(b, intf, sizeof intf);
	unsigned char ep[2] = {USBDESC_EP_OUT, USBDESC_EP_IN};
	for (int i = 0; i < 2; i++) {
		unsigned char e[4] = {7, USB_DT_ENDPOINT, ep[i], USB_ENDPOINT_XFER_BULK};
		buf_append(b, e, sizeof e);
		le16(b, mps);
		unsigned char interval = 0;
		buf_append(b, &interval, 1);
	}
}

static void utf16(struct buf *b, const char *ascii)
{
	for (const char *p = ascii;; p++) {
		le16(b, (unsigned char)*p);
		if (!*p)
			break;
	}
}

void usbdesc_functionfs(struct buf *out)
{
	out->len = 0;
	le32(out, FUNCTIONFS_DESCRIPTORS_MAGIC_V2);
	le32(out, 0); /* length, set below */
	le32(out, FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC | FUNCTIONFS_HAS_MS_OS_DESC);
	le32(out, 3); /* fs_count */
	le32(out, 3); /* hs_count */
	le32(out, 2); /* os_count */
	speed(out, 64);
	speed(out, 512);
	/* Extended compat ID (wIndex 4): interface 0 is "WINUSB". */
	size_t h = out->len;
	unsigned char zero = 0, one = 1;
	buf_append(out, &one, 1); /* interface (as adbd) */
	le32(out, 0);             /* dwLength, set below */
	le16(out, 1);             /* bcdVersion */
	le16(out, 4);             /* wIndex: extended compat ID */
	buf_append(out, &one, 1); /* bCount */
	buf_append(out, &zero, 1);
	unsigned char compat[24] = {0, 1, 'W', 'I', 'N', 'U', 'S', 'B'};
	buf_append(out, compat, sizeof compat);
	set_le32(out, h + 1, (unsigned long)(out->len - h));
	/* Extended property (wIndex 5): DeviceInterfaceGUID, REG_SZ. */
	h = out->len;
	buf_append(out, &zero, 1); /* interface 0 */
	le32(out, 0);
	le16(out, 1);
	le16(out, 5);
	le16(out, 1); /* wCount */
	struct buf name, data;
	buf_init(&name);
	buf_init(&data);
	utf16(&name, "DeviceInterfaceGUID");
	utf16(&data, USBDESC_GUID);
	le32(out, (unsigned long)(14 + name.len + data.len)); /* dwSize */
	le32(out, 1);                                         /* REG_SZ */
	le16(out, (unsigned)name.len);
	buf_append(out, name.data, name.len);
	le32(out, (unsigned long)data.len);
	buf_append(out, data.data, data.len);
	buf_finish(&name);
	buf_finish(&data);
	set_le32(out, h + 1, (unsigned long)(out->len - h));
	set_le32(out, 4, (unsigned long)out->len);
}

void usbdesc_strings(struct buf *out)
{
	static const char name[] = "Spean kiosk sync";
	out->len = 0;
	le32(out, FUNCTIONFS_STRINGS_MAGIC);
	le32(out, 0);
	le32(out, 1); /* str_count */
	le32(out, 1); /* lang_count */
	le16(out, 0x0409);
	buf_append(out, name, sizeof name); /* NUL-terminated */
	set_le32(out, 4, (unsigned long)out->len);
}
