/* SPDX-License-Identifier: MIT */
/* bench/wasm/mem.c - memory traffic: memcpy/memset, a blocked matrix
 * transpose, byte histograms and strided reads. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	enum { MB = 1 << 20, N = 1024 };
	uint8_t *a = malloc(8 * MB), *b = malloc(8 * MB);
	uint64_t sum = 0;
	for (int i = 0; i < 8 * MB; i++)
		a[i] = (uint8_t)(i * 2654435761u >> 24);
	for (int r = 0; r < 20; r++) {
		memcpy(b, a, 8 * MB);
		memset(a + r * 1000, r, 4096);
		sum += b[r * 12345];
	}
	uint32_t *m = malloc(N * N * 4), *t = malloc(N * N * 4);
	for (int i = 0; i < N * N; i++)
		m[i] = (uint32_t)i * 7u;
	for (int r = 0; r < 4; r++)
		for (int bi = 0; bi < N; bi += 32)
			for (int bj = 0; bj < N; bj += 32)
				for (int i = bi; i < bi + 32; i++)
					for (int j = bj; j < bj + 32; j++)
						t[j * N + i] = m[i * N + j] + (uint32_t)r;
	uint32_t hist[256] = { 0 };
	for (int r = 0; r < 4; r++)
		for (int i = 0; i < 8 * MB; i++)
			hist[b[i]]++;
	for (int stride = 1; stride <= 4096; stride *= 4)
		for (int i = 0; i < N * N; i += stride)
			sum += t[i];
	printf("sum=%llu h0=%u h255=%u t=%u\n", (unsigned long long)sum,
	       hist[0], hist[255], t[N * N - 1]);
	free(a);
	free(b);
	free(m);
	free(t);
	return 0;
}
