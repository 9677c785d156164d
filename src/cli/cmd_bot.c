/* SPDX-License-Identifier: MIT */
/* cli/cmd_bot.c - `bnity bot ...`: create, list, show, remove, prompt,
   set (token limits). */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/prompt.h"
#include "agent/provider.h"
#include "base/buf.h"
#include "base/fs.h"
#include "store/usage.h"
#include "view/view.h"

#define PERSONA_MAX_BYTES ((size_t)64 << 10)

int bn_cli_bot_create(const bn_cli_args *a)
{
	const char *persona = bn_cli_value(a, "persona"),
		   *persona_file = bn_cli_value(a, "persona-file"),
		   *provider = bn_cli_value(a, "provider");
	char *file_text = NULL;
	bn_store_bot b = { 0 };
	bn_agent_api api;
	bn_cli_ctx c;
	bn_err err;
	int r;

	bn_err_init(&err);
	if (persona && persona_file)
		return bn_cli_usage(a->path, "give --persona or "
				    "--persona-file, not both");
	if (provider && bn_agent_api_check(&api, provider, &err))
		return bn_cli_usage(a->path, "--%s", err.msg);
	if (persona_file) {
		r = bn_fs_read_file(&file_text, NULL, persona_file,
				    PERSONA_MAX_BYTES, &err);
		if (r) {
			bn_err_prefix(&err, "--persona-file");
			return bn_cli_fail(&err);
		}
		persona = file_text;
	}
	if ((r = bn_cli_ctx_open(&c))) {
		free(file_text);
		return r;
	}
	b.slug = (char *)a->pos[0];
	b.name = (char *)bn_cli_value(a, "name");
	b.persona = (char *)persona;
	b.provider = (char *)provider;
	b.model = (char *)bn_cli_value(a, "model");
	r = bn_store_bot_create(c.store, &b, &c.err);
	if (!r)
		printf("created bot '%s'\n", a->pos[0]);
	free(file_text);
	return bn_cli_ctx_end(&c, r);
}

int bn_cli_bot_list(bn_cli_ctx *c, const bn_cli_args *a)
{
	bn_store_bot *bots = NULL;
	size_t n = 0, i;
	int r;

	if ((r = bn_store_bot_list(&bots, &n, c->store, &c->err)))
		return r;
	if (bn_cli_flag(a, "json")) {
		json_t *j = NULL;
		r = bn_view_bots_load_json(&j, c->store, bots, n, &c->err);
		if (r == 0)
			bn_cli_print_json(j);
	} else if (n == 0) {
		printf("no bots yet: `bnity bot create SLUG` makes one\n");
	} else {
		printf("%-24s %-24s %s\n", "SLUG", "NAME", "SKILLS");
		for (i = 0; i < n; i++) {
			bn_store_attachment *att = NULL;
			size_t na = 0;
			if (bn_store_bot_skills(&att, &na, c->store,
						bots[i].slug, NULL))
				na = 0;
			printf("%-24s %-24s %zu\n", bots[i].slug, bots[i].name,
			       na);
			bn_store_attachments_free(att, na);
		}
	}
	for (i = 0; i < n; i++)
		bn_store_bot_clear(&bots[i]);
	free(bots);
	return r;
}

int bn_cli_bot_show(bn_cli_ctx *c, const bn_cli_args *a)
{
	bn_store_attachment *att = NULL;
	bn_store_bot b = { 0 };
	const char *slug = a->pos[0];
	size_t na = 0, i;
	int r = bn_store_bot_get(&b, c->store, slug, &c->err);

	if (!r)
		r = bn_store_bot_skills(&att, &na, c->store, slug, &c->err);
	if (r) {
		bn_store_bot_clear(&b);
		return r;
	}
	if (bn_cli_flag(a, "json")) {
		bn_cli_print_json(bn_view_bot_json(&b, att, na));
	} else {
		printf("slug:     %s\nname:     %s\n", b.slug, b.name);
		printf("provider: %s\nmodel:    %s\n",
		       b.provider ? b.provider : "(default)",
		       b.model ? b.model : "(default)");
		printf("persona:  %s\n", *b.persona ? b.persona : "(none)");
		printf("skills:  ");
		for (i = 0; i < na; i++)
			printf(" %s%s", att[i].skill,
			       att[i].enabled ? "" : " (disabled)");
		printf("%s\n", na ? "" : " none");
	}
	bn_store_attachments_free(att, na);
	bn_store_bot_clear(&b);
	return 0;
}

int bn_cli_bot_remove(bn_cli_ctx *c, const bn_cli_args *a)
{
	int r = bn_store_bot_remove(c->store, a->pos[0], &c->err);

	if (!r)
		printf("removed bot '%s'\n", a->pos[0]);
	return r;
}

int bn_cli_bot_prompt(bn_cli_ctx *c, const bn_cli_args *a)
{
	bn_buf out = BN_BUF_INIT;
	bn_strv names = { 0 }, warnings = { 0 };
	const char *slug = a->pos[0];
	size_t i;
	int r = bn_agent_prompt_build(&out, &names, &warnings, c->store, slug,
				      &c->err);

	if (r) {
		bn_buf_clear(&out);
		return r;
	}
	for (i = 0; i < warnings.n; i++)
		fprintf(stderr, "warning: %s\n", warnings.v[i]);
	if (bn_cli_flag(a, "json")) {
		json_t *o = json_object(), *sk = json_array(),
		       *w = json_array();
		for (i = 0; i < names.n; i++)
			json_array_append_new(sk, json_string(names.v[i]));
		for (i = 0; i < warnings.n; i++)
			json_array_append_new(w, json_string(warnings.v[i]));
		json_object_set_new(o, "bot", json_string(slug));
		json_object_set_new(o, "prompt", json_string(bn_buf_cstr(&out)));
		json_object_set_new(o, "skills", sk);
		json_object_set_new(o, "warnings", w);
		bn_cli_print_json(o);
	} else {
		fputs(bn_buf_cstr(&out), stdout);
	}
	bn_strv_clear(&names);
	bn_strv_clear(&warnings);
	bn_buf_clear(&out);
	return 0;
}

/* N, or "default"/"off" (0); false when neither. */
static bool parse_limit(unsigned long long *out, const char *s,
			const char *none, unsigned long long max)
{
	if (!strcmp(s, none)) {
		*out = 0;
		return true;
	}
	return bn_cli_parse_num(out, s, 1, max);
}

int bn_cli_bot_set(const bn_cli_args *a)
{
	const char *bot = a->pos[0],
		   *max_tokens = bn_cli_value(a, "max-tokens"),
		   *daily = bn_cli_value(a, "daily-tokens"),
		   *field = bn_cli_value(a, "token-field");
	bn_store_bot_limits l;
	bn_store_usage used;
	unsigned long long max_v = 0, daily_v = 0;
	bn_cli_ctx c;
	int r;

	/* the options first: a usage error never waits on the store */
	if (max_tokens && !parse_limit(&max_v, max_tokens, "default", 1000000))
		return bn_cli_usage(a->path, "--max-tokens: 1 to 1000000, or "
				    "default");
	if (daily && !parse_limit(&daily_v, daily, "off", 1000000000000ULL))
		return bn_cli_usage(a->path, "--daily-tokens: a number of "
				    "tokens, or off");
	if (field && strcmp(field, "max_tokens") &&
	    strcmp(field, "max_completion_tokens") &&
	    strcmp(field, "default"))
		return bn_cli_usage(a->path, "--token-field: "
				    "max_completion_tokens, max_tokens or "
				    "default");
	if ((r = bn_cli_ctx_open(&c)))
		return r;
	r = bn_store_bot_limits_get(&l, c.store, bot, &c.err);
	if (!r && max_tokens)
		l.max_tokens = (unsigned long)max_v;
	if (!r && daily)
		l.daily_tokens = daily_v;
	if (!r && field)
		snprintf(l.token_field, sizeof(l.token_field), "%s",
			 strcmp(field, "default") ? field : "");
	if (!r && (max_tokens || daily || field))
		r = bn_store_bot_limits_set(c.store, bot, &l, &c.err);
	if (!r)
		r = bn_store_usage_since(&used, c.store, bot,
					 (long long)time(NULL) - 86400, &c.err);
	if ((r = bn_cli_ctx_end(&c, r)))
		return r;
	if (bn_cli_flag(a, "json")) {
		bn_cli_print_json(json_pack("{s:s, s:I, s:I, s:s, s:I}",
			"bot", bot, "max_tokens", (json_int_t)l.max_tokens,
			"daily_tokens", (json_int_t)l.daily_tokens,
			"token_field", l.token_field,
			"tokens_last_24h",
			(json_int_t)bn_store_usage_total(&used)));
		return BN_EXIT_OK;
	}
	printf("max tokens:   ");
	if (l.max_tokens)
		printf("%lu per answer\n", l.max_tokens);
	else
		printf("the model's default\n");
	printf("daily tokens: ");
	if (l.daily_tokens)
		printf("%llu\n", l.daily_tokens);
	else
		printf("no cap\n");
	printf("token field:  %s\n", *l.token_field ? l.token_field :
	       "max_completion_tokens (OpenAI API)");
	printf("last 24 h:    %llu tokens\n", bn_store_usage_total(&used));
	return BN_EXIT_OK;
}
