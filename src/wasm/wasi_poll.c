/* SPDX-License-Identifier: MIT */
/*
 * wasm/wasi_poll.c - waiting (wasi_int.h): the clocks, poll_oneoff, and
 * the wait of a blocking read.  Every wait also watches the instance's
 * wake_fd, so bn_wasm_wasi_interrupt ends it at once.  The engine keeps
 * its own clock: it links nothing but libc.
 */
#include "wasi_int.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

enum { EV_CLOCK = 0, EV_FD_READ = 1, EV_FD_WRITE = 2 };

#define SUB_SIZE 48u       /* sizeof(subscription) */
#define EVENT_SIZE 32u     /* sizeof(event) */
#define MAX_SUBS 4096u

/* ---- clocks ----------------------------------------------------------- */

static int host_clock(clockid_t *out, uint32_t id)
{
	static const clockid_t ids[] = { CLOCK_REALTIME, CLOCK_MONOTONIC,
					 CLOCK_PROCESS_CPUTIME_ID,
					 CLOCK_THREAD_CPUTIME_ID };
	if (id >= sizeof ids / sizeof ids[0])
		return -EINVAL;
	*out = ids[id];
	return 0;
}

/* clock_res_get and clock_time_get: clock ID's resolution (RES) or time,
   in nanoseconds at guest address OUT. */
static uint16_t clock_get(bn_wasm_memory *m, uint32_t id, uint32_t out,
			  bool res)
{
	clockid_t cid;
	struct timespec ts;
	uint8_t *o = span(m, out, 8);
	if (!o)
		return WE_FAULT;
	if (host_clock(&cid, id) < 0)
		return WE_INVAL;
	if ((res ? clock_getres(cid, &ts) : clock_gettime(cid, &ts)) < 0)
		return bn_wasm__wasi_errno(errno);
	le64(o, ts_ns(&ts));
	return WE_SUCCESS;
}

uint16_t bn_wasm__wasi_clock_res_get(bn_wasm_wasi *w, bn_wasm_memory *m,
				     const bn_wasm_val *a)
{
	return clock_get(m, A32(a, 0), A32(a, 1), true);
}

/* The precision asked for (argument 1) is a hint: the time is exact. */
uint16_t bn_wasm__wasi_clock_time_get(bn_wasm_wasi *w, bn_wasm_memory *m,
				      const bn_wasm_val *a)
{
	return clock_get(m, A32(a, 0), A32(a, 2), false);
}

/* ---- blocking reads --------------------------------------------------- */

/*
 * Wait until HOST is readable or the run is interrupted; regular files
 * never block, so only pipes, ttys and the like come here.
 */
uint16_t bn_wasm__wasi_wait_readable(bn_wasm_wasi *w, int host)
{
	struct pollfd p[2] = { { .fd = host, .events = POLLIN },
			       { .fd = w->wake_fd, .events = POLLIN } };
	int r;

	do {
		r = poll(p, 2, -1);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return bn_wasm__wasi_errno(errno);
	return p[1].revents ? WE_INTR : WE_SUCCESS;
}

/* ---- poll_oneoff ------------------------------------------------------ */

struct sub {
	uint64_t userdata;
	uint8_t tag;         /* EV_* */
	uint64_t deadline;   /* clock: CLOCK_MONOTONIC ns */
	uint32_t fd;         /* fd_read / fd_write */
	int pidx;            /* index in the pollfd array, or -1 */
	uint16_t err;        /* an error found before waiting */
};

static uint64_t mono_now(void)
{
	struct timespec ts;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts_ns(&ts);
}

/* Decode one subscription and turn a clock into a monotonic deadline. */
static void sub_decode(struct sub *s, const uint8_t *p, uint64_t now)
{
	memset(s, 0, sizeof *s);
	s->pidx = -1;
	s->userdata = rd64(p);
	s->tag = p[8];
	if (s->tag == EV_CLOCK) {
		uint32_t id = rd32(p + 16);
		uint64_t t = rd64(p + 24);
		bool abs = rd32(p + 40) & 1;  /* subclockflags is a u16 */
		clockid_t cid;
		struct timespec ts;
		if (host_clock(&cid, id) < 0 || clock_gettime(cid, &ts) < 0) {
			s->err = WE_INVAL;
			return;
		}
		uint64_t cur = ts_ns(&ts);
		uint64_t rel = abs ? (t > cur ? t - cur : 0) : t;
		s->deadline = rel > UINT64_MAX - now ? UINT64_MAX : now + rel;
	} else if (s->tag == EV_FD_READ || s->tag == EV_FD_WRITE) {
		s->fd = rd32(p + 16);
	} else {
		s->err = WE_INVAL;
	}
}

static void put_event(uint8_t *o, const struct sub *s, uint16_t err,
		      uint64_t nbytes, bool hangup)
{
	memset(o, 0, EVENT_SIZE);
	le64(o, s->userdata);
	le16(o + 8, err);
	o[10] = s->tag;
	le64(o + 16, nbytes);
	le16(o + 24, hangup ? 1 : 0);
}

uint16_t bn_wasm__wasi_poll_oneoff(bn_wasm_wasi *w, bn_wasm_memory *m,
				   const bn_wasm_val *a)
{
	uint32_t n = A32(a, 2);
	if (n == 0 || n > MAX_SUBS)
		return WE_INVAL;
	const uint8_t *in = span(m, A32(a, 0), (uint64_t)n * SUB_SIZE);
	uint8_t *out = span(m, A32(a, 1), (uint64_t)n * EVENT_SIZE);
	uint8_t *pn = span(m, A32(a, 3), 4);
	if (!in || !out || !pn)
		return WE_FAULT;
	struct sub *subs = calloc(n, sizeof *subs);
	struct pollfd *pfd = calloc(n + 1, sizeof *pfd);  /* + wake_fd */
	uint32_t nev = 0, npfd = 0;
	uint64_t now = mono_now(), first = UINT64_MAX;
	if (!subs || !pfd) {
		free(subs);
		free(pfd);
		return WE_NOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct sub *s = &subs[i];
		struct wfd *f;
		sub_decode(s, in + (size_t)i * SUB_SIZE, now);
		if (s->err || s->tag == EV_CLOCK) {
			if (!s->err && s->deadline < first)
				first = s->deadline;
			continue;
		}
		s->err = bn_wasm__wasi_fd_get(&f, w, s->fd,
					      R_POLL_FD_READWRITE);
		if (s->err)
			continue;
		s->pidx = (int)npfd;
		pfd[npfd].fd = f->host;
		pfd[npfd].events = s->tag == EV_FD_READ ? POLLIN : POLLOUT;
		npfd++;
	}
	for (uint32_t i = 0; i < n; i++)
		if (subs[i].err)
			first = now;  /* report errors without waiting */
	pfd[npfd].fd = w->wake_fd;
	pfd[npfd].events = POLLIN;
	for (;;) {
		struct timespec ts, *tp = NULL;
		if (first != UINT64_MAX) {
			uint64_t d = first > now ? first - now : 0;
			ts.tv_sec = (time_t)(d / 1000000000u);
			ts.tv_nsec = (long)(d % 1000000000u);
			tp = &ts;
		}
		int r = ppoll(pfd, npfd + 1, tp, NULL);
		if ((r < 0 && errno != EINTR) || pfd[npfd].revents) {
			uint16_t e = r < 0 ? bn_wasm__wasi_errno(errno)
					   : WE_INTR;
			free(subs);
			free(pfd);
			return e;
		}
		now = mono_now();
		for (uint32_t i = 0; i < n; i++) {
			struct sub *s = &subs[i];
			uint8_t *o = out + (size_t)nev * EVENT_SIZE;
			if (s->err) {
				put_event(o, s, s->err, 0, false);
				nev++;
			} else if (s->tag == EV_CLOCK && s->deadline <= now) {
				put_event(o, s, 0, 0, false);
				nev++;
			} else if (s->pidx >= 0 && pfd[s->pidx].revents) {
				short re = pfd[s->pidx].revents;
				int avail = 0;
				if (s->tag == EV_FD_READ &&
				    ioctl(pfd[s->pidx].fd, FIONREAD, &avail) < 0)
					avail = 0;
				put_event(o, s, (re & POLLNVAL) ? WE_BADF : 0,
					  avail > 0 ? (uint64_t)avail : 0,
					  re & POLLHUP);
				nev++;
			}
		}
		if (nev > 0)
			break;
	}
	free(subs);
	free(pfd);
	le32(pn, nev);
	return WE_SUCCESS;
}
