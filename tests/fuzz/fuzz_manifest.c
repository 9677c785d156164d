/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_manifest.c - libFuzzer target for the SKILL.md parser:
 * the input is the bytes of a SKILL.md.  Each input goes through strict
 * validation (both flag sets), lenient load (with the ": " retry), the
 * read-properties JSON and the prompt catalog.  Any crash, leak, sanitizer
 * report or over-cap allocation is a bug.
 *
 * Run: ./fuzz_manifest -max_len=65536 ../tests/skill/corpus/ (the corpus
 * folders' SKILL.md files make good seeds).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "skill/manifest.h"
#include "skill/manifest_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	bn_skill_report r = { 0 };
	bn_skill_manifest *m = NULL;
	bn_err err;

	if (size > BN_SKILL_MANIFEST_MAX_BYTES)
		return 0;
	(void)bn_skill__check_text(&r, text, size, "fuzz/SKILL.md", "fuzz",
				   0);
	(void)bn_skill__check_text(&r, text, size, "fuzz/SKILL.md", "fuzz",
				   BN_SKILL_VALIDATE_SPEC);
	bn_skill_report_clear(&r);
	bn_err_init(&err);
	if (bn_skill__load_text(&m, text, size, "fuzz/SKILL.md", "/fuzz", &r,
				&err) == 0) {
		const bn_skill_manifest *v[1] = { m };
		bn_buf out = BN_BUF_INIT;
		json_t *j = bn_skill_manifest_to_json(m);
		char *s = json_dumps(j, 0);

		free(s);
		json_decref(j);
		(void)bn_skill_prompt_catalog(&out, v, 1);
		bn_buf_clear(&out);
		(void)bn_skill_manifest_meta(m, "type");
		bn_skill_manifest_free(m);
	}
	bn_skill_report_clear(&r);
	return 0;
}
