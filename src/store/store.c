/* SPDX-License-Identifier: MIT */
/*
 * store/store.c - the skill store in $BNITY_HOME/skills and skill
 * discovery in other agents' folders.
 *
 * A create writes the skill into skills/.tmp-PID-N/<name>/, validates it,
 * then renames it to skills/<name>; a remove renames skills/<name> to
 * skills/.trash-PID-N/<name> before deleting it.  The rename is the commit
 * point; leftovers of either whose owner is gone are removed (see
 * scratch.c), and the index reconciled with the folders, by bn_store_open.
 */
#include "store_int.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/fault.h"
#include "base/fs.h"
#include "skill/tree.h"
#include "store/agents.h"
#include "store/audit.h"
#include "store/conv.h"

const char *bn_store_origin_name(bn_store_origin o)
{
	switch (o) {
	case BN_STORE_ORIGIN_STORE: return "store";
	case BN_STORE_ORIGIN_USER: return "user";
	case BN_STORE_ORIGIN_PROJECT: return "project";
	default: return "?";
	}
}

bool bn_store__slug_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 64 || name[0] == '-' || name[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (c == '-' && name[i + 1] == '-')
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
	}
	return true;
}

int bn_store_home_dir(char **out, bn_err *err)
{
	const char *h = secure_getenv("BNITY_HOME");

	if (h && *h) {
		*out = bn_xstrdup(h);
		return 0;
	}
	h = secure_getenv("HOME");
	if (!h || !*h)
		return bn_err_set(err, BN_EINVAL,
				  "neither BNITY_HOME nor HOME is set; set "
				  "BNITY_HOME to the folder bnity should use");
	*out = bn_fs_join(h, ".boternity");
	return 0;
}

int bn_store_open(bn_store **out, const char *home, const char *cwd,
		  bn_err *err)
{
	return bn_store_open_db(out, home, cwd, NULL, err);
}

int bn_store_open_db(bn_store **out, const char *home, const char *cwd,
		     const char *db_url, bn_err *err)
{
	bn_store *s = bn_xcalloc(1, sizeof(*s));
	int r;

	if (db_url && *db_url && !bn_store__is_pg_url(db_url)) {
		free(s);
		return bn_err_set(err, BN_EINVAL, "the database URL must begin "
				  "with postgresql:// (BNITY_DATABASE_URL or "
				  "--database); leave it unset for the SQLite "
				  "file in BNITY_HOME");
	}

	s->home = realpath(home, NULL);
	if (!s->home) {
		r = bn_fs_mkdirs(home, err);
		if (r)
			goto fail;
		s->home = realpath(home, NULL);
		if (!s->home) {
			r = bn_err_set(err, BN_EIO, "%s: %s", home,
				       strerror(errno));
			goto fail;
		}
	}
	if (!bn_fs_is_dir(s->home)) {
		r = bn_err_set(err, BN_EINVAL,
			       "BNITY_HOME %s is not a folder", s->home);
		goto fail;
	}
	s->skills_dir = bn_fs_join(s->home, "skills");
	if (db_url && *db_url) {
		s->be = &bn_store__pg;
		s->db_url = bn_xstrdup(db_url);
		s->db_path = bn_store__url_redact(db_url);
	} else {
		s->be = &bn_store__sqlite;
		s->db_path = bn_fs_join(s->home, "boternity.db");
	}
	s->cwd = cwd ? bn_xstrdup(cwd) : NULL;
	if ((r = bn_fs_mkdirs(s->skills_dir, err)))
		goto fail;
	if ((r = bn_store__scratch_clean(s, err)))
		goto fail;
	if ((r = bn_store__db_open(s, err)))
		goto fail;
	/* work whose process died is closed (owner leases: cheap when
	   nothing runs) */
	if ((r = bn_store_leases_sweep(NULL, s, err)))
		goto fail;
	if ((r = bn_store__reconcile(s, err)))
		goto fail;
	/* a shared database holds every skill's files, whichever home had
	   them first: those it lacks are stored from here */
	if (s->be == &bn_store__pg &&
	    (r = bn_store__trees_upload(NULL, s, err)))
		goto fail;
	*out = s;
	return 0;
fail:
	bn_store_free(s);
	return r;
}

void bn_store_free(bn_store *s)
{
	if (!s)
		return;
	/* a last try for the audit rows a failed write left open */
	if (s->n_ends)
		bn_store__audit_ends_retry(s);
	bn_store__audit_ends_clear(s);
	bn_store__stmts_clear(s);
	if (s->db)
		s->be->close(s);
	free(s->seen_key);
	bn_strv_clear(&s->user_folders);
	bn_strv_clear(&s->project_folders);
	bn_store__scratch_release_all(s);
	free(s->home);
	free(s->skills_dir);
	free(s->db_path);
	free(s->db_url);
	free(s->cwd);
	free(s);
}

const char *bn_store_home(const bn_store *s) { return s->home; }
const char *bn_store_skills_dir(const bn_store *s) { return s->skills_dir; }

/* ---- the index -------------------------------------------------------- */

/* Whether NAME is in V, sorted by strcmp. */
static bool sorted_has(const bn_strv *v, const char *name)
{
	size_t lo = 0, hi = v->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, v->v[mid]);
		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Move store folder NAME into a trash scratch folder and remove it:
   the rename is the commit. */
static int trash_folder(bn_store *s, const char *name, bn_err *err)
{
	char *final = bn_fs_join(s->skills_dir, name), *trash, *dst;
	int r;

	if ((r = bn_store__scratch_make(&trash, s, "trash", err))) {
		free(final);
		return r;
	}
	dst = bn_fs_join(trash, name);
	bn_fault("remove-before-commit");
	if (rename(final, dst) < 0)
		r = bn_err_set(err, BN_EIO, "%s: %s", final, strerror(errno));
	bn_store_scratch_remove(s, trash);
	free(final);
	free(trash);
	free(dst);
	return r;
}

/*
 * Index row NAME and its folder, by what this home had (bn_store__had):
 * a folder without a record is recorded.  A folder missing that this
 * home had was removed here, by hand: the row goes, as does a row of an
 * install that never completed.  A skill this home never had, or had
 * other bytes of (an update or a build through another home), is
 * written from the database when the database holds its tree; else (a
 * skill made elsewhere, or installed before the trees were kept) the
 * row and folder are left alone.
 */
static int reconcile_row(bn_store *s, const char *name, bool apply,
			 bool *need, bn_err *err)
{
	char *dir = bn_fs_join(s->skills_dir, name);
	char *had = bn_store__had(s, name);
	char *tree = bn_store__index_hash(s, name);
	bool here = bn_fs_is_dir(dir), write = false, replace = false;
	int r = 0;

	if (here && !had) {
		bn_store__had_set(s, name, tree ? tree : "");
	} else if (here) {
		replace = *had && tree && strcmp(had, tree) != 0;
		write = replace;
	} else if (had || !tree) {
		/* removed here, or an install that never completed (one in
		   flight elsewhere puts its row back as it completes) */
		*need = true;
		if (apply && !(r = bn_store__index_remove(s, name, err)))
			bn_store__had_set(s, name, NULL);
	} else {
		write = true;
	}
	if (write && bn_store__tree_has(s, tree)) {
		*need = true;
		if (apply && !(r = bn_store__tree_materialize(s, name, tree,
							      replace, err)))
			bn_store__had_set(s, name, tree);
	}
	free(had);
	free(tree);
	free(dir);
	return r;
}

/*
 * One pass of the reconcile: with APPLY false it only reads, and sets
 * *NEED when the index and the folders disagree; with APPLY true (inside
 * a write transaction) it makes them agree.  FOLDERS false skips the
 * comparison with the folders (the skills folder did not change).
 */
static int reconcile_pass(bn_store *s, bool folders, bool apply, bool *need,
			  bn_err *err)
{
	bn_strv names = { 0 };
	DIR *d;
	struct dirent *de;
	size_t i;
	int r = 0;

	if (!folders)
		goto rows;
	if ((r = bn_store__index_names(&names, s, err)))
		goto out;
	for (i = 0; i < names.n && r == 0; i++)
		r = reconcile_row(s, names.v[i], apply, need, err);
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), strp_cmp);
	d = opendir(s->skills_dir);
	if (!d) {
		r = bn_err_set(err, BN_EIO, "%s: %s", s->skills_dir,
			       strerror(errno));
		goto out;
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		bn_skill_manifest *m = NULL;
		char *dir, *had = NULL;
		bn_err e;

		if (de->d_name[0] == '.' || sorted_has(&names, de->d_name))
			continue;
		dir = bn_fs_join(s->skills_dir, de->d_name);
		bn_err_init(&e);
		if (bn_fs_is_dir(dir) && (had = bn_store__had(s, de->d_name))) {
			/* its row was removed through another home */
			*need = true;
			if (apply && !(r = trash_folder(s, de->d_name, err)))
				bn_store__had_set(s, de->d_name, NULL);
		} else if (bn_fs_is_dir(dir) &&
		    bn_skill_manifest_load(&m, dir, NULL, &e) == 0) {
			*need = true;
			if (apply)
				r = bn_store__index_put(s, m, NULL, NULL,
								NULL, err);
		}
		bn_skill_manifest_free(m);
		free(had);
		free(dir);
	}
	closedir(d);
rows:
	if (r == 0)
		r = bn_store__install_reconcile(s, apply, need, err);
	if (r == 0)
		r = bn_store__grants_bind(s, apply, need, err);
out:
	bn_strv_clear(&names);
	return r;
}

/* Make the index agree with the folders (compared when FOLDERS); only
   an index that disagrees takes a write transaction: most opens read.
   Inside a caller's transaction it writes in that one. */
static int reconcile(bn_store *s, bool folders, bn_err *err)
{
	bool need = false, own = !bn_store__in_tx(s);
	int r = reconcile_pass(s, folders, false, &need, err);

	if (r || !need)
		return r;
	if (!own)
		return reconcile_pass(s, folders, true, &need, err);
	if ((r = bn_store_tx_begin(s, err)))
		return r;
	r = reconcile_pass(s, folders, true, &need, err);
	if (r) {
		bn_store_tx_rollback(s);
		return r;
	}
	return bn_store_tx_commit(s, err);
}

int bn_store__reconcile_full(bn_store *s, bn_err *err)
{
	return reconcile(s, true, err);
}

/*
 * The folders of the store hold the truth.  A folder added, removed or
 * renamed changes the skills folder's mtime and ctime, so when its key
 * (scan.c) is the one recorded after the last full reconcile, the index
 * still has every folder and only the rows need settling.
 */
/* The skills folder's KEY with a stamp of the index's rows (owned;
   NULL when KEY is): another home sharing the database installs or
   removes without touching this home's folder, and its folders must be
   compared then all the same. */
static char *state_key(bn_store *s, const char *key)
{
	bn_store__stmt *st;
	char *out = NULL;

	/* index_gen: how many times the index was written (index.c) */
	if (!key || bn_store__query(&st, s, "SELECT COUNT(*),"
				    " COALESCE(MAX(installed_at), 0),"
				    " (SELECT value FROM store_state"
				    "  WHERE key = 'index_gen')"
				    " FROM skill_index", NULL, 0, NULL))
		return NULL;
	if (bn_store__step(s, st, NULL) == 1) {
		const char *gen = bn_store__col_text(st, 2);
		out = bn_xasprintf("%s|%lld:%lld:%.32s", key,
				   (long long)bn_store__col_int(st, 0),
				   (long long)bn_store__col_int(st, 1),
				   gen ? gen : "0");
	}
	bn_store__done(s, st);
	return out;
}

int bn_store__reconcile(bn_store *s, bn_err *err)
{
	char *key = bn_store__dir_key(s->skills_dir), *had = NULL;
	char *now = state_key(s, key);
	int r = bn_store__dir_key_get(&had, s, err);
	bool same = r == 0 && now && had && strcmp(now, had) == 0;

	if (r == 0)
		r = reconcile(s, !same, err);
	/* remember the key we scanned under (none when racy), with the
	   index as it is now; a store we cannot write now (another writer
	   holds it: no waiting) is still read right, only slower */
	if (r == 0 && !same && (key || had) && !bn_store__in_tx(s)) {
		free(now);
		now = state_key(s, key);
		bn_store_lock_timeout_set(s, 0);
		(void)bn_store__dir_key_set(s, now, NULL);
		bn_store_lock_timeout_set(s, BN_STORE_BUSY_TIMEOUT_MS);
	}
	free(now);
	/* what a reused handle compares with (bn_store__refresh) */
	free(s->seen_key);
	s->seen_key = r == 0 ? key : NULL;
	s->checked_ms = bn_clock_now_ms();
	if (r)
		free(key);
	free(had);
	return r;
}

/*
 * A handle kept open for reuse is as good as a fresh open while the
 * skills folder keeps the key it had at its last reconcile: a folder
 * added, removed or renamed changes it (one stat).  What only the
 * database holds (an install in flight that another process left, the
 * grants a migration left unbound) is settled by a full pass at most
 * BN_STORE__REFRESH_MS after the last.  Every read of the database
 * itself sees the latest commit whatever this says.
 */
#define BN_STORE__REFRESH_MS 1000
static int store_refresh(bn_store *s, bn_err *err)
{
	char *key = bn_store__dir_key(s->skills_dir);
	bool same = key && s->seen_key && strcmp(key, s->seen_key) == 0 &&
		    bn_clock_now_ms() - s->checked_ms < BN_STORE__REFRESH_MS;

	free(key);
	return same ? 0 : bn_store__reconcile(s, err);
}

/* ---- handles kept for reuse ------------------------------------------ */

struct bn_store_reuse {
	char *home;
	char *cwd;                   /* NULL: no project skills */
	char *db_url;                /* NULL: the SQLite file in home */
	unsigned max_idle;
	pthread_mutex_t lock;        /* guards idle, n_idle */
	bn_store **idle;             /* max_idle slots */
	unsigned n_idle;
};

int bn_store_reuse_new(bn_store_reuse **out, const char *home,
		       const char *cwd, const char *db_url, unsigned max_idle,
		       bn_err *err)
{
	bn_store_reuse *u;
	bn_store *s;
	int r;

	/* the first open creates and migrates the store, and cleans what
	   interrupted writes left, before any handle is reused */
	if ((r = bn_store_open_db(&s, home, cwd, db_url, err)))
		return r;
	u = bn_xcalloc(1, sizeof(*u));
	u->home = bn_xstrdup(home);
	u->cwd = cwd ? bn_xstrdup(cwd) : NULL;
	u->db_url = db_url ? bn_xstrdup(db_url) : NULL;
	u->max_idle = max_idle ? max_idle : 1;
	u->idle = bn_xcalloc(u->max_idle, sizeof(*u->idle));
	pthread_mutex_init(&u->lock, NULL);
	bn_store_reuse_give(u, s);
	*out = u;
	return 0;
}

int bn_store_reuse_take(bn_store **out, bn_store_reuse *u, bn_err *err)
{
	bn_store *s = NULL;

	pthread_mutex_lock(&u->lock);
	if (u->n_idle)
		s = u->idle[--u->n_idle];
	pthread_mutex_unlock(&u->lock);
	if (s && store_refresh(s, NULL) == 0) {
		*out = s;
		return 0;
	}
	/* a handle that cannot catch up is dropped for a fresh open, which
	   reports what is wrong */
	bn_store_free(s);
	return bn_store_open_db(out, u->home, u->cwd, u->db_url, err);
}

void bn_store_reuse_give(bn_store_reuse *u, bn_store *s)
{
	if (!s)
		return;
	/* only a handle in the state an open leaves is kept: no
	   transaction, no scratch folder, the usual lock wait */
	if (bn_store__in_tx(s))
		bn_store_tx_rollback(s);
	bn_store_lock_timeout_set(s, BN_STORE_BUSY_TIMEOUT_MS);
	if (s->n_scratch == 0) {
		pthread_mutex_lock(&u->lock);
		if (u->n_idle < u->max_idle) {
			u->idle[u->n_idle++] = s;
			s = NULL;
		}
		pthread_mutex_unlock(&u->lock);
	}
	bn_store_free(s);
}

void bn_store_reuse_free(bn_store_reuse *u)
{
	if (!u)
		return;
	for (unsigned i = 0; i < u->n_idle; i++)
		bn_store_free(u->idle[i]);
	pthread_mutex_destroy(&u->lock);
	free(u->idle);
	free(u->home);
	free(u->db_url);
	free(u->cwd);
	free(u);
}

/* ---- listing and discovery ------------------------------------------- */

void bn_store_skills_clear(bn_store_skills *l)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		bn_store__skill_release(&l->v[i], false);
	free(l->v);
	l->v = NULL;
	l->n = 0;
	bn_strv_clear(&l->warnings);
}

static int skill_cmp(const void *a, const void *b)
{
	return strcmp(((const bn_store_skill *)a)->name,
		      ((const bn_store_skill *)b)->name);
}

/* The skill named NAME among the first N of V, sorted by name. */
static bn_store_skill *find_in(bn_store_skill *v, size_t n, const char *name)
{
	bn_store_skill key = { .name = (char *)name };
	return n ? bsearch(&key, v, n, sizeof(*v), skill_cmp) : NULL;
}

const bn_store_skill *bn_store_skills_find(const bn_store_skills *l,
					   const char *name)
{
	/* bn_store_skills_list sorts by name */
	return find_in(l->v, l->n, name);
}

/*
 * SK's identity and tier, for a copy outside the store (a store skill is
 * what the store recorded: scan.c).  The copy is hashed (what it holds
 * now): it is the installed skill when the hash equals the store's
 * record for the name; else it was not vetted here, and is untrusted.
 */
static void set_identity(bn_store_skill *sk, bn_store *s)
{
	char *want = bn_store__index_hash(s, sk->name);
	char hash[BN_SKILL_TREE_HASH_SIZE];

	sk->hash = bn_skill_tree_hash(hash, sk->dir, NULL) ? NULL :
		bn_xstrdup(hash);
	sk->installed = want && sk->hash && !strcmp(want, sk->hash);
	sk->tier = sk->installed ? bn_store__index_tier(s, sk->name) :
		bn_xstrdup("untrusted");
	free(want);
}

int bn_store_skill_identity(char out[BN_SKILL_TREE_HASH_SIZE], bn_store *s,
			    const char *name, const char *dir, bn_err *err)
{
	size_t n = strlen(s->skills_dir);
	char *h;

	if (dir && !(strncmp(dir, s->skills_dir, n) == 0 && dir[n] == '/'))
		return bn_skill_tree_hash(out, dir, err);
	h = bn_store__index_hash(s, name);
	if (!h)
		return bn_err_set(err, BN_ENOTFOUND, "skill '%s' is not "
			"installed in the store (%s), and a grant belongs to "
			"the skill it was given to", name, s->skills_dir);
	snprintf(out, BN_SKILL_TREE_HASH_SIZE, "%s", h);
	free(h);
	return 0;
}

void bn_store__load_skill(bn_skill_manifest **out, bn_strv *warnings,
			  const char *dir)
{
	bn_skill_report rep = { 0 };
	bn_err e;
	size_t i;

	*out = NULL;
	bn_err_init(&e);
	if (bn_skill_manifest_load(out, dir, &rep, &e) != 0) {
		if (e.code != BN_ENOTFOUND) {
			char *w = bn_xasprintf("skipped: %s", e.msg);
			bn_strv_push(warnings, w);
			free(w);
		}
	} else {
		for (i = 0; i < rep.warnings.n; i++)
			bn_strv_push(warnings, rep.warnings.v[i]);
	}
	bn_skill_report_clear(&rep);
}

void bn_store__skill_release(bn_store_skill *sk, bool keep_name)
{
	if (sk->packed) {
		char *name = keep_name ? bn_xstrdup(sk->name) : NULL;
		free(sk->name);
		sk->name = name;
		sk->packed = false;
	} else {
		if (!keep_name) {
			free(sk->name);
			sk->name = NULL;
		}
		free(sk->dir);
		free(sk->origin_dir);
		free(sk->tier);
		free(sk->hash);
	}
	sk->dir = sk->origin_dir = sk->tier = sk->hash = NULL;
	bn_skill_manifest_free(sk->manifest);
	sk->manifest = NULL;
}

/* A new entry at the end of L, zeroed. */
static bn_store_skill *skills_grow(bn_store_skills *l)
{
	bn_store_skill *sk;

	/* room doubles at each power of two */
	if ((l->n & (l->n - 1)) == 0)
		l->v = bn_xrealloc(l->v, (l->n ? 2 * l->n : 1) *
				   sizeof(*l->v));
	sk = &l->v[l->n++];
	memset(sk, 0, sizeof(*sk));
	return sk;
}

bn_store_skill *bn_store__skills_add(bn_store_skills *l, const char *name)
{
	bn_store_skill *sk = skills_grow(l);

	sk->name = bn_xstrdup(name);
	return sk;
}

bn_store_skill *bn_store__skills_add_store(bn_store_skills *l,
					   const char *name, const char *root,
					   const char *tier, const char *hash)
{
	size_t nn = strlen(name) + 1, nr = strlen(root);
	size_t nt = strlen(tier) + 1, nh = hash ? strlen(hash) + 1 : 0;
	bool slash = nr && root[nr - 1] == '/';  /* as bn_fs_join */
	bn_store_skill *sk = skills_grow(l);
	/* name, ROOT/name, ROOT, tier, hash */
	char *p = bn_xmalloc(nn + (nr + !slash + nn) + (nr + 1) + nt + nh);

	sk->packed = true;
	sk->name = memcpy(p, name, nn);
	sk->dir = p += nn;
	memcpy(p, root, nr);
	p[nr] = '/';
	memcpy(p + nr + !slash, name, nn);
	p += nr + !slash + nn;
	sk->origin_dir = memcpy(p, root, nr + 1);
	sk->tier = memcpy(p += nr + 1, tier, nt);
	sk->hash = hash ? memcpy(p + nt, hash, nh) : NULL;
	return sk;
}

/* Add every skill folder of ROOT, overriding lower-precedence ones. */
static void scan_root(bn_store_skills *l, bn_store *s, const char *root,
		      bn_store_origin origin)
{
	DIR *d = opendir(root);
	struct dirent *de;
	size_t before;

	if (!d)
		return;
	/* the folder names of one root differ: look among earlier roots */
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), skill_cmp);
	before = l->n;
	while ((de = readdir(d)) != NULL) {
		bn_skill_manifest *m = NULL;
		bn_store_skill *sk;
		char *dir, *over = NULL;
		bool over_store = false;

		if (de->d_name[0] == '.')
			continue;
		dir = bn_fs_join(root, de->d_name);
		if (!bn_fs_is_dir(dir)) {
			free(dir);
			continue;
		}
		bn_store__load_skill(&m, &l->warnings, dir);
		if (!m) {
			free(dir);
			continue;
		}
		sk = find_in(l->v, before, de->d_name);
		if (sk) {
			if (sk->origin == origin) {
				/* .agents wins over .claude at one level */
				bn_skill_manifest_free(m);
				free(dir);
				continue;
			}
			over = bn_xasprintf(
				"%s skill '%s' (%s) overrides the %s skill of "
				"the same name (%s)", bn_store_origin_name(origin),
				de->d_name, dir, bn_store_origin_name(sk->origin),
				sk->dir);
			over_store = sk->origin == BN_STORE_ORIGIN_STORE;
			bn_store__skill_release(sk, true);
		} else {
			sk = bn_store__skills_add(l, de->d_name);
		}
		sk->dir = dir;
		sk->origin = origin;
		sk->origin_dir = bn_xstrdup(root);
		sk->manifest = m;
		set_identity(sk, s);
		/* a copy of the store's skill as installed (an agent's copy
		   bnity made) hides nothing */
		if (over && !(over_store && sk->installed))
			bn_strv_push(&l->warnings, over);
		free(over);
	}
	closedir(d);
}

const bn_skill_manifest *bn_store_skills_lookup(const char *name,
						void *payload)
{
	const bn_store_skill *sk = bn_store_skills_find(payload, name);
	return sk ? sk->manifest : NULL;
}

int bn_store_skill_resolve(bn_skill_resolved *out, const bn_store_skills *l,
			   const char *name, bn_err *err)
{
	const bn_store_skill *sk = bn_store_skills_find(l, name);
	int r;

	if (!sk)
		return bn_err_set(err, BN_ENOTFOUND,
				  "no skill '%s' (see `bnity skill list`)",
				  name);
	r = bn_skill_resolve(out, sk->manifest, bn_store_skills_lookup,
			     (void *)l, err);
	if (r)
		bn_err_prefix(err, "skill '%s'", name);
	return r;
}

/* The project folders from CWD up to the repository root (or CWD only). */
static void project_dirs(bn_strv *out, const char *cwd, const char *home)
{
	char *p = realpath(cwd, NULL), *root = bn_fs_repo_root(cwd);
	bn_strv chain = { 0 };
	size_t i;

	if (!p) {
		free(root);
		return;
	}
	for (;;) {
		if (!home || strcmp(p, home) != 0)
			bn_strv_push(&chain, p);
		if (root && strcmp(p, root) == 0)
			break;
		char *slash = strrchr(p, '/');
		if (!slash || slash == p)
			break;
		*slash = '\0';
	}
	/* Outside a repository only the working folder counts. */
	if (!root && chain.n > 1) {
		for (i = 1; i < chain.n; i++)
			free(chain.v[i]);
		chain.n = 1;
	}
	/* Nearest last, so it wins. */
	for (i = chain.n; i-- > 0;)
		bn_strv_push(out, chain.v[i]);
	bn_strv_clear(&chain);
	free(root);
	free(p);
}

/* The skills of FOLDERS (the agents' folders of one scope) into L, a
   later folder overriding. */
static void scan_folders(bn_store_skills *l, bn_store *s,
			 const bn_strv *folders, bn_store_origin origin)
{
	for (size_t i = 0; i < folders->n; i++)
		scan_root(l, s, folders->v[i], origin);
}

/* Which folders those are, once per handle: of every agent of
   store/agents.h, the user's and the project's. */
static void others_find(bn_store *s)
{
	const char *home;
	char *rhome;
	bn_strv proj = { 0 };

	if (s->others_known)
		return;
	s->others_known = true;
	home = secure_getenv("HOME");
	rhome = home ? realpath(home, NULL) : NULL;
	if (rhome)
		bn_store_agent_folders(&s->user_folders, true, NULL, rhome);
	if (s->cwd)
		project_dirs(&proj, s->cwd, rhome);
	for (size_t i = 0; i < proj.n; i++)
		bn_store_agent_folders(&s->project_folders, false, proj.v[i],
				       NULL);
	bn_strv_clear(&proj);
	free(rhome);
}

/* The user's and then the project's skills into L, overriding. */
static void scan_others(bn_store_skills *l, bn_store *s)
{
	others_find(s);
	scan_folders(l, s, &s->user_folders, BN_STORE_ORIGIN_USER);
	scan_folders(l, s, &s->project_folders, BN_STORE_ORIGIN_PROJECT);
}

/* *out = L sorted by name (whatever order the folders were read in),
   after R; L is cleared on failure. */
static int skills_done(bn_store_skills *out, bn_store_skills *l, int r)
{
	if (r) {
		bn_store_skills_clear(l);
		return r;
	}
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), skill_cmp);
	*out = *l;
	return 0;
}

int bn_store_skills_list(bn_store_skills *out, bn_store *s, bn_err *err)
{
	bn_store_skills l = { 0 };
	int r = bn_store__scan_store(&l, s, err);

	if (r == 0)
		scan_others(&l, s);
	return skills_done(out, &l, r);
}

int bn_store_skills_named(bn_store_skills *out, bn_store *s,
			  const bn_strv *names, bn_err *err)
{
	bn_store_skills l = { 0 };

	/* the user's and project's first: the store's copy of a name they
	   have is never wanted */
	scan_others(&l, s);
	return skills_done(out, &l, bn_store__scan_named(&l, s, names, err));
}

/* ---- create and remove ----------------------------------------------- */

static void yaml_quote(bn_buf *b, const char *s)
{
	int r = bn_buf_puts(b, "\"");
	for (; *s && r == 0; s++) {
		if (*s == '"' || *s == '\\')
			r = bn_buf_printf(b, "\\%c", *s);
		else if (*s == '\n' || *s == '\r' || *s == '\t')
			r = bn_buf_puts(b, " ");
		else
			r = bn_buf_append(b, s, 1);
	}
	if (r == 0)
		r = bn_buf_puts(b, "\"");
	(void)r;
}

static int write_file(const char *dir, const char *rel, const char *text,
		      bn_err *err)
{
	char *p = bn_fs_join(dir, rel);
	int r = bn_fs_write_atomic(p, text, strlen(text), 0644, err);
	free(p);
	return r;
}

static const char tool_source[] =
"/* A boternity tool skill: reads its input (JSON) on stdin and writes\n"
" * its result on stdout; a failure is a non-zero exit and a message on\n"
" * stderr.  Build it with `bnity skill build`; bnity.h is the SDK. */\n"
"#include <stdio.h>\n"
"#include <stdlib.h>\n"
"\n"
"#include \"bnity.h\"\n"
"\n"
"int main(void)\n"
"{\n"
"\tsize_t len = 0;\n"
"\tchar *input = bnity_read_input(&len);\n"
"\tchar *text;\n"
"\n"
"\tif (!input) {\n"
"\t\tfprintf(stderr, \"cannot read the input\\n\");\n"
"\t\treturn 1;\n"
"\t}\n"
"\ttext = bnity_json_get_string(input, \"text\");\n"
"\tif (!text) {\n"
"\t\tfprintf(stderr, \"input: expected {\\\"text\\\": \\\"...\\\"}\\n\");\n"
"\t\tfree(input);\n"
"\t\treturn 2;\n"
"\t}\n"
"\tprintf(\"{\\\"received_bytes\\\": %zu, \\\"text\\\": \", len);\n"
"\tbnity_json_string(text);\n"
"\tprintf(\"}\\n\");\n"
"\tfree(text);\n"
"\tfree(input);\n"
"\treturn 0;\n"
"}\n";

static const char tool_schema[] =
"{\n"
"  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n"
"  \"type\": \"object\",\n"
"  \"properties\": {\n"
"    \"text\": { \"type\": \"string\", \"description\": \"What to work on\" }\n"
"  },\n"
"  \"required\": [\"text\"]\n"
"}\n";

static int write_skeleton(const char *dir, const char *name,
			  bn_skill_type type, const char *description,
			  bn_err *err)
{
	bn_buf b = BN_BUF_INIT;
	char *def = NULL;
	int r;

	if (!description || !*description)
		description = def = bn_xasprintf(
			"Describe what %s does and when an agent should use "
			"it.", name);
	r = bn_buf_printf(&b, "---\nname: %s\ndescription: ", name);
	yaml_quote(&b, description);
	r |= bn_buf_printf(&b,
		"\nmetadata:\n  type: %s\n  version: \"0.1.0\"\n---\n"
		"# %s\n\n"
		"## When to use\n\nSay here when an agent should reach for "
		"this skill.\n\n"
		"## Instructions\n\n1. Write the steps the agent follows.\n",
		bn_skill_type_name(type), name);
	if (type == BN_SKILL_TYPE_TOOL)
		r |= bn_buf_puts(&b,
			"\n## Tool\n\nThis skill is also a tool: its input is "
			"described by `schema.json`, its code is in "
			"`src/main.c`.\n");
	free(def);
	if (r) {
		bn_buf_clear(&b);
		return bn_err_oom(err);
	}
	r = write_file(dir, "SKILL.md", bn_buf_cstr(&b), err);
	bn_buf_clear(&b);
	if (r || type != BN_SKILL_TYPE_TOOL)
		return r;
	char *src = bn_fs_join(dir, "src");
	r = bn_fs_mkdirs(src, err);
	free(src);
	if (!r)
		r = write_file(dir, "src/main.c", tool_source, err);
	if (!r)
		r = write_file(dir, "schema.json", tool_schema, err);
	return r;
}

int bn_store_skill_create(bn_store *s, const char *name, bn_skill_type type,
			  const char *description, bn_err *err)
{
	bn_skill_report rep = { 0 };
	bn_skill_manifest *m = NULL;
	char *final = NULL, *tmp = NULL, *dir = NULL;
	char hash[BN_SKILL_TREE_HASH_SIZE];
	int r;

	if (!bn_skill_name_is_slug(name))
		return bn_err_set(err, BN_EINVAL,
			"skill name '%s': use 1 to 64 lowercase letters, "
			"digits, hyphens and inner underscores, with no "
			"hyphen at either end and no two in a row", name);
	final = bn_fs_join(s->skills_dir, name);
	if (access(final, F_OK) == 0) {
		r = bn_err_set(err, BN_EEXIST,
			       "skill '%s' already exists in the store (%s)",
			       name, final);
		goto out;
	}
	if ((r = bn_store__scratch_make(&tmp, s, "tmp", err)))
		goto out;
	dir = bn_fs_join(tmp, name);
	if ((r = bn_fs_mkdirs(dir, err)))
		goto out_rm;
	if ((r = write_skeleton(dir, name, type, description, err)))
		goto out_rm;
	if (!bn_skill_validate(&rep, dir)) {
		r = bn_err_set(err, BN_EINVAL, "the new skill is not valid: %s",
			       rep.errors.n ? rep.errors.v[0] : "?");
		goto out_rm;
	}
	if ((r = bn_skill_manifest_load(&m, dir, NULL, err)))
		goto out_rm;
	if ((r = bn_skill_tree_hash(hash, dir, err)))
		goto out_rm;
	bn_fault("create-before-commit");
	if (rename(dir, final) < 0) {
		r = bn_err_set(err, errno == ENOTEMPTY || errno == EEXIST ?
			       BN_EEXIST : BN_EIO, "%s: %s", final,
			       strerror(errno));
		goto out_rm;
	}
	bn_fault("create-after-commit");
	/* The folder is committed; the index follows (or is reconciled),
	   then its files for the homes that share the database (or the
	   next open of one that has it) */
	r = bn_store__index_put(s, m, NULL, NULL, hash, err);
	if (!r)
		bn_store__had_set(s, name, hash);
	if (!r)
		r = bn_store__tree_put(s, final, hash, err);
out_rm:
	bn_store_scratch_remove(s, tmp);
out:
	bn_skill_report_clear(&rep);
	bn_skill_manifest_free(m);
	free(final);
	free(tmp);
	free(dir);
	return r;
}

int bn_store_skill_edit(bn_store *s, const char *name, const char *text,
			size_t len, bn_skill_report *hints, bn_err *err)
{
	bn_store_skills one = { 0 };
	bn_strv names = { 0 };
	bn_skill_manifest *m = NULL, *old = NULL;
	char *tmp = NULL, *file = NULL, *final = NULL, *before = NULL;
	int r;

	bn_strv_push(&names, name);
	if ((r = bn_store_skills_named(&one, s, &names, err)))
		goto out;
	if (one.n == 0 || one.v[0].origin != BN_STORE_ORIGIN_STORE) {
		r = bn_err_set(err, BN_ENOTFOUND, "no skill '%s' in the store",
			       name);
		goto out;
	}
	file = bn_fs_join(one.v[0].dir, BN_SKILL_TREE_MARKER_FILE);
	if (strcmp(one.v[0].tier, "local") || bn_fs_is_file(file)) {
		r = bn_err_set(err, BN_EDENIED, "skill '%s' was installed "
			       "(tier %s): its files are its source's, so it "
			       "is updated from there, not edited", name,
			       one.v[0].tier);
		goto out;
	}
	free(file);
	/* the new text must load as the skill would, before it replaces
	   anything */
	if ((r = bn_store__scratch_make(&tmp, s, "tmp", err)))
		goto out;
	file = bn_fs_join(tmp, "SKILL.md");
	if ((r = bn_fs_write_atomic(file, text, len, 0644, err)))
		goto out;
	if ((r = bn_skill_manifest_load(&m, file, NULL, err))) {
		/* "SKILL.md:1: ...", not the scratch folder it was tried in */
		size_t n = strlen(tmp);

		if (err && !strncmp(err->msg, tmp, n) && err->msg[n] == '/')
			memmove(err->msg, err->msg + n + 1,
				strlen(err->msg + n + 1) + 1);
		goto out;
	}
	if (strcmp(m->name, name)) {
		r = bn_err_set(err, BN_EINVAL, "SKILL.md: name: must stay "
			       "'%s' (a new name is a new skill)", name);
		goto out;
	}
	if (hints)
		(void)bn_skill_validate_text(hints, text, len, NULL, name);
	before = bn_store__index_hash(s, name);
	if (before)
		(void)bn_skill_manifest_load(&old, one.v[0].dir, NULL, NULL);
	final = bn_fs_join(one.v[0].dir, "SKILL.md");
	r = bn_fs_write_atomic(final, text, len, 0644, err);
	/* new bytes are a new identity, stored for the homes that share
	   the database (without a record, the next open settles it) */
	if (!r && before)
		r = bn_store__skill_reidentify(s, name, before, old, err);
out:
	bn_skill_manifest_free(old);
	free(before);
	if (tmp)
		bn_store_scratch_remove(s, tmp);
	bn_skill_manifest_free(m);
	bn_store_skills_clear(&one);
	bn_strv_clear(&names);
	free(tmp);
	free(file);
	free(final);
	return r;
}

int bn_store_skill_remove(bn_store *s, const char *name, bn_err *err)
{
	char *final, *tree;
	int r;

	if (!bn_skill_name_is_slug(name))
		return bn_err_set(err, BN_EINVAL, "'%s' is not a skill name",
				  name);
	final = bn_fs_join(s->skills_dir, name);
	if (!bn_fs_is_dir(final)) {
		free(final);
		return bn_err_set(err, BN_ENOTFOUND,
				  "no skill '%s' in the store (%s)", name,
				  s->skills_dir);
	}
	free(final);
	tree = bn_store__index_hash(s, name);
	r = trash_folder(s, name, err);
	if (!r) {
		bn_fault("remove-after-commit");
		bn_store__had_set(s, name, NULL);
		r = bn_store__index_remove(s, name, err);
	}
	if (!r)
		r = bn_store__attachments_remove(s, name, err);
	/* grants die with their skill: a later skill of the name, other
	   bytes, inherits none */
	if (!r)
		r = bn_store__grants_forget(s, name, err);
	/* and its files leave the database: every other home drops its
	   copy at its next open */
	if (!r)
		r = bn_store__tree_forget(s, tree, err);
	free(tree);
	return r;
}
