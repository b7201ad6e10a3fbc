/* tests/fuzz: a main() that replays corpus files through LLVMFuzzerTestOneInput (no libFuzzer needed). */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long ran;

/*
 * Read the whole file into a buffer of exactly its size (no terminator, no
 * slack), as libFuzzer does, so a read past the end is a sanitizer report.
 */
static int run_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		fprintf(stderr, "fuzzrun: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 4096, len = 0;
	unsigned char *data = malloc(cap);
	if (!data)
		abort();
	for (;;) {
		if (len == cap) {
			cap *= 2;
			unsigned char *n = realloc(data, cap);
			if (!n)
				abort();
			data = n;
		}
		size_t got = fread(data + len, 1, cap - len, fp);
		len += got;
		if (got == 0)
			break;
	}
	int bad = ferror(fp);
	fclose(fp);
	if (bad) {
		fprintf(stderr, "fuzzrun: %s: read error\n", path);
		free(data);
		return -1;
	}
	unsigned char *exact = malloc(len ? len : 1);
	if (!exact)
		abort();
	if (len)
		memcpy(exact, data, len);
	free(data);
	printf("fuzzrun: %s (%zu bytes)\n", path, len);
	fflush(stdout);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	ran++;
	return 0;
}

static int only_files(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static int run_path(const char *path)
{
	struct stat st;
	if (stat(path, &st)) {
		fprintf(stderr, "fuzzrun: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISREG(st.st_mode))
		return run_file(path);
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "fuzzrun: %s: not a file or directory\n", path);
		return -1;
	}
	/* Sorted, so a failing run names the same input every time. */
	struct dirent **names;
	int n = scandir(path, &names, only_files, alphasort);
	if (n < 0) {
		fprintf(stderr, "fuzzrun: %s: %s\n", path, strerror(errno));
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(path) + strlen(names[i]->d_name) + 2;
		char *full = malloc(len);
		if (!full)
			abort();
		snprintf(full, len, "%s/%s", path, names[i]->d_name);
		/* Regular files only: subdirectories and other kinds are skipped. */
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && run_file(full))
			rc = -1;
		free(full);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE-OR-DIR...\n", argv[0]);
		return 2;
	}
	int rc = 0;
	for (int i = 1; i < argc; i++)
		if (run_path(argv[i]))
			rc = 1;
	printf("fuzzrun: %lu inputs ran\n", ran);
	if (ran == 0) {
		fprintf(stderr, "fuzzrun: no inputs\n");
		return 1;
	}
	return rc;
}
