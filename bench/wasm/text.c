/* SPDX-License-Identifier: MIT */
/*
 * bench/wasm/text.c - text processing: generates lines of made-up words,
 * tokenizes them, counts word frequencies in a chained hash table, picks
 * the most frequent and the longest words (qsort), counts the lines
 * matching a few patterns with a small backtracking matcher (^ $ . [set]
 * [^set] \x and the postfix operators * + ?), and counts needles with a
 * Horspool substring search.
 */
#include <ctype.h>
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
		fprintf(stderr, "text: out of memory\n");
		exit(1);
	}
	return p;
}

static uint32_t seed = 0xdecafbadu;

static uint32_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

/* ---- generating text -------------------------------------------------- */

static size_t make_text(char *out, size_t size)
{
	static const char *const onset[] = { "b", "br", "c", "ch", "d", "f",
					     "g", "gr", "h", "k", "l", "m",
					     "n", "p", "pl", "r", "s", "st",
					     "t", "th", "v", "w", "" };
	static const char *const vowel[] = { "a", "e", "i", "o", "u", "ea",
					     "ou", "y" };
	static const char *const coda[] = { "", "", "n", "r", "s", "t",
					    "ng", "ck", "ll", "x" };
	enum { VOCAB = 3000 };
	static char vocab[VOCAB][24];
	for (int i = 0; i < VOCAB; i++) {
		int syl = 1 + (int)(rnd() % 3) + (rnd() % 9 == 0 ? 2 : 0);
		vocab[i][0] = '\0';
		for (int s = 0; s < syl; s++) {
			strcat(vocab[i], onset[rnd() % 23]);
			strcat(vocab[i], vowel[rnd() % 8]);
			strcat(vocab[i], coda[rnd() % 10]);
		}
	}
	size_t len = 0;
	while (len + 400 < size) {
		int words = 4 + (int)(rnd() % 12);
		for (int w = 0; w < words; w++) {
			uint32_t a = rnd() % VOCAB, b = rnd() % VOCAB;
			const char *s = vocab[a * b / VOCAB];
			size_t n = strlen(s);
			memcpy(out + len, s, n);
			if (w == 0 || rnd() % 17 == 0)
				out[len] = (char)toupper((unsigned char)s[0]);
			len += n;
			if (rnd() % 11 == 0)
				out[len++] = ',';
			if (rnd() % 40 == 0)
				len += (size_t)sprintf(out + len, " %u",
						       rnd() % 2000);
			out[len++] = w + 1 < words ? ' ' : '.';
		}
		out[len++] = '\n';
	}
	out[len] = '\0';
	return len;
}

/* ---- word counts ------------------------------------------------------ */

struct word {
	struct word *next;
	uint32_t count;
	uint32_t len;
	char s[];
};

struct counts {
	struct word **bucket;
	uint32_t mask, n;
};

static uint32_t str_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static void count_word(struct counts *c, const char *s, size_t n)
{
	uint32_t h = str_hash(s, n);
	struct word **p = &c->bucket[h & c->mask];
	for (struct word *w = *p; w; w = w->next)
		if (w->len == n && !memcmp(w->s, s, n)) {
			w->count++;
			return;
		}
	struct word *w = xmalloc(sizeof *w + n + 1);
	memcpy(w->s, s, n);
	w->s[n] = '\0';
	w->len = (uint32_t)n;
	w->count = 1;
	w->next = *p;
	*p = w;
	c->n++;
}

static size_t tokenize(struct counts *c, const char *text)
{
	char buf[64];
	size_t total = 0;
	const char *p = text;
	while (*p) {
		while (*p && !isalpha((unsigned char)*p))
			p++;
		size_t n = 0;
		while (isalpha((unsigned char)*p)) {
			if (n < sizeof buf)
				buf[n++] = (char)tolower((unsigned char)*p);
			p++;
		}
		if (n) {
			count_word(c, buf, n);
			total++;
		}
	}
	return total;
}

static int by_count(const void *a, const void *b)
{
	const struct word *x = *(struct word *const *)a,
			  *y = *(struct word *const *)b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->s, y->s);
}

static int by_length(const void *a, const void *b)
{
	const struct word *x = *(struct word *const *)a,
			  *y = *(struct word *const *)b;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return strcmp(x->s, y->s);
}

/* ---- pattern matching ------------------------------------------------- */

/* Length of the atom at P: a character, '.', \x, or a bracketed set. */
static size_t atom_len(const char *p)
{
	if (*p == '\\' && p[1])
		return 2;
	if (*p != '[')
		return 1;
	const char *q = p + 1;
	if (*q == '^')
		q++;
	if (*q == ']')
		q++;
	while (*q && *q != ']')
		q++;
	return (size_t)(q - p) + (*q ? 1 : 0);
}

static int atom_match(const char *p, char c)
{
	if (*p == '.')
		return c != '\0' && c != '\n';
	if (*p == '\\' && p[1])
		return p[1] == c;
	if (*p != '[')
		return *p == c;
	int neg = p[1] == '^', in = 0;
	const char *q = p + 1 + neg;
	do {
		if (q[1] == '-' && q[2] && q[2] != ']') {
			in |= c >= q[0] && c <= q[2];
			q += 3;
		} else {
			in |= c == *q;
			q++;
		}
	} while (*q && *q != ']');
	return c != '\0' && c != '\n' && in != neg;
}

/* Does pattern P match at the start of S?  (S ends at NUL or '\n'.) */
static int match_here(const char *p, const char *s)
{
	for (;;) {
		if (!*p)
			return 1;
		if (p[0] == '$' && !p[1])
			return *s == '\0' || *s == '\n';
		size_t al = atom_len(p);
		char op = p[al];
		if (op == '*' || op == '+' || op == '?') {
			size_t max = op == '?' ? 1 : (size_t)-1, n = 0;
			while (n < max && atom_match(p, s[n]))
				n++;
			size_t min = op == '+' ? 1 : 0;
			/* greedy, then back off */
			for (;; n--) {
				if (n < min)
					return 0;
				if (match_here(p + al + 1, s + n))
					return 1;
				if (n == 0)
					return 0;
			}
		}
		if (!atom_match(p, *s))
			return 0;
		p += al;
		s++;
	}
}

static int match_line(const char *p, const char *line)
{
	if (*p == '^')
		return match_here(p + 1, line);
	for (const char *s = line;; s++) {
		if (match_here(p, s))
			return 1;
		if (*s == '\0' || *s == '\n')
			return 0;
	}
}

/* ---- substring search (Horspool) -------------------------------------- */

static size_t count_needle(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle), skip[256], found = 0;
	for (int i = 0; i < 256; i++)
		skip[i] = m;
	for (size_t i = 0; i + 1 < m; i++)
		skip[(uint8_t)needle[i]] = m - 1 - i;
	for (size_t i = 0; i + m <= n;) {
		size_t j = m - 1;
		while (hay[i + j] == needle[j]) {
			if (j == 0) {
				found++;
				break;
			}
			j--;
		}
		i += skip[(uint8_t)hay[i + m - 1]];
	}
	return found;
}

static const char *const patterns[] = {
	"^[A-Z][a-z]+ [a-z]+,",
	"ou[a-z]*ck",
	"[0-9][0-9][0-9]",
	"^Th.*ing\\.?$",
	"st[aeiou]+r.*pl",
	"[^a-z ,.]x",
	"e.*a.*i.*o.*u",
	" [a-z]?[a-z]?[a-z]?ea[a-z]+ ",
};
static const char *const needles[] = { "the", "ouck", "brea", "gring",
				       "ll th", "Bea" };

/* Analyse one generated text; print it all if VERBOSE, else fold every
   figure into the returned checksum only. */
static uint32_t analyse(int verbose)
{
	enum { SIZE = 1 << 19, TOP = 5 };
	uint32_t sum = 0;
	char *text = xmalloc(SIZE);
	size_t len = make_text(text, SIZE);
	struct counts c = { xmalloc(4096 * sizeof(struct word *)), 4095, 0 };
	memset(c.bucket, 0, 4096 * sizeof(struct word *));
	size_t total = tokenize(&c, text);
	struct word **all = xmalloc(c.n * sizeof *all);
	size_t n = 0;
	for (uint32_t i = 0; i <= c.mask; i++)
		for (struct word *w = c.bucket[i]; w; w = w->next)
			all[n++] = w;
	sum = sum * 31 + (uint32_t)len + (uint32_t)total * 7 + (uint32_t)n;
	if (verbose)
		printf("bytes=%zu words=%zu distinct=%zu\nmost frequent:", len,
		       total, n);
	qsort(all, n, sizeof *all, by_count);
	for (size_t i = 0; i < TOP && i < n; i++) {
		sum = sum * 31 + str_hash(all[i]->s, all[i]->len) +
		      all[i]->count;
		if (verbose)
			printf(" %s=%u", all[i]->s, all[i]->count);
	}
	qsort(all, n, sizeof *all, by_length);
	if (verbose)
		printf("\nlongest:");
	for (size_t i = 0; i < TOP && i < n; i++) {
		sum = sum * 31 + str_hash(all[i]->s, all[i]->len);
		if (verbose)
			printf(" %s", all[i]->s);
	}
	if (verbose)
		printf("\n");
	size_t lines = 0;
	for (const char *p = text; *p; p = strchr(p, '\n') + 1)
		lines++;
	for (size_t k = 0; k < sizeof patterns / sizeof patterns[0]; k++) {
		size_t hits = 0;
		for (const char *p = text; *p; p = strchr(p, '\n') + 1)
			hits += (size_t)match_line(patterns[k], p);
		sum = sum * 31 + (uint32_t)hits;
		if (verbose)
			printf("/%s/ %zu of %zu lines\n", patterns[k], hits,
			       lines);
	}
	for (size_t k = 0; k < sizeof needles / sizeof needles[0]; k++) {
		size_t hits = count_needle(text, len, needles[k]);
		sum = sum * 31 + (uint32_t)hits;
		if (verbose)
			printf("\"%s\" x%zu\n", needles[k], hits);
	}
	for (uint32_t i = 0; i <= c.mask; i++)
		for (struct word *w = c.bucket[i], *next; w; w = next) {
			next = w->next;
			free(w);
		}
	free(c.bucket);
	free(all);
	free(text);
	return sum;
}

int main(void)
{
	enum { ROUNDS = 3 * BENCH_SCALE };
	uint32_t sum = 0;
	for (int r = 0; r < ROUNDS; r++) {
		seed = 0xdecafbadu + (uint32_t)r * 0x9e3779b9u;
		uint32_t s = analyse(r == 0);
		printf("round %d: checksum=%08x\n", r, s);
		sum = sum * 31 + s;
	}
	printf("total checksum=%08x\n", sum);
	return 0;
}
