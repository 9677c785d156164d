/* SPDX-License-Identifier: MIT */
/*
 * wasm/wasi.h - WASI preview 1 ("wasi_snapshot_preview1") for the engine.
 *
 * Owns: the guest's view of the host: arguments, environment, clocks,
 * randomness, a table of file descriptors (stdio plus preopened
 * directories and what the guest opens beneath them), and the host
 * functions that expose them.  Uses: wasm.h and libc (Linux: openat2).
 * Knows nothing of skills or grants: the caller decides which directories
 * to preopen and what limits to set.
 *
 * Blocking calls (poll_oneoff, reading a pipe) wake on
 * bn_wasm_wasi_interrupt so that a wall-clock limit can stop a sleeper.
 *
 * Security model: the guest reaches files only through preopens.  Every
 * path is resolved beneath its directory fd with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS), so "..", absolute paths and symlinks leading out
 * fail with ENOTCAPABLE.  A read-only preopen (and everything opened
 * beneath it) refuses every write, create, unlink, rename and truncate
 * with EROFS.  Every guest (pointer, length) is bounds-checked; a bad one
 * gives EFAULT, never a crash.
 *
 * Spec: https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md
 *
 * Use:
 *     bn_wasm_wasi_config cfg = BN_WASM_WASI_CONFIG_INIT;
 *     cfg.argv = argv; cfg.argc = argc; ...
 *     bn_wasm_wasi *w;   bn_wasm_wasi_new(&w, &cfg, &err);
 *     bn_wasm_wasi_define(w, linker, store);
 *     bn_wasm_linker_instantiate(&inst, linker, store, module, &trap, &err);
 *     int status;        bn_wasm_wasi_run(&status, inst, store, &trap);
 *     bn_wasm_wasi_free(w);   (after the store: its host functions
 *                              point at W)
 */
#ifndef BN_WASM_WASI_H
#define BN_WASM_WASI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm.h"

/* The import module name every preview 1 function is defined under. */
#define BN_WASM_WASI_MODULE "wasi_snapshot_preview1"

typedef struct bn_wasm_wasi bn_wasm_wasi;

/* A host directory the guest may use, as guest fd 3, 4, ... in order. */
typedef struct bn_wasm_wasi_preopen {
	const char *host_path;   /* directory on the host */
	const char *guest_path;  /* the name the guest sees: "/data", "." */
	bool read_only;          /* refuse writes, creates, unlinks, ... */
} bn_wasm_wasi_preopen;

/*
 * Fill BUF with LEN random bytes; return 0 or a negated errno.  The
 * default (NULL) is the kernel's getrandom(2).
 */
typedef int (*bn_wasm_wasi_random_fn)(void *buf, size_t len,
				      void *payload);

/* Everything a guest is given.  All pointers are copied by _new. */
typedef struct bn_wasm_wasi_config {
	const char *const *argv;     /* argc strings; argv[0] = program */
	size_t argc;
	const char *const *envp;     /* envc "KEY=VALUE" strings */
	size_t envc;
	const bn_wasm_wasi_preopen *preopens; /* npreopens directories */
	size_t npreopens;
	int stdin_fd;                /* host fds borrowed for guest 0, 1, 2;
					-1 leaves that guest fd closed.
					Never closed by the wasi object. */
	int stdout_fd;
	int stderr_fd;
	uint64_t max_output_bytes;   /* cap on bytes written to guest fds
					1 and 2 together; 0 = no cap.
					Writes past it fail with EFBIG. */
	uint32_t max_fds;            /* guest fd table size; 0 = 1024 */
	bn_wasm_wasi_random_fn random; /* NULL = getrandom(2) */
	void *random_payload;
} bn_wasm_wasi_config;

#define BN_WASM_WASI_CONFIG_INIT { .stdin_fd = 0, .stdout_fd = 1, \
				   .stderr_fd = 2 }

/*
 * bn_wasm_wasi_new - make the host state for one guest run.  Copies every
 * string of CFG and opens each preopen's host directory (O_CLOEXEC).
 * Returns 0, -ENOMEM, -EINVAL (a bad config) or the negated errno of a
 * preopen that cannot be opened, with text in *err.
 */
int bn_wasm_wasi_new(bn_wasm_wasi **out, const bn_wasm_wasi_config *cfg,
		     bn_wasm_err *err)
	__attribute__((warn_unused_result));

/* Close every fd the guest opened and the preopens; NULL is a no-op. */
void bn_wasm_wasi_free(bn_wasm_wasi *w);

/*
 * bn_wasm_wasi_define - make a host function in S for every
 * wasi_snapshot_preview1 import and define it in L.  W must outlive S.
 * Returns 0 or -ENOMEM (or the engine's error).
 */
int bn_wasm_wasi_define(bn_wasm_wasi *w, bn_wasm_linker *l,
			bn_wasm_store *s)
	__attribute__((warn_unused_result));

/*
 * bn_wasm_wasi_run - call the command's "_start" and give its exit
 * status: 0 when it returns, the proc_exit code when it exits.  Returns 0
 * with *status_out set, BN_WASM_ENOTFOUND when there is no "_start"
 * function, -EINVAL when it is not [] -> [], or BN_WASM_ETRAP with
 * *trap filled for any other trap (fuel, stack, memory, ...).
 */
int bn_wasm_wasi_run(int *status_out, bn_wasm_instance *inst,
		     bn_wasm_store *s, bn_wasm_trap *trap)
	__attribute__((warn_unused_result));

/*
 * bn_wasm_wasi_interrupt - make every blocking call of W (poll_oneoff,
 * fd_read on a pipe or tty) return EINTR at once, now and from now on.
 * Safe from another thread or a signal handler.  Pair it with
 * bn_wasm_store_interrupt, which stops the guest itself.
 */
void bn_wasm_wasi_interrupt(bn_wasm_wasi *w);

/* Bytes the guest has written to fds 1 and 2 so far. */
uint64_t bn_wasm_wasi_output_bytes(const bn_wasm_wasi *w);

#endif
