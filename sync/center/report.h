/* sync/center/report: what staff take out of the center (CSV export, statistics, the official request form Mẫu 02-TP-TGPL), from opened requests. */
#ifndef SPEAN_REPORT_H
#define SPEAN_REPORT_H
#endif
