/* SPDX-License-Identifier: MIT */
/* agent/prompt.c - persona + <available_skills> catalog (see prompt.h). */
#include "prompt.h"

#include <stdlib.h>
#include <string.h>

/* One way to read a skill, the agent's tools: a catalog location is not
   a path to open (and never the absolute store path, which would tell
   the model where $BNITY_HOME is). */
static const char catalog_intro[] =
	"The skills below give you specialised instructions for particular "
	"tasks. When a task matches a skill's description, load its full "
	"instructions before you act: call the activate_skill tool with the "
	"skill's name, then read any file it lists with the "
	"read_skill_resource tool (the skill's name and the file's relative "
	"path). A skill's location names its SKILL.md inside the skill store; "
	"it is not a path for you to open.\n\n";

/* The catalog of the N skills USE, each located by its store-relative
   "NAME/SKILL.md" (shallow copies: nothing is owned but the paths). */
static int catalog(bn_buf *out, const bn_skill_manifest **use, size_t n)
{
	bn_skill_manifest *v = calloc(n, sizeof(*v));
	const bn_skill_manifest **p = calloc(n, sizeof(*p));
	int r = v && p ? 0 : 1;

	for (size_t i = 0; !r && i < n; i++) {
		v[i] = *use[i];
		v[i].file = bn_xasprintf("%s/SKILL.md", use[i]->name);
		p[i] = &v[i];
	}
	if (!r)
		r = bn_skill_prompt_catalog(out, p, n);
	for (size_t i = 0; v && i < n; i++)
		free(v[i].file);
	free(v);
	free(p);
	return r;
}

int bn_agent_prompt_build(bn_buf *out, bn_strv *names_out,
			  bn_strv *warnings, bn_store *s, const char *bot,
			  bn_err *err)
{
	bn_store_bot b = { 0 };
	bn_store_attachment *att = NULL;
	bn_store_skills all = { 0 };
	bn_strv want = { 0 };
	const bn_skill_manifest **use = NULL;
	size_t natt = 0, nuse = 0, i;
	int r;

	if ((r = bn_store_bot_get(&b, s, bot, err)))
		return r;
	if ((r = bn_store_bot_skills(&att, &natt, s, bot, err)))
		goto out;
	for (i = 0; i < natt; i++)
		if (att[i].enabled)
			bn_strv_push(&want, att[i].skill);
	/* only the bot's skills: the cost does not grow with the store */
	if ((r = bn_store_skills_named(&all, s, &want, err)))
		goto out;
	use = calloc(natt ? natt : 1, sizeof(*use));
	if (!use) {
		r = bn_err_oom(err);
		goto out;
	}
	for (i = 0; i < natt; i++) {
		const bn_store_skill *sk;
		if (!att[i].enabled)
			continue;
		sk = bn_store_skills_find(&all, att[i].skill);
		bn_skill_resolved res = { 0 };
		bn_err rerr;
		bn_err_init(&rerr);
		if (sk && bn_store_skill_resolve(&res, &all, att[i].skill,
						 &rerr)) {
			char *w = bn_xasprintf("bot '%s': %s; left out", bot,
					       rerr.msg);
			if (warnings)
				bn_strv_push(warnings, w);
			free(w);
			continue;
		}
		bn_skill_resolved_clear(&res);
		if (!sk) {
			char *w = bn_xasprintf("bot '%s': attached skill '%s' "
					       "cannot be found; left out",
					       bot, att[i].skill);
			if (warnings)
				bn_strv_push(warnings, w);
			free(w);
			continue;
		}
		use[nuse++] = sk->manifest;
		if (names_out)
			bn_strv_push(names_out, sk->name);
	}
	if (b.persona && *b.persona) {
		r = bn_buf_puts(out, b.persona);
		size_t pl = strlen(b.persona);
		if (!r && b.persona[pl - 1] != '\n')
			r = bn_buf_puts(out, "\n");
		if (!r && nuse)
			r = bn_buf_puts(out, "\n");
	}
	if (!r && nuse) {
		r = bn_buf_puts(out, catalog_intro);
		if (!r)
			r = catalog(out, use, nuse);
		if (!r)
			r = bn_buf_puts(out, "\n");
	}
	if (r && !err->code)
		r = bn_err_oom(err);
out:
	free(use);
	bn_strv_clear(&want);
	bn_store_skills_clear(&all);
	bn_store_attachments_free(att, natt);
	bn_store_bot_clear(&b);
	return r;
}
