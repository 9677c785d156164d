/* SPDX-License-Identifier: MIT */
/*
 * tests/spec/spec_runner.c - runs one converted spec test file (the JSON
 * that wabt's wast2json writes, see its docs/wast2json.md) against the
 * engine, with the `spectest` host module of the reference interpreter.
 *
 * Usage: spec_runner FILE.json
 * Prints a "# " line for each failure and, last, "counts: P F S" (passed,
 * failed, skipped).  Exits 1 if anything failed.  Text modules in
 * assert_malformed are the only skips.  assert_malformed must fail with
 * BN_WASM_EMALFORMED and assert_invalid with BN_WASM_EINVALID (set
 * SPEC_LENIENT to accept any failure).
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm.h"

typedef struct named {
	char *name;
	bn_wasm_instance *inst;
} named;

typedef struct runner {
	const char *dir;
	const char *file;
	bn_wasm_store *store;
	bn_wasm_linker *linker;
	bn_wasm_instance *cur;
	named *names;
	size_t nnames;
	bn_wasm_module **mods;
	size_t nmods;
	int passed, failed, skipped;
	int line;
} runner;

static void failf(runner *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void failf(runner *r, const char *fmt, ...)
{
	va_list ap;

	r->failed++;
	printf("#   %s:%d: ", r->file, r->line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* ---- spectest ----------------------------------------------------------- */

static int print_fn(bn_wasm_caller *c, const bn_wasm_val *args,
		    bn_wasm_val *results, void *payload)
{
	(void)c; (void)args; (void)results; (void)payload;
	return 0;
}

static int def_print(runner *r, const char *name, const uint8_t *params,
		     uint32_t n)
{
	bn_wasm_functype ft = { n, 0, params, NULL };
	bn_wasm_extern ext = { .kind = BN_WASM_EXTERN_FUNC };
	int e = bn_wasm_func_new_host(&ext.of.func, r->store, &ft, print_fn,
				      NULL);

	return e ? e : bn_wasm_linker_define(r->linker, "spectest", name,
					     &ext);
}

static int def_global(runner *r, const char *name, uint8_t type,
		      uint64_t bits)
{
	bn_wasm_val v = { .type = type };
	bn_wasm_extern ext = { .kind = BN_WASM_EXTERN_GLOBAL };
	int e;

	if (type == BN_WASM_I32 || type == BN_WASM_F32)
		v.of.i32 = (uint32_t)bits;
	else
		v.of.i64 = bits;
	e = bn_wasm_global_new(&ext.of.global, r->store, &v, false);
	return e ? e : bn_wasm_linker_define(r->linker, "spectest", name,
					     &ext);
}

static int spectest(runner *r)
{
	static const uint8_t i32[] = { BN_WASM_I32 }, i64[] = { BN_WASM_I64 },
		f32[] = { BN_WASM_F32 }, f64[] = { BN_WASM_F64 },
		i32f32[] = { BN_WASM_I32, BN_WASM_F32 },
		f64f64[] = { BN_WASM_F64, BN_WASM_F64 };
	bn_wasm_extern ext;
	int e = 0;

	e |= def_print(r, "print", NULL, 0);
	e |= def_print(r, "print_i32", i32, 1);
	e |= def_print(r, "print_i64", i64, 1);
	e |= def_print(r, "print_f32", f32, 1);
	e |= def_print(r, "print_f64", f64, 1);
	e |= def_print(r, "print_i32_f32", i32f32, 2);
	e |= def_print(r, "print_f64_f64", f64f64, 2);
	e |= def_global(r, "global_i32", BN_WASM_I32, 666);
	e |= def_global(r, "global_i64", BN_WASM_I64, 666);
	e |= def_global(r, "global_f32", BN_WASM_F32, 0x4426a666u);
	e |= def_global(r, "global_f64", BN_WASM_F64, 0x4084d4cccccccccdull);
	ext.kind = BN_WASM_EXTERN_TABLE;
	e |= bn_wasm_table_new(&ext.of.table, r->store, BN_WASM_FUNCREF, 10,
			       20, NULL);
	e |= bn_wasm_linker_define(r->linker, "spectest", "table", &ext);
	ext.kind = BN_WASM_EXTERN_MEMORY;
	e |= bn_wasm_memory_new(&ext.of.memory, r->store, 1, 2);
	e |= bn_wasm_linker_define(r->linker, "spectest", "memory", &ext);
	return e ? -1 : 0;
}

/* ---- values ------------------------------------------------------------- */

static uint8_t type_code(const char *t)
{
	if (!strcmp(t, "i32")) return BN_WASM_I32;
	if (!strcmp(t, "i64")) return BN_WASM_I64;
	if (!strcmp(t, "f32")) return BN_WASM_F32;
	if (!strcmp(t, "f64")) return BN_WASM_F64;
	if (!strcmp(t, "v128")) return BN_WASM_V128;
	if (!strcmp(t, "funcref")) return BN_WASM_FUNCREF;
	if (!strcmp(t, "externref")) return BN_WASM_EXTERNREF;
	return 0;
}

static uint64_t num(const char *s)
{
	if (s[0] == '-')
		return (uint64_t)strtoll(s, NULL, 10);
	return strtoull(s, NULL, 10);
}

static int lane_bytes(const char *lt)
{
	if (!strcmp(lt, "i8")) return 1;
	if (!strcmp(lt, "i16")) return 2;
	if (!strcmp(lt, "i32") || !strcmp(lt, "f32")) return 4;
	return 8;
}

static int parse_val(bn_wasm_val *v, json_t *j)
{
	const char *t = json_string_value(json_object_get(j, "type"));
	json_t *val = json_object_get(j, "value");

	memset(v, 0, sizeof(*v));
	if (!t)
		return -1;
	v->type = type_code(t);
	if (!v->type)
		return -1;
	if (v->type == BN_WASM_V128) {
		const char *lt =
			json_string_value(json_object_get(j, "lane_type"));
		int w = lane_bytes(lt ? lt : "i8");
		size_t i;
		json_t *x;

		json_array_foreach(val, i, x) {
			uint64_t b = num(json_string_value(x));

			if ((i + 1) * (size_t)w > 16)
				return -1;
			memcpy(v->of.v128 + i * w, &b, w);
		}
		return 0;
	}
	if (v->type == BN_WASM_FUNCREF || v->type == BN_WASM_EXTERNREF) {
		const char *s = json_string_value(val);

		if (!s || !strcmp(s, "null"))
			v->of.ref = NULL;
		else
			v->of.ref = (void *)(uintptr_t)(num(s) + 1);
		return 0;
	}
	if (!json_is_string(val))
		return -1;
	if (v->type == BN_WASM_I32 || v->type == BN_WASM_F32)
		v->of.i32 = (uint32_t)num(json_string_value(val));
	else
		v->of.i64 = num(json_string_value(val));
	return 0;
}

static bool float_match(const char *want, uint64_t got, int bits)
{
	uint64_t expo = bits == 32 ? 0x7f800000u : 0x7ff0000000000000ull;
	uint64_t quiet = bits == 32 ? 0x00400000u : 0x0008000000000000ull;
	uint64_t mant = bits == 32 ? 0x007fffffu : 0x000fffffffffffffull;

	if (!strcmp(want, "nan:canonical"))
		return (got & expo) == expo && (got & mant) == quiet;
	if (!strcmp(want, "nan:arithmetic"))
		return (got & expo) == expo && (got & quiet);
	return got == num(want);
}

static bool val_match(json_t *j, const bn_wasm_val *got)
{
	const char *t = json_string_value(json_object_get(j, "type"));
	json_t *val = json_object_get(j, "value");
	uint8_t ty = t ? type_code(t) : 0;

	if (ty != got->type)
		return false;
	switch (ty) {
	case BN_WASM_I32:
		return got->of.i32 == (uint32_t)num(json_string_value(val));
	case BN_WASM_I64:
		return got->of.i64 == num(json_string_value(val));
	case BN_WASM_F32:
		return float_match(json_string_value(val), got->of.f32, 32);
	case BN_WASM_F64:
		return float_match(json_string_value(val), got->of.f64, 64);
	case BN_WASM_V128: {
		const char *lt =
			json_string_value(json_object_get(j, "lane_type"));
		int w = lane_bytes(lt ? lt : "i8");
		bool fl = lt && lt[0] == 'f';
		size_t i;
		json_t *x;

		json_array_foreach(val, i, x) {
			uint64_t g = 0;

			if ((i + 1) * (size_t)w > 16)
				return false;
			memcpy(&g, got->of.v128 + i * w, w);
			if (fl) {
				if (!float_match(json_string_value(x), g,
						 w * 8))
					return false;
			} else {
				uint64_t m =
					w == 8 ? UINT64_MAX
					       : ((uint64_t)1 << (w * 8)) - 1;

				if (g != (num(json_string_value(x)) & m))
					return false;
			}
		}
		return true;
	}
	default: {
		const char *s = json_string_value(val);

		if (s && !strcmp(s, "null"))
			return got->of.ref == NULL;
		if (ty == BN_WASM_FUNCREF || !s)
			return got->of.ref != NULL;
		return got->of.ref == (void *)(uintptr_t)(num(s) + 1);
	}
	}
}

/* ---- commands ----------------------------------------------------------- */

static bn_wasm_instance *find_inst(runner *r, json_t *action)
{
	const char *name = json_string_value(json_object_get(action,
							     "module"));

	if (!name)
		name = json_string_value(json_object_get(action, "name"));

	if (!name)
		return r->cur;
	for (size_t i = r->nnames; i-- > 0;)
		if (!strcmp(r->names[i].name, name))
			return r->names[i].inst;
	return NULL;
}

/* Run an action; 0 with results, BN_WASM_ETRAP with *trap, or other. */
static int do_action(runner *r, json_t *action, bn_wasm_val *res,
		     size_t *nres, bn_wasm_trap *trap)
{
	const char *type = json_string_value(json_object_get(action, "type"));
	json_t *jfield = json_object_get(action, "field");
	const char *field = json_string_value(jfield);
	bn_wasm_instance *inst = find_inst(r, action);
	bn_wasm_extern ext;
	json_t *args = json_object_get(action, "args");
	bn_wasm_val av[64];
	bn_wasm_functype ft;
	size_t i;
	json_t *a;

	if (!inst || !field || !type)
		return -ENOENT;
	if (bn_wasm_instance_export_n(&ext, inst, field,
				      json_string_length(jfield)))
		return -ENOENT;
	if (!strcmp(type, "get")) {
		if (ext.kind != BN_WASM_EXTERN_GLOBAL)
			return -EINVAL;
		bn_wasm_global_get(&res[0], ext.of.global);
		*nres = 1;
		return 0;
	}
	if (ext.kind != BN_WASM_EXTERN_FUNC ||
	    json_array_size(args) > 64)
		return -EINVAL;
	json_array_foreach(args, i, a) {
		if (parse_val(&av[i], a))
			return -EINVAL;
	}
	bn_wasm_func_type(&ft, ext.of.func);
	if (ft.nresults > 64)
		return -EINVAL;
	*nres = ft.nresults;
	return bn_wasm_func_call(r->store, ext.of.func, av,
				 json_array_size(args), res, ft.nresults,
				 trap);
}

static int load_file(runner *r, const char *name, uint8_t **buf,
		     size_t *len)
{
	char path[4096];
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", r->dir, name);
	f = fopen(path, "rbe");
	if (!f)
		return -errno;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	*buf = malloc(n > 0 ? (size_t)n : 1);
	if (!*buf || fread(*buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(*buf);
		return -EIO;
	}
	fclose(f);
	*len = (size_t)n;
	return 0;
}

/* Decode FILE; the module is kept until the end (it must outlive the
   store). */
static int load_module(runner *r, json_t *cmd, bn_wasm_module **out,
		       bn_wasm_err *err)
{
	const char *fn = json_string_value(json_object_get(cmd, "filename"));
	uint8_t *buf;
	size_t len;
	int e;
	bn_wasm_module **v;

	memset(err, 0, sizeof(*err));
	if (!fn)
		return -EINVAL;
	e = load_file(r, fn, &buf, &len);
	if (e)
		return e;
	e = bn_wasm_module_new(out, buf, len, err);
	free(buf);
	if (e)
		return e;
	v = realloc(r->mods, (r->nmods + 1) * sizeof(*v));
	if (!v) {
		bn_wasm_module_free(*out);
		return -ENOMEM;
	}
	r->mods = v;
	r->mods[r->nmods++] = *out;
	return 0;
}

static int add_name(runner *r, const char *name, bn_wasm_instance *inst)
{
	named *v = realloc(r->names, (r->nnames + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	r->names = v;
	r->names[r->nnames].name = strdup(name);
	r->names[r->nnames].inst = inst;
	r->nnames++;
	return 0;
}

static void cmd_module(runner *r, json_t *cmd)
{
	bn_wasm_module *m;
	bn_wasm_instance *inst;
	bn_wasm_err err;
	bn_wasm_trap trap;
	const char *name = json_string_value(json_object_get(cmd, "name"));
	int e = load_module(r, cmd, &m, &err);

	if (e) {
		failf(r, "module failed to load (%d): %s", e, err.msg);
		r->cur = NULL;
		return;
	}
	e = bn_wasm_linker_instantiate(&inst, r->linker, r->store, m, &trap,
				       &err);
	if (e) {
		failf(r, "module failed to instantiate (%d): %s", e, err.msg);
		r->cur = NULL;
		return;
	}
	r->cur = inst;
	if (name)
		(void)add_name(r, name, inst);
	r->passed++;
}

static void cmd_assert_return(runner *r, json_t *cmd)
{
	bn_wasm_val res[64];
	size_t nres = 0, i;
	bn_wasm_trap trap;
	json_t *exp = json_object_get(cmd, "expected");
	json_t *x;
	int e = do_action(r, json_object_get(cmd, "action"), res, &nres,
			  &trap);

	if (e) {
		failf(r, "action failed (%d): %s", e,
		      e == BN_WASM_ETRAP ? trap.msg : "");
		return;
	}
	if (json_array_size(exp) != nres) {
		failf(r, "expected %zu results, got %zu", json_array_size(exp),
		      nres);
		return;
	}
	json_array_foreach(exp, i, x) {
		if (!val_match(x, &res[i])) {
			char *s = json_dumps(x, JSON_COMPACT);

			failf(r, "result %zu: want %s, got type 0x%x "
			      "0x%" PRIx64, i, s ? s : "?", res[i].type,
			      res[i].of.i64);
			free(s);
			return;
		}
	}
	r->passed++;
}

static bool text_match(const char *got, const char *want)
{
	size_t n = strlen(got);

	if (!want)
		return true;
	return strncmp(got, want, n) == 0 || strstr(want, got) ||
	       strstr(got, want);
}

static void cmd_assert_trap(runner *r, json_t *cmd, bool exhaustion)
{
	bn_wasm_val res[64];
	size_t nres = 0;
	bn_wasm_trap trap;
	const char *text = json_string_value(json_object_get(cmd, "text"));
	int e;

	memset(&trap, 0, sizeof(trap));
	if (json_object_get(cmd, "filename")) {
		/* a module whose instantiation traps */
		bn_wasm_module *m;
		bn_wasm_instance *inst;
		bn_wasm_err err;

		e = load_module(r, cmd, &m, &err);
		if (!e)
			e = bn_wasm_linker_instantiate(
				&inst, r->linker, r->store, m, &trap, &err);
	} else {
		e = do_action(r, json_object_get(cmd, "action"), res, &nres,
			      &trap);
	}
	if (e != BN_WASM_ETRAP) {
		failf(r, "expected trap \"%s\", got %d", text ? text : "", e);
		return;
	}
	if (exhaustion && trap.kind != BN_WASM_TRAP_STACK_EXHAUSTED) {
		failf(r, "expected exhaustion, got \"%s\"", trap.msg);
		return;
	}
	if (!exhaustion && !text_match(trap.msg, text)) {
		failf(r, "expected trap \"%s\", got \"%s\"", text, trap.msg);
		return;
	}
	r->passed++;
}

static void cmd_assert_bad_module(runner *r, json_t *cmd, const char *type)
{
	const char *mt = json_string_value(json_object_get(cmd,
							   "module_type"));
	bn_wasm_module *m;
	bn_wasm_err err;
	int e;

	if (mt && !strcmp(mt, "text")) {
		r->skipped++;
		return;
	}
	e = load_module(r, cmd, &m, &err);
	if (e == 0) {
		failf(r, "%s: module was accepted (want \"%s\")", type,
		      json_string_value(json_object_get(cmd, "text")));
		return;
	}
	if (!getenv("SPEC_LENIENT") &&
	    e != (strcmp(type, "assert_invalid") ? BN_WASM_EMALFORMED
						  : BN_WASM_EINVALID)) {
		failf(r, "%s: rejected with %d: %s (want \"%s\")", type, e,
		      err.msg,
		      json_string_value(json_object_get(cmd, "text")));
		return;
	}
	r->passed++;
}

static void cmd_assert_link(runner *r, json_t *cmd, bool trap_expected)
{
	bn_wasm_module *m;
	bn_wasm_instance *inst;
	bn_wasm_err err;
	bn_wasm_trap trap;
	int e = load_module(r, cmd, &m, &err);

	if (e) {
		failf(r, "module failed to load (%d): %s", e, err.msg);
		return;
	}
	e = bn_wasm_linker_instantiate(&inst, r->linker, r->store, m, &trap,
				       &err);
	if (trap_expected ? e != BN_WASM_ETRAP
			  : (e == 0 || e == BN_WASM_ETRAP)) {
		failf(r, "instantiation: got %d (%s)", e, err.msg);
		return;
	}
	r->passed++;
}

static void cmd_register(runner *r, json_t *cmd)
{
	const char *as = json_string_value(json_object_get(cmd, "as"));
	bn_wasm_instance *inst = find_inst(r, cmd);

	if (!as || !inst ||
	    bn_wasm_linker_define_instance(r->linker, as, inst)) {
		failf(r, "register failed");
		return;
	}
	r->passed++;
}

static void cmd_action(runner *r, json_t *cmd)
{
	bn_wasm_val res[64];
	size_t nres;
	bn_wasm_trap trap;
	int e = do_action(r, json_object_get(cmd, "action"), res, &nres,
			  &trap);

	if (e) {
		failf(r, "action failed (%d)", e);
		return;
	}
	r->passed++;
}

static void run_cmd(runner *r, json_t *cmd)
{
	const char *type = json_string_value(json_object_get(cmd, "type"));

	r->line = (int)json_integer_value(json_object_get(cmd, "line"));
	if (!type)
		return;
	if (!strcmp(type, "module"))
		cmd_module(r, cmd);
	else if (!strcmp(type, "register"))
		cmd_register(r, cmd);
	else if (!strcmp(type, "action"))
		cmd_action(r, cmd);
	else if (!strcmp(type, "assert_return"))
		cmd_assert_return(r, cmd);
	else if (!strcmp(type, "assert_trap"))
		cmd_assert_trap(r, cmd, false);
	else if (!strcmp(type, "assert_exhaustion"))
		cmd_assert_trap(r, cmd, true);
	else if (!strcmp(type, "assert_invalid") ||
		 !strcmp(type, "assert_malformed"))
		cmd_assert_bad_module(r, cmd, type);
	else if (!strcmp(type, "assert_unlinkable"))
		cmd_assert_link(r, cmd, false);
	else if (!strcmp(type, "assert_uninstantiable"))
		cmd_assert_link(r, cmd, true);
	else
		failf(r, "unknown command %s", type);
}

int main(int argc, char **argv)
{
	runner r = { 0 };
	bn_wasm_limits limits = BN_WASM_LIMITS_INIT;
	json_error_t jerr;
	json_t *root, *cmds, *cmd;
	char *dir, *slash;
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: spec_runner FILE.json\n");
		return 2;
	}
	root = json_load_file(argv[1], JSON_ALLOW_NUL, &jerr);
	if (!root) {
		printf("# %s: %s\n", argv[1], jerr.text);
		printf("counts: 0 1 0\n");
		return 1;
	}
	dir = strdup(argv[1]);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	r.dir = dir;
	r.file = json_string_value(json_object_get(root, "source_filename"));
	if (!r.file)
		r.file = argv[1];
	/* SPEC_ENGINE=interp runs the suite on the interpreter alone */
	if (getenv("SPEC_ENGINE") && !strcmp(getenv("SPEC_ENGINE"), "interp"))
		limits.engine = BN_WASM_ENGINE_INTERP;
	/* SPEC_BOUNDS=check: memories without guard pages, every access
	   checked (the default puts them in guarded reservations) */
	if (getenv("SPEC_BOUNDS") && !strcmp(getenv("SPEC_BOUNDS"), "check"))
		limits.bounds = BN_WASM_BOUNDS_CHECK;
	if (bn_wasm_store_new(&r.store, &limits) ||
	    bn_wasm_linker_new(&r.linker) || spectest(&r)) {
		printf("# setup failed\ncounts: 0 1 0\n");
		return 1;
	}
	cmds = json_object_get(root, "commands");
	json_array_foreach(cmds, i, cmd) {
		run_cmd(&r, cmd);
		fflush(stdout);
	}
	bn_wasm_store_free(r.store);
	bn_wasm_linker_free(r.linker);
	for (i = 0; i < r.nmods; i++)
		bn_wasm_module_free(r.mods[i]);
	for (i = 0; i < r.nnames; i++)
		free(r.names[i].name);
	free(r.names);
	free(r.mods);
	free(dir);
	json_decref(root);
	printf("counts: %d %d %d\n", r.passed, r.failed, r.skipped);
	return r.failed ? 1 : 0;
}
