/* SPDX-License-Identifier: MIT */
/*
 * store/scan.c - listing the store's skills at a cost that does not grow
 * with what did not change.
 *
 * Owns: the stat keys of the store's folders (what a folder and its
 * SKILL.md looked like: device, inode, size, mtime and ctime to the
 * nanosecond), the cached lenient load of each store skill's manifest
 * (skill_index.seen, skill_index.manifest) and the key of the skills
 * folder itself (store_state), which lets bn_store_open skip the
 * reconcile when no folder was added, removed or renamed.
 *
 * A key says "unchanged" only when every one of its fields is equal,
 * ctime included: ctime cannot be set from user space, so an edit that
 * keeps the size and puts the mtime back (touch -r) still changes it.  A
 * key is recorded only when it is older than BN_STORE__KEY_SETTLE_NS:
 * timestamps are coarse (a kernel tick), so an edit made in the same
 * tick as the stat we took could leave every field equal; such "racy"
 * keys are not kept, and the next open looks again.
 *
 * This cache is for listing only.  What runs is identified by the hash
 * of the bytes the runner loads, never by anything here.
 */
#include "store_int.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fs.h"

/* A key is kept only when its newest timestamp is this much older than
   the clock (more than a timestamp tick on any local file system). */
#define BN_STORE__KEY_SETTLE_NS 1000000000LL

static long long ns_of(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return ns_of(&t);
}

/* The stat key of folder DIR (owned), or NULL when it is no folder or
   changed too recently for its key to be trusted (see above). */
char *bn_store__dir_key(const char *dir)
{
	long long start = now_ns(), m, c;
	struct stat st;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return NULL;
	m = ns_of(&st.st_mtim);
	c = ns_of(&st.st_ctim);
	if ((m > c ? m : c) >= start - BN_STORE__KEY_SETTLE_NS)
		return NULL;
	return bn_xasprintf("%llu:%llu:%lld:%lld",
			    (unsigned long long)st.st_dev,
			    (unsigned long long)st.st_ino, m, c);
}

/* What a skill folder looked like: the folder's inode, which manifest
   file (0 SKILL.md, 1 skill.md), and that file's device, inode, size,
   mtime and ctime (ns).  Kept as is in skill_index.seen. */
typedef struct skill_key {
	int64_t v[7];
} skill_key;

/*
 * The key of skill folder NAME of the folder open as DFD, whose entry
 * gave inode INO, with the manifest file bn_skill_find_file would choose
 * (SKILL.md, else skill.md).  False when it has no manifest file or the
 * key is racy.
 */
static bool skill_key_get(skill_key *k, int dfd, const char *name,
			  unsigned long long ino, long long start)
{
	static const char *const files[] = { "SKILL.md", "skill.md" };
	struct stat st;

	for (int i = 0; i < 2; i++) {
		char rel[300];
		snprintf(rel, sizeof(rel), "%s/%s", name, files[i]);
		if (fstatat(dfd, rel, &st, 0) == 0 && S_ISREG(st.st_mode)) {
			long long m = ns_of(&st.st_mtim);
			long long c = ns_of(&st.st_ctim);
			*k = (skill_key){ { (int64_t)ino, i,
				(int64_t)st.st_dev, (int64_t)st.st_ino,
				(int64_t)st.st_size, m, c } };
			return (m > c ? m : c) <
				start - BN_STORE__KEY_SETTLE_NS;
		}
	}
	return false;
}

/* Whether entry DE of the folder open as DFD is a folder. */
static bool entry_is_dir(int dfd, const struct dirent *de)
{
	struct stat st;

	if (de->d_type == DT_DIR)
		return true;
	if (de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
		return false;
	return fstatat(dfd, de->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

/* ---- the cached manifest ----------------------------------------------
 * A flat record: each string as a 4-byte length (0xffffffff for NULL)
 * and its bytes, each list as a 4-byte count and its strings, in the
 * order below.  A record that does not decode is a cache miss. */

static int put_str(bn_buf *b, const char *s)
{
	unsigned char n[4];
	size_t len = s ? strlen(s) : 0;
	uint32_t v = s ? (uint32_t)len : 0xffffffffu;

	for (int i = 0; i < 4; i++)
		n[i] = (unsigned char)(v >> (8 * i));
	if (bn_buf_append(b, n, 4))
		return -1;
	return s && len ? bn_buf_append(b, s, len) : 0;
}

static int put_strv(bn_buf *b, const bn_strv *v)
{
	unsigned char n[4];

	for (int i = 0; i < 4; i++)
		n[i] = (unsigned char)((uint32_t)v->n >> (8 * i));
	if (bn_buf_append(b, n, 4))
		return -1;
	for (size_t i = 0; i < v->n; i++)
		if (put_str(b, v->v[i]))
			return -1;
	return 0;
}

#define BN_STORE__REC_STRS 11   /* the strings of a record, type first */
#define BN_STORE__REC_LISTS 8   /* its lists, the warnings last */

static int encode(bn_buf *b, const bn_skill_manifest *m,
		  const bn_strv *warnings)
{
	char type[2] = { (char)('0' + (int)m->type), '\0' };
	const char *const s[] = { type, m->dir, m->file, m->name,
		m->description, m->license, m->compatibility,
		m->allowed_tools, m->body, m->version, m->author };
	const bn_strv *const v[] = { &m->meta_keys, &m->meta_vals,
		&m->capabilities, &m->parents, &m->dependencies,
		&m->conflicts_with, &m->secrets, warnings };
	size_t i;

	_Static_assert(sizeof(s) / sizeof(*s) == BN_STORE__REC_STRS &&
		       sizeof(v) / sizeof(*v) == BN_STORE__REC_LISTS,
		       "decode() reads what encode() writes");

	for (i = 0; i < sizeof(s) / sizeof(*s); i++)
		if (put_str(b, s[i]))
			return -1;
	for (i = 0; i < sizeof(v) / sizeof(*v); i++)
		if (put_strv(b, v[i]))
			return -1;
	return 0;
}

/* Reads a record.  With OUT set, strings are copied into the block
   OUT points into and lists take their arrays from PTRS; without, each
   is an allocation of its own. */
typedef struct reader {
	const unsigned char *p;
	size_t left;
	bool bad;
	char *out;
	char **ptrs;
} reader;

static uint32_t get_u32(reader *r)
{
	uint32_t v = 0;

	if (r->bad || r->left < 4) {
		r->bad = true;
		return 0;
	}
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)r->p[i] << (8 * i);
	r->p += 4;
	r->left -= 4;
	return v;
}

/* The length of the next string (0xffffffff: NULL), checked to fit and
   to hold no NUL; *R is bad when it does not. */
static uint32_t str_len(reader *r)
{
	uint32_t n = get_u32(r);

	if (r->bad || n == 0xffffffffu)
		return 0xffffffffu;
	if (n > r->left || memchr(r->p, '\0', n)) {
		r->bad = true;
		return 0xffffffffu;
	}
	return n;
}

static char *get_str(reader *r)
{
	uint32_t n = str_len(r);
	char *s;

	if (n == 0xffffffffu)
		return NULL;
	if (r->out) {
		s = r->out;
		r->out += (size_t)n + 1;
	} else {
		s = bn_xmalloc((size_t)n + 1);
	}
	memcpy(s, r->p, n);
	s[n] = '\0';
	r->p += n;
	r->left -= n;
	return s;
}

/* The count of the next list, checked against what is left (each
   string takes at least its 4-byte length). */
static uint32_t list_len(reader *r)
{
	uint32_t n = get_u32(r);

	if (!r->bad && n > r->left / 4)
		r->bad = true;
	return r->bad ? 0 : n;
}

static void get_strv(reader *r, bn_strv *v)
{
	uint32_t n = list_len(r);

	if (n == 0)
		return;
	if (r->ptrs) {
		v->v = r->ptrs;
		r->ptrs += n;
	} else {
		v->v = bn_xcalloc(n, sizeof(*v->v));
	}
	for (v->n = 0; v->n < n && !r->bad; v->n++)
		if (!(v->v[v->n] = get_str(r)))
			r->bad = true;
}

/* The number of list entries in record P..N, for the pointer arrays of
   the block decode() packs it into. */
static size_t list_entries(const void *p, size_t n)
{
	reader r = { p, n, false, NULL, NULL };
	size_t k = 0;
	uint32_t c, len;
	int i;

	for (i = 0; i < BN_STORE__REC_STRS + BN_STORE__REC_LISTS &&
	     !r.bad; i++) {
		c = i < BN_STORE__REC_STRS ? 1 : list_len(&r);
		if (i >= BN_STORE__REC_STRS)
			k += c;
		while (c-- && !r.bad)
			if ((len = str_len(&r)) != 0xffffffffu) {
				r.p += len;
				r.left -= len;
			}
	}
	return k;
}

/*
 * M (owned) and WARNINGS (appended) from record P..N; false when it does
 * not decode.  The manifest is packed: its struct, list arrays and
 * strings in one allocation (listing 10,000 skills makes one allocation
 * per skill, not a dozen).  Each string of the record takes its 4-byte
 * length there and at most one byte more than its length here, so N
 * bytes hold the strings.
 */
static bool decode(bn_skill_manifest **out, bn_strv *warnings,
		   const void *p, size_t n)
{
	size_t k = list_entries(p, n);
	bn_skill_manifest *m;
	char **ptrs;
	reader r;
	bn_strv w = { 0 };
	size_t i;

	if (k > n)  /* each entry takes at least 4 bytes of the record */
		return false;
	m = bn_xcalloc(1, sizeof(*m) + k * sizeof(char *) + n);
	ptrs = (char **)(m + 1);
	r = (reader){ p, n, false, (char *)(ptrs + k), ptrs };
	m->packed = true;
	char **const s[] = { NULL, &m->dir, &m->file, &m->name,
		&m->description, &m->license, &m->compatibility,
		&m->allowed_tools, &m->body, &m->version, &m->author };
	bn_strv *const v[] = { &m->meta_keys, &m->meta_vals,
		&m->capabilities, &m->parents, &m->dependencies,
		&m->conflicts_with, &m->secrets };

	/* the type: one digit, read in place */
	if (get_u32(&r) != 1 || r.left < 1 || r.p[0] < '0' ||
	    r.p[0] >= '0' + BN_SKILL_TYPE_MAX) {
		r.bad = true;
	} else {
		m->type = (bn_skill_type)(r.p[0] - '0');
		r.p++;
		r.left--;
	}
	for (i = 1; i < sizeof(s) / sizeof(*s); i++)
		*s[i] = get_str(&r);
	for (i = 0; i < sizeof(v) / sizeof(*v); i++)
		get_strv(&r, v[i]);
	assert(r.bad || (r.out <= (char *)(ptrs + k) + n && r.ptrs <= ptrs + k));
	/* the warnings go to the caller: allocations of their own */
	r.out = NULL;
	r.ptrs = NULL;
	get_strv(&r, &w);
	if (r.bad || r.left || !m->dir || !m->file || !m->name ||
	    !m->description || !m->body) {
		free(m);
		bn_strv_clear(&w);
		return false;
	}
	for (i = 0; i < w.n; i++)
		bn_strv_push(warnings, w.v[i]);
	bn_strv_clear(&w);
	*out = m;
	return true;
}

/* ---- the skills folder's key ------------------------------------------ */

int bn_store__dir_key_get(char **out, bn_store *s, bn_err *err)
{
	const bn_store__shape sh = { sizeof(*out), NULL, 0,
				     bn_store__text_row, NULL };
	bool found = false;

	*out = NULL;
	return bn_store__select_one(out, &found, &sh, s, "SELECT value"
				    " FROM store_state WHERE key = 'skills_dir'",
				    NULL, 0, err);
}

int bn_store__dir_key_set(bn_store *s, const char *key, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(key) };

	if (!key)
		return bn_store__exec(s, "DELETE FROM store_state"
				      " WHERE key = 'skills_dir'", err);
	return bn_store__run(s, "INSERT INTO store_state (key, value)"
			     " VALUES ('skills_dir', ?1) ON CONFLICT (key)"
			     " DO UPDATE SET value = excluded.value",
			     a, BN_STORE__NARGS(a), err);
}

/* ---- listing ---------------------------------------------------------- */

/* A folder of the store, as readdir gave it. */
typedef struct entry {
	const char *name;  /* in the entries' arena */
	unsigned long long ino;
	bool done;         /* added to the list */
} entry;

/* The folders of the skills folder, by name, their names in one arena. */
typedef struct entries {
	entry *v;
	size_t n;
	bn_buf names;
	int dfd;           /* the skills folder, open */
} entries;

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

static void entries_clear(entries *es)
{
	free(es->v);
	bn_buf_clear(&es->names);
	if (es->dfd >= 0)
		close(es->dfd);
}

/* Read the skills folder into *ES (cleared with entries_clear, also on
   failure). */
static int entries_read(entries *es, bn_store *s, bn_err *err)
{
	DIR *d = opendir(s->skills_dir);
	struct dirent *de;
	size_t i;

	memset(es, 0, sizeof(*es));
	es->dfd = -1;
	bn_buf_init(&es->names, 0);
	if (!d)
		return bn_err_set(err, BN_EIO, "%s: %s", s->skills_dir,
				  strerror(errno));
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len > 255 ||
		    !entry_is_dir(dirfd(d), de))
			continue;
		if ((es->n & (es->n - 1)) == 0)
			es->v = bn_xrealloc(es->v, (es->n ? 2 * es->n : 1) *
					    sizeof(*es->v));
		/* the offset for now: the arena may move */
		es->v[es->n].name = (const char *)(uintptr_t)es->names.len;
		es->v[es->n].done = false;
		es->v[es->n++].ino = (unsigned long long)de->d_ino;
		if (bn_buf_append(&es->names, de->d_name, len + 1)) {
			closedir(d);
			return bn_err_oom(err);
		}
	}
	es->dfd = dup(dirfd(d));
	closedir(d);
	if (es->dfd < 0)
		return bn_err_set(err, BN_EIO, "%s: %s", s->skills_dir,
				  strerror(errno));
	for (i = 0; i < es->n; i++)
		es->v[i].name = es->names.data + (uintptr_t)es->v[i].name;
	if (es->n > 1)
		qsort(es->v, es->n, sizeof(*es->v), entry_cmp);
	return 0;
}

/* A fresh load to write back into the index. */
typedef struct fill {
	char *name;
	skill_key key;
	bn_buf rec;
	const bn_skill_manifest *m;  /* borrowed from the list */
} fill;

static int fills_write(bn_store *s, fill *f, size_t n, bn_err *err)
{
	int r = 0;

	for (size_t i = 0; i < n && r == 0; i++) {
		const bn_store__arg a[] = {
			BN_STORE__TEXT(f[i].name),
			BN_STORE__BLOB(&f[i].key, sizeof(f[i].key)),
			BN_STORE__BLOB(f[i].rec.data, f[i].rec.len),
			BN_STORE__TEXT(bn_skill_type_name(f[i].m->type)),
			BN_STORE__TEXT(f[i].m->version),
			BN_STORE__TEXT(f[i].m->description),
		};
		r = bn_store__run(s, "UPDATE skill_index SET seen = ?2,"
				  " manifest = ?3, type = ?4, version = ?5,"
				  " description = ?6 WHERE name = ?1",
				  a, BN_STORE__NARGS(a), err);
	}
	return r;
}

/* Keep the fresh loads for the next listing.  Only a cache: a store
   another process holds locked, or one we cannot write, is left as it
   is, and at once, so listing never waits for a writer. */
static void fills_save(bn_store *s, fill *f, size_t n)
{
	bool own = !bn_store__in_tx(s);

	if (!n)
		return;
	bn_store_lock_timeout_set(s, 0);
	if (own && bn_store_tx_begin(s, NULL) == 0) {
		if (fills_write(s, f, n, NULL) || bn_store_tx_commit(s, NULL))
			bn_store_tx_rollback(s);
	} else if (!own) {
		(void)fills_write(s, f, n, NULL);
	}
	bn_store_lock_timeout_set(s, BN_STORE_BUSY_TIMEOUT_MS);
}

/* Add folder E of the store to L, from the index row ST stands on
   (NULL: none) when its key is the one the row saw, else loaded afresh
   (and queued in *FILLS to be cached).  *stale when a valid folder has
   no row yet. */
static void scan_one(bn_store_skills *l, bn_store *s, int dfd,
		     const entry *e, bn_store__stmt *st, long long start,
		     fill **fills, size_t *nfills, bool *stale)
{
	size_t seen_n = 0, man_n = 0;
	const void *seen = st ? bn_store__col_blob(st, 3, &seen_n) : NULL;
	const void *man = st ? bn_store__col_blob(st, 4, &man_n) : NULL;
	const char *tier = st ? bn_store__col_text(st, 1) : NULL;
	const char *hash = st ? bn_store__col_text(st, 2) : NULL;
	skill_key key;
	bool keyed = skill_key_get(&key, dfd, e->name, e->ino, start);
	bn_skill_manifest *m = NULL;
	bn_strv warn = { 0 };

	if (!(keyed && seen &&
	      seen_n == sizeof(key) && !memcmp(seen, &key, sizeof(key)) &&
	      decode(&m, &warn, man, man_n))) {
		char *dir = bn_fs_join(s->skills_dir, e->name);
		bn_store__load_skill(&m, &warn, dir);
		free(dir);
		if (m && !st)
			*stale = true;
		if (m && st && keyed) {
			fill *f;
			if ((*nfills & (*nfills - 1)) == 0)
				*fills = bn_xrealloc(*fills, (*nfills ?
					2 * *nfills : 1) * sizeof(**fills));
			f = &(*fills)[(*nfills)++];
			f->name = bn_xstrdup(e->name);
			f->key = key;
			f->m = m;
			bn_buf_init(&f->rec, 0);
			if (encode(&f->rec, m, &warn))
				bn_buf_clear(&f->rec);
		}
	}
	for (size_t i = 0; i < warn.n; i++)
		bn_strv_push(&l->warnings, warn.v[i]);
	bn_strv_clear(&warn);
	if (!m)
		return;
	bn_store_skill *sk = bn_store__skills_add_store(l, e->name,
		s->skills_dir, tier ? tier : "local",
		hash && *hash ? hash : NULL);
	sk->origin = BN_STORE_ORIGIN_STORE;
	sk->manifest = m;
	sk->installed = true;
}

/* One scan of the store's folder into L: each row of the index with
   its folder, then the folders without a row; *stale as scan_one. */
static int scan(bn_store_skills *l, bn_store *s, bool *stale, bn_err *err)
{
	long long start = now_ns();
	entries es;
	entry *e;
	fill *fills = NULL;
	size_t nfills = 0, i;
	bn_store__stmt *st;
	int r;

	if ((r = entries_read(&es, s, err)))
		goto out;
	/* in the table's order: no lookup of the name index per row */
	if ((r = bn_store__query(&st, s, "SELECT name, tier, tree_hash, seen,"
				 " manifest FROM skill_index", NULL, 0, err)))
		goto out;
	while ((r = bn_store__step(s, st, err)) == 1) {
		entry key = { .name = bn_store__col_text(st, 0) };
		if (!key.name || !(e = bsearch(&key, es.v, es.n, sizeof(*e),
					       entry_cmp)))
			continue;
		e->done = true;
		scan_one(l, s, es.dfd, e, st, start, &fills, &nfills, stale);
	}
	bn_store__done(s, st);
	if (r < 0)
		goto out;
	for (i = 0; i < es.n; i++)
		if (!es.v[i].done)
			scan_one(l, s, es.dfd, &es.v[i], NULL, start, &fills,
				 &nfills, stale);
	if (!*stale)
		fills_save(s, fills, nfills);
out:
	entries_clear(&es);
	for (i = 0; i < nfills; i++) {
		free(fills[i].name);
		bn_buf_clear(&fills[i].rec);
	}
	free(fills);
	return r;
}

int bn_store__scan_store(bn_store_skills *l, bn_store *s, bn_err *err)
{
	bool stale = false;
	int r = scan(l, s, &stale, err);

	if (r || !stale)
		return r;
	/* a folder came in behind the index's back: index it as the open
	   would have (its tree hash too), then list again */
	bn_store_skills_clear(l);
	if ((r = bn_store__reconcile_full(s, err)))
		return r;
	return scan(l, s, &stale, err);
}

/* ---- some skills, by name ---------------------------------------------- */

/* Whether L has a skill named NAME (L is being built: not sorted). */
static bool has_name(const bn_store_skills *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return true;
	return false;
}

/* Store skill NAME into L when it is a folder of the store; *stale as
   scan_one. */
static int add_named(bn_store_skills *l, bn_store *s, int dfd,
		     const char *name, long long start, fill **fills,
		     size_t *nfills, bool *stale, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(name) };
	entry e = { .name = name };
	bn_store__stmt *st;
	struct stat sb;
	int r;

	if (name[0] == '.' || strchr(name, '/') || strlen(name) > 255 ||
	    fstatat(dfd, name, &sb, 0) < 0 || !S_ISDIR(sb.st_mode))
		return 0;
	e.ino = (unsigned long long)sb.st_ino;
	if ((r = bn_store__query(&st, s, "SELECT name, tier, tree_hash, seen,"
				 " manifest FROM skill_index WHERE name = ?1",
				 a, BN_STORE__NARGS(a), err)))
		return r;
	r = bn_store__step(s, st, err);
	if (r >= 0)
		scan_one(l, s, dfd, &e, r == 1 ? st : NULL, start, fills,
			 nfills, stale);
	bn_store__done(s, st);
	return r < 0 ? r : 0;
}

/* Push the names M's skill needs (parents, dependencies) onto Q. */
static void push_needs(bn_strv *q, const bn_skill_manifest *m)
{
	for (size_t i = 0; i < m->parents.n; i++)
		bn_strv_push(q, m->parents.v[i]);
	for (size_t i = 0; i < m->dependencies.n; i++) {
		const char *d = m->dependencies.v[i];
		char *name = bn_xstrndup(d, strcspn(d, "@"));
		bn_strv_push(q, name);
		free(name);
	}
}

static int named(bn_store_skills *l, bn_store *s, const bn_strv *names,
		 bool *stale, bn_err *err)
{
	long long start = now_ns();
	bn_strv q = { 0 };
	fill *fills = NULL;
	size_t nfills = 0, i, done = 0;
	int dfd, r = 0;

	dfd = open(s->skills_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return bn_err_set(err, BN_EIO, "%s: %s", s->skills_dir,
				  strerror(errno));
	for (i = 0; i < names->n; i++)
		bn_strv_push(&q, names->v[i]);
	/* what L's skills need, then what those need, ... */
	for (i = 0; i < l->n; i++)
		push_needs(&q, l->v[i].manifest);
	while (r == 0 && done < q.n) {
		const char *name = q.v[done++];
		size_t before = l->n;
		if (has_name(l, name))
			continue;
		r = add_named(l, s, dfd, name, start, &fills, &nfills, stale,
			      err);
		if (r == 0 && l->n > before)
			push_needs(&q, l->v[before].manifest);
	}
	if (r == 0 && !*stale)
		fills_save(s, fills, nfills);
	close(dfd);
	for (i = 0; i < nfills; i++) {
		free(fills[i].name);
		bn_buf_clear(&fills[i].rec);
	}
	free(fills);
	bn_strv_clear(&q);
	return r;
}

int bn_store__scan_named(bn_store_skills *l, bn_store *s,
			 const bn_strv *names, bn_err *err)
{
	size_t n0 = l->n;
	bool stale = false;
	int r = named(l, s, names, &stale, err);

	if (r || !stale)
		return r;
	/* as bn_store__scan_store */
	while (l->n > n0)
		bn_store__skill_release(&l->v[--l->n], false);
	if ((r = bn_store__reconcile_full(s, err)))
		return r;
	return named(l, s, names, &stale, err);
}
