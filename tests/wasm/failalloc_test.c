/* SPDX-License-Identifier: MIT */
/*
 * tests/wasm/failalloc_test.c - the engine when memory runs out.
 *
 * The test binary is linked with --wrap for malloc, calloc, realloc and
 * strdup (tests/failalloc.h), so every allocation the engine (libbn_wasm)
 * makes can be refused.  A WASI guest that touches the main allocating paths (decode,
 * validate, translate, compile, instantiate with segments, memory.grow,
 * table.grow, call_indirect, path_open, fd_read, fd_write, fd_readdir) is
 * run again and again, refusing the Nth allocation on run N, N = 1, 2, ...
 * until a run makes no Nth allocation, once per engine.
 *
 * Every refused run must end cleanly: -ENOMEM or a trap or limit from the
 * engine, or an errno the guest saw (it exits non-zero), or a whole run
 * with the right output.  Never a crash, never an out-of-memory reported
 * as a malformed or invalid module, and (under AddressSanitizer) never a
 * leak or a use of freed memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "failalloc.h"
#include "wat.h"
#include "wasi.h"

/* ---- the guest ------------------------------------------------------------ */

#define FILE_TEXT "a line from the preopened folder\n"

/* Exits with the number of the step that failed, 0 when all passed.  The
   loop's result: 1 doubled, incremented, ... ten times is 63. */
static const char *k_guest =
	"(module\n"
	" (import \"wasi_snapshot_preview1\" \"fd_write\"\n"
	"   (func $write (param i32 i32 i32 i32) (result i32)))\n"
	" (import \"wasi_snapshot_preview1\" \"fd_read\"\n"
	"   (func $read (param i32 i32 i32 i32) (result i32)))\n"
	" (import \"wasi_snapshot_preview1\" \"fd_close\"\n"
	"   (func $close (param i32) (result i32)))\n"
	" (import \"wasi_snapshot_preview1\" \"fd_readdir\"\n"
	"   (func $readdir (param i32 i32 i32 i64 i32) (result i32)))\n"
	" (import \"wasi_snapshot_preview1\" \"path_open\"\n"
	"   (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32)\n"
	"     (result i32)))\n"
	" (import \"wasi_snapshot_preview1\" \"proc_exit\"\n"
	"   (func $exit (param i32)))\n"
	" (type $un (func (param i32) (result i32)))\n"
	" (memory (export \"memory\") 1)\n"
	" (table 2 funcref)\n"
	" (elem (i32.const 0) $twice $inc)\n"
	" (global $steps (mut i32) (i32.const 0))\n"
	" (data (i32.const 16) \"in.txt\")\n"
	" (data $p \"passive bytes\")\n"
	" (func $twice (type $un) (i32.mul (local.get 0) (i32.const 2)))\n"
	" (func $inc (type $un) (i32.add (local.get 0) (i32.const 1)))\n"
	" (func $check (param $ok i32) (param $step i32)\n"
	"  (if (i32.eqz (local.get $ok)) (then (call $exit (local.get $step)))))\n"
	" (func (export \"_start\") (local $i i32) (local $acc i32)\n"
	"  (call $check (i32.ne (memory.grow (i32.const 1)) (i32.const -1))\n"
	"        (i32.const 11))\n"
	"  (call $check (i32.ne (table.grow 0 (ref.null func) (i32.const 4))\n"
	"        (i32.const -1)) (i32.const 12))\n"
	"  (local.set $acc (i32.const 1))\n"
	"  (loop $l\n"
	"   (local.set $acc (call_indirect (type $un) (local.get $acc)\n"
	"     (i32.and (local.get $i) (i32.const 1))))\n"
	"   (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
	"   (br_if $l (i32.lt_u (local.get $i) (i32.const 10))))\n"
	"  (call $check (i32.eq (local.get $acc) (i32.const 63)) (i32.const 13))\n"
	"  (memory.init $p (i32.const 70000) (i32.const 0) (i32.const 13))\n"
	"  (call $check (i32.eq (i32.load8_u (i32.const 70000))\n"
	"        (i32.const 112)) (i32.const 14))\n"
	"  (call $check (i32.eqz (call $open (i32.const 3) (i32.const 0)\n"
	"        (i32.const 16) (i32.const 6) (i32.const 0) (i64.const 2)\n"
	"        (i64.const 0) (i32.const 0) (i32.const 200))) (i32.const 15))\n"
	"  (i32.store (i32.const 100) (i32.const 300))\n"
	"  (i32.store (i32.const 104) (i32.const 64))\n"
	"  (call $check (i32.eqz (call $read (i32.load (i32.const 200))\n"
	"        (i32.const 100) (i32.const 1) (i32.const 108))) (i32.const 16))\n"
	"  (i32.store (i32.const 120) (i32.const 300))\n"
	"  (i32.store (i32.const 124) (i32.load (i32.const 108)))\n"
	"  (call $check (i32.eqz (call $write (i32.const 1) (i32.const 120)\n"
	"        (i32.const 1) (i32.const 128))) (i32.const 17))\n"
	"  (call $check (i32.eqz (call $close (i32.load (i32.const 200))))\n"
	"        (i32.const 18))\n"
	"  (call $check (i32.eqz (call $readdir (i32.const 3) (i32.const 400)\n"
	"        (i32.const 1000) (i64.const 0) (i32.const 140)))\n"
	"        (i32.const 19))\n"
	"  (call $check (i32.ne (i32.load (i32.const 140)) (i32.const 0))\n"
	"        (i32.const 20)))\n"
	")\n";

/* Decode BYTES and run it as a WASI command with DIR preopened and its
   stdout on OUT_FD: 0 with the exit status in *status, or the first
   error.  Frees everything it made, whatever happened. */
static int run_once(int *status, const uint8_t *bytes, size_t len,
		    uint8_t engine, const char *dir, int out_fd)
{
	static const char *const argv[] = { "guest", "one", "two" };
	static const char *const envp[] = { "A=1", "B=2" };
	bn_wasm_limits lim = BN_WASM_LIMITS_INIT;
	bn_wasm_wasi_preopen pre = { dir, ".", true };
	bn_wasm_wasi_config cfg = BN_WASM_WASI_CONFIG_INIT;
	bn_wasm_module *m = NULL;
	bn_wasm_wasi *w = NULL;
	bn_wasm_store *s = NULL;
	bn_wasm_linker *l = NULL;
	bn_wasm_instance *inst = NULL;
	bn_wasm_err err = { { 0 } };
	bn_wasm_trap trap;
	int r;

	lim.engine = engine;
	cfg.argv = argv;
	cfg.argc = 3;
	cfg.envp = envp;
	cfg.envc = 2;
	cfg.preopens = &pre;
	cfg.npreopens = 1;
	cfg.stdin_fd = -1;
	cfg.stdout_fd = out_fd;
	cfg.stderr_fd = -1;
	if ((r = bn_wasm_module_new(&m, bytes, len, &err)) ||
	    (r = bn_wasm_wasi_new(&w, &cfg, &err)) ||
	    (r = bn_wasm_store_new(&s, &lim)) ||
	    (r = bn_wasm_linker_new(&l)) ||
	    (r = bn_wasm_wasi_define(w, l, s)) ||
	    (r = bn_wasm_linker_instantiate(&inst, l, s, m, &trap, &err)))
		goto out;
	r = bn_wasm_wasi_run(status, inst, s, &trap);
out:
	bn_wasm_linker_free(l);
	bn_wasm_store_free(s);
	bn_wasm_wasi_free(w);
	bn_wasm_module_free(m);
	return r;
}

/* What FD holds (up to CAP - 1 bytes), then empty it. */
static void take_output(char *buf, size_t cap, int fd)
{
	ssize_t n = pread(fd, buf, cap - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		buf[0] = '\0';
}

typedef struct tally {
	long runs, enomem, trap, limit, guest_errno, recovered;
} tally;

static void torture(bn_t *t, uint8_t engine, const char *label)
{
	char dir[] = "/tmp/bn-failalloc-XXXXXX", path[64], out[256];
	char outp[] = "/tmp/bn-failalloc-out-XXXXXX";
	uint8_t *bytes = NULL;
	size_t len = 0;
	tally k = { 0 };
	int fd = -1, status;
	FILE *f;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	if (!mkdtemp(dir) || wat_compile(k_guest, &bytes, &len)) {
		BN_CHECK(t, !"set-up failed");
		return;
	}
	snprintf(path, sizeof(path), "%s/in.txt", dir);
	f = fopen(path, "w");
	BN_CHECK(t, f && fputs(FILE_TEXT, f) >= 0 && fclose(f) == 0);
	fd = mkostemp(outp, O_CLOEXEC);
	BN_CHECK(t, fd >= 0);
	unlink(outp);

	for (long n = 1; fd >= 0 && n < 100000; n++) {
		int r;
		long refused;

		status = -1;
		bn_failalloc_arm(n);
		r = run_once(&status, bytes, len, engine, dir, fd);
		refused = bn_failalloc_disarm();
		take_output(out, sizeof(out), fd);
		k.runs++;
		if (!refused) {
			/* no Nth allocation: the run had all it asked for */
			BN_CHECK_INT(t, r, ==, 0);
			BN_CHECK_INT(t, status, ==, 0);
			BN_CHECK_STR(t, out, FILE_TEXT);
			break;
		}
		if (r == 0 && status == 0) {
			/* the engine did without it: the run must be whole */
			BN_CHECK_STR(t, out, FILE_TEXT);
			k.recovered++;
		} else if (r == -ENOMEM) {
			k.enomem++;
		} else if (r == BN_WASM_ETRAP) {
			k.trap++;
		} else if (r == BN_WASM_ELIMIT) {
			k.limit++;
		} else if (r == 0) {
			k.guest_errno++;  /* a WASI call said ENOMEM */
		} else {
			printf("#   %s: refusing allocation %ld gave %d\n",
			       label, n, r);
			BN_CHECK(t, !"an allocation failure misreported");
		}
	}
	printf("#   %s: %ld runs; refused ones ended in -ENOMEM %ld, trap "
	       "%ld, limit %ld, guest errno %ld, recovered %ld\n", label,
	       k.runs, k.enomem, k.trap, k.limit, k.guest_errno, k.recovered);
	/* the guest reaches many allocation sites, most of them fallible */
	BN_CHECK_INT(t, k.runs, >, 50);
	BN_CHECK_INT(t, k.enomem, >, 25);
	if (fd >= 0)
		close(fd);
	unlink(path);
	rmdir(dir);
	free(bytes);
}

static void test_jit(bn_t *t)
{
	torture(t, BN_WASM_ENGINE_AUTO, "machine code");
}

static void test_interp(bn_t *t)
{
	torture(t, BN_WASM_ENGINE_INTERP, "interpreter");
}

int main(void)
{
	bn_t t = { 0 };

	BN_RUN(&t, bn_failalloc_self_test);
	BN_RUN(&t, test_jit);
	BN_RUN(&t, test_interp);
	return bn_t_done(&t);
}
