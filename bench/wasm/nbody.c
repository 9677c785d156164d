/* SPDX-License-Identifier: MIT */
/*
 * bench/wasm/nbody.c - double-precision floating point: a gravitational
 * N-body simulation (a heavy centre and a few light orbiters, made up
 * here, advanced with a leapfrog step) whose energy is printed before
 * and after, and a power iteration estimating the spectral norm of an
 * implicitly defined matrix.  Only + - * / and sqrt are used, so every
 * engine and the native build must print the same digits.
 */
#include <math.h>
#include <stdio.h>

/* run.sh builds with -DBENCH_SCALE=N to make the run N times longer */
#ifndef BENCH_SCALE
#define BENCH_SCALE 1
#endif

enum { BODIES = 7, STEPS = 1200000 * BENCH_SCALE, SPEC_N = 300, SPEC_ITERS = 10 };

struct body {
	double x, y, z, vx, vy, vz, m;
};

static struct body b[BODIES];

static void setup(void)
{
	/* a unit-mass star and orbiters on tilted, slightly eccentric
	   orbits; units with G = 1 */
	b[0] = (struct body){ 0, 0, 0, 0, 0, 0, 1.0 };
	for (int i = 1; i < BODIES; i++) {
		double r = 0.6 + 0.55 * i, tilt = 0.03 * i;
		double v = sqrt(1.0 / r) * (1.0 + 0.02 * (i % 3));
		b[i].m = 1e-4 * (double)(i * i % 5 + 1);
		b[i].x = (i & 1) ? r : -r;
		b[i].y = 0.1 * i;
		b[i].z = r * tilt;
		b[i].vx = -0.05 * v;
		b[i].vy = (i & 1) ? v : -v;
		b[i].vz = -tilt * v;
	}
	/* put the centre of mass at rest */
	double px = 0, py = 0, pz = 0;
	for (int i = 0; i < BODIES; i++) {
		px += b[i].vx * b[i].m;
		py += b[i].vy * b[i].m;
		pz += b[i].vz * b[i].m;
	}
	b[0].vx = -px / b[0].m;
	b[0].vy = -py / b[0].m;
	b[0].vz = -pz / b[0].m;
}

static double energy(void)
{
	double e = 0;
	for (int i = 0; i < BODIES; i++) {
		e += 0.5 * b[i].m *
		     (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
		for (int j = i + 1; j < BODIES; j++) {
			double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y,
			       dz = b[i].z - b[j].z;
			e -= b[i].m * b[j].m / sqrt(dx * dx + dy * dy + dz * dz);
		}
	}
	return e;
}

static void kick(double dt)
{
	for (int i = 0; i < BODIES; i++)
		for (int j = i + 1; j < BODIES; j++) {
			double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y,
			       dz = b[i].z - b[j].z;
			double d2 = dx * dx + dy * dy + dz * dz;
			double mag = dt / (d2 * sqrt(d2));
			double mi = b[i].m * mag, mj = b[j].m * mag;
			b[i].vx -= dx * mj;
			b[i].vy -= dy * mj;
			b[i].vz -= dz * mj;
			b[j].vx += dx * mi;
			b[j].vy += dy * mi;
			b[j].vz += dz * mi;
		}
}

static void drift(double dt)
{
	for (int i = 0; i < BODIES; i++) {
		b[i].x += dt * b[i].vx;
		b[i].y += dt * b[i].vy;
		b[i].z += dt * b[i].vz;
	}
}

/* ---- spectral norm ---------------------------------------------------- */

static double a_elem(int i, int j)
{
	return 1.0 / ((double)((i + j) * (i + j + 1) / 2 + i + 1));
}

/* out = A * in, or A^T * in */
static void mul(double *out, const double *in, int n, int transpose)
{
	for (int i = 0; i < n; i++) {
		double s = 0;
		for (int j = 0; j < n; j++)
			s += (transpose ? a_elem(j, i) : a_elem(i, j)) * in[j];
		out[i] = s;
	}
}

static double spectral(int n)
{
	static double u[SPEC_N], v[SPEC_N], t[SPEC_N];
	for (int i = 0; i < n; i++)
		u[i] = 1.0;
	for (int k = 0; k < SPEC_ITERS; k++) {
		mul(t, u, n, 0);
		mul(v, t, n, 1);
		mul(t, v, n, 0);
		mul(u, t, n, 1);
	}
	double uv = 0, vv = 0;
	for (int i = 0; i < n; i++) {
		uv += u[i] * v[i];
		vv += v[i] * v[i];
	}
	return sqrt(uv / vv);
}

int main(void)
{
	const double dt = 0.001;
	setup();
	double e0 = energy();
	kick(dt / 2);
	for (int s = 0; s < STEPS; s++) {
		drift(dt);
		kick(s + 1 < STEPS ? dt : dt / 2);
	}
	double e1 = energy();
	printf("bodies=%d steps=%d e0=%.12e e1=%.12e x1=%.9f\n", BODIES,
	       STEPS, e0, e1, b[1].x);
	printf("spectral(%d)=%.12f\n", SPEC_N, spectral(SPEC_N));
	return 0;
}
