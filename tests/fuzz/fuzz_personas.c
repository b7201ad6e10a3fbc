/* Fuzz target for tests/lib/personas: the reader of shared/spec's persona files (the journey benchmark and core_personas_test read them). */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "personas.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct personas ps;
	struct diag d = {""};
	int rc = personas_parse((const char *)data, size, "fuzz", &ps, &d);
	FUZZ_CHECK(rc == 0 || rc == ERR_PARSE);
	if (rc) {
		fuzz_check_diag(&d);
		FUZZ_CHECK(ps.n == 0 && ps.p == NULL);
		return 0;
	}
	for (size_t i = 0; i < ps.n; i++) {
		const struct persona *p = &ps.p[i];
		FUZZ_CHECK(p->id[0] && p->nfacts >= 0 && p->nfacts <= PERSONA_MAX_FACTS);
		FUZZ_CHECK(p->urgent == 0 || p->urgent == 1);
		/* Keys are unique (a row's fact replaces the baseline's) and each gives back its value. */
		for (int k = 0; k < p->nfacts; k++) {
			FUZZ_CHECK(p->key[k][0] && !strchr(p->key[k], '=') && !strchr(p->key[k], '\n'));
			FUZZ_CHECK(persona_get(p, p->key[k]) == p->value[k]);
		}
		struct buf b;
		buf_init(&b);
		persona_facts_text(p, &b);
		size_t lines = 0;
		for (size_t j = 0; j < b.len; j++)
			lines += b.data[j] == '\n';
		FUZZ_CHECK(lines == (size_t)p->nfacts);
		buf_finish(&b);
	}
	personas_free(&ps);
	return 0;
}
