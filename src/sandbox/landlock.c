/* SPDX-License-Identifier: MIT */
/*
 * sandbox/landlock.c - the Landlock ruleset of a confined child: which
 * files it may touch, TCP bind/connect denied (ABI >= 4), signals and
 * abstract unix sockets scoped to its own domain (ABI >= 6).
 *
 * The ruleset is built in the parent (paths are opened while we can still
 * see them) and enforced by the child.  The UAPI constants are written
 * out here because the installed <linux/landlock.h> may predate the ABI
 * the kernel offers.  Spec: landlock(7), Documentation/userspace-api/
 * landlock.rst (ABI versions 1-7).
 */
#include "sandbox_int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* landlock(7) UAPI, ABI 1..6. */
#define LL_CREATE_RULESET_VERSION (1u << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2

#define LL_FS_EXECUTE     (1ull << 0)
#define LL_FS_WRITE_FILE  (1ull << 1)
#define LL_FS_READ_FILE   (1ull << 2)
#define LL_FS_READ_DIR    (1ull << 3)
#define LL_FS_REMOVE_DIR  (1ull << 4)
#define LL_FS_REMOVE_FILE (1ull << 5)
#define LL_FS_MAKE_CHAR   (1ull << 6)
#define LL_FS_MAKE_DIR    (1ull << 7)
#define LL_FS_MAKE_REG    (1ull << 8)
#define LL_FS_MAKE_SOCK   (1ull << 9)
#define LL_FS_MAKE_FIFO   (1ull << 10)
#define LL_FS_MAKE_BLOCK  (1ull << 11)
#define LL_FS_MAKE_SYM    (1ull << 12)
#define LL_FS_REFER       (1ull << 13) /* ABI 2 */
#define LL_FS_TRUNCATE    (1ull << 14) /* ABI 3 */
#define LL_FS_IOCTL_DEV   (1ull << 15) /* ABI 5 */

#define LL_NET_BIND_TCP    (1ull << 0) /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ull << 1)

#define LL_SCOPE_ABSTRACT_UNIX (1ull << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL        (1ull << 1)

/* Rights that make sense on a file rather than a directory. */
#define LL_FS_FILE_RIGHTS (LL_FS_EXECUTE | LL_FS_WRITE_FILE | \
			   LL_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)

#define LL_READ (LL_FS_READ_FILE | LL_FS_READ_DIR)
#define LL_WRITE (LL_READ | LL_FS_WRITE_FILE | LL_FS_REMOVE_DIR | \
		  LL_FS_REMOVE_FILE | LL_FS_MAKE_DIR | LL_FS_MAKE_REG | \
		  LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO | LL_FS_MAKE_SYM | \
		  LL_FS_REFER | LL_FS_TRUNCATE)

struct ll_ruleset_attr {
	uint64_t handled_access_fs;  /* ABI 1 */
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;             /* ABI 6 */
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

/* A path a native program needs to start, and what it may do there. */
struct sys_path {
	const char *path;
	uint64_t rights;
};

static const struct sys_path native_paths[] = {
	{ "/usr", LL_READ | LL_FS_EXECUTE },
	{ "/lib", LL_READ | LL_FS_EXECUTE },
	{ "/lib64", LL_READ | LL_FS_EXECUTE },
	{ "/lib32", LL_READ | LL_FS_EXECUTE },
	{ "/bin", LL_READ | LL_FS_EXECUTE },
	{ "/sbin", LL_READ | LL_FS_EXECUTE },
	{ "/etc/ld.so.cache", LL_FS_READ_FILE },
	{ "/dev/null", LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE },
	{ "/dev/zero", LL_FS_READ_FILE },
	{ "/dev/urandom", LL_FS_READ_FILE },
	{ "/dev/random", LL_FS_READ_FILE },
};

int bn_sandbox__landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
			   LL_CREATE_RULESET_VERSION);
	return abi < 0 ? 0 : (int)abi;
}

static uint64_t handled_fs(int abi)
{
	uint64_t h = (LL_FS_MAKE_SYM << 1) - 1; /* ABI 1: bits 0..12 */

	if (abi >= 2)
		h |= LL_FS_REFER;
	if (abi >= 3)
		h |= LL_FS_TRUNCATE;
	if (abi >= 5)
		h |= LL_FS_IOCTL_DEV;
	return h;
}

/*
 * Allow RIGHTS beneath PATH.  A missing path is an error only when
 * REQUIRED (the policy's own paths); system paths may be absent.
 */
static int add_path(int ruleset, const char *path, uint64_t rights,
		    uint64_t handled, bool required, const char *what,
		    bn_err *err)
{
	struct ll_path_beneath_attr pb;
	struct stat st;
	int fd, r = 0;

	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		if (!required && errno == ENOENT)
			return 0;
		return bn_err_set(err, -errno, "landlock: %s '%s': %s", what,
				  path, strerror(errno));
	}
	if (fstat(fd, &st)) {
		r = bn_err_set(err, -errno, "landlock: %s '%s': %s", what,
			       path, strerror(errno));
		goto out_close;
	}
	if (!S_ISDIR(st.st_mode))
		rights &= LL_FS_FILE_RIGHTS;
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = rights & handled;
	pb.parent_fd = fd;
	if (pb.allowed_access &&
	    syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &pb,
		    0))
		r = bn_err_set(err, -errno, "landlock: add rule for '%s': %s",
			       path, strerror(errno));
out_close:
	close(fd);
	return r;
}

static size_t attr_size(int abi)
{
	if (abi >= 6)
		return sizeof(struct ll_ruleset_attr);
	if (abi >= 4)
		return 2 * sizeof(uint64_t);
	return sizeof(uint64_t);
}

static int add_policy_paths(int rs, const bn_sandbox_policy *p,
			    const char *exe, uint64_t handled, bn_err *err)
{
	size_t i;
	int r;

	for (i = 0; i < p->n_read_paths; i++) {
		r = add_path(rs, p->read_paths[i], LL_READ, handled, true,
			     "read path", err);
		if (r)
			return r;
	}
	for (i = 0; i < p->n_write_paths; i++) {
		r = add_path(rs, p->write_paths[i], LL_WRITE, handled, true,
			     "write path", err);
		if (r)
			return r;
	}
	if (!exe)
		return 0;
	for (i = 0; i < sizeof(native_paths) / sizeof(native_paths[0]); i++) {
		r = add_path(rs, native_paths[i].path, native_paths[i].rights,
			     handled, false, "system path", err);
		if (r)
			return r;
	}
	return add_path(rs, exe, LL_FS_READ_FILE | LL_FS_EXECUTE, handled,
			true, "program", err);
}

int bn_sandbox__landlock_build(int *out, const bn_sandbox_policy *policy,
			       const char *exe, int abi, bn_err *err)
{
	struct ll_ruleset_attr attr;
	int rs, r;

	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = handled_fs(abi);
	if (abi >= 4)
		attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
	if (abi >= 6)
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size(abi),
			  0);
	if (rs < 0)
		return bn_err_set(err, -errno, "landlock: create ruleset "
				  "(ABI %d): %s", abi, strerror(errno));
	/* No net rule is added: every TCP bind and connect is denied. */
	r = add_policy_paths(rs, policy, exe, attr.handled_access_fs, err);
	if (r) {
		close(rs);
		return r;
	}
	*out = rs;
	return 0;
}

int bn_sandbox__landlock_enforce(int ruleset_fd)
{
	if (syscall(SYS_landlock_restrict_self, ruleset_fd, 0))
		return -errno;
	return 0;
}
