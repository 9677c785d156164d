/* SPDX-License-Identifier: MIT */
/*
 * bench/wasm/compress.c - a two-stage compressor and its decompressor.
 * Stage one is LZSS over a 32 KiB window with a hash-chain match finder
 * (3-byte hashes, bounded chains, one step of lazy matching).  Stage two
 * codes the literals, match lengths and distances with canonical Huffman
 * codes (lengths limited to 15 bits), one set of tables per block of
 * tokens; lengths and distances go through a logarithmic bucket code
 * with extra bits.  Text-like input is generated, compressed,
 * decompressed and compared; sizes and an Adler-32 are printed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	WIN_BITS = 15, WIN = 1 << WIN_BITS, HASH_BITS = 14,
	MIN_MATCH = 3, MAX_MATCH = 258, MAX_CHAIN = 32,
	BLOCK_TOKENS = 16384, MAX_BITS = 15,
	NLIT = 256 + 1 + 16, /* literals, end of block, length buckets */
	NDIST = 30, END_SYM = 256,
};

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "compress: out of memory\n");
		exit(1);
	}
	return p;
}

/* ---- input ------------------------------------------------------------ */

static uint32_t seed;

static uint32_t rnd(void)
{
	seed = seed * 1664525u + 1013904223u;
	return seed >> 7;
}

static size_t make_text(uint8_t *out, size_t size)
{
	static const char *const syl[] = {
		"an", "be", "ci", "do", "er", "fa", "go", "hu", "in", "jo",
		"ka", "le", "mo", "ni", "or", "pa", "qu", "re", "st", "th",
		"un", "ve", "wa", "xe", "yo", "ze",
	};
	enum { VOCAB = 1500 };
	static char vocab[VOCAB][16];
	for (int i = 0; i < VOCAB; i++) {
		int n = 1 + (int)(rnd() % 4);
		vocab[i][0] = '\0';
		for (int s = 0; s < n; s++)
			strcat(vocab[i], syl[rnd() % 26]);
	}
	size_t len = 0, col = 0;
	while (len + 32 < size) {
		/* small indexes are far more likely: a Zipf-ish choice */
		uint32_t a = rnd() % VOCAB, b = rnd() % VOCAB;
		const char *w = vocab[a * b / VOCAB];
		size_t n = strlen(w);
		memcpy(out + len, w, n);
		len += n;
		col += n;
		uint32_t r = rnd() % 100;
		if (r < 6) {
			out[len++] = ',';
		} else if (r < 9) {
			out[len++] = '.';
		} else if (r < 10) {
			len += (size_t)sprintf((char *)out + len, " %u",
					       rnd() % 10000);
		}
		if (col > 68) {
			out[len++] = '\n';
			col = 0;
		} else {
			out[len++] = ' ';
			col++;
		}
	}
	return len;
}

static uint32_t adler32(const uint8_t *p, size_t n)
{
	uint32_t a = 1, b = 0;
	for (size_t i = 0; i < n; i++) {
		a = (a + p[i]) % 65521u;
		b = (b + a) % 65521u;
	}
	return b << 16 | a;
}

/* ---- LZSS ------------------------------------------------------------- */

struct token {
	uint16_t len;          /* 0 = literal */
	uint16_t val;          /* literal byte, or distance */
};

static uint32_t hash3(const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
	return v * 2654435761u >> (32 - HASH_BITS);
}

struct matcher {
	int32_t head[1 << HASH_BITS];
	int32_t prev[WIN];
};

static void insert(struct matcher *m, const uint8_t *in, size_t pos)
{
	uint32_t h = hash3(in + pos);
	m->prev[pos & (WIN - 1)] = m->head[h];
	m->head[h] = (int32_t)pos;
}

static size_t longest(const struct matcher *m, const uint8_t *in,
		      size_t pos, size_t n, size_t *dist)
{
	size_t best = 0, max = n - pos < MAX_MATCH ? n - pos : MAX_MATCH;
	int32_t cand = m->head[hash3(in + pos)];
	for (int chain = 0; chain < MAX_CHAIN && cand >= 0; chain++) {
		size_t c = (size_t)cand;
		if (pos - c >= WIN)
			break;
		if (in[c + best] == in[pos + best]) {
			size_t l = 0;
			while (l < max && in[c + l] == in[pos + l])
				l++;
			if (l > best) {
				best = l;
				*dist = pos - c;
				if (l == max)
					break;
			}
		}
		cand = m->prev[c & (WIN - 1)];
	}
	return best >= MIN_MATCH ? best : 0;
}

static size_t lz_parse(struct token *out, const uint8_t *in, size_t n)
{
	struct matcher *m = xmalloc(sizeof *m);
	size_t pos = 0, nt = 0;
	memset(m->head, 0xff, sizeof m->head);
	while (pos < n) {
		size_t dist = 0, len = 0;
		if (n - pos > MIN_MATCH) {
			len = longest(m, in, pos, n, &dist);
			insert(m, in, pos);
			if (len && len < 32 && n - pos - 1 > MIN_MATCH) {
				/* lazy: is the match at pos+1 longer? */
				size_t d2 = 0;
				size_t l2 = longest(m, in, pos + 1, n, &d2);
				if (l2 > len) {
					out[nt++] = (struct token){ 0,
								    in[pos] };
					pos++;
					len = l2;
					dist = d2;
					insert(m, in, pos);
				}
			}
		}
		if (len) {
			out[nt++] = (struct token){ (uint16_t)len,
						    (uint16_t)dist };
			for (size_t i = 1; i < len; i++)
				if (n - (pos + i) >= MIN_MATCH)
					insert(m, in, pos + i);
			pos += len;
		} else {
			out[nt++] = (struct token){ 0, in[pos] };
			pos++;
		}
	}
	free(m);
	return nt;
}

/* ---- bucket code: value -> (symbol, extra bits) ----------------------- */

static unsigned bucket(uint32_t v, unsigned *nextra, uint32_t *extra)
{
	if (v < 4) {
		*nextra = 0;
		*extra = 0;
		return v;
	}
	unsigned hb = 31 - (unsigned)__builtin_clz(v);
	*nextra = hb - 1;
	*extra = v & ((1u << (hb - 1)) - 1);
	return 4 + (hb - 2) * 2 + (v >> (hb - 1) & 1);
}

static uint32_t unbucket(unsigned sym, unsigned *nextra)
{
	if (sym < 4) {
		*nextra = 0;
		return sym;
	}
	unsigned hb = (sym - 4) / 2 + 2;
	*nextra = hb - 1;
	return (1u << hb) | (uint32_t)((sym - 4) & 1) << (hb - 1);
}

/* ---- bits ------------------------------------------------------------- */

struct bitw {
	uint8_t *buf;
	size_t len;
	uint32_t acc;
	unsigned n;
};

static void put(struct bitw *w, uint32_t v, unsigned nbits)
{
	for (unsigned i = nbits; i-- > 0;) {
		w->acc = w->acc << 1 | (v >> i & 1);
		if (++w->n == 8) {
			w->buf[w->len++] = (uint8_t)w->acc;
			w->acc = 0;
			w->n = 0;
		}
	}
}

static void flush(struct bitw *w)
{
	while (w->n)
		put(w, 0, 1);
}

struct bitr {
	const uint8_t *buf;
	size_t pos;            /* in bits */
};

static unsigned bit(struct bitr *r)
{
	unsigned b = r->buf[r->pos >> 3] >> (7 - (r->pos & 7)) & 1;
	r->pos++;
	return b;
}

static uint32_t get(struct bitr *r, unsigned nbits)
{
	uint32_t v = 0;
	while (nbits--)
		v = v << 1 | bit(r);
	return v;
}

/* ---- Huffman ---------------------------------------------------------- */

/* Code lengths for FREQ[0..n) of at most MAX_BITS bits; 0 = unused. */
static void huff_lengths(uint8_t *len, const uint32_t *freq, int n)
{
	uint32_t f[NLIT];
	memcpy(f, freq, (size_t)n * sizeof *f);
	for (;;) {
		/* nodes 0..n-1 are leaves; parents are appended */
		uint32_t w[2 * NLIT];
		int parent[2 * NLIT], alive[2 * NLIT], nn = n, live = 0;
		for (int i = 0; i < n; i++) {
			w[i] = f[i];
			alive[i] = f[i] > 0;
			parent[i] = -1;
			live += alive[i];
		}
		memset(len, 0, (size_t)n);
		if (live == 0)
			return;
		if (live == 1) {
			for (int i = 0; i < n; i++)
				if (alive[i])
					len[i] = 1;
			return;
		}
		while (live > 1) {
			int a = -1, b = -1;
			for (int i = 0; i < nn; i++) {
				if (!alive[i])
					continue;
				if (a < 0 || w[i] < w[a]) {
					b = a;
					a = i;
				} else if (b < 0 || w[i] < w[b]) {
					b = i;
				}
			}
			w[nn] = w[a] + w[b];
			alive[nn] = 1;
			parent[nn] = -1;
			alive[a] = alive[b] = 0;
			parent[a] = parent[b] = nn;
			nn++;
			live--;
		}
		int maxlen = 0;
		for (int i = 0; i < n; i++) {
			if (!f[i])
				continue;
			int d = 0;
			for (int p = parent[i]; p >= 0; p = parent[p])
				d++;
			len[i] = (uint8_t)d;
			if (d > maxlen)
				maxlen = d;
		}
		if (maxlen <= MAX_BITS)
			return;
		for (int i = 0; i < n; i++)
			if (f[i])
				f[i] = f[i] / 2 + 1;
	}
}

struct huff {
	uint16_t code[NLIT];
	uint8_t len[NLIT];
	/* decoding: per length, first code, count and offset in sorted */
	uint32_t first[MAX_BITS + 1];
	uint16_t count[MAX_BITS + 1];
	uint16_t offset[MAX_BITS + 1];
	uint16_t sorted[NLIT];
};

/* Canonical codes from HU->len. */
static void huff_build(struct huff *hu, int n)
{
	uint32_t code = 0;
	uint16_t k = 0;
	memset(hu->count, 0, sizeof hu->count);
	for (int i = 0; i < n; i++)
		hu->count[hu->len[i]]++;
	hu->count[0] = 0;
	for (int l = 1; l <= MAX_BITS; l++) {
		hu->first[l] = code;
		hu->offset[l] = k;
		for (int i = 0; i < n; i++)
			if (hu->len[i] == l) {
				hu->code[i] = (uint16_t)code++;
				hu->sorted[k++] = (uint16_t)i;
			}
		code <<= 1;
	}
}

static unsigned huff_decode(const struct huff *hu, struct bitr *r)
{
	uint32_t code = 0;
	for (int l = 1; l <= MAX_BITS; l++) {
		code = code << 1 | bit(r);
		if (code - hu->first[l] < hu->count[l])
			return hu->sorted[hu->offset[l] + code - hu->first[l]];
	}
	fprintf(stderr, "compress: bad code\n");
	exit(1);
}

/* ---- blocks ----------------------------------------------------------- */

static void encode_block(struct bitw *w, const struct token *t, size_t nt,
			 int last)
{
	uint32_t flit[NLIT] = { 0 }, fdist[NDIST] = { 0 };
	struct huff lit, dist;
	unsigned ne;
	uint32_t ev;
	for (size_t i = 0; i < nt; i++) {
		if (!t[i].len) {
			flit[t[i].val]++;
		} else {
			flit[257 + bucket(t[i].len - MIN_MATCH, &ne, &ev)]++;
			fdist[bucket(t[i].val - 1u, &ne, &ev)]++;
		}
	}
	flit[END_SYM]++;
	huff_lengths(lit.len, flit, NLIT);
	huff_lengths(dist.len, fdist, NDIST);
	huff_build(&lit, NLIT);
	huff_build(&dist, NDIST);
	put(w, (uint32_t)last, 1);
	for (int i = 0; i < NLIT; i++)
		put(w, lit.len[i], 4);
	for (int i = 0; i < NDIST; i++)
		put(w, dist.len[i], 4);
	for (size_t i = 0; i < nt; i++) {
		if (!t[i].len) {
			put(w, lit.code[t[i].val], lit.len[t[i].val]);
			continue;
		}
		unsigned s = bucket(t[i].len - MIN_MATCH, &ne, &ev);
		put(w, lit.code[257 + s], lit.len[257 + s]);
		put(w, ev, ne);
		s = bucket(t[i].val - 1u, &ne, &ev);
		put(w, dist.code[s], dist.len[s]);
		put(w, ev, ne);
	}
	put(w, lit.code[END_SYM], lit.len[END_SYM]);
}

static size_t compress(uint8_t *out, const uint8_t *in, size_t n,
		       size_t *ntokens)
{
	struct token *t = xmalloc(n * sizeof *t);
	struct bitw w = { out, 0, 0, 0 };
	size_t nt = lz_parse(t, in, n);
	for (size_t i = 0; i < nt || i == 0; i += BLOCK_TOKENS) {
		size_t k = nt - i < BLOCK_TOKENS ? nt - i : BLOCK_TOKENS;
		encode_block(&w, t + i, k, i + k >= nt);
	}
	flush(&w);
	free(t);
	*ntokens = nt;
	return w.len;
}

static size_t decompress(uint8_t *out, size_t cap, const uint8_t *in)
{
	struct bitr r = { in, 0 };
	size_t len = 0;
	int last;
	do {
		struct huff lit, dist;
		last = (int)bit(&r);
		for (int i = 0; i < NLIT; i++)
			lit.len[i] = (uint8_t)get(&r, 4);
		for (int i = 0; i < NDIST; i++)
			dist.len[i] = (uint8_t)get(&r, 4);
		huff_build(&lit, NLIT);
		huff_build(&dist, NDIST);
		for (;;) {
			unsigned s = huff_decode(&lit, &r), ne;
			if (s < 256) {
				if (len == cap)
					return SIZE_MAX;
				out[len++] = (uint8_t)s;
				continue;
			}
			if (s == END_SYM)
				break;
			uint32_t l = unbucket(s - 257, &ne);
			l += get(&r, ne) + MIN_MATCH;
			uint32_t d = unbucket(huff_decode(&dist, &r), &ne);
			d += get(&r, ne) + 1;
			if (d > len || l > cap - len)
				return SIZE_MAX;
			for (uint32_t i = 0; i < l; i++, len++)
				out[len] = out[len - d];
		}
	} while (!last);
	return len;
}

int main(void)
{
	enum { SIZE = 320000, ROUNDS = 8 };
	uint8_t *in = xmalloc(SIZE), *packed = xmalloc(SIZE * 2),
		*back = xmalloc(SIZE);
	size_t total_in = 0, total_out = 0;
	uint32_t check = 0;
	for (int round = 0; round < ROUNDS; round++) {
		seed = 20240601u + (uint32_t)round * 7919u;
		size_t n = make_text(in, SIZE), nt;
		size_t c = compress(packed, in, n, &nt);
		size_t d = decompress(back, SIZE, packed);
		if (d != n || memcmp(in, back, n)) {
			printf("round %d: ROUND TRIP FAILED\n", round);
			return 1;
		}
		uint32_t a = adler32(back, d), ac = adler32(packed, c);
		printf("round %d: in=%zu tokens=%zu out=%zu (%.1f%%) "
		       "adler=%08x packed=%08x\n", round, n, nt, c,
		       100.0 * (double)c / (double)n, a, ac);
		total_in += n;
		total_out += c;
		check = check * 31u + a + ac;
	}
	printf("total in=%zu out=%zu check=%08x ok\n", total_in, total_out,
	       check);
	free(in);
	free(packed);
	free(back);
	return 0;
}
