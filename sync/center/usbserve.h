/* sync/center/usbserve: `spean-center usb`: the sync protocol over the USB cable, kiosk after kiosk, until stopped. */
#ifndef SPEAN_CENTER_USBSERVE_H
#define SPEAN_CENTER_USBSERVE_H

#include "err.h"

/*
 * Serve dir's center to kiosks plugged in by cable. serial: only that kiosk
 * (NULL: any); kiosks: stop after that many sessions (0: until SIGINT or
 * SIGTERM); poll_ms: 0 hotplug where available, else poll that often.
 * *refused: requests answered "bad" or "conflict" over the whole run.
 */
int center_usb(const char *dir, const char *serial, unsigned kiosks, int poll_ms, unsigned long *refused, struct diag *d);

#endif
