/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_protocol.c - libFuzzer target for the broker protocol's
 * receive path: the input is the byte stream a hostile worker writes on
 * the channel.  It goes through a real AF_UNIX stream pair and
 * bn_sandbox_msg_recv is called until it reports an error or the end;
 * the first input byte picks the payload cap (so caps below, at and above
 * the announced lengths are all reached).  Any crash, leak or sanitizer
 * report is a bug; an error return is the expected outcome for garbage.
 *
 * Run: ./fuzz_protocol -max_len=65536
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox/protocol.h"

#define FUZZ_MAX_INPUT ((size_t)64 << 10) /* fits one socket buffer */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[4] = { 0, 16, 4096,
					BN_SANDBOX_MSG_MAX_BYTES };
	bn_sandbox_msg m;
	uint32_t type, len;
	size_t cap;
	int sv[2], i;

	if (size < 1 || size > FUZZ_MAX_INPUT)
		return 0;
	cap = caps[data[0] & 3];
	data++;
	size--;
	if (size >= 8)
		(void)bn_sandbox_msg_header_parse(&type, &len, data, cap, NULL);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return 0;
	if (size && write(sv[0], data, size) != (ssize_t)size)
		goto out;
	(void)shutdown(sv[0], SHUT_WR);
	for (i = 0; i < 1 << 16; i++) {
		if (bn_sandbox_msg_recv(&m, sv[1], cap, NULL))
			break;
		bn_sandbox_msg_clear(&m);
	}
out:
	close(sv[0]);
	close(sv[1]);
	return 0;
}
