/* SPDX-License-Identifier: MIT */
/*
 * sandbox/protocol.c - sending and receiving framed broker messages
 * (format in protocol.h).  The receiver trusts nothing: it checks the
 * header before allocating, reads exactly the announced bytes, and takes
 * descriptors only with the first header byte, closing any beyond the
 * cap.  Spec: unix(7) (SCM_RIGHTS, MSG_CMSG_CLOEXEC), cmsg(3).
 */
#include "protocol.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define CMSG_SPACE_FDS CMSG_SPACE(sizeof(int) * BN_SANDBOX_MSG_MAX_FDS)

_Static_assert(BN_SANDBOX_MSG_HEADER_BYTES == 2 * sizeof(uint32_t),
	       "a header is the type and the length, a u32 each");
_Static_assert(BN_SANDBOX_MSG_MAX_BYTES <= UINT32_MAX,
	       "every length a sender may send fits the header's u32");

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

int bn_sandbox_chan_pair(int out[2], bn_err *err)
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out))
		return bn_err_set(err, -errno, "sandbox channel: socketpair: "
				  "%s", strerror(errno));
	return 0;
}

int bn_sandbox_msg_header_parse(uint32_t *type, uint32_t *len,
				const uint8_t hdr[8], size_t max_payload,
				bn_err *err)
{
	uint32_t t = get_u32(hdr), n = get_u32(hdr + 4);

	if (t == 0)
		return bn_err_set(err, BN_EINVAL, "sandbox channel: message "
				  "type 0");
	if (n > max_payload)
		return bn_err_set(err, BN_ELIMIT, "sandbox channel: message "
				  "of %u bytes over the %zu-byte cap", n,
				  max_payload);
	*type = t;
	*len = n;
	return 0;
}

/* Write all of iov (which it advances), the first call carrying CMSG. */
static int send_all(int fd, struct iovec *iov, int iovcnt,
		    struct msghdr *first)
{
	struct msghdr mh;
	ssize_t k;

	mh = *first;
	while (iovcnt > 0) {
		mh.msg_iov = iov;
		mh.msg_iovlen = (size_t)iovcnt;
		k = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		mh.msg_control = NULL; /* descriptors went with byte one */
		mh.msg_controllen = 0;
		while (iovcnt > 0 && (size_t)k >= iov->iov_len) {
			k -= (ssize_t)iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt > 0) {
			iov->iov_base = (char *)iov->iov_base + k;
			iov->iov_len -= (size_t)k;
		}
	}
	return 0;
}

int bn_sandbox_msg_send(int fd, uint32_t type, const void *payload,
			size_t len, const int *fds, size_t n_fds, bn_err *err)
{
	union {
		char buf[CMSG_SPACE_FDS];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh;
	struct iovec iov[2];
	uint8_t hdr[BN_SANDBOX_MSG_HEADER_BYTES];
	int r;

	if (type == 0 || n_fds > BN_SANDBOX_MSG_MAX_FDS)
		return bn_err_set(err, BN_EINVAL, "sandbox channel: send: "
				  "type 0 or %zu descriptors", n_fds);
	if (len > BN_SANDBOX_MSG_MAX_BYTES)
		return bn_err_set(err, BN_ELIMIT, "sandbox channel: send: %zu "
				  "bytes over the cap", len);
	assert(len <= UINT32_MAX && (n_fds == 0 || fds) &&
	       (len == 0 || payload));
	put_u32(hdr, type);
	put_u32(hdr + 4, (uint32_t)len);
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)payload;
	iov[1].iov_len = len;
	memset(&mh, 0, sizeof(mh));
	if (n_fds) {
		struct cmsghdr *c;
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
	}
	r = send_all(fd, iov, len ? 2 : 1, &mh);
	if (r)
		return bn_err_set(err, r, "sandbox channel: send: %s",
				  strerror(-r));
	return 0;
}

/* Take the SCM_RIGHTS descriptors of MH into m; false if over the cap. */
static bool take_fds(bn_sandbox_msg *m, struct msghdr *mh)
{
	struct cmsghdr *c;
	bool ok = !(mh->msg_flags & MSG_CTRUNC);

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t i, n;
		int fd;
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (m->n_fds < BN_SANDBOX_MSG_MAX_FDS)
				m->fds[m->n_fds++] = fd;
			else {
				close(fd);
				ok = false;
			}
		}
	}
	assert(m->n_fds <= BN_SANDBOX_MSG_MAX_FDS);
	return ok;
}

/*
 * Read exactly n bytes; -EPIPE at EOF.  Plain read(): descriptors sent
 * with these bytes are dropped by the kernel (no control buffer), and the
 * worker's allow-list has read but not recvfrom.
 */
static int read_exact(int fd, uint8_t *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		k = read(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -EPIPE;
		assert((size_t)k <= n);  /* read(2) returns at most n */
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int recv_header(bn_sandbox_msg *m, int fd, uint8_t *hdr, bn_err *err)
{
	union {
		char buf[CMSG_SPACE_FDS];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { hdr, BN_SANDBOX_MSG_HEADER_BYTES };
	struct msghdr mh;
	ssize_t k;
	int r;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	do
		k = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return bn_err_set(err, -errno, "sandbox channel: recv: %s",
				  strerror(errno));
	if (k == 0)
		return -EPIPE; /* a clean end between messages */
	assert((size_t)k <= BN_SANDBOX_MSG_HEADER_BYTES);  /* iov's size */
	if (!take_fds(m, &mh))
		return bn_err_set(err, BN_EINVAL, "sandbox channel: more than "
				  "%d descriptors", BN_SANDBOX_MSG_MAX_FDS);
	r = read_exact(fd, hdr + k, BN_SANDBOX_MSG_HEADER_BYTES - (size_t)k);
	if (r)
		return bn_err_set(err, BN_EINVAL, "sandbox channel: header cut "
				  "short");
	return 0;
}

int bn_sandbox_msg_recv(bn_sandbox_msg *out, int fd, size_t max_payload,
			bn_err *err)
{
	uint8_t hdr[BN_SANDBOX_MSG_HEADER_BYTES];
	bn_sandbox_msg m;
	int r;

	memset(&m, 0, sizeof(m));
	r = recv_header(&m, fd, hdr, err);
	if (!r)
		r = bn_sandbox_msg_header_parse(&m.type, &m.len, hdr,
						max_payload, err);
	/* a parsed header is within the receiver's cap */
	assert(r || (m.type != 0 && m.len <= max_payload));
	if (!r && m.len) {
		m.payload = malloc((size_t)m.len + 1);
		if (!m.payload)
			r = bn_err_oom(err);
		else if ((r = read_exact(fd, m.payload, m.len)))
			r = bn_err_set(err, BN_EINVAL, "sandbox channel: "
				       "payload cut short (%u bytes "
				       "announced)", m.len);
		else
			m.payload[m.len] = 0;
	}
	if (r) {
		bn_sandbox_msg_clear(&m);
		return r;
	}
	*out = m;
	return 0;
}

void bn_sandbox_msg_clear(bn_sandbox_msg *m)
{
	size_t i;

	free(m->payload);
	for (i = 0; i < m->n_fds; i++)
		close(m->fds[i]);
	memset(m, 0, sizeof(*m));
}

/* ---- payload codec ----------------------------------------------------- */

void bn_sandbox_put_u32(bn_buf *b, uint32_t v)
{
	uint8_t x[4];

	put_u32(x, v);
	/* over the buffer's cap: the message is cut short and the receiver
	   refuses it as malformed */
	(void)bn_buf_append(b, x, 4);
}

void bn_sandbox_put_u64(bn_buf *b, uint64_t v)
{
	bn_sandbox_put_u32(b, (uint32_t)v);
	bn_sandbox_put_u32(b, (uint32_t)(v >> 32));
}

void bn_sandbox_put_bytes(bn_buf *b, const void *p, size_t n)
{
	bn_sandbox_put_u32(b, (uint32_t)n);
	if (n)
		(void)bn_buf_append(b, p, n);
}

void bn_sandbox_put_str(bn_buf *b, const char *s)
{
	bn_sandbox_put_bytes(b, s ? s : "", s ? strlen(s) : 0);
}

bn_sandbox_cursor bn_sandbox_cursor_of(const bn_sandbox_msg *m)
{
	bn_sandbox_cursor c = { m->payload, m->payload + m->len, false };

	return c;
}

uint32_t bn_sandbox_get_u32(bn_sandbox_cursor *c)
{
	uint32_t v;

	if (c->bad || 4 > c->end - c->p) {
		c->bad = true;
		return 0;
	}
	v = get_u32(c->p);
	c->p += 4;
	return v;
}

uint64_t bn_sandbox_get_u64(bn_sandbox_cursor *c)
{
	uint64_t lo = bn_sandbox_get_u32(c);

	return lo | (uint64_t)bn_sandbox_get_u32(c) << 32;
}

const uint8_t *bn_sandbox_get_bytes(bn_sandbox_cursor *c, size_t max,
				    size_t *len)
{
	uint32_t n = bn_sandbox_get_u32(c);
	const uint8_t *p = c->p;

	if (c->bad || n > max || n > (size_t)(c->end - c->p)) {
		c->bad = true;
		*len = 0;
		return NULL;
	}
	c->p += n;
	*len = n;
	return p;
}

char *bn_sandbox_get_str(bn_sandbox_cursor *c, size_t max)
{
	size_t n;
	const uint8_t *p = bn_sandbox_get_bytes(c, max, &n);
	char *s;

	if (!p && c->bad)
		return NULL;
	if (n && memchr(p, '\0', n)) {
		c->bad = true;
		return NULL;
	}
	s = bn_xmalloc(n + 1);
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

bool bn_sandbox_cursor_done(const bn_sandbox_cursor *c)
{
	return !c->bad && c->p == c->end;
}
