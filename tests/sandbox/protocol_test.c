/* SPDX-License-Identifier: MIT */
/*
 * tests/sandbox/protocol_test.c - the framed broker protocol: round
 * trips, descriptors, the payload cap at limit - 1, limit and limit + 1,
 * and every malformed frame a worker could send (type 0, cut header, cut
 * payload, too many descriptors) being an error, never a crash or a leak.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "sandbox/protocol.h"

static void pair(bn_t *t, int sv[2])
{
	bn_err err;

	bn_err_init(&err);
	BN_CHECK_INT(t, bn_sandbox_chan_pair(sv, &err), ==, 0);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Write a raw header (and n payload bytes of 'x'), then close. */
static void raw_frame(int fd, uint32_t type, uint32_t len, size_t n)
{
	uint8_t h[8];
	char *body = calloc(1, n + 1);

	put32(h, type);
	put32(h + 4, len);
	(void)!write(fd, h, sizeof(h));
	memset(body, 'x', n);
	if (n)
		(void)!write(fd, body, n);
	free(body);
}

static int count_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 256; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

static void test_roundtrip(bn_t *t)
{
	bn_sandbox_msg m;
	bn_err err;
	int sv[2];

	pair(t, sv);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_sandbox_msg_send(sv[0], 7, "hello", 5, NULL, 0,
					    &err), ==, 0);
	BN_CHECK_INT(t, bn_sandbox_msg_send(sv[0], 8, NULL, 0, NULL, 0, &err),
		     ==, 0);
	BN_CHECK_INT(t, bn_sandbox_msg_recv(&m, sv[1], 1024, &err), ==, 0);
	BN_CHECK_INT(t, m.type, ==, 7);
	BN_CHECK_INT(t, m.len, ==, 5);
	BN_CHECK_STR(t, (const char *)m.payload, "hello");
	bn_sandbox_msg_clear(&m);
	BN_CHECK_INT(t, bn_sandbox_msg_recv(&m, sv[1], 1024, &err), ==, 0);
	BN_CHECK_INT(t, m.type, ==, 8);
	BN_CHECK_INT(t, m.len, ==, 0);
	BN_CHECK(t, m.payload == NULL);
	bn_sandbox_msg_clear(&m);
	close(sv[0]);
	BN_CHECK_INT(t, bn_sandbox_msg_recv(&m, sv[1], 1024, &err), ==,
		     -EPIPE);
	close(sv[1]);
}

static void test_fd_passing(bn_t *t)
{
	bn_sandbox_msg m;
	char buf[8] = { 0 };
	bn_err err;
	int sv[2], mfd;

	pair(t, sv);
	bn_err_init(&err);
	mfd = memfd_create("stdin", MFD_CLOEXEC);
	BN_CHECK(t, mfd >= 0);
	(void)!write(mfd, "input", 5);
	BN_CHECK_INT(t, bn_sandbox_msg_send(sv[0], 1, "x", 1, &mfd, 1, &err),
		     ==, 0);
	BN_CHECK_INT(t, bn_sandbox_msg_recv(&m, sv[1], 16, &err), ==, 0);
	BN_CHECK_INT(t, m.n_fds, ==, 1);
	if (m.n_fds == 1) {
		BN_CHECK_INT(t, pread(m.fds[0], buf, 5, 0), ==, 5);
		BN_CHECK_STR(t, buf, "input");
		BN_CHECK(t, fcntl(m.fds[0], F_GETFD) & FD_CLOEXEC);
	}
	bn_sandbox_msg_clear(&m);
	close(mfd);
	close(sv[0]);
	close(sv[1]);
}

/* Payload cap: limit - 1 and limit pass, limit + 1 is BN_ELIMIT. */
static void test_cap_boundaries(bn_t *t)
{
	char body[17];
	bn_sandbox_msg m;
	bn_err err;
	int sv[2];

	memset(body, 'a', sizeof(body));
	for (size_t n = 15; n <= 17; n++) {
		pair(t, sv);
		bn_err_init(&err);
		BN_CHECK_INT(t, bn_sandbox_msg_send(sv[0], 2, body, n, NULL, 0,
						    &err), ==, 0);
		int r = bn_sandbox_msg_recv(&m, sv[1], 16, &err);
		if (n <= 16) {
			BN_CHECK_INT(t, r, ==, 0);
			BN_CHECK_INT(t, m.len, ==, n);
			bn_sandbox_msg_clear(&m);
		} else {
			BN_CHECK_INT(t, r, ==, BN_ELIMIT);
			BN_CHECK_CONTAINS(t, err.msg, "over the 16-byte cap");
		}
		close(sv[0]);
		close(sv[1]);
	}
}

static void test_send_refuses(bn_t *t)
{
	bn_err err;
	int sv[2], fds[5] = { 0, 0, 0, 0, 0 };

	pair(t, sv);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_sandbox_msg_send(sv[0], 0, "x", 1, NULL, 0, &err),
		     ==, BN_EINVAL);
	BN_CHECK_INT(t, bn_sandbox_msg_send(sv[0], 1, "x", 1, fds, 5, NULL),
		     ==, BN_EINVAL);
	BN_CHECK_INT(t, bn_sandbox_msg_send(sv[0], 1, "x",
					    BN_SANDBOX_MSG_MAX_BYTES + 1, NULL,
					    0, NULL), ==, BN_ELIMIT);
	close(sv[1]);
	BN_CHECK_INT(t, bn_sandbox_msg_send(sv[0], 1, "x", 1, NULL, 0, NULL),
		     ==, -EPIPE);
	close(sv[0]);
}

/* Frames a hostile worker could write, each an error for the receiver. */
static void test_malformed(bn_t *t)
{
	static const struct {
		uint32_t type, len;
		size_t body;
		int want;
	} cases[] = {
		{ 0, 1, 1, BN_EINVAL },                  /* type 0 */
		{ 1, 4u << 20, 0, BN_ELIMIT },           /* 4 MiB announced */
		{ 1, 0xffffffffu, 0, BN_ELIMIT },        /* u32 max */
		{ 1, 10, 3, BN_EINVAL },                 /* payload cut */
	};
	bn_sandbox_msg m;
	bn_err err;
	int sv[2];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pair(t, sv);
		bn_err_init(&err);
		raw_frame(sv[0], cases[i].type, cases[i].len, cases[i].body);
		close(sv[0]);
		BN_CHECK_INT(t, bn_sandbox_msg_recv(&m, sv[1],
						    BN_SANDBOX_MSG_MAX_BYTES,
						    &err), ==, cases[i].want);
		BN_CHECK(t, err.msg[0] != '\0');
		close(sv[1]);
	}
	/* A header cut after 4 bytes. */
	pair(t, sv);
	bn_err_init(&err);
	(void)!write(sv[0], "\1\0\0\0", 4);
	close(sv[0]);
	BN_CHECK_INT(t, bn_sandbox_msg_recv(&m, sv[1], 64, &err), ==,
		     BN_EINVAL);
	BN_CHECK_CONTAINS(t, err.msg, "header cut short");
	close(sv[1]);
}

/* Six descriptors where four are allowed: refused, and none leak. */
static void test_too_many_fds(bn_t *t)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 6)];
		struct cmsghdr align;
	} ctl;
	uint8_t h[8];
	struct iovec iov = { h, sizeof(h) };
	struct msghdr mh = { 0 };
	struct cmsghdr *c;
	bn_sandbox_msg m;
	int sv[2], fds[6], before;
	bn_err err;

	pair(t, sv);
	for (int i = 0; i < 6; i++)
		fds[i] = 0;
	put32(h, 1);
	put32(h + 4, 0);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	BN_CHECK_INT(t, sendmsg(sv[0], &mh, 0), ==, 8);
	before = count_fds();
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_sandbox_msg_recv(&m, sv[1], 64, &err), ==,
		     BN_EINVAL);
	BN_CHECK_INT(t, count_fds(), ==, before);
	close(sv[0]);
	close(sv[1]);
}

/* A full 1 MiB message crosses a socket buffer smaller than itself. */
static void test_max_message(bn_t *t)
{
	size_t n = BN_SANDBOX_MSG_MAX_BYTES;
	char *body = malloc(n);
	bn_sandbox_msg m;
	bn_err err;
	int sv[2], st;
	pid_t pid;

	pair(t, sv);
	memset(body, 'z', n);
	pid = fork();
	if (pid == 0) {
		close(sv[1]);
		_exit(bn_sandbox_msg_send(sv[0], 3, body, n, NULL, 0, NULL) ?
		      1 : 0);
	}
	close(sv[0]);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_sandbox_msg_recv(&m, sv[1], n, &err), ==, 0);
	BN_CHECK_INT(t, m.len, ==, n);
	BN_CHECK(t, m.payload && m.payload[n - 1] == 'z');
	bn_sandbox_msg_clear(&m);
	BN_CHECK_INT(t, waitpid(pid, &st, 0), ==, pid);
	BN_CHECK(t, WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(sv[1]);
	free(body);
}

int main(void)
{
	bn_t t = { 0 };

	signal(SIGPIPE, SIG_IGN);
	BN_RUN(&t, test_roundtrip);
	BN_RUN(&t, test_fd_passing);
	BN_RUN(&t, test_cap_boundaries);
	BN_RUN(&t, test_send_refuses);
	BN_RUN(&t, test_malformed);
	BN_RUN(&t, test_too_many_fds);
	BN_RUN(&t, test_max_message);
	return bn_t_done(&t);
}
