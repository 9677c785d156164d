/* SPDX-License-Identifier: MIT */
/*
 * server/auth.c - the API token: created once in $BNITY_HOME/api-token
 * (mode 0600, linked into place so a racing start never replaces it),
 * and the bearer check of each request, in constant time.
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
#include <unistd.h>

#include "base/fs.h"

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

/* Write a new token to a temporary file and link it to PATH. */
static int token_create(const char *path, bool *linked, bn_err *err)
{
	unsigned char raw[BN_SERVER_TOKEN_HEX / 2];
	char hex[BN_SERVER_TOKEN_HEX + 2];
	char *tmp = bn_xasprintf("%s.%ld.%08x.tmp", path, (long)getpid(),
				 randombytes_random());
	int fd, r = 0;

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
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

bool bn_server__auth_ok(const bn_server *srv, struct MHD_Connection *conn)
{
	const char *h = bn_server__mhd()->lookup_connection_value(conn,
		MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	static const char scheme[] = "Bearer ";

	if (!h || strncasecmp(h, scheme, sizeof(scheme) - 1))
		return false;
	h += sizeof(scheme) - 1;
	/* the length is no secret: every token has 64 digits */
	if (strlen(h) != BN_SERVER_TOKEN_HEX)
		return false;
	return sodium_memcmp(h, srv->token, BN_SERVER_TOKEN_HEX) == 0;
}
