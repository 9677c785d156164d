/* SPDX-License-Identifier: MIT */
/*
 * tests/sandbox/probes/net_probes.c - network escapes: TCP (connect to a
 * listener the runner opened on the host's loopback), UDP, netlink, raw
 * and vsock sockets.
 */
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe.h"

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static int try_socket(int domain, int type, int proto, const char *what)
{
	int fd = socket(domain, type | SOCK_CLOEXEC, proto);

	if (fd < 0)
		return probe_blocked(what, errno);
	close(fd);
	return probe_escaped(what);
}

/* argv: [PORT]; connect to 127.0.0.1:PORT. */
static int tcp(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return probe_blocked("socket(AF_INET, SOCK_STREAM)", errno);
	sa.sin_port = htons((uint16_t)(argc > 0 ?
				       strtoul(argv[0], NULL, 10) : 80));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;
		close(fd);
		return probe_blocked("connect 127.0.0.1", e);
	}
	close(fd);
	return probe_escaped("TCP connect to the host loopback");
}

static int udp(int argc, char **argv)
{
	return try_socket(AF_INET, SOCK_DGRAM, 0, "socket(AF_INET, DGRAM)");
}

static int netlink(int argc, char **argv)
{
	return try_socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE,
			  "socket(AF_NETLINK)");
}

static int raw(int argc, char **argv)
{
	return try_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP,
			  "socket(AF_INET, SOCK_RAW)");
}

static int vsock(int argc, char **argv)
{
	return try_socket(AF_VSOCK, SOCK_STREAM, 0, "socket(AF_VSOCK)");
}

static const probe probes[] = {
	{ "tcp", tcp },
	{ "udp", udp },
	{ "netlink", netlink },
	{ "raw", raw },
	{ "vsock", vsock },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	return probe_dispatch(probes, argc, argv);
}
