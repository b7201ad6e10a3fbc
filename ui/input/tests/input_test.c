/* ui/input tests: Telex/VNI against m17n-db, the Khmer NiDA table against xkb-data. */
#include <stdlib.h>

#include "input_test.h"
#include "testlib.h"

const char *input_test_dir(const char *env, const char *fallback)
{
	const char *v = getenv(env);
	return v && *v ? v : fallback;
}

int main(void)
{
	vi_input_tests();
	km_input_tests();
	return t_done("input_test");
}
