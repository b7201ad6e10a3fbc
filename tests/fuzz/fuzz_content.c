/* Fuzz target for core/content: the kiosk content pack's questions file, commune list and string catalogs. */
#include <stdint.h>
#include <string.h>

#include "content.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = (const char *)data;
	struct diag d = {""};
	struct content c;
	memset(&c, 0, sizeof c);
	int rc = content_parse_questions(t, size, &c, &d);
	FUZZ_CHECK(rc == 0 || rc == ERR_PARSE);
	if (rc) {
		fuzz_check_diag(&d);
	} else {
		FUZZ_CHECK(c.nquestions > 0 && c.nquestions <= CONTENT_MAX_QUESTIONS && c.version && c.center_phone);
		for (int i = 0; i < c.nquestions; i++) {
			FUZZ_CHECK((unsigned)c.q[i].fact < F_COUNT && c.q[i].fact != F_REQUEST_DATE);
			FUZZ_CHECK(c.q[i].text_key[0] != '\0');
			for (int k = 0; k < i; k++)
				FUZZ_CHECK(c.q[k].fact != c.q[i].fact);
		}
	}
	content_finish(&c);

	memset(&c, 0, sizeof c);
	rc = content_parse_communes(t, size, &c, &d);
	FUZZ_CHECK(rc == 0 || rc == ERR_PARSE);
	if (rc)
		fuzz_check_diag(&d);
	for (int i = 0; !rc && i < c.ncommunes; i++) {
		const struct commune *m = &c.communes[i];
		FUZZ_CHECK(strlen(m->code) == 5 && m->name[0]);
		/* "name | Khmer name": one '|' at most, split off; neither side empty or blank-edged. */
		FUZZ_CHECK(!strchr(m->name, '|') && m->name[strlen(m->name) - 1] != ' ');
		if (m->name_km)
			FUZZ_CHECK(m->name_km[0] && m->name_km[0] != ' ' && !strchr(m->name_km, '|') &&
				   m->name_km[strlen(m->name_km) - 1] != ' ');
	}
	content_finish(&c);

	struct catalog *cat = NULL;
	rc = catalog_parse(t, size, &cat, &d);
	FUZZ_CHECK(rc == 0 || rc == ERR_PARSE);
	FUZZ_CHECK((rc == 0) == (cat != NULL));
	for (size_t i = 0; i < catalog_count(cat); i++)
		FUZZ_CHECK(catalog_get(cat, catalog_key(cat, i)) == catalog_value(cat, i));
	catalog_destroy(cat);
	return 0;
}
