/*
 * The FunctionFS blobs read back field by field with the kernel's own structs (linux/usb/functionfs.h,
 * ch9.h): lengths add up, counts match, endpoints and packet sizes are right, WINUSB and the GUID are
 * where Windows looks for them.
 */
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>
#include <string.h>

#include "testlib.h"
#include "usbdesc.h"

static unsigned rd32(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8 | (unsigned)p[2] << 16 | (unsigned)p[3] << 24;
}

/* Walk count USB descriptors at p; returns bytes used, checks each. */
static size_t walk(const unsigned char *p, size_t left, int count, unsigned mps)
{
	size_t used = 0;
	int eps = 0;
	for (int i = 0; i < count; i++) {
		CHECK(used + 2 <= left && p[used] >= 2 && used + p[used] <= left);
		if (p[used] == USB_DT_INTERFACE_SIZE && p[used + 1] == USB_DT_INTERFACE) {
			const struct usb_interface_descriptor *d = (const void *)(p + used);
			CHECK(d->bNumEndpoints == 2 && d->bInterfaceClass == USB_CLASS_VENDOR_SPEC && d->iInterface == 1);
		} else if (p[used] == USB_DT_ENDPOINT_SIZE && p[used + 1] == USB_DT_ENDPOINT) {
			const unsigned char *e = p + used;
			CHECK(e[2] == (eps ? USBDESC_EP_IN : USBDESC_EP_OUT));
			CHECK((e[3] & USB_ENDPOINT_XFERTYPE_MASK) == USB_ENDPOINT_XFER_BULK);
			CHECK((unsigned)(e[4] | e[5] << 8) == mps);
			eps++;
		} else {
			CHECK(!"unexpected descriptor");
		}
		used += p[used];
	}
	CHECK_INT(eps, 2);
	return used;
}

int main(void)
{
	struct buf b;
	buf_init(&b);
	usbdesc_functionfs(&b);
	const unsigned char *p = (const unsigned char *)b.data;
	CHECK_INT(rd32(p), FUNCTIONFS_DESCRIPTORS_MAGIC_V2);
	CHECK_INT(rd32(p + 4), (int)b.len);
	unsigned flags = rd32(p + 8);
	CHECK_INT(flags, FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC | FUNCTIONFS_HAS_MS_OS_DESC);
	CHECK(rd32(p + 12) == 3 && rd32(p + 16) == 3 && rd32(p + 20) == 2);
	size_t at = 24;
	at += walk(p + at, b.len - at, 3, 64);
	at += walk(p + at, b.len - at, 3, 512);
	/* MS OS descriptors. */
	const struct usb_os_desc_header *h = (const void *)(p + at);
	CHECK(h->dwLength == sizeof *h + sizeof(struct usb_ext_compat_desc) && h->bcdVersion == 1 && h->wIndex == 4 &&
	      h->bCount == 1);
	const struct usb_ext_compat_desc *c = (const void *)(p + at + sizeof *h);
	CHECK(!memcmp(c->CompatibleID, "WINUSB\0\0", 8) && c->Reserved1 == 1);
	at += h->dwLength;
	h = (const void *)(p + at);
	CHECK(h->interface == 0 && h->bcdVersion == 1 && h->wIndex == 5 && h->wCount == 1);
	const struct usb_ext_prop_desc *pr = (const void *)(p + at + sizeof *h);
	CHECK(pr->dwPropertyDataType == 1);
	const unsigned char *name = (const unsigned char *)(pr + 1);
	char ascii[64] = "";
	for (unsigned i = 0; i + 1 < pr->wPropertyNameLength && i / 2 < sizeof ascii - 1; i += 2)
		ascii[i / 2] = (char)name[i];
	CHECK_STR(ascii, "DeviceInterfaceGUID");
	unsigned dl = rd32(name + pr->wPropertyNameLength);
	CHECK_INT(dl, (int)(2 * (strlen(USBDESC_GUID) + 1)));
	CHECK_INT(pr->dwSize, (int)(14 + pr->wPropertyNameLength + dl));
	CHECK_INT(h->dwLength, (int)(sizeof *h + pr->dwSize));
	at += h->dwLength;
	CHECK_INT(at, (int)b.len); /* nothing left over */

	usbdesc_strings(&b);
	const struct usb_functionfs_strings_head *s = (const void *)b.data;
	CHECK(s->magic == FUNCTIONFS_STRINGS_MAGIC && s->length == b.len && s->str_count == 1 && s->lang_count == 1);
	CHECK(!memcmp(b.data + sizeof *s, "\x09\x04Spean kiosk sync", 18) && b.data[b.len - 1] == '\0');
	buf_finish(&b);
	return t_done("sync_usbdesc_test");
}
