/* SPDX-License-Identifier: MIT */
/*
 * bench/wasm/hash.c - hashing a large buffer: SHA-256 (FIPS 180-4,
 * written here from the standard's description), FNV-1a 64 one byte at a
 * time, and a four-lane multiply-rotate 64-bit hash in the style of the
 * xxHash family (our own constants and mixing).  Each round changes the
 * buffer a little so no round can be skipped; digests are printed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* run.sh builds with -DBENCH_SCALE=N to make the run N times longer */
#ifndef BENCH_SCALE
#define BENCH_SCALE 1
#endif

/* ---- SHA-256 ---------------------------------------------------------- */

struct sha256 {
	uint32_t h[8];
	uint8_t block[64];
	size_t fill;
	uint64_t total;
};

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b,
	0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
	0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
	0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,
	0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
	0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
	0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
	0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror32(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

static void sha256_compress(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], s[8];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^
			      w[i - 15] >> 3;
		uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^
			      w[i - 2] >> 10;
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(s, h, sizeof s);
	for (int i = 0; i < 64; i++) {
		uint32_t e = s[4], a = s[0];
		uint32_t t1 = s[7] + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) +
			      ((e & s[5]) ^ (~e & s[6])) + K[i] + w[i];
		uint32_t t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) +
			      ((a & s[1]) ^ (a & s[2]) ^ (s[1] & s[2]));
		memmove(s + 1, s, 7 * sizeof s[0]);
		s[4] += t1;
		s[0] = t1 + t2;
	}
	for (int i = 0; i < 8; i++)
		h[i] += s[i];
}

static void sha256_init(struct sha256 *c)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372,
					0xa54ff53a, 0x510e527f, 0x9b05688c,
					0x1f83d9ab, 0x5be0cd19 };
	memcpy(c->h, iv, sizeof iv);
	c->fill = 0;
	c->total = 0;
}

static void sha256_update(struct sha256 *c, const uint8_t *p, size_t n)
{
	c->total += n;
	if (c->fill) {
		size_t k = 64 - c->fill < n ? 64 - c->fill : n;
		memcpy(c->block + c->fill, p, k);
		c->fill += k;
		p += k;
		n -= k;
		if (c->fill < 64)
			return;
		sha256_compress(c->h, c->block);
		c->fill = 0;
	}
	for (; n >= 64; p += 64, n -= 64)
		sha256_compress(c->h, p);
	memcpy(c->block, p, n);
	c->fill = n;
}

static void sha256_final(uint8_t out[32], struct sha256 *c)
{
	uint64_t bits = c->total * 8;
	uint8_t pad[72] = { 0x80 };
	size_t padlen = (c->fill < 56 ? 56 : 120) - c->fill;
	for (int i = 0; i < 8; i++)
		pad[padlen + (size_t)i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(c, pad, padlen + 8);
	for (int i = 0; i < 8; i++)
		for (int b = 0; b < 4; b++)
			out[4 * i + b] = (uint8_t)(c->h[i] >> (24 - 8 * b));
}

/* ---- 64-bit hashes ---------------------------------------------------- */

static uint64_t fnv1a64(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t rol64(uint64_t x, unsigned n)
{
	return x << n | x >> (64 - n);
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);      /* both targets here are little-endian */
	return v;
}

static const uint64_t P1 = 0x9fb21c651e98df25ull;
static const uint64_t P2 = 0xc2b2ae3d27d4eb4full;
static const uint64_t P3 = 0x165667b19e3779f9ull;

static uint64_t lane(uint64_t acc, uint64_t v)
{
	acc += v * P2;
	acc = rol64(acc, 29);
	return acc * P1;
}

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 31;
	h *= P3;
	h ^= h >> 27;
	h *= P2;
	return h ^ h >> 33;
}

static uint64_t lanes64(const uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t a = seed + P1 + P2, b = seed + P2, c = seed, d = seed - P1;
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		a = lane(a, load64(p + i));
		b = lane(b, load64(p + i + 8));
		c = lane(c, load64(p + i + 16));
		d = lane(d, load64(p + i + 24));
	}
	uint64_t h = rol64(a, 1) + rol64(b, 7) + rol64(c, 12) + rol64(d, 18);
	h += (uint64_t)n;
	for (; i + 8 <= n; i += 8)
		h = rol64(h ^ lane(0, load64(p + i)), 27) * P1 + P3;
	for (; i < n; i++)
		h = rol64(h ^ p[i] * P3, 11) * P1;
	return mix64(h);
}

/* ---- driver ----------------------------------------------------------- */

static void hex(char *out, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int main(void)
{
	enum { SIZE = 1 << 20, SHA_ROUNDS = 10 * BENCH_SCALE,
	       FNV_ROUNDS = 24 * BENCH_SCALE, LANE_ROUNDS = 150 * BENCH_SCALE };
	uint8_t *buf = malloc(SIZE), digest[32];
	char text[65];
	uint64_t x = 0x0123456789abcdefull, fnv = 0, lanes = 0;
	struct sha256 c;
	if (!buf)
		return 1;
	for (size_t i = 0; i < SIZE; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		buf[i] = (uint8_t)(x * 0x2545f4914f6cdd1dull >> 56);
	}
	/* the standard's two-block example, as a self-check */
	static const char abc[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256_init(&c);
	sha256_update(&c, (const uint8_t *)abc, strlen(abc));
	sha256_final(digest, &c);
	hex(text, digest, 32);
	printf("sha256(abc..nopq)=%s\n", text);
	sha256_init(&c);
	for (int r = 0; r < SHA_ROUNDS; r++) {
		/* uneven pieces exercise the buffering */
		size_t off = (size_t)r * 977;
		sha256_update(&c, buf, off);
		sha256_update(&c, buf + off, SIZE - off);
		buf[(size_t)r * 4099 % SIZE] ^= 0x5a;
	}
	sha256_final(digest, &c);
	hex(text, digest, 32);
	for (int r = 0; r < FNV_ROUNDS; r++) {
		fnv ^= fnv1a64(buf, SIZE) + (uint64_t)r;
		buf[(size_t)r * 7919 % SIZE]++;
	}
	for (int r = 0; r < LANE_ROUNDS; r++) {
		lanes = lanes * 31 + lanes64(buf + r % 7, SIZE - 7, lanes);
		buf[(size_t)r * 104729 % SIZE] ^= (uint8_t)lanes;
	}
	printf("sha256=%s\nfnv1a64=%016llx lanes64=%016llx bytes=%llu\n",
	       text, (unsigned long long)fnv, (unsigned long long)lanes,
	       (unsigned long long)SIZE *
		       (SHA_ROUNDS + FNV_ROUNDS + LANE_ROUNDS));
	free(buf);
	return 0;
}
