/* SPDX-License-Identifier: MIT */
/* alloc.c - malloc-heavy: many small blocks, frees in odd orders,
 * realloc growth, a linked list and a hash table that rehashes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rng = 42;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

struct node {
	struct node *next;
	uint32_t val;
	char pad[20];
};

struct entry {
	char *key;
	uint32_t val;
	struct entry *next;
};

struct table {
	struct entry **b;
	size_t nb, n;
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;
	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static void put(struct table *t, const char *k, uint32_t v)
{
	if (t->n >= t->nb * 2) {
		size_t nb = t->nb ? t->nb * 2 : 8;
		struct entry **b = calloc(nb, sizeof *b);
		for (size_t i = 0; i < t->nb; i++) {
			for (struct entry *e = t->b[i], *nx; e; e = nx) {
				nx = e->next;
				e->next = b[hash(e->key) % nb];
				b[hash(e->key) % nb] = e;
			}
		}
		free(t->b);
		t->b = b;
		t->nb = nb;
	}
	struct entry **slot = &t->b[hash(k) % t->nb];
	for (struct entry *e = *slot; e; e = e->next) {
		if (!strcmp(e->key, k)) {
			e->val += v;
			return;
		}
	}
	struct entry *e = malloc(sizeof *e);
	e->key = strdup(k);
	e->val = v;
	e->next = *slot;
	*slot = e;
	t->n++;
}

int main(void)
{
	enum { N = 50000 };
	void **blocks = calloc(N, sizeof *blocks);
	size_t live = 0, total = 0;
	for (int round = 0; round < 6; round++) {
		for (int i = 0; i < N; i++) {
			if (blocks[i] && next() % 3 == 0) {
				free(blocks[i]);
				blocks[i] = NULL;
				live--;
			} else if (!blocks[i]) {
				size_t sz = 1 + next() % (round % 2 ? 4000 : 64);
				blocks[i] = malloc(sz);
				memset(blocks[i], (int)(sz & 0xff), sz);
				total += sz;
				live++;
			}
		}
		printf("round %d live=%zu\n", round, live);
	}
	for (int i = N - 1; i >= 0; i--)
		free(blocks[i]);
	free(blocks);
	printf("allocated bytes=%zu\n", total);

	char *s = NULL;
	size_t len = 0;
	for (int i = 0; i < 20000; i++) {
		char tmp[16];
		int n = snprintf(tmp, sizeof tmp, "%d,", i);
		char *ns = realloc(s, len + (size_t)n + 1);
		if (!ns)
			return 1;
		s = ns;
		memcpy(s + len, tmp, (size_t)n + 1);
		len += (size_t)n;
	}
	uint32_t h = hash(s);
	printf("realloc string len=%zu hash=%u\n", len, h);
	free(s);

	struct node *head = NULL;
	for (uint32_t i = 0; i < 100000; i++) {
		struct node *n = malloc(sizeof *n);
		n->val = i * 7;
		n->next = head;
		head = n;
	}
	uint64_t sum = 0;
	while (head) {
		struct node *n = head;
		head = n->next;
		sum += n->val;
		free(n);
	}
	printf("list sum=%llu\n", (unsigned long long)sum);

	struct table t = { 0 };
	for (int i = 0; i < 30000; i++) {
		char k[24];
		snprintf(k, sizeof k, "key%u", next() % 5000);
		put(&t, k, (uint32_t)i);
	}
	uint64_t vs = 0;
	for (size_t i = 0; i < t.nb; i++) {
		for (struct entry *e = t.b[i], *nx; e; e = nx) {
			nx = e->next;
			vs += e->val;
			free(e->key);
			free(e);
		}
	}
	free(t.b);
	printf("table n=%zu buckets=%zu sum=%llu\n", t.n, t.nb,
	       (unsigned long long)vs);

	int *big = malloc(16 << 20);
	for (int i = 0; i < (4 << 20); i++)
		big[i] = i;
	printf("big %d\n", big[(4 << 20) - 1]);
	big = realloc(big, 32 << 20);
	printf("big after realloc %d\n", big[12345]);
	free(big);
	return 0;
}
