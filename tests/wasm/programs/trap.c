/* SPDX-License-Identifier: MIT */
/* trap.c - wasm only: prints, then traps (unreachable), reads past the
 * end of memory ("oob"), spins forever
 * ("spin"), sleeps ("sleep"), waits on stdin ("read") or allocates until
 * refused ("grow"), so run.sh can check the
 * exit statuses of `wasm run`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "trap";
	printf("before %s\n", what);
	fflush(stdout);
	if (!strcmp(what, "spin")) {
		volatile unsigned long n = 0;
		for (;;)
			n++;
	}
	if (!strcmp(what, "sleep")) {
		sleep(100);
		printf("woke\n");
		for (;;)
			;
	}
	if (!strcmp(what, "read")) {
		char buf[16];
		ssize_t n = read(0, buf, sizeof buf);
		printf("read %zd\n", n);
		for (;;)
			;
	}
	if (!strcmp(what, "oob")) {
		/* the last bytes of the 4 GiB address space: never memory */
		volatile int *far = (volatile int *)(uintptr_t)0xfffffff0u;
		printf("read %d\n", *far);
		return 0;
	}
	if (!strcmp(what, "grow")) {
		static char *blocks[64];
		int mib = 0;
		while (mib < 64 && (blocks[mib] = malloc(1 << 20)) != NULL) {
			blocks[mib][mib] = (char)mib;  /* keep the block */
			mib++;
		}
		printf("got %d MiB\n", mib);
		return mib < 64 ? 0 : 1;
	}
	__builtin_trap();
}
