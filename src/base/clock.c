/* SPDX-License-Identifier: MIT */
/* base/clock.c - CLOCK_MONOTONIC in ms, us, ns, deadlines, and condition
   variables that wait by it (clock.h). */
#include "clock.h"

static struct timespec now(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC always exists on Linux: this cannot fail */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

uint64_t bn_clock_now_ms(void)
{
	struct timespec ts = now();
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t bn_clock_now_us(void)
{
	struct timespec ts = now();
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t bn_clock_now_ns(void)
{
	struct timespec ts = now();
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bn_clock_deadline_ts(struct timespec *out, uint64_t ms)
{
	*out = now();
	out->tv_sec += (time_t)(ms / 1000);
	out->tv_nsec += (long)(ms % 1000) * 1000000;
	if (out->tv_nsec >= 1000000000) {
		out->tv_sec++;
		out->tv_nsec -= 1000000000;
	}
}

void bn_clock_cond_init(pthread_cond_t *c)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(c, &ca);
	pthread_condattr_destroy(&ca);
}
