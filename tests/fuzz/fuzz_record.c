/* Fuzz target for record's plaintext form (the center side): record_parse_plain with request_init/finish. */
#include <stdint.h>
#include <string.h>

#include "facts.h"
#include "fuzz_common.h"
#include "kv.h"
#include "mem.h"
#include "record.h"
#include "screen.h"

static void check_string(const char *s)
{
	if (s)
		FUZZ_CHECK(utf8_valid(s, strlen(s)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request req;
	struct diag d = {""};
	request_init(&req);
	int rc = record_parse_plain((const char *)data, size, &req, &d);
	FUZZ_CHECK(rc == 0 || rc == ERR_PARSE);
	if (rc) {
		fuzz_check_diag(&d);
		/* Whatever was parsed before the error belongs to req (leak check at finish). */
		request_finish(&req);
		return 0;
	}
	FUZZ_CHECK(req.rules_version != NULL);
	FUZZ_CHECK((unsigned)req.outcome <= OUTCOME_NOT_LISTED);
	FUZZ_CHECK(req.urgent == 0 || req.urgent == 1);
	check_string(req.lang);
	check_string(req.groups);
	check_string(req.review_groups);
	check_string(req.rules_version);
	check_string(req.contact.name);
	check_string(req.contact.address);
	check_string(req.contact.matter);

	/* The record's facts survive their own canonical form (what facts_write emits). */
	struct buf w;
	struct facts again;
	struct diag d2 = {""};
	buf_init(&w);
	buf_puts(&w, "");
	facts_write(&req.facts, "", &w);
	if (facts_parse(w.data, w.len, &again, &d2)) {
		fprintf(stderr, "re-parse failed: %s\n--- written:\n%s---\n", d2.msg, w.data);
		FUZZ_FAIL("facts from a record do not parse again");
	}
	FUZZ_CHECK(memcmp(again.set, req.facts.set, sizeof again.set) == 0);
	FUZZ_CHECK(memcmp(again.val, req.facts.val, sizeof again.val) == 0);
	FUZZ_CHECK(date_cmp(again.request_date, req.facts.request_date) == 0);
	FUZZ_CHECK(date_cmp(again.birth_date, req.facts.birth_date) == 0);
	buf_finish(&w);

	/* The id round-trips through hex. */
	char hex[2 * RECORD_ID_LEN + 1];
	unsigned char id[RECORD_ID_LEN];
	hex_encode(req.id, RECORD_ID_LEN, hex);
	FUZZ_CHECK(hex_decode(hex, strlen(hex), id, RECORD_ID_LEN) == 0);
	FUZZ_CHECK(memcmp(id, req.id, RECORD_ID_LEN) == 0);

	struct diag dv = {""};
	int vr = contact_validate(&req.contact, &dv);
	FUZZ_CHECK(vr == 0 || vr == ERR_REFUSED || vr == ERR_INVAL);
	if (vr)
		fuzz_check_diag(&dv);

	request_finish(&req);
	FUZZ_CHECK(!req.lang && !req.groups && !req.review_groups && !req.rules_version && !req.contact.name);
	return 0;
}
