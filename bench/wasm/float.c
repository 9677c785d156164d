/* SPDX-License-Identifier: MIT */
/* bench/wasm/float.c - floating point: Mandelbrot and an n-body step. */
#include <math.h>
#include <stdio.h>

struct body {
	double x, y, z, vx, vy, vz, m;
};

static void nbody(struct body *b, int n, int steps, double dt)
{
	for (int s = 0; s < steps; s++) {
		for (int i = 0; i < n; i++) {
			for (int j = i + 1; j < n; j++) {
				double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y;
				double dz = b[i].z - b[j].z;
				double d2 = dx * dx + dy * dy + dz * dz + 0.01;
				double mag = dt / (d2 * sqrt(d2));
				b[i].vx -= dx * b[j].m * mag;
				b[i].vy -= dy * b[j].m * mag;
				b[i].vz -= dz * b[j].m * mag;
				b[j].vx += dx * b[i].m * mag;
				b[j].vy += dy * b[i].m * mag;
				b[j].vz += dz * b[i].m * mag;
			}
		}
		for (int i = 0; i < n; i++) {
			b[i].x += dt * b[i].vx;
			b[i].y += dt * b[i].vy;
			b[i].z += dt * b[i].vz;
		}
	}
}

int main(void)
{
	long inside = 0;
	for (int py = 0; py < 500; py++) {
		for (int px = 0; px < 500; px++) {
			double cr = -2.0 + px * 3.0 / 500, ci = -1.5 + py * 3.0 / 500;
			double zr = 0, zi = 0;
			int k = 0;
			while (k < 200 && zr * zr + zi * zi < 4.0) {
				double t = zr * zr - zi * zi + cr;
				zi = 2 * zr * zi + ci;
				zr = t;
				k++;
			}
			inside += k == 200;
		}
	}
	struct body b[32];
	for (int i = 0; i < 32; i++) {
		b[i] = (struct body){ cos(i) * i, sin(i) * i, i * 0.1,
				      0, 0, 0, 1.0 + i % 3 };
	}
	nbody(b, 32, 4000, 0.001);
	double e = 0;
	for (int i = 0; i < 32; i++)
		e += 0.5 * b[i].m * (b[i].vx * b[i].vx + b[i].vy * b[i].vy +
				     b[i].vz * b[i].vz);
	printf("inside=%ld energy=%.6e\n", inside, e);
	return 0;
}
