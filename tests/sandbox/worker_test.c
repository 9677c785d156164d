/* SPDX-License-Identifier: MIT */
/*
 * tests/sandbox/worker_test.c - the confined engine worker: it talks over
 * the broker channel, reaches only its paths, dies of SIGSYS on a call
 * outside its allow-list, and each limit (wall clock, CPU, memory, file
 * size) ends it with that limit named.  Also the policy checks, the fd
 * closing, the probe, and bn_sandbox_procs_stop (last: it cannot be
 * undone).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "sandbox/protocol.h"
#include "sandbox/sandbox.h"

/* Run FN(ARG) under POL; returns the bn_sandbox_run code. */
static int run_fn(bn_sandbox_result *res, bn_sandbox_policy *pol,
		  bn_sandbox_fn fn, void *arg, bn_err *err)
{
	bn_sandbox_target tg = { .fn = fn, .payload = arg };

	bn_err_init(err);
	memset(res, 0, sizeof(*res));
	return bn_sandbox_run(res, NULL, pol, &tg, err);
}

static int echo_worker(void *arg)
{
	int fd = *(int *)arg;
	bn_sandbox_msg m;

	if (bn_sandbox_msg_recv(&m, fd, 1024, NULL))
		return 10;
	if (bn_sandbox_msg_send(fd, m.type + 1, m.payload, m.len, NULL, 0,
				NULL))
		return 11;
	bn_sandbox_msg_clear(&m);
	return 0;
}

static void test_channel(bn_t *t)
{
	bn_sandbox_policy pol = BN_SANDBOX_POLICY_INIT;
	bn_sandbox_target tg = { .fn = echo_worker };
	bn_sandbox_proc *proc;
	bn_sandbox_result res;
	bn_sandbox_msg m;
	bn_err err;
	int sv[2], r;

	bn_err_init(&err);
	BN_CHECK_INT(t, bn_sandbox_chan_pair(sv, &err), ==, 0);
	pol.keep_fds = &sv[1];
	pol.n_keep_fds = 1;
	tg.payload = &sv[1];
	r = bn_sandbox_spawn(&proc, &pol, &tg, &err);
	BN_CHECK_INT(t, r, ==, 0);
	if (r) {
		printf("#   %s\n", err.msg);
		return;
	}
	close(sv[1]);
	memset(&m, 0, sizeof(m));
	BN_CHECK_INT(t, bn_sandbox_msg_send(sv[0], 41, "ping", 4, NULL, 0,
					    &err), ==, 0);
	BN_CHECK_INT(t, bn_sandbox_msg_recv(&m, sv[0], 1024, &err), ==, 0);
	BN_CHECK_INT(t, m.type, ==, 42);
	BN_CHECK_STR(t, (const char *)m.payload, "ping");
	bn_sandbox_msg_clear(&m);
	BN_CHECK_INT(t, bn_sandbox_proc_wait(&res, proc, &err), ==, 0);
	BN_CHECK_INT(t, res.end, ==, BN_SANDBOX_END_EXIT);
	BN_CHECK_INT(t, res.exit_code, ==, 0);
	BN_CHECK_STR(t, bn_sandbox_proc_weakened(proc), "");
	bn_sandbox_proc_free(proc);
	close(sv[0]);
}

static int socket_worker(void *arg)
{
	return socket(AF_UNIX, SOCK_STREAM, 0) >= 0 ? 0 : 1;
}

static int exec_mem_worker(void *arg)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? 1 : 0;
}

/* What the engine's code generator does: write, then read+execute. */
static int jit_mem_worker(void *arg)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)arg;
	if (p == MAP_FAILED)
		return 1;
	memset(p, 0xc3, 4096);
	if (mprotect(p, 4096, PROT_READ | PROT_EXEC))
		return 2;
	return 0;
}

/* Writable and executable at once is never allowed. */
static int wx_mem_worker(void *arg)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)arg;
	if (p == MAP_FAILED)
		return 1;
	return mprotect(p, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
}

/* After the seal, not even read+execute. */
static int sealed_mem_worker(void *arg)
{
	bn_err err;

	bn_err_init(&err);
	if (bn_sandbox_seal_exec(&err))
		return 3;
	return jit_mem_worker(arg);
}

static int ptrace_worker(void *arg)
{
	return (int)syscall(101 /* ptrace */, 16 /* ATTACH */, 1, 0, 0);
}

static int tiocsti_worker(void *arg)
{
	char c = 'x';

	return ioctl(0, TIOCSTI, &c);
}

/* Calls outside the worker's allow-list kill it: SIGSYS, "seccomp". */
static void test_seccomp_kills(bn_t *t)
{
	bn_sandbox_fn fns[] = { socket_worker, exec_mem_worker,
				wx_mem_worker, sealed_mem_worker,
				ptrace_worker, tiocsti_worker };
	bn_sandbox_policy pol = BN_SANDBOX_POLICY_INIT;
	bn_sandbox_result res;
	bn_err err;

	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		BN_CHECK_INT(t, run_fn(&res, &pol, fns[i], NULL, &err), ==, 0);
		BN_CHECK_INT(t, res.end, ==, BN_SANDBOX_END_SECCOMP);
		BN_CHECK_INT(t, res.signal, ==, SIGSYS);
	}
}

/* Machine code: mprotect to read+execute works until the seal. */
static void test_exec_memory(bn_t *t)
{
	bn_sandbox_policy pol = BN_SANDBOX_POLICY_INIT;
	bn_sandbox_result res;
	bn_err err;

	BN_CHECK_INT(t, run_fn(&res, &pol, jit_mem_worker, NULL, &err), ==, 0);
	BN_CHECK_INT(t, res.end, ==, BN_SANDBOX_END_EXIT);
	BN_CHECK_INT(t, res.exit_code, ==, 0);
}

static int open_worker(void *arg)
{
	int fd = open((const char *)arg, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void test_paths(bn_t *t)
{
	char dir[] = "/tmp/bnity-worker-XXXXXX", file[64];
	const char *wp[1] = { dir };
	bn_sandbox_policy pol = BN_SANDBOX_POLICY_INIT;
	bn_sandbox_result res;
	bn_err err;

	BN_CHECK(t, mkdtemp(dir) != NULL);
	BN_CHECK_INT(t, chown(dir, 65534, 65534), ==, 0);
	pol.write_paths = wp;
	pol.n_write_paths = 1;
	snprintf(file, sizeof(file), "%s/ok", dir);
	BN_CHECK_INT(t, run_fn(&res, &pol, open_worker, file, &err), ==, 0);
	BN_CHECK_INT(t, res.end, ==, BN_SANDBOX_END_EXIT);
	BN_CHECK_INT(t, res.exit_code, ==, 0);
	BN_CHECK(t, access(file, F_OK) == 0);
	BN_CHECK_INT(t, run_fn(&res, &pol, open_worker, "/tmp/bnity-out",
			       &err), ==, 0);
	BN_CHECK_INT(t, res.exit_code, ==, EACCES);
	BN_CHECK(t, access("/tmp/bnity-out", F_OK) != 0);
	unlink(file);
	rmdir(dir);
}

static int sleep_worker(void *arg)
{
	struct timespec ts = { 1, 0 };

	for (;;)
		nanosleep(&ts, NULL);
	return 0; /* not reached */
}

static int spin_worker(void *arg)
{
	volatile unsigned long n = 0;

	for (;;)
		n++;
	return 0; /* not reached */
}

static int memory_worker(void *arg)
{
	for (int i = 0; i < 4096; i++) {
		char *p = malloc(1 << 20);
		if (!p)
			return 3;
		memset(p, 1, 1 << 20);
		__asm__ volatile("" : : "r"(p) : "memory");
	}
	return 0;
}

static int fsize_worker(void *arg)
{
	static char buf[1 << 16];
	int fd = open((const char *)arg, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return 2;
	for (int i = 0; i < 64; i++)
		if (write(fd, buf, sizeof(buf)) < 0)
			return 4;
	return 0;
}

/* Each limit ends the run with its own name. */
static void test_limits(bn_t *t)
{
	char dir[] = "/tmp/bnity-worker-XXXXXX", file[64];
	const char *wp[1] = { dir };
	bn_sandbox_policy pol = BN_SANDBOX_POLICY_INIT;
	bn_sandbox_result res;
	bn_err err;

	pol.wall_ms = 300;
	BN_CHECK_INT(t, run_fn(&res, &pol, sleep_worker, NULL, &err), ==, 0);
	BN_CHECK_INT(t, res.end, ==, BN_SANDBOX_END_TIME);
	BN_CHECK(t, res.wall_us >= 300000 && res.wall_us < 5000000);

	pol.wall_ms = 10000;
	pol.cpu_seconds = 1;
	BN_CHECK_INT(t, run_fn(&res, &pol, spin_worker, NULL, &err), ==, 0);
	BN_CHECK_INT(t, res.end, ==, BN_SANDBOX_END_CPU);

	pol.memory_bytes = (uint64_t)32 << 20;
	BN_CHECK_INT(t, run_fn(&res, &pol, memory_worker, NULL, &err), ==, 0);
	BN_CHECK_INT(t, res.end, ==, BN_SANDBOX_END_MEMORY);

	BN_CHECK(t, mkdtemp(dir) != NULL);
	BN_CHECK_INT(t, chown(dir, 65534, 65534), ==, 0);
	snprintf(file, sizeof(file), "%s/big", dir);
	pol.write_paths = wp;
	pol.n_write_paths = 1;
	pol.file_size_bytes = 1 << 20;
	BN_CHECK_INT(t, run_fn(&res, &pol, fsize_worker, file, &err), ==, 0);
	BN_CHECK_INT(t, res.end, ==, BN_SANDBOX_END_FSIZE);
	unlink(file);
	rmdir(dir);
}

/* Every fd not kept is closed before the worker runs. */
static int fd_worker(void *arg)
{
	int fd = *(int *)arg;

	return fcntl(fd, F_GETFD) < 0 && errno == EBADF ? 0 : 1;
}

static void test_fds_closed(bn_t *t)
{
	bn_sandbox_policy pol = BN_SANDBOX_POLICY_INIT;
	bn_sandbox_result res;
	bn_err err;
	int fd = open("/dev/null", O_RDONLY); /* no O_CLOEXEC on purpose */

	BN_CHECK(t, fd >= 0);
	BN_CHECK_INT(t, run_fn(&res, &pol, fd_worker, &fd, &err), ==, 0);
	BN_CHECK_INT(t, res.end, ==, BN_SANDBOX_END_EXIT);
	BN_CHECK_INT(t, res.exit_code, ==, 0);
	close(fd);
}

static void test_policy_checks(bn_t *t)
{
	bn_sandbox_policy pol = BN_SANDBOX_POLICY_INIT;
	const char *argv[] = { "true", NULL };
	const char *rp[1] = { "/nonexistent/bnity" };
	bn_sandbox_target tg = { .argv = argv };
	bn_sandbox_result res;
	bn_err err;

	pol.uid = 0;
	BN_CHECK_INT(t, run_fn(&res, &pol, sleep_worker, NULL, &err), ==,
		     BN_EINVAL);
	pol.uid = 65534;
	/* argv without allow_exec, and a relative program. */
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_sandbox_run(&res, NULL, &pol, &tg, &err), ==,
		     BN_EINVAL);
	pol.allow_exec = true;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_sandbox_run(&res, NULL, &pol, &tg, &err), ==,
		     BN_EINVAL);
	BN_CHECK_CONTAINS(t, err.msg, "absolute");
	argv[0] = "/bin/true";
	pol.read_paths = rp;
	pol.n_read_paths = 1;
	bn_err_init(&err);
	BN_CHECK(t, bn_sandbox_run(&res, NULL, &pol, &tg, &err) != 0);
	BN_CHECK_CONTAINS(t, err.msg, "/nonexistent/bnity");
	pol.n_read_paths = 0;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_sandbox_run(&res, NULL, &pol, &tg, &err), ==, 0);
	BN_CHECK_INT(t, res.end, ==, BN_SANDBOX_END_EXIT);
	BN_CHECK_INT(t, res.exit_code, ==, 0);
}

static void test_probe(bn_t *t)
{
	bn_sandbox_status st;

	bn_sandbox_probe(&st);
	for (int m = 0; m < BN_SANDBOX_MECH_MAX; m++) {
		BN_CHECK(t, st.mech[m].note[0] != '\0');
		BN_CHECK(t, !st.mech[m].in_force || st.mech[m].offered);
	}
	BN_CHECK(t, !st.mech[BN_SANDBOX_MECH_SECCOMP_NOTIFY].in_force);
	BN_CHECK_INT(t, st.mech[BN_SANDBOX_MECH_LANDLOCK_FS].offered, ==,
		     st.landlock_abi >= 1);
}

static void *stop_later(void *arg)
{
	struct timespec ts = { 0, 300 * 1000000L };

	nanosleep(&ts, NULL);
	*(unsigned *)arg = bn_sandbox_procs_stop();
	return NULL;
}

/* Stopping kills a running child from another thread, long before its
   wall clock, and refuses every later spawn. */
static void test_procs_stop(bn_t *t)
{
	bn_sandbox_policy pol = BN_SANDBOX_POLICY_INIT;
	bn_sandbox_target tg = { .fn = sleep_worker };
	bn_sandbox_proc *proc = NULL;
	bn_sandbox_result res;
	unsigned killed = 0;
	pthread_t th;
	bn_err err;

	pol.wall_ms = 60000;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_sandbox_spawn(&proc, &pol, &tg, &err), ==, 0);
	if (!proc)
		return;
	BN_CHECK_INT(t, pthread_create(&th, NULL, stop_later, &killed), ==, 0);
	BN_CHECK_INT(t, bn_sandbox_proc_wait(&res, proc, &err), ==, 0);
	pthread_join(th, NULL);
	bn_sandbox_proc_free(proc);
	BN_CHECK_INT(t, killed, ==, 1);
	BN_CHECK_INT(t, res.end, ==, BN_SANDBOX_END_SIGNAL);
	BN_CHECK_INT(t, res.signal, ==, SIGKILL);
	BN_CHECK(t, res.wall_us < 30000000); /* not its 60 s clock */
	BN_CHECK_INT(t, bn_sandbox_procs_stop(), ==, 0); /* none left */
	BN_CHECK_INT(t, run_fn(&res, &pol, sleep_worker, NULL, &err), ==,
		     -ECANCELED);
	BN_CHECK_CONTAINS(t, err.msg, "stopping");
}

int main(void)
{
	bn_t t = { 0 };

	signal(SIGPIPE, SIG_IGN);
	if (geteuid() != 0) {
		printf("1..0 # SKIP the worker tests need root (cgroups, "
		       "uid maps)\n");
		return 0;
	}
	BN_RUN(&t, test_channel);
	BN_RUN(&t, test_seccomp_kills);
	BN_RUN(&t, test_exec_memory);
	BN_RUN(&t, test_paths);
	BN_RUN(&t, test_limits);
	BN_RUN(&t, test_fds_closed);
	BN_RUN(&t, test_policy_checks);
	BN_RUN(&t, test_probe);
	BN_RUN(&t, test_procs_stop); /* last: it cannot be undone */
	return bn_t_done(&t);
}
