/* SPDX-License-Identifier: MIT */
/*
 * sandbox/seccomp.c - the system-call allow-lists of a confined child.
 *
 * Two lists on a default of KILL_PROCESS: a minimal one for the engine
 * worker (files through Landlock, the broker channel, memory without
 * PROT_EXEC, time, poll/ppoll/eventfd2 and ioctl TCGETS/FIONREAD for
 * WASI, exit; every WASI call is made confined by
 * tests/sandbox/wasi_confined.sh) and a broader one for native commands (execve,
 * processes, pipes, connected AF_UNIX stream socketpairs, a few terminal
 * ioctls; socket() fails with EACCES for every family).  Neither
 * has io_uring, ptrace, process_vm_*, keyctl, bpf, userfaultfd,
 * perf_event_open, unshare, setns, mount, or clone with namespace flags.
 * A raw filter in front kills foreign architectures (i386 through int
 * 0x80) and x32 numbers.  Spec: seccomp(2), seccomp_init(3),
 * seccomp_rule_add(3), Documentation/userspace-api/seccomp_filter.rst.
 *
 * Sanitizer builds (HAVE_ASAN) add what the ASan/UBSan runtime calls
 * while reporting: sched_getaffinity, prctl, tgkill (rt_sigaction is
 * in the worker's own list), sigaltstack, getrlimit, prlimit64, readlink, uname, mincore, getppid,
 * open, stat, lstat, access (reading /proc/self/maps).
 * Release builds never allow them in the worker.  Never fork or execve:
 * the external symbolizer cannot start inside a worker, so the report
 * stops after its first lines (run with ASAN_OPTIONS=symbolize=0 to get
 * raw frames instead).
 */
#include "sandbox_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#ifndef HAVE_ASAN
#define HAVE_ASAN 0
#endif

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#define X32_SYSCALL_BIT 0x40000000u
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#define X32_SYSCALL_BIT 0xffffffffu /* no x32 here: never matches */
#else
#error "sandbox: add the audit arch of this machine"
#endif

/* Every namespace flag: clone() carrying one of them is not allowed. */
#define NS_FLAGS ((scmp_datum_t)(CLONE_NEWUSER | CLONE_NEWPID | \
	CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | \
	CLONE_NEWCGROUP | 0x00000080 /* CLONE_NEWTIME */))

/* The engine worker: what an interpreter with a channel needs. */
static const char *const worker_calls[] = {
	/* WASI fd_pread/fd_pwrite take iovecs: preadv/pwritev */
	"read", "write", "readv", "writev", "pread64", "pwrite64",
	"preadv", "pwritev", "close",
	"fstat", "newfstatat", "statx", "lseek", "munmap", "mremap", "brk",
	"madvise", "futex", "clock_gettime", "clock_getres",
	"clock_nanosleep", "nanosleep", "getrandom", "exit", "exit_group",
	"rt_sigreturn", "rt_sigprocmask", "sched_yield", "restart_syscall",
	/* the engine installs its SIGSEGV handler (guard pages: a wasm
	   access past the end of memory becomes a trap) on first use */
	"rt_sigaction",
	"openat", "openat2", "getdents64", "fcntl", "ftruncate", "fsync",
	/* glibc's rename() is renameat on x86-64, renameat2 elsewhere */
	"fdatasync", "unlinkat", "mkdirat", "renameat", "renameat2",
	"readlinkat",
	"symlinkat", "linkat", "utimensat", "fadvise64", "fallocate",
	"sendmsg", "recvmsg", "getpid", "gettid", "close_range", "dup",
	"dup3",
	/* WASI fd_allocate: posix_fallocate falls back to writing zeroes
	   where the file system has no fallocate, and asks fstatfs for the
	   block size first (an fd the worker holds; nothing to change) */
	"fstatfs",
	/* WASI: poll_oneoff waits with ppoll; an eventfd wakes it early */
	"eventfd2", "ppoll", "poll",
};

/*
 * The worker's ioctls, both read-only: WASI asks isatty() of its stdio
 * (TCGETS; so does the ASan report, for colour) and how many bytes a pipe
 * holds (FIONREAD).
 */
static const unsigned long worker_ioctls[] = { TCGETS, FIONREAD };

/* What the sanitizer runtimes call (HAVE_ASAN builds only). */
static const char *const asan_calls[] = {
	"sched_getaffinity", "prctl", "tgkill",
	"sigaltstack", "getrlimit", "prlimit64", "readlink", "uname",
	"mincore", "getppid", "open", "stat", "lstat", "access",
};

/* Native commands: the worker's list plus what programs expect. */
static const char *const native_calls[] = {
	"mmap", "mprotect", "execve", "access", "faccessat", "faccessat2",
	"open", "stat", "lstat", "poll", "ppoll", "select", "pselect6",
	"epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
	"eventfd2", "pipe", "pipe2", "dup2", "getcwd", "chdir", "fchdir",
	"rename", "renameat", "mkdir", "rmdir", "unlink", "link", "symlink",
	"readlink", "chmod", "fchmod", "fchmodat", "chown", "fchown",
	"fchownat", "lchown", "umask", "uname", "arch_prctl",
	"set_tid_address", "set_robust_list", "rseq", "getrlimit",
	"setrlimit", "prlimit64", "getuid", "geteuid", "getgid", "getegid", "getgroups",
	"getresuid", "getresgid", "getppid", "getpgrp", "getpgid", "getsid",
	"setpgid", "setsid", "setuid", "setgid", "setreuid", "setregid",
	"setresuid", "setresgid", "setgroups", "setfsuid", "setfsgid",
	"capget", "capset", "fork", "vfork", "wait4", "waitid", "kill",
	"tkill", "tgkill", "rt_sigsuspend",
	"rt_sigtimedwait", "rt_sigpending", "sigaltstack", "pause", "alarm",
	"setitimer", "getitimer", "times", "getrusage", "sysinfo",
	"sched_getaffinity", "sched_getparam", "sched_getscheduler",
	"getpriority", "prctl", "mincore", "msync", "memfd_create",
	"connect", "bind", "listen", "accept", "accept4", "sendto",
	"recvfrom", "shutdown", "getsockname", "getpeername", "getsockopt",
	"setsockopt", "statfs", "fstatfs", "truncate", "flock",
	"copy_file_range", "sendfile", "getdents", "utime", "utimes",
	"futimesat", "time", "gettimeofday", "getcpu", "membarrier",
	"get_robust_list", "timerfd_create", "timerfd_settime",
	"timerfd_gettime", "signalfd4", "mlock", "munlock",
};

/* The only terminal/file ioctls a native command may issue. */
static const unsigned long native_ioctls[] = {
	TCGETS, TIOCGWINSZ, TIOCGPGRP, FIONREAD, FIONBIO, FIOCLEX, FIONCLEX,
};

/* The type bits of socketpair's second argument (below SOCK_NONBLOCK). */
#define SOCK_TYPE_BITS 0xf

/* PID 1 only waits for the payload, reports and exits. */
static const char *const init_calls[] = {
	"wait4", "waitid", "kill", "write", "close", "exit", "exit_group",
	"rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "getpid", "gettid",
	"restart_syscall", "munmap", "brk", "mmap", "futex",
};

static int allow_names(scmp_filter_ctx ctx, const char *const *names,
		       size_t n, bn_err *err)
{
	size_t i;
	int nr, r;

	for (i = 0; i < n; i++) {
		nr = seccomp_syscall_resolve_name(names[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not a call on this arch */
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r == -EEXIST)
			r = 0; /* on two lists */
		if (r)
			return bn_err_set(err, r, "seccomp: allow %s: %s",
					  names[i], strerror(-r));
	}
	return 0;
}

static int new_ctx(scmp_filter_ctx *out, bn_err *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int r;

	if (!ctx)
		return bn_err_set(err, -ENOMEM, "seccomp: seccomp_init failed");
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			     SCMP_ACT_KILL_PROCESS);
	if (r) {
		seccomp_release(ctx);
		return bn_err_set(err, r, "seccomp: bad-arch action: %s",
				  strerror(-r));
	}
	*out = ctx;
	return 0;
}

/* Worker memory is never mapped executable and never writable and
   executable at once: the engine's machine code is written, then turned
   read+execute with mprotect, and bn_sandbox_seal_exec() takes even that
   away once the module is compiled.  seccomp() itself may only add
   filters (the seal). */
static int add_worker_rules(scmp_filter_ctx ctx)
{
	size_t i;
	int r;

	r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect),
				     1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC,
						0));
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect),
				     1, SCMP_A2(SCMP_CMP_EQ,
						PROT_READ | PROT_EXEC, 0));
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(seccomp), 1,
				     SCMP_A0(SCMP_CMP_EQ,
					     SECCOMP_SET_MODE_FILTER, 0));
	for (i = 0; !r && i < sizeof(worker_ioctls) / sizeof(worker_ioctls[0]);
	     i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_EQ, worker_ioctls[i], 0));
	return r;
}

static int add_native_rules(scmp_filter_ctx ctx)
{
	size_t i;
	int r;

	/*
	 * No socket() at all, AF_UNIX included: a filter cannot read the
	 * sockaddr behind connect/bind/sendto, and Landlock does not cover
	 * connecting to a pathname socket (D-Bus, /dev/log, journald).
	 * socketpair() stays for stream and seqpacket pairs, which are
	 * connected to each other and refuse (stream) or ignore (seqpacket)
	 * a destination address; a datagram pair would take one in sendto.
	 */
	r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 0);
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socketpair),
				     2, SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0),
				     SCMP_A1(SCMP_CMP_MASKED_EQ, SOCK_TYPE_BITS,
					     SOCK_STREAM));
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socketpair),
				     2, SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0),
				     SCMP_A1(SCMP_CMP_MASKED_EQ, SOCK_TYPE_BITS,
					     SOCK_SEQPACKET));
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
				     SCMP_SYS(socketpair), 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, SOCK_TYPE_BITS,
					     SOCK_DGRAM));
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, NS_FLAGS, 0));
	/* clone3 hides its flags in memory: make libc fall back to clone. */
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
				     SCMP_SYS(clone3), 0);
	for (i = 0; !r && i < sizeof(native_ioctls) / sizeof(native_ioctls[0]);
	     i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_EQ, native_ioctls[i], 0));
	return r;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A new filter allowing the N calls named in CALLS, and what the
   sanitizers need in a sanitizer build. */
static int new_ctx_allowing(scmp_filter_ctx *out, const char *const *calls,
			    size_t n, bn_err *err)
{
	scmp_filter_ctx ctx = NULL;
	int r;

	if ((r = new_ctx(&ctx, err)))
		return r;
	r = allow_names(ctx, calls, n, err);
	if (!r && HAVE_ASAN)
		r = allow_names(ctx, asan_calls, N(asan_calls), err);
	if (r) {
		seccomp_release(ctx);
		return r;
	}
	*out = ctx;
	return 0;
}

int bn_sandbox__seccomp_build(scmp_filter_ctx *out, bool native,
			      bn_err *err)
{
	scmp_filter_ctx ctx = NULL;
	int r;

	if ((r = new_ctx_allowing(&ctx, worker_calls, N(worker_calls), err)))
		return r;
	if (native)
		r = allow_names(ctx, native_calls, N(native_calls), err);
	if (!r) {
		r = native ? add_native_rules(ctx) : add_worker_rules(ctx);
		if (r)
			r = bn_err_set(err, r, "seccomp: argument rules: %s",
				       strerror(-r));
	}
	if (r) {
		seccomp_release(ctx);
		return r;
	}
	*out = ctx;
	return 0;
}

/* CTX (released) compiled to BPF in a sealed memfd *OUT named NAME;
   WHOSE names the filter in errors. */
static int export_sealed(int *out, scmp_filter_ctx ctx, const char *name,
			 const char *whose, bn_err *err)
{
	int fd, r = 0;

	fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		r = bn_err_set(err, -errno, "seccomp: memfd for %s filter: %s",
			       whose, strerror(errno));
	else if ((r = seccomp_export_bpf(ctx, fd)))
		r = bn_err_set(err, r, "seccomp: export %s filter: %s", whose,
			       strerror(-r));
	else if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK |
		       F_SEAL_GROW | F_SEAL_SEAL))
		r = bn_err_set(err, -errno, "seccomp: seal %s filter: %s",
			       whose, strerror(errno));
	seccomp_release(ctx);
	if (r) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	*out = fd;
	return 0;
}

int bn_sandbox__seccomp_worker_bpf(int *out, bn_err *err)
{
	scmp_filter_ctx ctx = NULL;
	int r;

	if ((r = bn_sandbox__seccomp_build(&ctx, false, err)))
		return r;
	return export_sealed(out, ctx, "bnity-worker-bpf", "the worker's",
			     err);
}

int bn_sandbox__seccomp_load_bpf(int fd)
{
	struct sock_filter prog[BN_SANDBOX__BPF_MAX];
	struct sock_fprog fp;
	ssize_t n = pread(fd, prog, sizeof(prog), 0);

	if (n <= 0 || (size_t)n % sizeof(prog[0]) ||
	    (size_t)n == sizeof(prog))
		return -EINVAL;
	fp.len = (unsigned short)((size_t)n / sizeof(prog[0]));
	fp.filter = prog;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp))
		return -errno;
	return 0;
}

int bn_sandbox__seccomp_build_init(scmp_filter_ctx *out, bn_err *err)
{
	return new_ctx_allowing(out, init_calls, N(init_calls), err);
}

int bn_sandbox__seccomp_init_bpf(int *out, bn_err *err)
{
	scmp_filter_ctx ctx = NULL;
	int r;

	if ((r = bn_sandbox__seccomp_build_init(&ctx, err)))
		return r;
	return export_sealed(out, ctx, "bnity-init-bpf", "PID 1's", err);
}

/*
 * The guard: kill unless the arch is ours and the number is below the
 * x32 bit.  libseccomp kills other arches too (BADARCH); this states it
 * in a dozen instructions anyone can audit.
 */
static const struct sock_filter arch_guard[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_AUDIT_ARCH, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

int bn_sandbox__seccomp_arch_guard(void)
{
	struct sock_fprog prog = {
		.len = (unsigned short)N(arch_guard),
		.filter = (struct sock_filter *)arch_guard,
	};

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return -errno;
	return 0;
}

/* On top of the worker's list: mprotect with PROT_EXEC kills. */
static const struct sock_filter seal_exec[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mprotect, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		 offsetof(struct seccomp_data, args[2])),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

int bn_sandbox_seal_exec(bn_err *err)
{
	struct sock_fprog prog = {
		.len = (unsigned short)N(seal_exec),
		.filter = (struct sock_filter *)seal_exec,
	};

	/* filters only ever add restrictions; no_new_privs is set already
	   in a confined child, and elsewhere this is refused harmlessly */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return bn_err_set(err, -errno, "seccomp: sealing executable "
				  "memory: %s", strerror(errno));
	return 0;
}

bool bn_sandbox__seccomp_can_filter(char *note, size_t n)
{
	uint32_t action = SECCOMP_RET_KILL_PROCESS;

	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action)) {
		snprintf(note, n, "seccomp(GET_ACTION_AVAIL): %s",
			 strerror(errno));
		return false;
	}
	snprintf(note, n, "BPF filters, KILL_PROCESS available; libseccomp "
		 "%u.%u.%u", seccomp_version()->major,
		 seccomp_version()->minor, seccomp_version()->micro);
	return true;
}

bool bn_sandbox__seccomp_can_notify(char *note, size_t n)
{
	struct seccomp_notif_sizes sizes;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes)) {
		snprintf(note, n, "SECCOMP_GET_NOTIF_SIZES: %s",
			 strerror(errno));
		return false;
	}
	snprintf(note, n, "available; not used (allow-lists kill instead)");
	return true;
}
