/* SPDX-License-Identifier: MIT */
/*
 * cli/worker_main.c - `bnity-worker`: the image a confined worker starts
 * from (issue 17).  It holds only the worker's side of a run (the
 * engine, the broker protocol, its own confinement steps): the spawner
 * execs it, beside bnity, with an empty environment, so a worker pays
 * for no library it does not use and holds nothing of the broker's.
 * Built static where the toolchain allows (no dynamic loader at all).
 * `bnity __worker` (main.c) is the same entry point, used when this
 * binary is missing.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exec/worker.h"
#include "sandbox/spawner.h"

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], BN_SANDBOX_WORKER_WORD))
		_exit(bn_exec_worker_main(argc - 2, argv + 2));
	fprintf(stderr, "bnity-worker: started by bnity's spawner only "
		"(as `bnity-worker %s ...`); run `bnity` instead\n",
		BN_SANDBOX_WORKER_WORD);
	return 2;
}
