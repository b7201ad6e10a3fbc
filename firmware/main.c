/* spean: the kiosk firmware's entry point. */
#include <sys/prctl.h>
#include <sys/resource.h>

#include "cli.h"

int main(int argc, char **argv)
{
	/* Plaintext requests live in this process's memory: no core dumps, no ptrace by others. */
	struct rlimit none = {0, 0};
	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	return cli_main(argc, argv);
}
