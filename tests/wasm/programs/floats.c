/* SPDX-License-Identifier: MIT */
/* floats.c - math.h and printf of doubles; transcendental results are
 * printed to 10 digits since libms may differ in the last ulp. */
#include <float.h>
#include <math.h>
#include <stdio.h>

static double integrate(double (*f)(double), double a, double b, int n)
{
	double h = (b - a) / n, s = 0.5 * (f(a) + f(b));
	for (int i = 1; i < n; i++)
		s += f(a + i * h);
	return s * h;
}

static double gauss(double x)
{
	return exp(-x * x);
}

int main(void)
{
	const double xs[] = { 0.0, 0.5, 1.0, 2.0, 3.14159265358979, 10.0 };
	for (unsigned i = 0; i < sizeof xs / sizeof xs[0]; i++) {
		double x = xs[i];
		printf("x=%g sin=%.10f cos=%.10f exp=%.10e log1p=%.10f "
		       "atan=%.10f\n", x, sin(x), cos(x), exp(x), log1p(x),
		       atan(x));
	}
	printf("sqrt2=%.17g cbrt27=%.10g pow=%.10g hypot=%.17g\n", sqrt(2.0),
	       cbrt(27.0), pow(2.0, 0.5), hypot(3.0, 4.0));
	printf("floor=%g ceil=%g round=%g trunc=%g fmod=%.17g rint=%g\n",
	       floor(-2.5), ceil(-2.5), round(-2.5), trunc(-2.7),
	       fmod(10.5, 3.0), rint(2.5));
	printf("fma=%.17g copysign=%g fabs=%g ldexp=%g frexp-m=%g\n",
	       fma(0.1, 10.0, -1.0), copysign(3.0, -0.0), fabs(-7.25),
	       ldexp(0.75, 10), frexp(48.0, &(int){ 0 }));
	printf("inf=%f -inf=%f nan=%d isinf=%d\n", INFINITY, -INFINITY,
	       isnan(NAN), isinf(1.0 / 0.0 > 0 ? INFINITY : 0.0));
	printf("dbl_eps=%.17g dbl_max=%.17g dbl_min=%.17g\n", DBL_EPSILON,
	       DBL_MAX, DBL_MIN);
	printf("float=%.9g %.9g\n", (double)(1.0f / 3.0f), (double)sqrtf(2.0f));
	printf("%.20f %.3e %10.4f|%-10.2f|\n", 0.1, 6.02214076e23, -1.5,
	       2.25);
	printf("integral=%.10f\n", integrate(gauss, -5.0, 5.0, 100000));
	double sum = 0.0;
	for (int i = 1; i <= 1000000; i++)
		sum += 1.0 / ((double)i * i);
	printf("basel=%.15f pi^2/6=%.15f\n", sum, M_PI * M_PI / 6.0);
	float f = 0.0f;
	for (int i = 0; i < 1000; i++)
		f += 0.1f;
	printf("float-sum=%.9g int-conv=%d %lld %u\n", (double)f, (int)-3.99,
	       (long long)1e15, (unsigned)3.99e9);
	return 0;
}
