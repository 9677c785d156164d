/* SPDX-License-Identifier: MIT */
/*
 * mcp/server.c - the server behind every session (see mcp.h): its
 * options, the live sessions, and the watcher that notices a change to
 * the bot's skills, whoever made it (another bnity process included),
 * and tells each session's client (notifications/.../list_changed).
 *
 * The watcher keeps one store handle and loads the bot's catalog every
 * watch_ms: attachments, enablement and grants are rows of the database,
 * skills are folders the listing re-reads when they changed (store
 * scan.c), so both kinds of change show.
 */
#include "mcp_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"

void bn_mcp__log(const bn_mcp_server *srv, const char *fmt, ...)
{
	FILE *f = srv->o.log ? srv->o.log : stderr;
	va_list ap;

	flockfile(f);
	fputs("bnity mcp: ", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
	funlockfile(f);
}

int bn_mcp__store_open(bn_store **out, const bn_mcp_server *srv,
		       bn_err *err)
{
	return bn_store_open_db(out, srv->o.home, srv->o.cwd, srv->o.database,
				err);
}

void bn_mcp__server_add(bn_mcp_server *srv, bn_mcp__session *ss)
{
	pthread_mutex_lock(&srv->lock);
	srv->sessions = bn_xrealloc(srv->sessions, (srv->nsessions + 1) *
				    sizeof(*srv->sessions));
	srv->sessions[srv->nsessions++] = ss;
	pthread_mutex_unlock(&srv->lock);
}

void bn_mcp__server_remove(bn_mcp_server *srv, bn_mcp__session *ss)
{
	pthread_mutex_lock(&srv->lock);
	for (size_t i = 0; i < srv->nsessions; i++)
		if (srv->sessions[i] == ss) {
			srv->sessions[i] = srv->sessions[--srv->nsessions];
			break;
		}
	pthread_mutex_unlock(&srv->lock);
}

/* Tell every session of SRV what its lists are now (NOW[3]). */
static void broadcast(bn_mcp_server *srv, char *const now[3])
{
	/* under the lock: a session leaves only after remove, which
	   waits for it */
	pthread_mutex_lock(&srv->lock);
	for (size_t i = 0; i < srv->nsessions; i++)
		bn_mcp__session_changed(srv->sessions[i],
					(const char *const *)now);
	pthread_mutex_unlock(&srv->lock);
}

static void *watcher_main(void *arg)
{
	bn_mcp_server *srv = arg;
	bn_store *s = NULL;
	bn_err err;
	bool told = false;

	pthread_mutex_lock(&srv->lock);
	while (!srv->stop) {
		struct timespec until;
		bn_mcp__catalog c;
		char *now[3];
		int r;

		bn_clock_deadline_ts(&until, srv->o.watch_ms);
		pthread_cond_timedwait(&srv->wake, &srv->lock, &until);
		if (srv->stop || srv->nsessions == 0)
			continue;
		pthread_mutex_unlock(&srv->lock);
		bn_err_init(&err);
		r = s ? 0 : bn_mcp__store_open(&s, srv, &err);
		if (!r)
			r = bn_mcp__catalog_load(&c, s, srv->bot, &err);
		if (r) {
			/* said once: the watcher goes on trying */
			if (!told)
				bn_mcp__log(srv, "cannot look at bot '%s': %s",
					    srv->bot, err.msg);
			told = true;
			bn_store_free(s);
			s = NULL;
		} else {
			told = false;
			bn_mcp__catalog_seen(now, &c);
			bn_mcp__catalog_clear(&c);
			broadcast(srv, now);
			for (int i = 0; i < 3; i++)
				free(now[i]);
		}
		pthread_mutex_lock(&srv->lock);
	}
	pthread_mutex_unlock(&srv->lock);
	bn_store_free(s);
	return NULL;
}

int bn_mcp_server_new(bn_mcp_server **out, const bn_mcp_options *o,
		      bn_err *err)
{
	bn_mcp_server *srv = bn_xcalloc(1, sizeof(*srv));

	srv->o = *o;
	srv->bot = bn_xstrdup(o->bot ? o->bot : BN_MCP_DEFAULT_BOT);
	srv->o.bot = srv->bot;
	if (!srv->o.message_max_bytes)
		srv->o.message_max_bytes = BN_MCP_MESSAGE_MAX_BYTES;
	if (!srv->o.watch_ms)
		srv->o.watch_ms = BN_MCP_WATCH_MS;
	if (!srv->o.progress_ms)
		srv->o.progress_ms = BN_MCP_PROGRESS_MS;
	pthread_mutex_init(&srv->lock, NULL);
	bn_clock_cond_init(&srv->wake);
	if (pthread_create(&srv->watcher, NULL, watcher_main, srv)) {
		bn_mcp_server_free(srv);
		return bn_err_set(err, BN_EIO, "mcp: cannot start the thread "
				  "that watches bot '%s'", o->bot);
	}
	srv->watching = true;
	*out = srv;
	return 0;
}

void bn_mcp_server_free(bn_mcp_server *srv)
{
	if (!srv)
		return;
	pthread_mutex_lock(&srv->lock);
	srv->stop = true;
	pthread_cond_broadcast(&srv->wake);
	pthread_mutex_unlock(&srv->lock);
	if (srv->watching)
		pthread_join(srv->watcher, NULL);
	/* the transports end their sessions before this */
	free(srv->sessions);
	pthread_cond_destroy(&srv->wake);
	pthread_mutex_destroy(&srv->lock);
	free(srv->bot);
	free(srv);
}

int bn_mcp_bot_ensure(bool *created_out, const char *home,
		      const char *database, const char *slug,
		      bn_err *err)
{
	bn_store_bot b = { 0 };
	bn_store *s = NULL;
	int r;

	*created_out = false;
	if ((r = bn_store_open_db(&s, home, NULL, database, err)))
		return r;
	r = bn_store_bot_get(&b, s, slug, err);
	if (r == BN_ENOTFOUND && !strcmp(slug, BN_MCP_DEFAULT_BOT)) {
		bn_store_bot nb = { .slug = (char *)slug,
				    .name = (char *)"MCP clients",
				    .persona = (char *)"" };
		bn_err_init(err);
		r = bn_store_bot_create(s, &nb, err);
		*created_out = r == 0;
	} else if (r == BN_ENOTFOUND) {
		bn_err_prefix(err, "--bot");
	}
	bn_store_bot_clear(&b);
	bn_store_free(s);
	return r;
}
