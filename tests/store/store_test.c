/* SPDX-License-Identifier: MIT */
/*
 * tests/store/store_test.c - opening the store: scratch folders survive
 * while their owner lives (another store object, another process), are
 * removed once it is gone, and an open does not wait for a writer; an
 * edit of a skill made here is stored as its new identity.
 */
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/fs.h"
#include "harness.h"
#include "store/store.h"

static char home[256];
static char *url;          /* the home's database under pg_cluster.sh */

static void fresh_home(void)
{
	if (home[0])
		(void)bn_fs_rmtree(home, NULL);
	snprintf(home, sizeof(home), "/tmp/bn-store-test-XXXXXX");
	if (!mkdtemp(home))
		abort();
	free(url);
	url = bn_t_db_url();
}

static bool exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

static bn_store *open_store(bn_t *t)
{
	bn_store *s = NULL;
	bn_err err;

	bn_err_init(&err);
	if (bn_store_open_db(&s, home, NULL, url, &err)) {
		printf("#   open: %s\n", err.msg);
		t->cur_fail++;
		return NULL;
	}
	return s;
}

/* Another store (another request thread of a server) keeps its hands
   off a scratch folder in use; the owner's own removal works. */
static void test_scratch_in_use_survives_open(bn_t *t)
{
	bn_store *a, *b;
	char *scratch = NULL, *file;
	bn_err err;

	fresh_home();
	bn_err_init(&err);
	if (!(a = open_store(t)))
		return;
	BN_CHECK_INT(t, bn_store_scratch_new(&scratch, a, &err), ==, 0);
	file = bn_fs_join(scratch, "half-written");
	BN_CHECK_INT(t, bn_fs_write_atomic(file, "x", 1, 0644, &err), ==, 0);
	b = open_store(t);
	BN_CHECK(t, exists(scratch));
	BN_CHECK(t, exists(file));
	bn_store_free(b);
	bn_store_scratch_remove(a, scratch);
	BN_CHECK(t, !exists(scratch));
	free(file);
	free(scratch);
	bn_store_free(a);
}

/* A leftover no one holds (a crashed process) is removed by the open. */
static void test_leftover_is_removed(bn_t *t)
{
	char tmp[512], trash[512];
	bn_store *s;

	fresh_home();
	if (!(s = open_store(t)))
		return;
	bn_store_free(s);
	snprintf(tmp, sizeof(tmp), "%s/skills/.tmp-1-deadbeef0000", home);
	snprintf(trash, sizeof(trash), "%s/skills/.trash-1-deadbeef0000/x",
		 home);
	BN_CHECK_INT(t, bn_fs_mkdirs(tmp, NULL), ==, 0);
	BN_CHECK_INT(t, bn_fs_mkdirs(trash, NULL), ==, 0);
	s = open_store(t);
	BN_CHECK(t, !exists(tmp));
	*strrchr(trash, '/') = '\0';
	BN_CHECK(t, !exists(trash));
	bn_store_free(s);
}

/* A process that holds a scratch folder keeps it; once it is killed,
   the next open removes what it left. */
static void test_scratch_of_killed_process(bn_t *t)
{
	int ready[2];
	char path[512] = { 0 };
	pid_t pid;
	bn_store *s;
	ssize_t n;

	fresh_home();
	if (pipe(ready) < 0)
		abort();
	pid = fork();
	if (pid == 0) {
		bn_store *c = NULL;
		char *p = NULL;
		if (bn_store_open_db(&c, home, NULL, url, NULL) ||
		    bn_store_scratch_new(&p, c, NULL))
			_exit(1);
		if (write(ready[1], p, strlen(p)) < 0)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	n = read(ready[0], path, sizeof(path) - 1);
	close(ready[0]);
	BN_CHECK(t, n > 0);
	if (n <= 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return;
	}
	s = open_store(t);
	BN_CHECK(t, exists(path));
	bn_store_free(s);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	s = open_store(t);
	BN_CHECK(t, !exists(path));
	bn_store_free(s);
}

/* A writer holding the database does not stop an open: opening an
   up-to-date store only reads. */
static void test_open_does_not_wait_for_writer(bn_t *t)
{
	char db[512];
	sqlite3 *w = NULL;
	bn_store *s;
	time_t t0;

	fresh_home();
	if (!(s = open_store(t)))
		return;
	bn_store_free(s);
	snprintf(db, sizeof(db), "%s/boternity.db", home);
	BN_CHECK_INT(t, sqlite3_open(db, &w), ==, SQLITE_OK);
	BN_CHECK_INT(t, sqlite3_exec(w, "BEGIN IMMEDIATE", NULL, NULL, NULL),
		     ==, SQLITE_OK);
	t0 = time(NULL);
	s = open_store(t);
	/* the old open waited for the lock (busy timeout) and then failed */
	BN_CHECK(t, s != NULL);
	BN_CHECK(t, time(NULL) - t0 < 4);
	bn_store_free(s);
	(void)sqlite3_exec(w, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(w);
}

/* An edit of a skill made here is a new identity: the record takes it
   (verify passes), and on a shared database another home that never had
   the skill writes the edited files. */
static void test_edit_is_stored(bn_t *t)
{
	static const char text[] = "---\nname: memo\ndescription: Write "
		"memos. Use when asked.\n---\nTwo pages.\n";
	char other[sizeof(home) + 8], *file, *got = NULL;
	bn_store *s, *o = NULL;
	size_t len = 0;
	bn_err err;

	fresh_home();
	if (!(s = open_store(t)))
		return;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_store_skill_create(s, "memo", BN_SKILL_TYPE_PROMPT,
					      "x", &err), ==, 0);
	BN_CHECK_INT(t, bn_store_skill_edit(s, "memo", text, strlen(text),
					    NULL, &err), ==, 0);
	BN_CHECK_INT(t, bn_store_skill_verify(s, "memo", NULL, &err), ==, 0);
	bn_store_free(s);
	if (!url)
		return;
	snprintf(other, sizeof(other), "%s-other", home);
	BN_CHECK_INT(t, bn_store_open_db(&o, other, NULL, url, &err), ==, 0);
	file = bn_fs_join(other, "skills/memo/SKILL.md");
	BN_CHECK_INT(t, bn_fs_read_file(&got, &len, file, 4096, &err), ==, 0);
	BN_CHECK_STR(t, got ? got : "", text);
	free(got);
	free(file);
	bn_store_free(o);
	(void)bn_fs_rmtree(other, NULL);
}

int main(void)
{
	bn_t t = { 0 };

	BN_RUN(&t, test_scratch_in_use_survives_open);
	BN_RUN(&t, test_leftover_is_removed);
	BN_RUN(&t, test_scratch_of_killed_process);
	BN_RUN(&t, test_edit_is_stored);
	if (!bn_t_on_pg())   /* SQLite only: it reaches the SQLite file */
		BN_RUN(&t, test_open_does_not_wait_for_writer);
	(void)bn_fs_rmtree(home, NULL);
	free(url);
	return bn_t_done(&t);
}
