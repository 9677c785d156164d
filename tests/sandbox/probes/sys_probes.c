/* SPDX-License-Identifier: MIT */
/*
 * tests/sandbox/probes/sys_probes.c - system-call escapes: a 32-bit
 * (int 0x80) call, an x32 call, io_uring, ptrace and process_vm_readv of
 * the broker, kill() of the broker, setuid(0)/capset, setuid-root
 * binaries (su, passwd), a nested user namespace, TIOCSTI.
 */
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "probe.h"

static pid_t arg_pid(int argc, char **argv)
{
	return argc > 0 ? (pid_t)strtol(argv[0], NULL, 10) : 1;
}

/* getpid through the i386 entry: i386 __NR_getpid is 20. */
static int int80(int argc, char **argv)
{
	long ret = 20;

	__asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
	printf("int 0x80 returned %ld\n", ret);
	return ret > 0 ? probe_escaped("an i386 system call ran")
		       : probe_blocked("int 0x80", (int)-ret);
}

/* getpid (39) with the x32 bit. */
static int x32(int argc, char **argv)
{
	long ret = syscall(0x40000000L | 39);

	return ret > 0 ? probe_escaped("an x32 system call ran")
		       : probe_blocked("x32 getpid", errno);
}

static int io_uring(int argc, char **argv)
{
	char params[120] = { 0 };
	long fd = syscall(425 /* io_uring_setup */, 8, params);

	return fd >= 0 ? probe_escaped("io_uring_setup")
		       : probe_blocked("io_uring_setup", errno);
}

static int ptrace_attach(int argc, char **argv)
{
	if (ptrace(PTRACE_ATTACH, arg_pid(argc, argv), NULL, NULL))
		return probe_blocked("ptrace(PTRACE_ATTACH, broker)", errno);
	return probe_escaped("attached to the broker");
}

static int vm_readv(int argc, char **argv)
{
	char buf[16];
	struct iovec local = { buf, sizeof(buf) };
	struct iovec remote = { (void *)0x400000, sizeof(buf) };

	if (process_vm_readv(arg_pid(argc, argv), &local, 1, &remote, 1, 0) < 0)
		return probe_blocked("process_vm_readv(broker)", errno);
	return probe_escaped("read the broker's memory");
}

static int kill_broker(int argc, char **argv)
{
	if (kill(arg_pid(argc, argv), SIGCONT))
		return probe_blocked("kill(broker)", errno);
	return probe_escaped("signalled the broker");
}

static int setuid0(int argc, char **argv)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	int e1, e2;

	e1 = setuid(0) ? errno : 0;
	memset(d, 0xff, sizeof(d));
	e2 = syscall(SYS_capset, &h, d) ? errno : 0;
	printf("uid %d euid %d, setuid(0): %s, capset(all): %s\n",
	       (int)getuid(), (int)geteuid(), strerror(e1), strerror(e2));
	if (geteuid() == 0 || !e1 || !e2)
		return probe_escaped("gained uid 0 or capabilities");
	return probe_blocked("setuid(0) and capset", e1);
}

/* argv: PROGRAM ARGS...; a setuid-root program must not act as root. */
static int setuid_bin(int argc, char **argv)
{
	pid_t pid;
	int st;

	if (argc < 1)
		return 2;
	pid = fork();
	if (pid < 0)
		return probe_blocked("fork", errno);
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return probe_blocked("waitpid", errno);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return probe_escaped(argv[0]);
	printf("blocked: %s ended with %s %d\n", argv[0],
	       WIFEXITED(st) ? "exit" : "signal",
	       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return 0;
}

static int userns(int argc, char **argv)
{
	if (unshare(CLONE_NEWUSER))
		return probe_blocked("unshare(CLONE_NEWUSER)", errno);
	return probe_escaped("created a nested user namespace");
}

static int tiocsti(int argc, char **argv)
{
	char c = 'x';
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fd = 0;
	if (ioctl(fd, TIOCSTI, &c))
		return probe_blocked("ioctl(TIOCSTI)", errno);
	return probe_escaped("pushed a character into the terminal");
}

static const probe probes[] = {
	{ "int80", int80 },
	{ "x32", x32 },
	{ "io-uring", io_uring },
	{ "ptrace", ptrace_attach },
	{ "vm-readv", vm_readv },
	{ "kill-broker", kill_broker },
	{ "setuid0", setuid0 },
	{ "setuid-bin", setuid_bin },
	{ "userns", userns },
	{ "tiocsti", tiocsti },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	return probe_dispatch(probes, argc, argv);
}
