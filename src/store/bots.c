/* SPDX-License-Identifier: MIT */
/* store/bots.c - bots and the skills attached to them (see store.h). */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"

void bn_store_bot_clear(bn_store_bot *b)
{
	free(b->slug);
	free(b->name);
	free(b->persona);
	free(b->provider);
	free(b->model);
	memset(b, 0, sizeof(*b));
}

static bool bot_exists(bn_store *s, const char *slug)
{
	sqlite3_stmt *st;
	bool found;

	if (bn_store__prepare(&st, s, "SELECT 1 FROM bots WHERE slug = ?1",
			      NULL))
		return false;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
	found = sqlite3_step(st) == SQLITE_ROW;
	bn_store__done(s, st);
	return found;
}

static int no_bot(const char *slug, bn_err *err)
{
	return bn_err_set(err, BN_ENOTFOUND,
			  "no bot '%s' (see `bnity bot list`)", slug);
}

int bn_store_bot_create(bn_store *s, const bn_store_bot *bot, bn_err *err)
{
	sqlite3_stmt *st;
	int r;

	if (!bn_store__slug_ok(bot->slug))
		return bn_err_set(err, BN_EINVAL,
			"bot slug '%s': use 1 to 64 lowercase letters, digits "
			"and hyphens, with no hyphen at either end and no two "
			"in a row", bot->slug);
	if (bot_exists(s, bot->slug))
		return bn_err_set(err, BN_EEXIST, "bot '%s' already exists",
				  bot->slug);
	r = bn_store__prepare(&st, s,
		"INSERT INTO bots (slug, name, persona, provider, model,"
		" created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, bot->slug, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, bot->name ? bot->name : bot->slug, -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, bot->persona ? bot->persona : "", -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, bot->provider, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, bot->model, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
	return bn_store__step_done(s, st, err);
}

static void row_to_bot(bn_store_bot *b, sqlite3_stmt *st)
{
	b->slug = bn_store__col_dup(st, 0);
	b->name = bn_store__col_dup(st, 1);
	b->persona = bn_store__col_dup(st, 2);
	b->provider = bn_store__col_dup(st, 3);
	b->model = bn_store__col_dup(st, 4);
	b->created_at = sqlite3_column_int64(st, 5);
}

#define BOT_COLUMNS "slug, name, persona, provider, model, created_at"

int bn_store_bot_get(bn_store_bot *out, bn_store *s, const char *slug,
		     bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s,
		"SELECT " BOT_COLUMNS " FROM bots WHERE slug = ?1", err);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		bn_store__done(s, st);
		return no_bot(slug, err);
	}
	row_to_bot(out, st);
	bn_store__done(s, st);
	return 0;
}

int bn_store_bot_list(bn_store_bot **out, size_t *n_out, bn_store *s,
		      bn_err *err)
{
	bn_store_bot *v = NULL;
	size_t n = 0;
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s,
		"SELECT " BOT_COLUMNS " FROM bots ORDER BY slug", err);
	if (r)
		return r;
	while (sqlite3_step(st) == SQLITE_ROW) {
		v = bn_xrealloc(v, (n + 1) * sizeof(*v));
		row_to_bot(&v[n++], st);
	}
	bn_store__done(s, st);
	*out = v;
	*n_out = n;
	return 0;
}

int bn_store_bot_remove(bn_store *s, const char *slug, bn_err *err)
{
	sqlite3_stmt *st;
	int r;

	if (!bot_exists(s, slug))
		return no_bot(slug, err);
	r = bn_store__prepare(&st, s, "DELETE FROM bots WHERE slug = ?1",
			      err);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
	return bn_store__step_done(s, st, err);
}

static bool is_attached(bn_store *s, const char *bot, const char *skill)
{
	sqlite3_stmt *st;
	bool found;

	if (bn_store__prepare(&st, s, "SELECT 1 FROM bot_skills"
			      " WHERE bot = ?1 AND skill = ?2", NULL))
		return false;
	sqlite3_bind_text(st, 1, bot, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, skill, -1, SQLITE_TRANSIENT);
	found = sqlite3_step(st) == SQLITE_ROW;
	bn_store__done(s, st);
	return found;
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
	bn_store_skills all = { 0 };
	sqlite3_stmt *st;
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
	r = bn_store__prepare(&st, s,
		"INSERT INTO bot_skills (bot, skill, enabled, attached_at)"
		" VALUES (?1, ?2, 1, ?3)", err);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, bot, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, skill, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	return bn_store__step_done(s, st, err);
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
 * *st_out = SQL prepared on the attachment of SKILL to BOT, with BOT bound
 * as ?1 and SKILL as ?2; an error naming them when there is no such bot or
 * the skill is not attached to it.
 */
static int prepare_attachment(sqlite3_stmt **st_out, bn_store *s,
			      const char *bot, const char *skill,
			      const char *sql, bn_err *err)
{
	int r;

	if (!bot_exists(s, bot))
		return no_bot(bot, err);
	if (!is_attached(s, bot, skill))
		return not_attached(bot, skill, err);
	r = bn_store__prepare(st_out, s, sql, err);
	if (r)
		return r;
	sqlite3_bind_text(*st_out, 1, bot, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(*st_out, 2, skill, -1, SQLITE_TRANSIENT);
	return 0;
}

int bn_store_detach(bn_store *s, const char *bot, const char *skill,
		    bn_err *err)
{
	sqlite3_stmt *st;
	int r = prepare_attachment(&st, s, bot, skill, "DELETE FROM bot_skills"
				   " WHERE bot = ?1 AND skill = ?2", err);

	if (r)
		return r;
	return bn_store__step_done(s, st, err);
}

int bn_store_set_enabled(bn_store *s, const char *bot, const char *skill,
			 bool enabled, bn_err *err)
{
	sqlite3_stmt *st;
	int r = prepare_attachment(&st, s, bot, skill, "UPDATE bot_skills SET"
				   " enabled = ?3 WHERE bot = ?1 AND skill = ?2",
				   err);

	if (r)
		return r;
	sqlite3_bind_int(st, 3, enabled ? 1 : 0);
	return bn_store__step_done(s, st, err);
}

int bn_store_bot_skills(bn_store_attachment **out, size_t *n_out,
			bn_store *s, const char *bot, bn_err *err)
{
	bn_store_attachment *v = NULL;
	size_t n = 0;
	sqlite3_stmt *st;
	int r;

	if (!bot_exists(s, bot))
		return no_bot(bot, err);
	r = bn_store__prepare(&st, s, "SELECT skill, enabled, attached_at"
			      " FROM bot_skills WHERE bot = ?1"
			      " ORDER BY skill", err);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, bot, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		v = bn_xrealloc(v, (n + 1) * sizeof(*v));
		v[n].skill = bn_store__col_dup(st, 0);
		v[n].enabled = sqlite3_column_int(st, 1) != 0;
		v[n].attached_at = sqlite3_column_int64(st, 2);
		n++;
	}
	bn_store__done(s, st);
	*out = v;
	*n_out = n;
	return 0;
}

void bn_store_attachments_free(bn_store_attachment *v, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		free(v[i].skill);
	free(v);
}
