/* SPDX-License-Identifier: MIT */
/* store/bots.c - bots and the skills attached to them (see store.h). */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"

#define COL(field) BN_STORE__COL(bn_store_bot, field)
static const bn_store__col bot_cols[] = {
	COL(slug), COL(name), COL(persona), COL(provider), COL(model),
	COL(created_at),
};
#undef COL
static const bn_store__shape bot_shape = {
	sizeof(bn_store_bot), bot_cols, BN_STORE__NARGS(bot_cols), NULL, NULL,
};
#define BOT_COLUMNS "slug, name, persona, provider, model, created_at"

void bn_store_bot_clear(bn_store_bot *b)
{
	bn_store__shape_clear(b, &bot_shape);
	memset(b, 0, sizeof(*b));
}

/* Whether SQL, with ARGS bound, has a row (false when it fails). */
static bool has_row(bn_store *s, const char *sql, const bn_store__arg *args,
		    size_t n)
{
	bool found = false;
	return !bn_store__select_one(NULL, &found, NULL, s, sql, args, n,
				     NULL) && found;
}

static bool bot_exists(bn_store *s, const char *slug)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(slug) };
	return has_row(s, "SELECT 1 FROM bots WHERE slug = ?1", a,
		       BN_STORE__NARGS(a));
}

static int no_bot(const char *slug, bn_err *err)
{
	return bn_err_set(err, BN_ENOTFOUND,
			  "no bot '%s' (see `bnity bot list`)", slug);
}

int bn_store_bot_create(bn_store *s, const bn_store_bot *bot, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(bot->slug),
		BN_STORE__TEXT(bot->name ? bot->name : bot->slug),
		BN_STORE__TEXT(bot->persona ? bot->persona : ""),
		BN_STORE__TEXT(bot->provider), BN_STORE__TEXT(bot->model),
		BN_STORE__INT(time(NULL)),
	};

	if (!bn_store__slug_ok(bot->slug))
		return bn_err_set(err, BN_EINVAL,
			"bot slug '%s': use 1 to 64 lowercase letters, digits "
			"and hyphens, with no hyphen at either end and no two "
			"in a row", bot->slug);
	if (bot_exists(s, bot->slug))
		return bn_err_set(err, BN_EEXIST, "bot '%s' already exists",
				  bot->slug);
	return bn_store__run(s, "INSERT INTO bots (" BOT_COLUMNS ")"
			     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			     a, BN_STORE__NARGS(a), err);
}

int bn_store_bot_get(bn_store_bot *out, bn_store *s, const char *slug,
		     bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(slug) };
	bool found = false;
	int r = bn_store__select_one(out, &found, &bot_shape, s,
				     "SELECT " BOT_COLUMNS " FROM bots"
				     " WHERE slug = ?1", a, BN_STORE__NARGS(a),
				     err);

	return r ? r : found ? 0 : no_bot(slug, err);
}

int bn_store_bot_list(bn_store_bot **out, size_t *n_out, bn_store *s,
		      bn_err *err)
{
	return bn_store__select(out, n_out, &bot_shape, s, "SELECT "
				BOT_COLUMNS " FROM bots ORDER BY slug",
				NULL, 0, err);
}

int bn_store_bot_remove(bn_store *s, const char *slug, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(slug) };

	if (!bot_exists(s, slug))
		return no_bot(slug, err);
	return bn_store__run(s, "DELETE FROM bots WHERE slug = ?1", a,
			     BN_STORE__NARGS(a), err);
}

static bool is_attached(bn_store *s, const char *bot, const char *skill)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(bot), BN_STORE__TEXT(skill) };
	return has_row(s, "SELECT 1 FROM bot_skills WHERE bot = ?1"
		       " AND skill = ?2", a, BN_STORE__NARGS(a));
}

/* SKILL may join BOT: it resolves, its dependencies are present, and it
   conflicts with none of the bot's skills, in either direction. */
static int check_compatible(bn_store *s, const bn_store_skills *all,
			    const char *bot, const char *skill, bn_err *err)
{
	bn_store_attachment *att = NULL;
	bn_skill_resolved me = { 0 };
	size_t n = 0;
	int r;

	if ((r = bn_store_skill_resolve(&me, all, skill, err)))
		return r;
	r = bn_skill_check_dependencies(&me, bn_store_skills_lookup,
					(void *)all, err);
	if (!r)
		r = bn_store_bot_skills(&att, &n, s, bot, err);
	for (size_t i = 0; i < n && r == 0; i++) {
		bn_skill_resolved other = { 0 };
		/* a skill that no longer resolves cannot conflict */
		if (bn_store_skill_resolve(&other, all, att[i].skill, NULL))
			continue;
		r = bn_skill_conflict(&me, &other, err);
		if (r)
			bn_err_prefix(err, "bot '%s'", bot);
		bn_skill_resolved_clear(&other);
	}
	bn_store_attachments_free(att, n);
	bn_skill_resolved_clear(&me);
	return r;
}

/* SKILL and the skills attached to BOT (and what they all need), as
   bn_store_skills_named: what check_compatible reads. */
static int bot_and_skills(bn_store_skills *out, bn_store *s, const char *bot,
			  const char *skill, bn_err *err)
{
	bn_store_attachment *att = NULL;
	bn_strv names = { 0 };
	size_t n = 0;
	int r = bn_store_bot_skills(&att, &n, s, bot, err);

	if (r)
		return r;
	bn_strv_push(&names, skill);
	for (size_t i = 0; i < n; i++)
		bn_strv_push(&names, att[i].skill);
	bn_store_attachments_free(att, n);
	r = bn_store_skills_named(out, s, &names, err);
	bn_strv_clear(&names);
	return r;
}

int bn_store_attach(bn_store *s, const char *bot, const char *skill,
		    bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(bot), BN_STORE__TEXT(skill),
		BN_STORE__INT(time(NULL)),
	};
	bn_store_skills all = { 0 };
	int r;

	if (!bot_exists(s, bot))
		return no_bot(bot, err);
	if ((r = bot_and_skills(&all, s, bot, skill, err)))
		return r;
	if (!bn_store_skills_find(&all, skill)) {
		bn_store_skills_clear(&all);
		return bn_err_set(err, BN_ENOTFOUND,
				  "no skill '%s' (see `bnity skill list`)",
				  skill);
	}
	if (is_attached(s, bot, skill)) {
		bn_store_skills_clear(&all);
		return bn_err_set(err, BN_EEXIST,
				  "skill '%s' is already attached to bot '%s'",
				  skill, bot);
	}
	r = check_compatible(s, &all, bot, skill, err);
	bn_store_skills_clear(&all);
	if (r)
		return r;
	return bn_store__run(s, "INSERT INTO bot_skills (bot, skill, enabled,"
			     " attached_at) VALUES (?1, ?2, 1, ?3)",
			     a, BN_STORE__NARGS(a), err);
}

int bn_store__attachments_remove(bn_store *s, const char *skill,
				 bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(skill) };
	return bn_store__run(s, "DELETE FROM bot_skills WHERE skill = ?1",
			     a, BN_STORE__NARGS(a), err);
}

static int not_attached(const char *bot, const char *skill, bn_err *err)
{
	return bn_err_set(err, BN_ENOTFOUND,
			  "skill '%s' is not attached to bot '%s'", skill, bot);
}

/*
 * Run SQL on the attachment of SKILL to BOT, with BOT bound as ?1, SKILL
 * as ?2 and ENABLED as ?3 (where SQL has it); an error naming them when
 * there is no such bot or the skill is not attached to it.
 */
static int attachment_run(bn_store *s, const char *bot, const char *skill,
			  const char *sql, bool enabled, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(bot), BN_STORE__TEXT(skill),
		BN_STORE__INT(enabled ? 1 : 0),
	};

	if (!bot_exists(s, bot))
		return no_bot(bot, err);
	if (!is_attached(s, bot, skill))
		return not_attached(bot, skill, err);
	return bn_store__run(s, sql, a, BN_STORE__NARGS(a), err);
}

int bn_store_detach(bn_store *s, const char *bot, const char *skill,
		    bn_err *err)
{
	return attachment_run(s, bot, skill, "DELETE FROM bot_skills"
			      " WHERE bot = ?1 AND skill = ?2", false, err);
}

int bn_store_set_enabled(bn_store *s, const char *bot, const char *skill,
			 bool enabled, bn_err *err)
{
	return attachment_run(s, bot, skill, "UPDATE bot_skills SET"
			      " enabled = ?3 WHERE bot = ?1 AND skill = ?2",
			      enabled, err);
}

#define COL(field) BN_STORE__COL(bn_store_attachment, field)
static const bn_store__col attachment_cols[] = {
	COL(skill), COL(enabled), COL(attached_at),
};
#undef COL
static const bn_store__shape attachment_shape = {
	sizeof(bn_store_attachment), attachment_cols,
	BN_STORE__NARGS(attachment_cols), NULL, NULL,
};

int bn_store_bot_skills(bn_store_attachment **out, size_t *n_out,
			bn_store *s, const char *bot, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(bot) };

	if (!bot_exists(s, bot))
		return no_bot(bot, err);
	return bn_store__select(out, n_out, &attachment_shape, s,
				"SELECT skill, enabled, attached_at"
				" FROM bot_skills WHERE bot = ?1"
				" ORDER BY skill", a, BN_STORE__NARGS(a), err);
}

void bn_store_attachments_free(bn_store_attachment *v, size_t n)
{
	bn_store__select_free(v, n, &attachment_shape);
}
