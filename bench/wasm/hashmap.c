/* SPDX-License-Identifier: MIT */
/*
 * bench/wasm/hashmap.c - an open-addressing hash map (linear probing,
 * deletion by backward shift, growth by doubling) put through inserts,
 * hits, misses and deletes of 64-bit keys; then the surviving keys are
 * sorted twice, by a hand-written quicksort (median of three, insertion
 * sort for short runs) and by a bottom-up merge sort, and compared.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* run.sh builds with -DBENCH_SCALE=N to make the run N times longer */
#ifndef BENCH_SCALE
#define BENCH_SCALE 1
#endif

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "hashmap: out of memory\n");
		exit(1);
	}
	return p;
}

/* ---- map -------------------------------------------------------------- */

struct slot {
	uint64_t key;          /* 0 = empty; keys are never 0 */
	uint32_t val;
};

struct map {
	struct slot *s;
	size_t mask, n;
	uint64_t probes;
};

static size_t home(const struct map *m, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ull;
	return (size_t)(h ^ h >> 32) & m->mask;
}

static void map_init(struct map *m, size_t cap)
{
	m->s = xmalloc(cap * sizeof *m->s);
	memset(m->s, 0, cap * sizeof *m->s);
	m->mask = cap - 1;
	m->n = 0;
	m->probes = 0;
}

static int map_put(struct map *m, uint64_t key, uint32_t val);

static void map_grow(struct map *m)
{
	struct map old = *m;
	map_init(m, (old.mask + 1) * 2);
	m->probes = old.probes;
	for (size_t i = 0; i <= old.mask; i++)
		if (old.s[i].key)
			(void)map_put(m, old.s[i].key, old.s[i].val);
	free(old.s);
}

/* Returns 1 if KEY was new. */
static int map_put(struct map *m, uint64_t key, uint32_t val)
{
	if ((m->n + 1) * 8 > (m->mask + 1) * 7)
		map_grow(m);
	size_t i = home(m, key);
	for (;; i = (i + 1) & m->mask) {
		m->probes++;
		if (m->s[i].key == key) {
			m->s[i].val = val;
			return 0;
		}
		if (!m->s[i].key)
			break;
	}
	m->s[i].key = key;
	m->s[i].val = val;
	m->n++;
	return 1;
}

static struct slot *map_get(struct map *m, uint64_t key)
{
	for (size_t i = home(m, key);; i = (i + 1) & m->mask) {
		m->probes++;
		if (m->s[i].key == key)
			return &m->s[i];
		if (!m->s[i].key)
			return NULL;
	}
}

/* Delete KEY; shift later members of its cluster back so no tombstone
   is needed.  Returns 1 if it was there. */
static int map_del(struct map *m, uint64_t key)
{
	struct slot *hit = map_get(m, key);
	if (!hit)
		return 0;
	size_t hole = (size_t)(hit - m->s);
	for (size_t i = (hole + 1) & m->mask; m->s[i].key;
	     i = (i + 1) & m->mask) {
		size_t h = home(m, m->s[i].key);
		/* may slot i's entry move to hole?  yes unless its home lies
		   cyclically in (hole, i] */
		int stays = hole <= i ? (h > hole && h <= i) :
					(h > hole || h <= i);
		if (!stays) {
			m->s[hole] = m->s[i];
			hole = i;
		}
	}
	m->s[hole].key = 0;
	m->n--;
	return 1;
}

/* ---- sorting ---------------------------------------------------------- */

static void insertion(uint64_t *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint64_t v = a[i];
		size_t j = i;
		for (; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

static void quick(uint64_t *a, size_t n)
{
	while (n > 16) {
		size_t mid = n / 2, last = n - 1;
		uint64_t t;
		/* median of three into a[mid] */
		if (a[mid] < a[0]) { t = a[mid]; a[mid] = a[0]; a[0] = t; }
		if (a[last] < a[mid]) {
			t = a[last]; a[last] = a[mid]; a[mid] = t;
			if (a[mid] < a[0]) { t = a[mid]; a[mid] = a[0]; a[0] = t; }
		}
		uint64_t pivot = a[mid];
		size_t i = 0, j = last;
		for (;;) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i >= j)
				break;
			t = a[i];
			a[i] = a[j];
			a[j] = t;
			i++;
			j--;
		}
		/* [0, j] <= pivot <= [j+1, n); recurse on the smaller */
		size_t left = j + 1;
		if (left < n - left) {
			quick(a, left);
			a += left;
			n -= left;
		} else {
			quick(a + left, n - left);
			n = left;
		}
	}
	insertion(a, n);
}

static void merge_sort(uint64_t *a, uint64_t *tmp, size_t n)
{
	uint64_t *src = a, *dst = tmp;
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				dst[k++] = src[j] < src[i] ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
}

/* ---- driver ----------------------------------------------------------- */

static uint64_t state = 0x853c49e6748fea9bull;

static uint64_t rnd(void)
{
	state = state * 6364136223846793005ull + 1442695040888963407ull;
	uint64_t x = state;
	x ^= x >> 33;
	return x * 0xff51afd7ed558ccdull;
}

int main(void)
{
	enum { N = 150000, ROUNDS = 6 * BENCH_SCALE };
	uint64_t *keys = xmalloc(N * sizeof *keys);
	uint64_t check = 0;
	struct map m;
	for (int round = 0; round < ROUNDS; round++) {
		size_t fresh = 0, hits = 0, misses = 0, deleted = 0;
		map_init(&m, 1024);
		for (size_t i = 0; i < N; i++) {
			/* about one key in eight repeats an earlier one */
			keys[i] = (i > 0 && rnd() % 8 == 0) ?
					  keys[rnd() % i] :
					  rnd() >> (round % 6 * 8) | 1;
			fresh += (size_t)map_put(&m, keys[i], (uint32_t)i);
		}
		for (size_t i = 0; i < 2 * N; i++) {
			uint64_t k = i & 1 ? keys[(i * 7) % N] :
					     rnd() | 1;
			struct slot *s = map_get(&m, k);
			if (s) {
				hits++;
				check += s->val;
			} else {
				misses++;
			}
		}
		for (size_t i = 0; i < N; i += 3)
			deleted += (size_t)map_del(&m, keys[i]);
		/* every deleted key is gone, every survivor still found */
		int ok = m.n == fresh - deleted;
		for (size_t i = 0; i < N; i += 3)
			ok &= map_get(&m, keys[i]) == NULL;
		for (size_t i = 0; i <= m.mask; i++)
			if (m.s[i].key)
				ok &= map_get(&m, m.s[i].key) == &m.s[i];
		if (!ok) {
			printf("round %d: MAP BROKEN\n", round);
			return 1;
		}
		size_t live = 0;
		for (size_t i = 0; i < N; i++)
			live += map_get(&m, keys[i]) != NULL;
		/* collect and sort the survivors */
		uint64_t *a = xmalloc(m.n * sizeof *a),
			 *b = xmalloc(m.n * sizeof *b),
			 *t = xmalloc(m.n * sizeof *t);
		size_t n = 0;
		for (size_t i = 0; i <= m.mask; i++)
			if (m.s[i].key)
				a[n++] = m.s[i].key;
		memcpy(b, a, n * sizeof *a);
		quick(a, n);
		merge_sort(b, t, n);
		int sorted = 1;
		for (size_t i = 1; i < n; i++)
			if (a[i - 1] >= a[i])
				sorted = 0;
		if (!sorted || memcmp(a, b, n * sizeof *a)) {
			printf("round %d: SORT FAILED\n", round);
			return 1;
		}
		uint64_t h = 0;
		for (size_t i = 0; i < n; i += 97)
			h = h * 31 + a[i];
		printf("round %d: unique=%zu hits=%zu misses=%zu deleted=%zu "
		       "live=%zu left=%zu probes=%llu sorted=%016llx\n",
		       round, fresh, hits, misses, deleted, live, n,
		       (unsigned long long)m.probes, (unsigned long long)h);
		check = check * 1000003u ^ h;
		free(a);
		free(b);
		free(t);
		free(m.s);
	}
	printf("check=%016llx\n", (unsigned long long)check);
	free(keys);
	return 0;
}
