/* SPDX-License-Identifier: MIT */
/*
 * bench/wasm/load_main.c - `wasm_load`: how fast the engine loads a
 * module and how much memory that takes.
 *
 *     wasm_load [-n RUNS] FILE.wasm
 *
 * Reads FILE once, then RUNS times (default 5) decodes, validates and
 * translates it with bn_wasm_module_new and frees it again; then loads
 * it once more and instantiates it in a store with WASI preview 1
 * defined (nothing is run).  Prints one line of key=value pairs, for
 * bench/wasm/run.sh and for people:
 *     bytes  module size
 *     load_ms, mib_s      best decode+validate+translate time, and the
 *                         module bytes per second it stands for
 *     load_mean_ms        mean over the runs
 *     inst_ms             instantiation (memories, tables, segments)
 *     rss_base_kib        peak RSS (getrusage ru_maxrss) with the file
 *                         read but nothing loaded
 *     rss_load_kib        peak RSS after the loads
 *     rss_inst_kib        peak RSS after instantiating
 * Exit status: 0, 1 when the module does not load, 2 on usage errors.
 * Uses the engine's public API only (wasm/wasm.h, wasm/wasi.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "wasm/wasi.h"
#include "wasm/wasm.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static long peak_rss_kib(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return ru.ru_maxrss; /* KiB on Linux */
}

static int read_file(uint8_t **out, size_t *len_out, const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	if (!f)
		return -errno;
	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 1 << 16;
			uint8_t *n = realloc(buf, ncap);
			if (!n) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = n;
			cap = ncap;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*out = buf;
	*len_out = len;
	return 0;
}

/* Instantiate M with WASI defined; return the time taken in ns, or 0 on
   failure (with a message on stderr). */
static uint64_t instantiate(const bn_wasm_module *m, const char *path)
{
	bn_wasm_limits limits = BN_WASM_LIMITS_INIT;
	bn_wasm_wasi_config cfg = BN_WASM_WASI_CONFIG_INIT;
	const char *argv[] = { path };
	bn_wasm_wasi *w = NULL;
	bn_wasm_store *s = NULL;
	bn_wasm_linker *l = NULL;
	bn_wasm_instance *inst;
	bn_wasm_trap trap;
	bn_wasm_err err = { { 0 } };
	uint64_t t0, t = 0;
	int r;

	cfg.argv = argv;
	cfg.argc = 1;
	r = bn_wasm_wasi_new(&w, &cfg, &err);
	if (r < 0)
		goto fail;
	t0 = now_ns();
	r = bn_wasm_store_new(&s, &limits);
	if (r == 0)
		r = bn_wasm_linker_new(&l);
	if (r == 0)
		r = bn_wasm_wasi_define(w, l, s);
	if (r == 0)
		r = bn_wasm_linker_instantiate(&inst, l, s, m, &trap, &err);
	if (r == 0)
		t = now_ns() - t0;
	if (r == BN_WASM_ETRAP)
		snprintf(err.msg, sizeof err.msg, "%s", trap.msg);
fail:
	if (r < 0)
		fprintf(stderr, "wasm_load: %s: instantiate: %s\n", path,
			err.msg[0] ? err.msg : strerror(-r));
	bn_wasm_linker_free(l);
	bn_wasm_store_free(s);
	bn_wasm_wasi_free(w);
	if (r < 0)
		return 0;
	return t ? t : 1;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	long runs = 5;
	uint8_t *bytes = NULL;
	size_t len = 0;
	int r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			char *end;
			runs = strtol(argv[++i], &end, 10);
			if (*end || runs < 1 || runs > 1000) {
				fprintf(stderr, "wasm_load: bad -n\n");
				return 2;
			}
		} else if (!path && argv[i][0] != '-') {
			path = argv[i];
		} else {
			path = NULL;
			break;
		}
	}
	if (!path) {
		fprintf(stderr, "usage: wasm_load [-n RUNS] FILE.wasm\n");
		return 2;
	}
	r = read_file(&bytes, &len, path);
	if (r < 0) {
		fprintf(stderr, "wasm_load: %s: %s\n", path, strerror(-r));
		return 1;
	}
	long rss_base = peak_rss_kib();
	uint64_t best = UINT64_MAX, sum = 0;
	bn_wasm_module *m = NULL;
	for (long i = 0; i <= runs; i++) {
		bn_wasm_err err = { { 0 } };
		/* the last round keeps its module for instantiation */
		uint64_t t0 = now_ns();
		r = bn_wasm_module_new(&m, bytes, len, &err);
		uint64_t t = now_ns() - t0;
		if (r < 0) {
			fprintf(stderr, "wasm_load: %s: %s\n", path,
				err.msg[0] ? err.msg : strerror(-r));
			free(bytes);
			return 1;
		}
		if (i == runs)
			break;
		bn_wasm_module_free(m);
		m = NULL;
		sum += t;
		if (t < best)
			best = t;
	}
	long rss_load = peak_rss_kib();
	uint64_t inst = instantiate(m, path);
	long rss_inst = peak_rss_kib();
	bn_wasm_module_free(m);
	free(bytes);
	if (!inst)
		return 1;
	printf("bytes=%zu runs=%ld load_ms=%.2f load_mean_ms=%.2f "
	       "mib_s=%.1f inst_ms=%.3f rss_base_kib=%ld rss_load_kib=%ld "
	       "rss_inst_kib=%ld\n", len, runs, (double)best / 1e6,
	       (double)sum / (double)runs / 1e6,
	       (double)len / (1024.0 * 1024.0) / ((double)best / 1e9),
	       (double)inst / 1e6, rss_base, rss_load, rss_inst);
	return 0;
}
