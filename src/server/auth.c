/* SPDX-License-Identifier: MIT */
/*
 * server/auth.c - API tokens: the one created once in
 * $BNITY_HOME/api-token (mode 0600, linked into place so a racing start
 * never replaces it) and registered as the admin token "serve"; named
 * tokens made and revoked by `bnity token`; the bearer check of each
 * request (by the SHA-256 of the token, looked up in the store, so the
 * text is never stored nor compared byte by byte); and what each role
 * may call.
 */
#include "server_int.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fs.h"
#include "store/tokens.h"

#define TOKEN_FILE "api-token"

static bool is_hex_token(const char *s, size_t len)
{
	size_t i;

	if (len != BN_SERVER_TOKEN_HEX)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Read PATH (which must be ours, 0600 or stricter) into out. */
static int token_read(char out[BN_SERVER_TOKEN_HEX + 1], const char *path,
		      bn_err *err)
{
	char buf[BN_SERVER_TOKEN_HEX + 2];
	struct stat st;
	ssize_t n;
	size_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return errno == ENOENT ? BN_ENOTFOUND :
		       bn_err_set(err, BN_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077)) {
		close(fd);
		return bn_err_set(err, BN_EDENIED, "%s: refused: the token file "
				  "must be a regular file of ours with mode "
				  "0600", path);
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return bn_err_set(err, BN_EIO, "%s: %s", path, strerror(errno));
	len = (size_t)n;
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (!is_hex_token(buf, len))
		return bn_err_set(err, BN_EINVAL, "%s: not a token (64 hex "
				  "digits); remove it to make a new one", path);
	memcpy(out, buf, BN_SERVER_TOKEN_HEX);
	out[BN_SERVER_TOKEN_HEX] = '\0';
	return 0;
}

/* A new random token into hex (64 digits and a NUL). */
static void token_random(char hex[BN_SERVER_TOKEN_HEX + 1])
{
	unsigned char raw[BN_SERVER_TOKEN_HEX / 2];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, BN_SERVER_TOKEN_HEX + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

/* Write a new token to a temporary file and link it to PATH. */
static int token_create(const char *path, bool *linked, bn_err *err)
{
	char hex[BN_SERVER_TOKEN_HEX + 2];
	char *tmp = bn_xasprintf("%s.%ld.%08x.tmp", path, (long)getpid(),
				 randombytes_random());
	int fd, r = 0;

	token_random(hex);
	hex[BN_SERVER_TOKEN_HEX] = '\n';
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = bn_err_set(err, BN_EIO, "%s: %s", tmp, strerror(errno));
		goto out_free;
	}
	if (write(fd, hex, BN_SERVER_TOKEN_HEX + 1) !=
	    BN_SERVER_TOKEN_HEX + 1 || fsync(fd) < 0) {
		r = bn_err_set(err, BN_EIO, "%s: %s", tmp, strerror(errno));
		close(fd);
		goto out_unlink;
	}
	close(fd);
	if (link(tmp, path) == 0)
		*linked = true;
	else if (errno != EEXIST)
		r = bn_err_set(err, BN_EIO, "%s: %s", path, strerror(errno));
out_unlink:
	(void)unlink(tmp);
out_free:
	sodium_memzero(hex, sizeof(hex));
	free(tmp);
	return r;
}

int bn_server_token_load(char out[BN_SERVER_TOKEN_HEX + 1],
			 bool *created_out, const char *home, bn_err *err)
{
	char *path = bn_fs_join(home, TOKEN_FILE);
	bool created = false;
	int r;

	r = token_read(out, path, err);
	if (r == BN_ENOTFOUND) {
		/* another start may link its token first: then we use it */
		r = token_create(path, &created, err);
		if (!r)
			r = token_read(out, path, err);
	}
	free(path);
	if (r == BN_ENOTFOUND)
		return bn_err_set(err, BN_EIO, "%s/%s: vanished while created",
				  home, TOKEN_FILE);
	if (!r && created_out)
		*created_out = created;
	return r;
}

/* The hex SHA-256 of token text T (64 digits) into out. */
static void token_hash(char out[65], const char *t)
{
	bn_fs_sha256_hex(out, t, BN_SERVER_TOKEN_HEX);
}

bool bn_server_token_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > BN_SERVER_TOKEN_NAME_MAX || name[0] == '.' ||
	    name[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') ||
		      strchr("._-", name[i])))
			return false;
	return true;
}

static bool role_ok(const char *role)
{
	return !strcmp(role, "admin") || !strcmp(role, "user");
}

int bn_server_token_create(char out[BN_SERVER_TOKEN_HEX + 1], bn_store *s,
			   const char *name, const char *role, bn_err *err)
{
	char hash[65];
	int r;

	if (!bn_server_token_name_ok(name))
		return bn_err_set(err, BN_EINVAL, "token name '%s': use 1 to "
				  "%d of a-z, 0-9, '.', '_' and '-' (not "
				  "first: '.' or '-')", name,
				  BN_SERVER_TOKEN_NAME_MAX);
	if (!strcmp(name, BN_SERVER_TOKEN_SERVE))
		return bn_err_set(err, BN_EINVAL, "token name '%s' is "
				  "reserved: it is the token `bnity serve` "
				  "keeps in $BNITY_HOME/api-token", name);
	if (!role_ok(role))
		return bn_err_set(err, BN_EINVAL, "token role '%s': use admin "
				  "or user", role);
	token_random(out);
	token_hash(hash, out);
	r = bn_store_token_add(s, name, role, hash, err);
	if (r)
		sodium_memzero(out, BN_SERVER_TOKEN_HEX + 1);
	return r;
}

int bn_server_token_revoke(bn_store *s, const char *home, const char *name,
			   bn_err *err)
{
	char *path = bn_fs_join(home, TOKEN_FILE);
	char file[BN_SERVER_TOKEN_HEX + 1], hash[65];
	bn_store_token t = { 0 };
	bool found = false, removed = false;
	int r = bn_store_token_by_name(&t, &found, s, name, err);

	if (!r && !found)
		r = bn_err_set(err, BN_ENOTFOUND, "no token named '%s' (see "
			       "`bnity token list`)", name);
	if (!r)
		r = bn_store_token_remove(&removed, s, name, err);
	/* the file's token, when it is this one, goes with it: else the
	   next start would register it again */
	if (!r && token_read(file, path, NULL) == 0) {
		token_hash(hash, file);
		if (!strcmp(hash, t.hash) && unlink(path) < 0 &&
		    errno != ENOENT)
			r = bn_err_set(err, BN_EIO, "%s: %s (the token is "
				       "revoked; remove the file by hand)",
				       path, strerror(errno));
		sodium_memzero(file, sizeof(file));
	}
	bn_store_token_clear(&t);
	free(path);
	return r;
}

int bn_server__token_register(const char *home, const char *cwd,
			      const char *db_url,
			      const char *token, bn_err *err)
{
	bn_store_token t = { 0 };
	bn_store *s = NULL;
	bool found = false;
	char hash[65];
	int r = bn_store_open_db(&s, home, cwd, db_url, err);

	token_hash(hash, token);
	if (!r)
		r = bn_store_token_by_hash(&t, &found, s, hash, err);
	if (!r && !found)
		r = bn_store_token_set(s, BN_SERVER_TOKEN_SERVE, "admin", hash,
				       err);
	bn_store_token_clear(&t);
	bn_store_free(s);
	return r;
}

/* The bearer token of CONN (64 hex digits), or NULL. */
static const char *bearer(struct MHD_Connection *conn)
{
	const char *h = bn_server__mhd()->lookup_connection_value(conn,
		MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	static const char scheme[] = "Bearer ";

	if (!h || strncasecmp(h, scheme, sizeof(scheme) - 1))
		return NULL;
	h += sizeof(scheme) - 1;
	return is_hex_token(h, strlen(h)) ? h : NULL;
}

/* Seconds between two records of a token's last use (a write each
   request would cost more than the lookup). */
#define USED_EVERY_S 60

int bn_server_token_check(bool *found_out,
			  char name[BN_SERVER_TOKEN_NAME_MAX + 1],
			  bool *admin_out, bn_store *s, const char *token,
			  bn_err *err)
{
	bn_store_token row = { 0 };
	bool found = false;
	char hash[65];
	time_t now;
	int r;

	*found_out = false;
	if (!is_hex_token(token, strlen(token)))
		return 0;
	token_hash(hash, token);
	if ((r = bn_store_token_by_hash(&row, &found, s, hash, err))) {
		bn_err_prefix(err, "API tokens");
		return r;
	}
	if (found) {
		if (name)
			snprintf(name, BN_SERVER_TOKEN_NAME_MAX + 1, "%s",
				 row.name);
		if (admin_out)
			*admin_out = !strcmp(row.role, "admin");
		now = time(NULL);
		if (row.last_used_at + USED_EVERY_S <= now)
			(void)bn_store_token_used(s, row.name, now, NULL);
	}
	bn_store_token_clear(&row);
	*found_out = found;
	return 0;
}

bool bn_server__auth(bn_server_req *rq)
{
	const char *t = bearer(rq->conn);
	bool found = false;
	bn_store *s;
	bn_err err;

	if (!t)
		return false;
	if (!(s = bn_server__store(rq)))
		return false;
	bn_err_init(&err);
	if (bn_server_token_check(&found, rq->caller, &rq->admin, s, t,
				  &err)) {
		bn_server__fail(rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s",
				err.msg);
		return false;
	}
	return found;
}

bool bn_server__auth_ok(const bn_server *srv, struct MHD_Connection *conn)
{
	bn_server_req rq = { .srv = srv, .conn = conn };
	bool ok = bn_server__auth(&rq);

	json_decref(rq.reply);
	bn_store_reuse_give(srv->state->stores, rq.store);
	return ok;
}

/* What a user's token may call besides reading: talk and run. */
static const char *const user_may[][2] = {
	{ "POST", "/api/v1/bots/:bot/chat" },
	{ "POST", "/api/v1/skills/:name/run" },
	{ "POST", "/api/v1/sessions/:id/resume" },
	{ "POST", "/api/v1/skills/validate" },
	{ "POST", "/api/v1/skills/check" },
};

/* What only an admin may read. */
static const char *const admin_reads[] = {
	"/api/v1/tokens",
};

bool bn_server__role_allows(const bn_server_req *rq, const char *method,
			    const char *pattern)
{
	if (rq->admin)
		return true;
	if (!strcmp(method, "GET") || !strcmp(method, "HEAD")) {
		for (size_t i = 0; i < sizeof(admin_reads) /
				       sizeof(admin_reads[0]); i++)
			if (!strncmp(pattern, admin_reads[i],
				     strlen(admin_reads[i])))
				return false;
		return true;
	}
	for (size_t i = 0; i < sizeof(user_may) / sizeof(user_may[0]); i++)
		if (!strcmp(method, user_may[i][0]) &&
		    !strcmp(pattern, user_may[i][1]))
			return true;
	return false;
}
