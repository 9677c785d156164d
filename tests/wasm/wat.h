/* SPDX-License-Identifier: MIT */
/*
 * tests/wasm/wat.h - helpers for the engine's unit tests: turn WebAssembly
 * text into a module with wabt's wat2wasm (found on PATH at test time), and
 * make a store/instance in one call.
 */
#ifndef BN_TESTS_WASM_WAT_H
#define BN_TESTS_WASM_WAT_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "wasm.h"

/* Compile WAT to bytes; returns 0 and a malloc'd buffer, or -1. */
static inline int wat_compile(const char *wat, uint8_t **out, size_t *len)
{
	char in[] = "/tmp/bn-wat-XXXXXX";
	char outp[64], cmd[256];
	int fd = mkstemp(in);
	FILE *f;
	long n;
	int rc;

	if (fd < 0)
		return -1;
	if (write(fd, wat, strlen(wat)) != (ssize_t)strlen(wat)) {
		close(fd);
		unlink(in);
		return -1;
	}
	close(fd);
	snprintf(outp, sizeof(outp), "%s.wasm", in);
	snprintf(cmd, sizeof(cmd), "wat2wasm %s -o %s 2>&1", in, outp);
	rc = system(cmd);
	unlink(in);
	if (rc != 0)
		return -1;
	f = fopen(outp, "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	*out = malloc(n > 0 ? (size_t)n : 1);
	if (!*out || fread(*out, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		unlink(outp);
		free(*out);
		return -1;
	}
	fclose(f);
	unlink(outp);
	*len = (size_t)n;
	return 0;
}

static inline bool have_wat2wasm(void)
{
	return system("wat2wasm --version >/dev/null 2>&1") == 0;
}

/* Decode WAT into a module; NULL (and a check failure) on error. */
static inline bn_wasm_module *wat_module(bn_t *t, const char *wat)
{
	uint8_t *bytes;
	size_t len;
	bn_wasm_module *m = NULL;
	bn_wasm_err err = { { 0 } };
	int e;

	if (wat_compile(wat, &bytes, &len)) {
		BN_CHECK(t, !"wat2wasm failed");
		return NULL;
	}
	e = bn_wasm_module_new(&m, bytes, len, &err);
	free(bytes);
	if (e) {
		printf("#   module_new: %d %s\n", e, err.msg);
		BN_CHECK_INT(t, e, ==, 0);
		return NULL;
	}
	return m;
}

static inline bn_wasm_func *export_func(bn_wasm_instance *i,
					const char *name)
{
	bn_wasm_extern ext;

	if (bn_wasm_instance_export(&ext, i, name) ||
	    ext.kind != BN_WASM_EXTERN_FUNC)
		return NULL;
	return ext.of.func;
}

static inline bn_wasm_val v_i32(uint32_t x)
{
	bn_wasm_val v = { .type = BN_WASM_I32 };

	v.of.i32 = x;
	return v;
}

static inline bn_wasm_val v_i64(uint64_t x)
{
	bn_wasm_val v = { .type = BN_WASM_I64 };

	v.of.i64 = x;
	return v;
}

#endif
