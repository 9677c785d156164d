/* SPDX-License-Identifier: MIT */
/*
 * tests/wasm/wasi_test.c - the WASI host's C API (wasm/wasi.h): config
 * errors, bn_wasm_wasi_run's statuses, the output cap, a custom random
 * source, closed stdio, bad guest pointers and bn_wasm_wasi_interrupt.
 * The WASI calls themselves are tested from C programs in
 * tests/wasm/programs (wasi_calls.c, sandbox.c).
 */
#include <fcntl.h>
#include <time.h>

#include "wat.h"
#include "wasi.h"

/* A guest whose "_start" runs BODY with fd_write, random_get, fd_read,
 * poll_oneoff and proc_exit imported and one page of memory. */
#define GUEST(body) \
	"(module\n" \
	" (import \"wasi_snapshot_preview1\" \"fd_write\"\n" \
	"   (func $write (param i32 i32 i32 i32) (result i32)))\n" \
	" (import \"wasi_snapshot_preview1\" \"random_get\"\n" \
	"   (func $random (param i32 i32) (result i32)))\n" \
	" (import \"wasi_snapshot_preview1\" \"fd_read\"\n" \
	"   (func $read (param i32 i32 i32 i32) (result i32)))\n" \
	" (import \"wasi_snapshot_preview1\" \"poll_oneoff\"\n" \
	"   (func $poll (param i32 i32 i32 i32) (result i32)))\n" \
	" (import \"wasi_snapshot_preview1\" \"proc_exit\"\n" \
	"   (func $exit (param i32)))\n" \
	" (memory (export \"memory\") 1)\n" \
	" (global $r (export \"r\") (mut i32) (i32.const -1))\n" \
	" (data (i32.const 16) \"0123456789abcdefghij\")\n" \
	body ")\n"

/* iovec at 0: {16, 20}; write it to fd 1, errno to $r, then again. */
static const char *k_write2 = GUEST(
	" (func (export \"_start\")\n"
	"  (i32.store (i32.const 0) (i32.const 16))\n"
	"  (i32.store (i32.const 4) (i32.const 20))\n"
	"  (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1)\n"
	"        (i32.const 8)))\n"
	"  (global.set $r (call $write (i32.const 1) (i32.const 0)\n"
	"        (i32.const 1) (i32.const 8))))\n");

static const char *k_random = GUEST(
	" (func (export \"_start\")\n"
	"  (global.set $r (call $random (i32.const 100) (i32.const 8))))\n");

static const char *k_read0 = GUEST(
	" (func (export \"_start\")\n"
	"  (i32.store (i32.const 0) (i32.const 16))\n"
	"  (i32.store (i32.const 4) (i32.const 4))\n"
	"  (global.set $r (call $read (i32.const 0) (i32.const 0)\n"
	"        (i32.const 1) (i32.const 8))))\n");

/* iovs pointer past the end of memory, then a result pointer past it. */
static const char *k_fault = GUEST(
	" (func (export \"_start\")\n"
	"  (global.set $r (call $write (i32.const 1) (i32.const 65532)\n"
	"        (i32.const 1) (i32.const 8)))\n"
	"  (if (i32.ne (global.get $r) (i32.const 21)) (then (return)))\n"
	"  (i32.store (i32.const 0) (i32.const 16))\n"
	"  (i32.store (i32.const 4) (i32.const 0))\n"
	"  (global.set $r (call $write (i32.const 1) (i32.const 0)\n"
	"        (i32.const 1) (i32.const 65534))))\n");

/* One relative monotonic clock subscription of 10 s at 64. */
static const char *k_sleep = GUEST(
	" (func (export \"_start\")\n"
	"  (i32.store8 (i32.const 72) (i32.const 0))\n"
	"  (i32.store (i32.const 80) (i32.const 1))\n"
	"  (i64.store (i32.const 88) (i64.const 10000000000))\n"
	"  (i64.store (i32.const 96) (i64.const 0))\n"
	"  (i32.store16 (i32.const 104) (i32.const 0))\n"
	"  (global.set $r (call $poll (i32.const 64) (i32.const 128)\n"
	"        (i32.const 1) (i32.const 8))))\n");

static const char *k_exit = GUEST(
	" (func (export \"_start\") (call $exit (i32.const 3)))\n");

static const char *k_trap = GUEST(
	" (func (export \"_start\") unreachable)\n");

static const char *k_params = GUEST(
	" (func (export \"_start\") (param i32))\n");

static const char *k_nostart = GUEST("");

typedef struct run {
	bn_wasm_module *m;
	bn_wasm_store *s;
	bn_wasm_linker *l;
	bn_wasm_instance *i;
	bn_wasm_wasi *w;
	bn_wasm_trap trap;
	int status;
	int rc;        /* of bn_wasm_wasi_run */
} run;

/* Instantiate WAT with W's imports and run it; -1 on a setup failure. */
static int run_guest(bn_t *t, run *r, const char *wat, bn_wasm_wasi *w)
{
	bn_wasm_err err = { { 0 } };

	memset(r, 0, sizeof *r);
	r->w = w;
	if (!w)
		return -1;
	r->m = wat_module(t, wat);
	if (!r->m)
		return -1;
	if (bn_wasm_store_new(&r->s, NULL) || bn_wasm_linker_new(&r->l))
		return -1;
	BN_CHECK_INT(t, bn_wasm_wasi_define(w, r->l, r->s), ==, 0);
	BN_CHECK_INT(t, bn_wasm_linker_instantiate(&r->i, r->l, r->s, r->m,
						   &r->trap, &err), ==, 0);
	if (!r->i) {
		printf("#   %s\n", err.msg);
		return -1;
	}
	r->rc = bn_wasm_wasi_run(&r->status, r->i, r->s, &r->trap);
	return 0;
}

/* The guest global "r" (an errno). */
static int32_t result_of(run *r)
{
	bn_wasm_extern e;
	bn_wasm_val v;

	if (bn_wasm_instance_export(&e, r->i, "r") < 0)
		return INT32_MIN;
	bn_wasm_global_get(&v, e.of.global);
	return (int32_t)v.of.i32;
}

static void run_free(run *r)
{
	bn_wasm_store_free(r->s);
	bn_wasm_linker_free(r->l);
	bn_wasm_module_free(r->m);
	bn_wasm_wasi_free(r->w);
}

static bn_wasm_wasi *wasi_with(bn_t *t, const bn_wasm_wasi_config *cfg)
{
	bn_wasm_wasi *w = NULL;
	bn_wasm_err err = { { 0 } };

	BN_CHECK_INT(t, bn_wasm_wasi_new(&w, cfg, &err), ==, 0);
	return w;
}

static int temp_fd(void)
{
	char path[] = "/tmp/bn-wasi-test-XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static void test_config_errors(bn_t *t)
{
	bn_wasm_wasi_preopen p = { "/nonexistent/bn-wasi", "/x", false };
	bn_wasm_wasi_config cfg = BN_WASM_WASI_CONFIG_INIT;
	bn_wasm_wasi *w = NULL;
	bn_wasm_err err = { { 0 } };

	cfg.preopens = &p;
	cfg.npreopens = 1;
	BN_CHECK_INT(t, bn_wasm_wasi_new(&w, &cfg, &err), ==, -ENOENT);
	BN_CHECK(t, w == NULL);
	BN_CHECK_CONTAINS(t, err.msg, "/nonexistent/bn-wasi");
	cfg.npreopens = 0;
	cfg.max_fds = 2;
	BN_CHECK_INT(t, bn_wasm_wasi_new(&w, &cfg, &err), ==, -EINVAL);
	bn_wasm_wasi_free(NULL);
}

static void test_run_statuses(bn_t *t)
{
	bn_wasm_wasi_config cfg = BN_WASM_WASI_CONFIG_INIT;
	run r;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	if (run_guest(t, &r, k_exit, wasi_with(t, &cfg)) == 0) {
		BN_CHECK_INT(t, r.rc, ==, 0);
		BN_CHECK_INT(t, r.status, ==, 3);
	}
	run_free(&r);
	if (run_guest(t, &r, k_random, wasi_with(t, &cfg)) == 0) {
		BN_CHECK_INT(t, r.rc, ==, 0);
		BN_CHECK_INT(t, r.status, ==, 0);
	}
	run_free(&r);
	if (run_guest(t, &r, k_trap, wasi_with(t, &cfg)) == 0) {
		BN_CHECK_INT(t, r.rc, ==, BN_WASM_ETRAP);
		BN_CHECK_INT(t, r.trap.kind, ==, BN_WASM_TRAP_UNREACHABLE);
	}
	run_free(&r);
	if (run_guest(t, &r, k_params, wasi_with(t, &cfg)) == 0)
		BN_CHECK_INT(t, r.rc, ==, -EINVAL);
	run_free(&r);
	if (run_guest(t, &r, k_nostart, wasi_with(t, &cfg)) == 0)
		BN_CHECK_INT(t, r.rc, ==, BN_WASM_ENOTFOUND);
	run_free(&r);
}

/* Limit - 1, limit and limit + 1 of the output cap (20-byte writes). */
static void test_output_cap(bn_t *t)
{
	static const struct { uint64_t cap; int32_t second; uint64_t out; }
	cases[] = { { 39, 0, 39 }, { 40, 0, 40 }, { 41, 0, 40 },
		    { 20, 22 /* EFBIG */, 20 } };

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		bn_wasm_wasi_config cfg = BN_WASM_WASI_CONFIG_INIT;
		int fd = temp_fd();
		run r;
		cfg.stdout_fd = fd;
		cfg.max_output_bytes = cases[k].cap;
		if (run_guest(t, &r, k_write2, wasi_with(t, &cfg)) == 0) {
			BN_CHECK_INT(t, result_of(&r), ==, cases[k].second);
			BN_CHECK_INT(t, bn_wasm_wasi_output_bytes(r.w), ==,
				     cases[k].out);
			BN_CHECK_INT(t, lseek(fd, 0, SEEK_END), ==,
				     cases[k].out);
		}
		run_free(&r);
		close(fd);
	}
}

static int fill_pattern(void *buf, size_t len, void *payload)
{
	int *calls = payload;
	(*calls)++;
	memset(buf, 0xa5, len);
	return 0;
}

static void test_random_source(bn_t *t)
{
	bn_wasm_wasi_config cfg = BN_WASM_WASI_CONFIG_INIT;
	uint8_t got[8], want[8];
	int calls = 0;
	run r;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	cfg.random = fill_pattern;
	cfg.random_payload = &calls;
	if (run_guest(t, &r, k_random, wasi_with(t, &cfg)) == 0) {
		bn_wasm_extern mem;
		BN_CHECK_INT(t, result_of(&r), ==, 0);
		BN_CHECK_INT(t, calls, ==, 1);
		BN_CHECK_INT(t, bn_wasm_instance_export(&mem, r.i, "memory"),
			     ==, 0);
		BN_CHECK_INT(t, bn_wasm_memory_read(mem.of.memory, 100, got,
						    8), ==, 0);
		memset(want, 0xa5, sizeof want);
		BN_CHECK(t, memcmp(got, want, 8) == 0);
	}
	run_free(&r);
}

static void test_closed_stdin_and_faults(bn_t *t)
{
	bn_wasm_wasi_config cfg = BN_WASM_WASI_CONFIG_INIT;
	run r;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	cfg.stdin_fd = -1;
	if (run_guest(t, &r, k_read0, wasi_with(t, &cfg)) == 0)
		BN_CHECK_INT(t, result_of(&r), ==, 8);  /* EBADF */
	run_free(&r);
	cfg.stdout_fd = temp_fd();
	if (run_guest(t, &r, k_fault, wasi_with(t, &cfg)) == 0) {
		BN_CHECK_INT(t, result_of(&r), ==, 21);  /* EFAULT */
		BN_CHECK_INT(t, r.rc, ==, 0);
	}
	run_free(&r);
	close(cfg.stdout_fd);
}

static void test_interrupt_wakes_poll(bn_t *t)
{
	bn_wasm_wasi_config cfg = BN_WASM_WASI_CONFIG_INIT;
	struct timespec a, b;
	bn_wasm_wasi *w;
	run r;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	w = wasi_with(t, &cfg);
	if (!w)
		return;
	bn_wasm_wasi_interrupt(w);  /* sticky: the 10 s sleep must not wait */
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (run_guest(t, &r, k_sleep, w) == 0)
		BN_CHECK_INT(t, result_of(&r), ==, 27);  /* EINTR */
	clock_gettime(CLOCK_MONOTONIC, &b);
	BN_CHECK_INT(t, b.tv_sec - a.tv_sec, <, 5);
	run_free(&r);
}

int main(void)
{
	bn_t t = { 0 };

	BN_RUN(&t, test_config_errors);
	BN_RUN(&t, test_run_statuses);
	BN_RUN(&t, test_output_cap);
	BN_RUN(&t, test_random_source);
	BN_RUN(&t, test_closed_stdin_and_faults);
	BN_RUN(&t, test_interrupt_wakes_poll);
	return bn_t_done(&t);
}
