/* SPDX-License-Identifier: MIT */
/*
 * sandbox/protocol.h - the framed broker protocol between the broker and
 * a confined worker.
 *
 * Owns: framing only.  A message is [u32 type][u32 len][len bytes of
 * payload], both integers little-endian, over an AF_UNIX SOCK_STREAM
 * socketpair (a SEQPACKET datagram cannot exceed the socket's send
 * buffer, about 200 KiB, so frames carry their own length).  Up to
 * BN_SANDBOX_MSG_MAX_FDS descriptors may travel with a message
 * (SCM_RIGHTS), e.g. memfds for stdin/stdout.  The receiver sets a cap;
 * a type 0, a length over the cap, a short frame or unexpected
 * descriptors are errors that end the conversation, never a crash.
 * What the types mean is the caller's business.  Uses: base, libc.
 * Spec: unix(7), cmsg(3), recvmsg(2).
 */
#ifndef BN_SANDBOX_PROTOCOL_H
#define BN_SANDBOX_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

#define BN_SANDBOX_MSG_HEADER_BYTES 8u
#define BN_SANDBOX_MSG_MAX_BYTES ((size_t)1 << 20) /* default payload cap */
#define BN_SANDBOX_MSG_MAX_FDS 4

/* One received message. */
typedef struct bn_sandbox_msg {
	uint32_t type;     /* never 0 */
	uint32_t len;      /* payload bytes */
	uint8_t *payload;  /* owned, len bytes + a NUL; NULL when len == 0 */
	int fds[BN_SANDBOX_MSG_MAX_FDS]; /* owned, O_CLOEXEC */
	size_t n_fds;      /* descriptors received */
} bn_sandbox_msg;

/*
 * bn_sandbox_chan_pair - a connected AF_UNIX stream pair, both ends
 * O_CLOEXEC (keep the child's end with policy.keep_fds).
 */
int bn_sandbox_chan_pair(int out[2], bn_err *err) BN_MUST_USE;

/*
 * bn_sandbox_msg_send - send one message with FDS (n_fds <=
 * BN_SANDBOX_MSG_MAX_FDS; the caller keeps its copies).  Never raises
 * SIGPIPE.  Returns 0, BN_EINVAL (type 0, too many fds), BN_ELIMIT
 * (len over BN_SANDBOX_MSG_MAX_BYTES), -EPIPE when the peer is gone, or
 * another negated errno.
 */
int bn_sandbox_msg_send(int fd, uint32_t type, const void *payload,
			size_t len, const int *fds, size_t n_fds, bn_err *err)
	BN_MUST_USE;

/*
 * bn_sandbox_msg_recv - receive one whole message into *out (owned; free
 * with bn_sandbox_msg_clear) accepting at most MAX_PAYLOAD bytes.
 * Blocks: poll the fd or set SO_RCVTIMEO for a deadline.  Returns 0,
 * -EPIPE at a clean end of stream (between messages), BN_EINVAL for a
 * malformed frame (type 0, cut short, descriptors over the cap),
 * BN_ELIMIT for a payload over MAX_PAYLOAD, or a negated errno.  On error
 * nothing is left in *out and the stream must be abandoned.
 */
int bn_sandbox_msg_recv(bn_sandbox_msg *out, int fd, size_t max_payload,
			bn_err *err) BN_MUST_USE;

/*
 * bn_sandbox_msg_header_parse - decode the 8 header bytes at HDR and check
 * them against MAX_PAYLOAD.  Returns 0, BN_EINVAL or BN_ELIMIT.
 */
int bn_sandbox_msg_header_parse(uint32_t *type, uint32_t *len,
				const uint8_t hdr[8], size_t max_payload,
				bn_err *err) BN_MUST_USE;

/* bn_sandbox_msg_clear - free the payload and close the descriptors. */
void bn_sandbox_msg_clear(bn_sandbox_msg *m);

/*
 * Payload codec shared by every user of the protocol: little-endian
 * integers and length-prefixed byte strings appended to a bn_buf, and a
 * reading cursor that never reads past the end (a short or overlong
 * field sets bad and reads as zero / NULL from then on).
 */
void bn_sandbox_put_u32(bn_buf *b, uint32_t v);
void bn_sandbox_put_u64(bn_buf *b, uint64_t v);
void bn_sandbox_put_bytes(bn_buf *b, const void *p, size_t n);
void bn_sandbox_put_str(bn_buf *b, const char *s); /* NULL = "" */

typedef struct bn_sandbox_cursor {
	const uint8_t *p;
	const uint8_t *end;
	bool bad;             /* a read went past the end */
} bn_sandbox_cursor;

/* A cursor over the payload of M (borrowed). */
bn_sandbox_cursor bn_sandbox_cursor_of(const bn_sandbox_msg *m);
uint32_t bn_sandbox_get_u32(bn_sandbox_cursor *c);
uint64_t bn_sandbox_get_u64(bn_sandbox_cursor *c);
/* A length-prefixed string of at most MAX bytes (borrowed). */
const uint8_t *bn_sandbox_get_bytes(bn_sandbox_cursor *c, size_t max,
				    size_t *len);
/* Likewise, as an owned NUL-terminated copy (NULL when bad or holding a
   NUL byte, which sets bad). */
char *bn_sandbox_get_str(bn_sandbox_cursor *c, size_t max);
/* Whether the whole payload was read without a bad field. */
bool bn_sandbox_cursor_done(const bn_sandbox_cursor *c);

#endif
