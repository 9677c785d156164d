/* SPDX-License-Identifier: MIT */
/*
 * tests/wasm/decode_test.c - malformed and hostile inputs: empty, bad
 * magic and version, every truncation of a valid module, huge counts and
 * sizes, invalid bodies, and random byte mutations (decoded, and run under
 * fuel and memory limits when they happen to be valid).  None may crash,
 * hang or leak.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wat.h"

static const char *k_sample =
	"(module\n"
	"  (type $t (func (param i32) (result i32)))\n"
	"  (import \"env\" \"f\" (func $f (type $t)))\n"
	"  (memory (export \"mem\") 1 2)\n"
	"  (table 4 funcref)\n"
	"  (global $g (mut i32) (i32.const 7))\n"
	"  (elem (i32.const 0) $sq $loop)\n"
	"  (data (i32.const 16) \"hello\")\n"
	"  (func $sq (export \"sq\") (param i32) (result i32)\n"
	"    (i32.mul (local.get 0) (local.get 0)))\n"
	"  (func $loop (export \"loop\") (param i32) (result i32) (local "
	"i64)\n"
	"    (block $out (loop $l\n"
	"      (br_if $out (i32.eqz (local.get 0)))\n"
	"      (i32.store (local.get 0) (global.get $g))\n"
	"      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))\n"
	"      (br $l)))\n"
	"    (call_indirect (type $t) (i32.const 3) (i32.const 0)))\n"
	")\n";

static int decode(const uint8_t *b, size_t n)
{
	bn_wasm_module *m = NULL;
	bn_wasm_err err = { { 0 } };
	int e = bn_wasm_module_new(&m, b, n, &err);

	bn_wasm_module_free(e ? NULL : m);
	return e;
}

static void test_header(bn_t *t)
{
	static const uint8_t ok[] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };
	static const uint8_t magic[] = { 0, 'a', 's', 'n', 1, 0, 0, 0 };
	static const uint8_t version[] = { 0, 'a', 's', 'm', 2, 0, 0, 0 };

	BN_CHECK_INT(t, decode(ok, 0), ==, BN_WASM_EMALFORMED);
	BN_CHECK_INT(t, decode(ok, 4), ==, BN_WASM_EMALFORMED);
	BN_CHECK_INT(t, decode(ok, 7), ==, BN_WASM_EMALFORMED);
	BN_CHECK_INT(t, decode(ok, 8), ==, 0);
	BN_CHECK_INT(t, decode(magic, 8), ==, BN_WASM_EMALFORMED);
	BN_CHECK_INT(t, decode(version, 8), ==, BN_WASM_EMALFORMED);
}

static void test_huge_counts(bn_t *t)
{
	/* type section claiming 2^32-1 types in 5 bytes */
	static const uint8_t types[] = { 0, 'a', 's', 'm', 1, 0, 0, 0,
		1, 5, 0xff, 0xff, 0xff, 0xff, 0x0f };
	/* a section size far past the end */
	static const uint8_t size[] = { 0, 'a', 's', 'm', 1, 0, 0, 0,
		1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0 };
	/* a function with 2^32-1 locals, twice */
	static const uint8_t locals[] = { 0, 'a', 's', 'm', 1, 0, 0, 0,
		1, 4, 1, 0x60, 0, 0,
		3, 2, 1, 0,
		10, 16, 1, 14, 2, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f,
		0xff, 0xff, 0xff, 0xff, 0x0f, 0x7e, 0x0b };
	/* memory of 65537 pages: invalid, not an allocation */
	static const uint8_t mem[] = { 0, 'a', 's', 'm', 1, 0, 0, 0,
		5, 5, 1, 0, 0x81, 0x80, 0x04 };
	/* an over-long LEB128 */
	static const uint8_t leb[] = { 0, 'a', 's', 'm', 1, 0, 0, 0,
		1, 7, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00, 0 };

	BN_CHECK_INT(t, decode(types, sizeof(types)), ==, BN_WASM_EMALFORMED);
	BN_CHECK_INT(t, decode(size, sizeof(size)), ==, BN_WASM_EMALFORMED);
	BN_CHECK_INT(t, decode(locals, sizeof(locals)), ==,
		     BN_WASM_EMALFORMED);
	BN_CHECK_INT(t, decode(mem, sizeof(mem)), ==, BN_WASM_EINVALID);
	BN_CHECK_INT(t, decode(leb, sizeof(leb)), ==, BN_WASM_EMALFORMED);
}

static void test_invalid_body(bn_t *t)
{
	/* (func (result i32) (f64.const 0)) */
	static const uint8_t mismatch[] = { 0, 'a', 's', 'm', 1, 0, 0, 0,
		1, 5, 1, 0x60, 0, 1, 0x7f,
		3, 2, 1, 0,
		10, 13, 1, 11, 0, 0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b };
	bn_wasm_module *m;
	bn_wasm_err err = { { 0 } };

	BN_CHECK_INT(t, bn_wasm_module_new(&m, mismatch, sizeof(mismatch),
					   &err), ==, BN_WASM_EINVALID);
	BN_CHECK_CONTAINS(t, err.msg, "type mismatch");
}

static void test_truncations(bn_t *t)
{
	uint8_t *b;
	size_t n;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	if (wat_compile(k_sample, &b, &n)) {
		BN_CHECK(t, !"wat2wasm failed");
		return;
	}
	BN_CHECK_INT(t, decode(b, n), ==, 0);
	for (size_t k = 0; k < n; k++) {
		int e = decode(b, k);

		/* a prefix that ends on a section boundary is valid */
		if (e != 0 && e != BN_WASM_EMALFORMED) {
			printf("#   prefix %zu: %d\n", k, e);
			BN_CHECK(t, e == 0 || e == BN_WASM_EMALFORMED);
		}
	}
	free(b);
}

static int host_id(bn_wasm_caller *c, const bn_wasm_val *args,
		   bn_wasm_val *results, void *payload)
{
	results[0] = args[0];
	return 0;
}

/* Decode a mutant and, if valid, run its exports under tight limits. */
static void run_mutant(const uint8_t *b, size_t n)
{
	static const uint8_t i32[] = { BN_WASM_I32 };
	bn_wasm_limits lim = BN_WASM_LIMITS_INIT;
	bn_wasm_functype ft = { 1, 1, i32, i32 };
	bn_wasm_module *m;
	bn_wasm_store *s;
	bn_wasm_instance *inst;
	bn_wasm_extern imp[1];
	bn_wasm_trap trap;
	bn_wasm_err err;

	if (bn_wasm_module_new(&m, b, n, &err))
		return;
	lim.fuel = 10000;
	lim.max_memory_bytes = 4 * 65536;
	lim.max_call_depth = 200;
	if (bn_wasm_store_new(&s, &lim)) {
		bn_wasm_module_free(m);
		return;
	}
	imp[0].kind = BN_WASM_EXTERN_FUNC;
	if (bn_wasm_func_new_host(&imp[0].of.func, s, &ft, host_id, NULL) ==
	    0 &&
	    bn_wasm_instance_new(&inst, s, m, imp,
				 bn_wasm_module_import_count(m), &trap,
				 &err) == 0) {
		for (size_t i = 0; i < bn_wasm_module_export_count(m); i++) {
			uint8_t kind;
			const char *name = bn_wasm_module_export(m, i, &kind);
			bn_wasm_extern ext;
			bn_wasm_functype fty;
			bn_wasm_val args[8], res[8];

			if (kind != BN_WASM_EXTERN_FUNC ||
			    bn_wasm_instance_export(&ext, inst, name))
				continue;
			bn_wasm_func_type(&fty, ext.of.func);
			if (fty.nparams > 8 || fty.nresults > 8)
				continue;
			memset(args, 0, sizeof(args));
			for (uint32_t k = 0; k < fty.nparams; k++) {
				args[k].type = fty.params[k];
				args[k].of.i64 = 3;
				if (fty.params[k] == BN_WASM_FUNCREF ||
				    fty.params[k] == BN_WASM_EXTERNREF)
					args[k].of.ref = NULL;
			}
			(void)bn_wasm_func_call(s, ext.of.func, args,
						fty.nparams, res, fty.nresults,
						&trap);
		}
	}
	bn_wasm_store_free(s);
	bn_wasm_module_free(m);
}

static void test_mutations(bn_t *t)
{
	uint8_t *b, *c;
	size_t n;
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	if (wat_compile(k_sample, &b, &n)) {
		BN_CHECK(t, !"wat2wasm failed");
		return;
	}
	c = malloc(n);
	for (int round = 0; round < 20000 && c; round++) {
		int flips = 1 + round % 4;

		memcpy(c, b, n);
		for (int k = 0; k < flips; k++) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			c[8 + seed % (n - 8)] = (uint8_t)(seed >> 32);
		}
		run_mutant(c, n);
	}
	BN_CHECK(t, c != NULL);
	free(c);
	free(b);
}

/* V as a LEB128 padded to five bytes (a valid encoding). */
static size_t leb5(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++, v >>= 7)
		p[i] = (uint8_t)(0x80 | (v & 0x7f));
	p[4] = (uint8_t)(v & 0x7f);
	return 5;
}

/* A module whose one function adds 1 to itself N times: every add goes
   through the translator's opcode map. */
static uint8_t *adds_module(size_t *len, uint32_t n)
{
	static const uint8_t head[] = {
		0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
		1, 5, 1, 0x60, 0, 1, 0x7f,     /* type: () -> i32 */
		3, 2, 1, 0,                    /* one function */
	};
	size_t body = 1 + 2 + 3 * (size_t)n + 1, i, o = 0;
	uint8_t *b = malloc(sizeof(head) + 16 + body);

	memcpy(b, head, sizeof(head));
	o = sizeof(head);
	b[o++] = 10;                           /* code section */
	o += leb5(b + o, (uint32_t)body + 1 + 5);
	b[o++] = 1;
	o += leb5(b + o, (uint32_t)body);
	b[o++] = 0;                            /* no locals */
	b[o++] = 0x41; b[o++] = 1;             /* i32.const 1 */
	for (i = 0; i < n; i++) {
		b[o++] = 0x41; b[o++] = 1;     /* i32.const 1 */
		b[o++] = 0x6a;                 /* i32.add */
	}
	b[o++] = 0x0b;
	*len = o;
	return b;
}

typedef struct racer {
	atomic_int *go;
	const uint8_t *bytes;
	size_t len;
	int result;
} racer;

static void *race_translate(void *arg)
{
	racer *r = arg;

	atomic_fetch_add(r->go, 1);
	while (atomic_load(r->go) < 1000)
		; /* spin: start together, closer than a barrier wakes */
	r->result = decode(r->bytes, r->len);
	return NULL;
}

/*
 * The first translations of a process, on several threads at once, all
 * succeed: the opcode maps are never seen half-filled.  Each round is a
 * fresh child process, since the maps of this one are set up by then.
 * Runs first, before this process translates anything.
 */
static void test_first_translations_race(bn_t *t)
{
	enum { ROUNDS = 100, THREADS = 4 };
	int bad = 0;

	for (int round = 0; round < ROUNDS && !bad; round++) {
		pid_t pid = fork();
		int st = 0;

		if (pid == 0) {
			atomic_int go = 0;
			pthread_t th[THREADS];
			racer rs[THREADS];
			size_t len;
			uint8_t *bytes = adds_module(&len, 4000);

			for (int i = 0; i < THREADS; i++) {
				rs[i] = (racer){ &go, bytes, len, -1 };
				pthread_create(&th[i], NULL, race_translate,
					       &rs[i]);
			}
			while (atomic_load(&go) < THREADS)
				;
			atomic_store(&go, 1000);
			for (int i = 0; i < THREADS; i++)
				pthread_join(th[i], NULL);
			for (int i = 0; i < THREADS; i++)
				if (rs[i].result != 0)
					_exit(1);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid ||
		    !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			printf("#   round %d: a translation failed (status "
			       "%#x)\n", round, st);
			bad = 1;
		}
	}
	BN_CHECK(t, !bad);
}

int main(void)
{
	bn_t t = { 0 };

	BN_RUN(&t, test_first_translations_race);
	BN_RUN(&t, test_header);
	BN_RUN(&t, test_huge_counts);
	BN_RUN(&t, test_invalid_body);
	BN_RUN(&t, test_truncations);
	BN_RUN(&t, test_mutations);
	return bn_t_done(&t);
}
