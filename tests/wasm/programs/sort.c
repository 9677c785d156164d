/* SPDX-License-Identifier: MIT */
/* sort.c - qsort and bsearch over ints, doubles, strings and structs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rng = 12345;

static uint32_t next(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int cmp_dbl_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x < y) - (x > y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct rec {
	char name[8];
	int age;
	int id;
};

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	if (x->age != y->age)
		return x->age - y->age;
	int c = strcmp(x->name, y->name);
	return c ? c : x->id - y->id;
}

int main(void)
{
	enum { N = 200000 };
	int *v = malloc(N * sizeof *v);
	for (int i = 0; i < N; i++)
		v[i] = (int)(next() % 1000000) - 500000;
	qsort(v, N, sizeof *v, cmp_int);
	uint64_t h = 0;
	for (int i = 0; i < N; i++) {
		if (i && v[i - 1] > v[i])
			printf("unsorted at %d\n", i);
		h = h * 31 + (uint32_t)v[i];
	}
	printf("ints min=%d max=%d median=%d hash=%llu\n", v[0], v[N - 1],
	       v[N / 2], (unsigned long long)h);
	int key = v[777];
	int *hit = bsearch(&key, v, N, sizeof *v, cmp_int);
	printf("bsearch %d found=%d\n", key, hit && *hit == key);
	free(v);

	double d[1000];
	for (int i = 0; i < 1000; i++)
		d[i] = (double)(next() % 100000) / 7.0;
	qsort(d, 1000, sizeof *d, cmp_dbl_desc);
	printf("doubles %.4f %.4f %.4f\n", d[0], d[500], d[999]);

	const char *words[] = { "pear", "apple", "fig", "banana", "cherry",
				"kiwi", "date", "grape", "lemon", "mango",
				"apple", "Zebra", "zebra", "_under" };
	size_t nw = sizeof words / sizeof words[0];
	char **w = malloc(nw * sizeof *w);
	for (size_t i = 0; i < nw; i++)
		w[i] = (char *)words[i];
	qsort(w, nw, sizeof *w, cmp_str);
	for (size_t i = 0; i < nw; i++)
		printf("%s%c", w[i], i + 1 < nw ? ' ' : '\n');
	free(w);

	struct rec r[64];
	for (int i = 0; i < 64; i++) {
		snprintf(r[i].name, sizeof r[i].name, "n%02u", next() % 20);
		r[i].age = (int)(next() % 5) + 20;
		r[i].id = i;
	}
	qsort(r, 64, sizeof r[0], cmp_rec);
	for (int i = 0; i < 64; i += 8)
		printf("rec %s %d %d\n", r[i].name, r[i].age, r[i].id);
	return 0;
}
