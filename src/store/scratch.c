/* SPDX-License-Identifier: MIT */
/*
 * store/scratch.c - the store's scratch folders (skills/.tmp-*, for what
 * is being built, and skills/.trash-*, for what is being removed), and
 * the clean-up of those whose owner is gone.
 *
 * A scratch folder is in use while its owner holds flock(LOCK_EX) on the
 * folder itself; the lock goes with the open file description, so it
 * tells apart two processes and also two threads of one server (each
 * request opens its own store).  Opening the store removes only the
 * folders it can lock, as SQLite treats a journal as hot only when no
 * one holds its lock.  Between mkdir and flock a folder would look
 * abandoned, so owners make theirs under a shared lock on
 * $BNITY_HOME/scratch.lock, and the clean-up holds it exclusively.
 */
#include "store_int.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fs.h"

static int gate_open(bn_store *s, int how, bn_err *err)
{
	char *path = bn_fs_join(s->home, "scratch.lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600), r;

	if (fd < 0) {
		r = bn_err_set(err, BN_EIO, "%s: %s", path, strerror(errno));
		free(path);
		return r;
	}
	while (flock(fd, how) < 0) {
		if (errno == EINTR)
			continue;
		r = bn_err_set(err, BN_EIO, "%s: lock: %s", path,
			       strerror(errno));
		close(fd);
		free(path);
		return r;
	}
	free(path);
	return fd;
}

static void random_tag(char tag[13])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[6];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd))
		memset(rnd, 0, sizeof(rnd));
	if (fd >= 0)
		close(fd);
	for (size_t i = 0; i < sizeof(rnd); i++) {
		tag[2 * i] = hex[rnd[i] >> 4];
		tag[2 * i + 1] = hex[rnd[i] & 15];
	}
	tag[12] = '\0';
}

int bn_store__scratch_make(char **out, bn_store *s, const char *kind,
			   bn_err *err)
{
	char tag[13], *p;
	int gate, fd, r = 0;

	assert(!strcmp(kind, "tmp") || !strcmp(kind, "trash"));
	if ((gate = gate_open(s, LOCK_SH, err)) < 0)
		return gate;
	random_tag(tag);
	p = bn_xasprintf("%s/.%s-%ld-%s", s->skills_dir, kind,
			 (long)getpid(), tag);
	if (mkdir(p, 0700) < 0) {
		r = bn_err_set(err, BN_EIO, "%s: %s", p, strerror(errno));
		goto out;
	}
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		r = bn_err_set(err, BN_EIO, "%s: lock: %s", p,
			       strerror(errno));
		if (fd >= 0)
			close(fd);
		(void)rmdir(p);
		goto out;
	}
	s->scratch = bn_xrealloc(s->scratch,
				 (s->n_scratch + 1) * sizeof(*s->scratch));
	s->scratch[s->n_scratch].path = p;
	s->scratch[s->n_scratch].lock_fd = fd;
	s->n_scratch++;
	*out = bn_xstrdup(p);
	p = NULL;
out:
	close(gate);
	free(p);
	return r;
}

int bn_store_scratch_new(char **out, bn_store *s, bn_err *err)
{
	return bn_store__scratch_make(out, s, "tmp", err);
}

void bn_store_scratch_remove(bn_store *s, const char *path)
{
	if (!path)
		return;
	(void)bn_fs_rmtree(path, NULL);
	for (size_t i = 0; i < s->n_scratch; i++) {
		if (strcmp(s->scratch[i].path, path) != 0)
			continue;
		close(s->scratch[i].lock_fd);
		free(s->scratch[i].path);
		s->scratch[i] = s->scratch[--s->n_scratch];
		return;
	}
}

void bn_store__scratch_release_all(bn_store *s)
{
	for (size_t i = 0; i < s->n_scratch; i++) {
		close(s->scratch[i].lock_fd);
		free(s->scratch[i].path);
	}
	free(s->scratch);
	s->scratch = NULL;
	s->n_scratch = 0;
}

/* Whether NAME is a scratch folder name (.tmp-* or .trash-*). */
static bool is_scratch_name(const char *name)
{
	return strncmp(name, ".tmp-", 5) == 0 ||
	       strncmp(name, ".trash-", 7) == 0;
}

int bn_store__scratch_clean(bn_store *s, bn_err *err)
{
	DIR *d;
	struct dirent *de;
	int gate, r = 0;

	d = opendir(s->skills_dir);
	if (!d)
		return bn_err_set(err, BN_EIO, "%s: %s", s->skills_dir,
				  strerror(errno));
	/* Most opens find nothing to clean: take the gate only then. */
	while ((de = readdir(d)) != NULL && !is_scratch_name(de->d_name))
		;
	if (!de) {
		closedir(d);
		return 0;
	}
	if ((gate = gate_open(s, LOCK_EX, err)) < 0) {
		closedir(d);
		return gate;
	}
	rewinddir(d);
	while (r == 0 && (de = readdir(d)) != NULL) {
		int fd;

		if (!is_scratch_name(de->d_name))
			continue;
		fd = openat(dirfd(d), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue; /* gone meanwhile, or not a folder */
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			/* no owner holds it: a leftover of a dead process */
			char *p = bn_fs_join(s->skills_dir, de->d_name);
			r = bn_fs_rmtree(p, err);
			free(p);
		}
		close(fd);
	}
	close(gate);
	closedir(d);
	return r;
}
