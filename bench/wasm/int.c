/* SPDX-License-Identifier: MIT */
/* bench/wasm/int.c - integer work: a sieve, CRC-32 and a xorshift hash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	enum { N = 4000000 };
	uint8_t *composite = calloc(N + 1, 1);
	uint32_t primes = 0, crc_table[256];
	for (uint32_t i = 2; i <= N; i++) {
		if (composite[i])
			continue;
		primes++;
		for (uint64_t j = (uint64_t)i * i; j <= N; j += i)
			composite[j] = 1;
	}
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
	uint32_t crc = 0xffffffffu;
	for (int round = 0; round < 4; round++)
		for (uint32_t i = 0; i <= N; i++)
			crc = crc_table[(crc ^ composite[i] ^ i) & 0xff] ^
			      (crc >> 8);
	uint64_t x = 88172645463325252ull, h = 0;
	for (int i = 0; i < 20000000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		h += x % 1000003u;
	}
	printf("primes=%u crc=%08x h=%llu\n", primes, crc ^ 0xffffffffu,
	       (unsigned long long)h);
	free(composite);
	return 0;
}
