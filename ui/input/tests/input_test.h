/* ui/input tests: shared declarations of the Vietnamese and Khmer halves of input_test. */
#ifndef SPEAN_UI_INPUT_TEST_H
#define SPEAN_UI_INPUT_TEST_H

void vi_input_tests(void);
void km_input_tests(void);

/* Where reference data lives: SPEAN_M17N_DIR / SPEAN_XKB_DIR override the Debian paths. */
const char *input_test_dir(const char *env, const char *fallback);

#endif
