/* tests/appliance/guest/segv.c: a test-image aid (spean.check=debug): LD_PRELOADed into the kiosk, it prints
 * the stack's return addresses (module+offset, nothing else) on SIGSEGV/SIGABRT/SIGBUS, to map with addr2line
 * against the unstripped build. Never in a device's image. */
#define _GNU_SOURCE
#include <execinfo.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static void on_crash(int sig)
{
	void *pc[64];
	int n = backtrace(pc, 64);
	const char m[] = "segv.so: crash, backtrace:\n";
	(void)!write(2, m, sizeof m - 1);
	backtrace_symbols_fd(pc, n, 2);
	signal(sig, SIG_DFL);
	raise(sig);
}

__attribute__((constructor)) static void segv_init(void)
{
	void *pc[1];
	backtrace(pc, 1); /* loads libgcc_s now, not in the handler */
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGABRT, on_crash);
}
