/* Fuzz target for record's contact file: contact_parse, contact_validate, contact_finish. */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "kv.h"
#include "record.h"

/* A parsed field is owned, NUL-terminated, valid UTF-8 and within its limit. */
static void check_field(const char *s, size_t max)
{
	if (!s)
		return;
	size_t n = strlen(s);
	FUZZ_CHECK(n <= max);
	FUZZ_CHECK(utf8_valid(s, n));
}

static void check_digits(const char *s, size_t want_min, size_t want_max)
{
	size_t digits = 0;
	for (const char *p = s; *p; p++)
		digits += *p >= '0' && *p <= '9';
	FUZZ_CHECK(digits >= want_min && digits <= want_max);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct contact c;
	struct diag d = {""};
	contact_init(&c);
	int rc = contact_parse((const char *)data, size, &c, &d);
	FUZZ_CHECK(rc == 0 || rc == ERR_PARSE);
	if (rc)
		fuzz_check_diag(&d);
	/* Fields parsed before an error are still owned by c: finish must free them (leak check). */
	check_field(c.name, contact_field_max("name"));
	check_field(c.phone, 20);
	check_field(c.commune_code, 5);
	check_field(c.address, 300);
	check_field(c.matter, 1000);
	check_field(c.requester_relation, 60);
	check_field(c.consent_text, 40);
	if (c.phone)
		check_digits(c.phone, 9, 13);
	if (c.commune_code) {
		FUZZ_CHECK(strlen(c.commune_code) == 5);
		check_digits(c.commune_code, 5, 5);
	}
	FUZZ_CHECK(c.consent == 0 || c.consent == 1 || c.consent == -1);

	struct diag dv = {""};
	int vr = contact_validate(&c, &dv);
	FUZZ_CHECK(vr == 0 || vr == ERR_REFUSED || vr == ERR_INVAL);
	if (vr) {
		fuzz_check_diag(&dv);
	} else {
		FUZZ_CHECK(c.consent == 1);
		FUZZ_CHECK(c.name && c.name[0] && c.commune_code);
	}

	contact_finish(&c);
	FUZZ_CHECK(!c.name && !c.phone && !c.commune_code && !c.address && !c.matter &&
		   !c.requester_relation && !c.consent_text && c.consent == 0);
	/* Finishing twice is harmless. */
	contact_finish(&c);
	return 0;
}
