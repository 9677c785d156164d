/* SPDX-License-Identifier: MIT */
/*
 * tests/sandbox/probes/net_probes.c - network escapes: TCP (connect to a
 * listener the runner opened on the host's loopback), UDP, netlink, raw
 * and vsock sockets, and host services behind pathname UNIX sockets (a
 * stream listener and a datagram receiver like /dev/log).
 */
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
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

/* Close FD (and FD2 if >= 0), reporting WHAT blocked by the errno before. */
static int blocked_closing(int fd, int fd2, const char *what)
{
	int e = errno;

	close(fd);
	if (fd2 >= 0)
		close(fd2);
	return probe_blocked(what, e);
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
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return blocked_closing(fd, -1, "connect 127.0.0.1");
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

/* Fill SA with PATH; false if it does not fit. */
static bool unix_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return false;
	strcpy(sa->sun_path, path);
	return true;
}

/* argv: PATH; connect a stream socket to the host's listener at PATH. */
static int unix_connect(int argc, char **argv)
{
	struct sockaddr_un sa;
	int fd;

	if (argc < 1 || !unix_addr(&sa, argv[0]))
		return probe_blocked("unix-connect: bad PATH", EINVAL);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return probe_blocked("socket(AF_UNIX, SOCK_STREAM)", errno);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return blocked_closing(fd, -1, "connect to a host UNIX socket");
	close(fd);
	return probe_escaped("connect to a host pathname UNIX socket");
}

/*
 * argv: PATH; send a datagram to the host's receiver at PATH, through a
 * datagram socketpair (sendto with an address overrides its peer).
 */
static int unix_dgram(int argc, char **argv)
{
	struct sockaddr_un sa;
	int sv[2];

	if (argc < 1 || !unix_addr(&sa, argv[0]))
		return probe_blocked("unix-dgram: bad PATH", EINVAL);
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv))
		return probe_blocked("socketpair(AF_UNIX, SOCK_DGRAM)", errno);
	if (sendto(sv[0], "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return blocked_closing(sv[0], sv[1], "sendto a host UNIX socket");
	close(sv[0]);
	close(sv[1]);
	return probe_escaped("datagram to a host pathname UNIX socket");
}

static const probe probes[] = {
	{ "unix-connect", unix_connect },
	{ "unix-dgram", unix_dgram },
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
