/* SPDX-License-Identifier: MIT */
/*
 * exec/pool.c - warm pools of confined workers (see pool.h).
 *
 * One lock guards the slots.  A slot is free, spawning (reserved while
 * its worker starts, outside the lock), idle or busy; an idle slot is a
 * spare (no identity) or bound (KEY set).  Workers start and end outside
 * the lock; a call waits on CHANGED.  The keeper thread wakes every
 * second, or when a call took a spare, to keep CFG.spares spares ready
 * and to retire workers idle too long or near the end of their life.
 */
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/fs.h"
#include "exec_int.h"
#include "sandbox/protocol.h"

/* A pooled worker's whole life: its supervisor kills it after this. */
#define LIFETIME_MS ((uint64_t)3600 * 1000)
/* A call is not started in a worker with less life left than this
   beyond the call's own wall clock. */
#define LIFE_MARGIN_MS ((uint64_t)10 * 1000)
#define KEEPER_TICK_MS 1000
/* Before starting a worker for an identity whose workers are all busy,
   a call waits this long for one of them: a warm call takes far less
   than a cold start. */
#define DEFER_SPAWN_MS 20

typedef enum slot_state { FREE = 0, SPAWNING, IDLE, BUSY } slot_state;

typedef struct slot {
	slot_state state;
	bn_exec__worker w;
	bool bound;
	char key[65];              /* the identity, when bound */
	char *skill;               /* owned: its skill, when bound or busy */
	char *bot;                 /* owned: its bot ("" for none) */
	uint64_t born_ms, last_ms;
} slot;

struct bn_exec_pool {
	bn_exec_pool_config cfg;
	bool weaker;               /* spares accept weaker confinement */
	pthread_mutex_t lock;
	pthread_cond_t changed;    /* a slot became idle or free */
	pthread_cond_t wake;       /* the keeper has work */
	pthread_t keeper;
	bool stopping;
	unsigned waiting;          /* calls in the queue */
	unsigned hungry;           /* ... of them waiting for a spare */
	slot *slots;               /* cfg.max_workers */
};

/* ---- configuration ------------------------------------------------------ */

static int env_uint(unsigned *v, const char *name, unsigned lo, unsigned hi,
		    bn_err *err)
{
	const char *s = secure_getenv(name);
	char *end;
	unsigned long n;

	if (!s)
		return 0;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (!*s || *end || errno || n < lo || n > hi)
		return bn_err_set(err, BN_EINVAL, "%s=%s: expected a number "
				  "from %u to %u", name, s, lo, hi);
	*v = (unsigned)n;
	return 0;
}

int bn_exec_pool_config_env(bn_exec_pool_config *c, bn_err *err)
{
	int r;

	if ((r = env_uint(&c->max_workers, "BNITY_POOL_WORKERS", 1, 1024,
			  err)) ||
	    (r = env_uint(&c->max_per_skill, "BNITY_POOL_PER_SKILL", 1, 1024,
			  err)) ||
	    (r = env_uint(&c->spares, "BNITY_POOL_SPARES", 0, 1024, err)) ||
	    (r = env_uint(&c->max_calls, "BNITY_POOL_CALLS", 1, 1000000,
			  err)) ||
	    (r = env_uint(&c->idle_s, "BNITY_POOL_IDLE_S", 1, 86400, err)) ||
	    (r = env_uint(&c->skill_busy, "BNITY_POOL_SKILL_BUSY", 1, 1024,
			  err)) ||
	    (r = env_uint(&c->bot_busy, "BNITY_POOL_BOT_BUSY", 1, 1024,
			  err)) ||
	    (r = env_uint(&c->queue_max, "BNITY_POOL_QUEUE", 0, 100000,
			  err)) ||
	    (r = env_uint(&c->queue_wait_ms, "BNITY_POOL_QUEUE_WAIT_MS", 0,
			  600000, err)))
		return r;
	if (c->spares > c->max_workers)
		c->spares = c->max_workers;
	return 0;
}

/* ---- identity ----------------------------------------------------------- */

static void put_str(bn_buf *b, const char *s)
{
	bn_sandbox_put_str(b, s ? s : "");
}

/*
 * The identity a worker binds to: skill, tree hash, module bytes, bot,
 * grants, limits, folders and confinement, hashed into KEY.
 */
static void identity_key(char key[65], const bn_exec_worker_job *job,
			 bool weaker)
{
	const bn_exec_host *h = job->host;
	const bn_exec_grants *g = h ? h->grants : NULL;
	char mod[65];
	bn_buf b = BN_BUF_INIT;

	bn_fs_sha256_hex(mod, job->wasm, job->wasm_len);
	put_str(&b, job->name);
	put_str(&b, job->identity);
	put_str(&b, mod);
	put_str(&b, h ? h->bot : NULL);
	bn_sandbox_put_u64(&b, job->limits.fuel);
	bn_sandbox_put_u64(&b, job->limits.memory_bytes);
	bn_sandbox_put_u64(&b, job->limits.timeout_ms);
	bn_sandbox_put_u64(&b, job->limits.output_bytes);
	bn_sandbox_put_u32(&b, weaker ? 1 : 0);
	bn_sandbox_put_u32(&b, (uint32_t)job->npreopens);
	for (size_t i = 0; i < job->npreopens; i++) {
		put_str(&b, job->preopens[i].host_path);
		put_str(&b, job->preopens[i].guest_path);
		bn_sandbox_put_u32(&b, job->preopens[i].read_only);
	}
	bn_sandbox_put_u32(&b, g ? (uint32_t)g->n : 0);
	for (size_t i = 0; g && i < g->n; i++) {
		put_str(&b, g->v[i].skill);
		put_str(&b, g->v[i].bot);
		bn_sandbox_put_u32(&b, (uint32_t)g->v[i].cap);
		put_str(&b, g->v[i].scope);
		bn_sandbox_put_u64(&b, g->v[i].limits.fuel);
		bn_sandbox_put_u64(&b, g->v[i].limits.memory_bytes);
		bn_sandbox_put_u64(&b, g->v[i].limits.timeout_ms);
		bn_sandbox_put_u64(&b, g->v[i].limits.output_bytes);
	}
	bn_fs_sha256_hex(key, b.data, b.len);
	bn_buf_clear(&b);
}

/* A spare of P can serve JOB (bn_exec__spare_fits). */
static bool spare_fits(const bn_exec_pool *p, const bn_exec_worker_job *job)
{
	return bn_exec__spare_fits(job, p->weaker);
}

/* ---- slots (under the lock) ------------------------------------------- */

static const char *bot_of(const bn_exec_worker_job *job)
{
	return job->host && job->host->bot ? job->host->bot : "";
}

static void slot_forget(slot *s)
{
	free(s->skill);
	free(s->bot);
	memset(s, 0, sizeof(*s));
	s->w.chan = -1;
}

/* Calls running (or starting) of SKILL, and for BOT. */
static void count_busy(const bn_exec_pool *p, const char *skill,
		       const char *bot, unsigned *n_skill, unsigned *n_bot)
{
	*n_skill = *n_bot = 0;
	for (unsigned i = 0; i < p->cfg.max_workers; i++) {
		const slot *s = &p->slots[i];

		if ((s->state != BUSY && s->state != SPAWNING) || !s->skill)
			continue;
		*n_skill += strcmp(s->skill, skill) == 0;
		*n_bot += strcmp(s->bot, bot) == 0;
	}
}

/* A worker bound to KEY is busy (it may be free in a moment). */
static bool key_busy(const bn_exec_pool *p, const char *key)
{
	for (unsigned i = 0; i < p->cfg.max_workers; i++)
		if (p->slots[i].state == BUSY && p->slots[i].bound &&
		    strcmp(p->slots[i].key, key) == 0)
			return true;
	return false;
}

static unsigned count_bound(const bn_exec_pool *p, const char *skill)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->cfg.max_workers; i++)
		n += p->slots[i].state != FREE && p->slots[i].skill &&
		     strcmp(p->slots[i].skill, skill) == 0;
	return n;
}

static bool life_left(const slot *s, uint64_t now, uint64_t need_ms)
{
	return s->born_ms + LIFETIME_MS > now + need_ms + LIFE_MARGIN_MS;
}

/* An idle bound worker with KEY, or a spare when SPARE_OK. */
static slot *find_idle(bn_exec_pool *p, const char *key, bool spare_ok,
		       uint64_t need_ms)
{
	uint64_t now = bn_clock_now_ms();
	slot *spare = NULL;

	for (unsigned i = 0; i < p->cfg.max_workers; i++) {
		slot *s = &p->slots[i];

		if (s->state != IDLE || !life_left(s, now, need_ms))
			continue;
		if (s->bound && strcmp(s->key, key) == 0)
			return s;
		if (!s->bound && spare_ok && !spare)
			spare = s;
	}
	return spare;
}

/* The least recently used idle slot to make room with: a bound one of
   SKILL when SAME_SKILL, else any bound one. */
static slot *find_evictable(bn_exec_pool *p, const char *skill,
			    bool same_skill)
{
	slot *best = NULL;

	for (unsigned i = 0; i < p->cfg.max_workers; i++) {
		slot *s = &p->slots[i];

		if (s->state != IDLE || !s->bound ||
		    (same_skill && strcmp(s->skill, skill)))
			continue;
		if (!best || s->last_ms < best->last_ms)
			best = s;
	}
	return best;
}

static slot *find_free(bn_exec_pool *p)
{
	for (unsigned i = 0; i < p->cfg.max_workers; i++)
		if (p->slots[i].state == FREE)
			return &p->slots[i];
	return NULL;
}

/* Take S's worker out (to end outside the lock) and free the slot. */
static bn_exec__worker slot_take_worker(bn_exec_pool *p, slot *s)
{
	bn_exec__worker w = s->w;

	slot_forget(s);
	pthread_cond_broadcast(&p->changed);
	return w;
}

static void claim(slot *s, const bn_exec_worker_job *job, const char *key)
{
	s->state = BUSY;
	if (!s->bound) {
		s->bound = true;
		memcpy(s->key, key, sizeof(s->key));
		s->skill = bn_xstrdup(job->name);
		s->bot = bn_xstrdup(bot_of(job));
	}
}

/* ---- one call ----------------------------------------------------------- */

static int busy_error(const bn_exec_worker_job *job, bool full, bn_err *err)
{
	return bn_err_set(err, -EAGAIN, "skill '%s' not run: %s; try again "
			  "shortly", job->name, full ? "too many calls are "
			  "waiting" : "no worker became free in time");
}

/*
 * Wait until JOB may run and find its worker: *OUT is a busy slot whose
 * worker is ready, or a SPAWNING one whose worker the caller starts
 * (*START set).  *EVICTED: a worker to end first (outside the lock).
 */
static int acquire(slot **out, bool *start, bn_exec__worker *evicted,
		   bn_exec_pool *p, const bn_exec_worker_job *job,
		   const char *key, bn_err *err)
{
	struct timespec until, soon;
	bool queued = false, deferred = false, hungry = false,
	     spare_ok = spare_fits(p, job);
	const char *bot = bot_of(job);
	slot *s = NULL;
	int r = 0;

	*start = false;
	bn_clock_deadline_ts(&until, p->cfg.queue_wait_ms);
	for (;;) {
		unsigned ns, nb;

		if (p->stopping) {
			r = bn_err_set(err, -ECANCELED, "skill '%s' not run: "
				       "the server is stopping", job->name);
			break;
		}
		s = NULL;
		count_busy(p, job->name, bot, &ns, &nb);
		if (ns < p->cfg.skill_busy && nb < p->cfg.bot_busy) {
			bool grow = count_bound(p, job->name) <
				    p->cfg.max_per_skill;

			s = find_idle(p, key, spare_ok && grow,
				      job->limits.timeout_ms);
			if (s) {
				if (!s->bound)
					pthread_cond_signal(&p->wake);
				claim(s, job, key);
				break;
			}
			/* its workers are busy: one is free in a moment, and
			   the keeper starts a spare meanwhile; a cold start
			   here would make this call wait for all of it */
			if (key_busy(p, key) && ((spare_ok && find_free(p)) ||
						 !grow)) {
				if (spare_ok && grow && !hungry) {
					hungry = true;
					p->hungry++;
					pthread_cond_signal(&p->wake);
				}
				goto wait;
			}
			if (!deferred && key_busy(p, key)) {
				deferred = true;
				bn_clock_deadline_ts(&soon, DEFER_SPAWN_MS);
				(void)pthread_cond_timedwait(&p->changed,
							     &p->lock, &soon);
				continue;
			}
			s = count_bound(p, job->name) < p->cfg.max_per_skill ?
			    find_free(p) : NULL;
			if (!s) {
				slot *e = find_evictable(p, job->name,
					count_bound(p, job->name) >=
					p->cfg.max_per_skill);
				if (e) {
					*evicted = slot_take_worker(p, e);
					s = e;
				}
			}
			if (s) {
				s->state = SPAWNING;
				s->bound = true;
				memcpy(s->key, key, sizeof(s->key));
				s->skill = bn_xstrdup(job->name);
				s->bot = bn_xstrdup(bot);
				*start = true;
				break;
			}
		}
wait:
		if (!queued) {
			if (p->waiting >= p->cfg.queue_max) {
				r = busy_error(job, true, err);
				break;
			}
			p->waiting++;
			queued = true;
		}
		if (pthread_cond_timedwait(&p->changed, &p->lock, &until) ==
		    ETIMEDOUT) {
			r = busy_error(job, false, err);
			break;
		}
	}
	if (queued)
		p->waiting--;
	if (hungry)
		p->hungry--;
	if (!r)
		*out = s;
	return r;
}

/* S's call is over: back to idle, or retired when SPENT, used up or
   the pool is stopping (*RETIRED gets the worker to end). */
static void release(bn_exec_pool *p, slot *s, bool spent,
		    bn_exec__worker *retired)
{
	if (spent || s->w.calls >= p->cfg.max_calls || p->stopping) {
		*retired = slot_take_worker(p, s);
		pthread_cond_signal(&p->wake);
		return;
	}
	s->state = IDLE;
	s->last_ms = bn_clock_now_ms();
	pthread_cond_broadcast(&p->changed);
}

int bn_exec__pool_call(bn_exec_worker_outcome *out, bn_exec_pool *p,
		       const bn_exec_worker_job *job, bn_err *err)
{
	bn_exec__worker evicted = { .chan = -1 }, retired = { .chan = -1 };
	uint64_t spawn_us = 0;
	char key[65];
	slot *s = NULL;
	bool start = false;
	int r;

	identity_key(key, job, job->allow_weaker);
	pthread_mutex_lock(&p->lock);
	r = acquire(&s, &start, &evicted, p, job, key, err);
	pthread_mutex_unlock(&p->lock);
	bn_exec__worker_end(NULL, &evicted);
	if (r)
		return r;
	if (start) {
		/* a new worker bound at spawn: a spare's policy when one
		   fits, else this job's folders and limits */
		bn_exec__worker w;

		spawn_us = bn_clock_now_us();
		r = bn_exec__worker_spawn(&w, spare_fits(p, job) ? NULL : job,
					  LIFETIME_MS, job->allow_weaker, err);
		spawn_us = bn_clock_now_us() - spawn_us;
		pthread_mutex_lock(&p->lock);
		if (r) {
			slot_forget(s);
			pthread_cond_broadcast(&p->changed);
		} else {
			s->w = w;
			s->born_ms = bn_clock_now_ms();
			s->state = BUSY;
		}
		pthread_mutex_unlock(&p->lock);
		if (r)
			return r;
	}
	bn_exec__worker_call(out, &s->w, job);
	out->spawn_us = spawn_us;
	bool spent = bn_exec__worker_spent(out, job->host);
	pthread_mutex_lock(&p->lock);
	release(p, s, spent, &retired);
	pthread_mutex_unlock(&p->lock);
	/* a worker that did not report: its end says why (memory, seccomp) */
	bn_exec__worker_end(out->reported ? NULL : out, &retired);
	return 0;
}

/* ---- the keeper ---------------------------------------------------------- */

static unsigned count_spares(const bn_exec_pool *p)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->cfg.max_workers; i++)
		n += (p->slots[i].state == IDLE ||
		      p->slots[i].state == SPAWNING) && !p->slots[i].bound;
	return n;
}

/* Retire one idle worker past its idle time or its life (under the
   lock); false when there is none. */
static bool retire_one(bn_exec_pool *p, bn_exec__worker *out)
{
	uint64_t now = bn_clock_now_ms();

	for (unsigned i = 0; i < p->cfg.max_workers; i++) {
		slot *s = &p->slots[i];

		if (s->state != IDLE)
			continue;
		if ((s->bound && now - s->last_ms >= p->cfg.idle_s * 1000ull) ||
		    !life_left(s, now, 0)) {
			*out = slot_take_worker(p, s);
			return true;
		}
	}
	return false;
}

static void *keeper_main(void *arg)
{
	bn_exec_pool *p = arg;

	pthread_mutex_lock(&p->lock);
	while (!p->stopping) {
		bn_exec__worker w = { .chan = -1 };
		struct timespec until;
		slot *s;

		if (retire_one(p, &w)) {
			pthread_mutex_unlock(&p->lock);
			bn_exec__worker_end(NULL, &w);
			pthread_mutex_lock(&p->lock);
			continue;
		}
		s = count_spares(p) < p->cfg.spares + p->hungry ?
		    find_free(p) : NULL;
		if (s) {
			bn_err err;
			int r;

			s->state = SPAWNING;
			pthread_mutex_unlock(&p->lock);
			bn_err_init(&err);
			r = bn_exec__worker_spawn(&w, NULL, LIFETIME_MS,
						  p->weaker, &err);
			pthread_mutex_lock(&p->lock);
			if (r) {
				/* the spawner is gone or the server stops:
				   calls start their own workers */
				slot_forget(s);
				bn_clock_deadline_ts(&until, KEEPER_TICK_MS);
				(void)pthread_cond_timedwait(&p->wake, &p->lock,
							     &until);
				continue;
			}
			s->w = w;
			s->born_ms = s->last_ms = bn_clock_now_ms();
			s->state = IDLE;
			pthread_cond_broadcast(&p->changed);
			continue;
		}
		bn_clock_deadline_ts(&until, KEEPER_TICK_MS);
		(void)pthread_cond_timedwait(&p->wake, &p->lock, &until);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* ---- the pool ---------------------------------------------------------- */

int bn_exec_pool_new(bn_exec_pool **out, const bn_exec_pool_config *cfg,
		     bn_err *err)
{
	bn_exec_pool *p;

	if (!cfg->max_workers || !cfg->max_per_skill || !cfg->max_calls ||
	    !cfg->skill_busy || !cfg->bot_busy)
		return bn_err_set(err, BN_EINVAL, "pool: workers, workers per "
				  "skill, calls and concurrency caps must be "
				  "at least 1");
	p = bn_xcalloc(1, sizeof(*p));
	p->cfg = *cfg;
	if (p->cfg.spares > p->cfg.max_workers)
		p->cfg.spares = p->cfg.max_workers;
	p->weaker = bn_exec__allow_weaker();
	p->slots = bn_xcalloc(cfg->max_workers, sizeof(*p->slots));
	for (unsigned i = 0; i < cfg->max_workers; i++)
		p->slots[i].w.chan = -1;
	pthread_mutex_init(&p->lock, NULL);
	bn_clock_cond_init(&p->changed);
	bn_clock_cond_init(&p->wake);
	if (pthread_create(&p->keeper, NULL, keeper_main, p)) {
		p->stopping = true;
		bn_exec_pool_free(p);
		return bn_err_set(err, BN_EIO, "pool: cannot start its "
				  "keeper thread");
	}
	*out = p;
	return 0;
}

void bn_exec_pool_free(bn_exec_pool *p)
{
	bool joined;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	joined = p->stopping;  /* the keeper never started */
	p->stopping = true;
	pthread_cond_broadcast(&p->wake);
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	if (!joined)
		pthread_join(p->keeper, NULL);
	for (unsigned i = 0; i < p->cfg.max_workers; i++) {
		slot *s = &p->slots[i];

		if (s->state == IDLE) {
			bn_exec__worker w = slot_take_worker(p, s);
			bn_exec__worker_end(NULL, &w);
		}
		slot_forget(s);
	}
	pthread_cond_destroy(&p->changed);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p->slots);
	free(p);
}
