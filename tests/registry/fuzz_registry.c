/* SPDX-License-Identifier: MIT */
/*
 * tests/registry/fuzz_registry.c - libFuzzer entry point for the
 * registry's parsers of hostile input.  The first byte picks the target:
 * 0 archive extraction (into a scratch folder, removed after), 1 a
 * minisign signature file, 2 a minisign public key, 3 the static scan,
 * 4 a skills-lock.json entry.  Built with -Dfuzz=true.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fs.h"
#include "registry/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_archive(const uint8_t *data, size_t size)
{
	bn_registry_limits lim = { 1 << 20, 4 << 20, 200 };
	char tmpl[] = "/tmp/bn-fuzz-archive-XXXXXX";
	char *dir = mkdtemp(tmpl);

	if (!dir)
		return;
	(void)bn_registry_archive_extract(dir, data, size, &lim,
					  size & 1 ? BN_REGISTRY_ARCHIVE_STRIP1 :
					  0, NULL);
	(void)bn_fs_rmtree(dir, NULL);
}

static void fuzz_signature(const char *text)
{
	bn_registry_pubkey k;
	char *tc = NULL;

	memset(&k, 0, sizeof(k));
	/* any key id: take it from the text when it parses as a signature */
	(void)bn_registry_sig_verify(&tc, NULL, &k, 1, "msg", 3, text, NULL);
	free(tc);
}

static void fuzz_lock(const char *text, size_t len)
{
	bn_registry_lock_entry e = { 0 };
	json_t *j = json_loadb(text, len, 0, NULL);

	if (j && bn_registry_lock_entry_from_json(&e, "x", j, NULL) == 0) {
		json_t *back = bn_registry_lock_entry_to_json(&e);
		json_decref(back);
	}
	bn_registry_lock_entry_clear(&e);
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bn_registry_findings f = { 0 };
	bn_registry_pubkey k;
	char *text;

	if (size < 1)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 5) {
	case 0:
		fuzz_archive(data + 1, size - 1);
		break;
	case 1:
		fuzz_signature(text);
		break;
	case 2:
		(void)bn_registry_pubkey_parse(&k, text, NULL);
		break;
	case 3:
		bn_registry_scan_text(&f, "SKILL.md", (const char *)data + 1,
				      size - 1, size & 1);
		bn_registry_findings_clear(&f);
		break;
	default:
		fuzz_lock(text, size - 1);
		break;
	}
	free(text);
	return 0;
}
