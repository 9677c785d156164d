/* SPDX-License-Identifier: MIT */
/*
 * base/clock.h - the monotonic clock, in the units callers count in.
 *
 * Owns: reading CLOCK_MONOTONIC for durations, deadlines and timeouts
 * (never the time of day: that is CLOCK_REALTIME, where it is shown).
 * Uses: libc only.  Every function here but bn_clock_cond_init is
 * async-signal-safe, so the sandbox may time its steps in a forked child.
 */
#ifndef BN_BASE_CLOCK_H
#define BN_BASE_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds, microseconds, nanoseconds of CLOCK_MONOTONIC. */
uint64_t bn_clock_now_ms(void);
uint64_t bn_clock_now_us(void);
uint64_t bn_clock_now_ns(void);

/*
 * bn_clock_deadline_ts - the CLOCK_MONOTONIC time MS milliseconds from
 * now, for pthread_cond_timedwait on a condition variable whose clock is
 * CLOCK_MONOTONIC.
 */
void bn_clock_deadline_ts(struct timespec *out, uint64_t ms);

/*
 * bn_clock_cond_init - initialise C as a condition variable that waits by
 * CLOCK_MONOTONIC, so a deadline from bn_clock_deadline_ts is not moved by
 * a change of the time of day.  The caller destroys it.
 */
void bn_clock_cond_init(pthread_cond_t *c);

#endif
