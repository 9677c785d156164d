/* SPDX-License-Identifier: MIT */
/*
 * server/disk.c - which paths of the server's own disk a client may make
 * it read: only those below the install root `bnity serve --install-root`
 * names, links resolved, and none without one.  An API client (or a
 * registry search hit, whose source the registry chose) must not turn the
 * server into a reader of whatever its files hold.
 */
#include "server_int.h"

#include "base/fs.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* The real path of PATH's longest existing prefix (owned), so a missing
   file below the root is judged by the folder it would be in. */
static char *real_prefix(const char *path)
{
	char *p = bn_xstrdup(path), *real = NULL, *slash;

	while (!(real = realpath(p, NULL)) && (slash = strrchr(p, '/')) &&
	       slash != p)
		*slash = '\0';
	free(p);
	return real;
}

bool bn_server__disk_allowed(const bn_server *srv, const char *path)
{
	const char *root = srv->opts.install_root;
	char *real, *real_root;
	bool ok;

	if (!path)
		return true;
	if (!root)
		return false;
	real = real_prefix(path);
	real_root = realpath(root, NULL);
	ok = real && real_root && bn_fs_below(real, real_root);
	free(real);
	free(real_root);
	return ok;
}

bool bn_server__disk_ok(bn_server_req *rq, const char *path,
			const char *shown)
{
	const char *root = rq->srv->opts.install_root;

	if (bn_server__disk_allowed(rq->srv, path))
		return true;
	bn_server__fail(rq, MHD_HTTP_FORBIDDEN, root ?
			"%s: not a folder or file below %s, the folder "
			"this server reads skills from" :
			"%s: this server does not read skills from its "
			"own disk (it was started without "
			"--install-root)", shown, root);
	return false;
}
