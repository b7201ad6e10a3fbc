/* store/protocol_status: the receipt statuses cstore assigns (the same numbers as sync/protocol.h's enum sync_status; a static check in sync/center keeps them equal). */
#ifndef SPEAN_PROTOCOL_STATUS_H
#define SPEAN_PROTOCOL_STATUS_H
enum { SYNC_STATUS_STORED = 0, SYNC_STATUS_CONFLICT = 1 };
#endif
