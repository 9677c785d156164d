/* SPDX-License-Identifier: MIT */
/*
 * server/conns.c - the request-header deadline.  libmicrohttpd's own
 * connection timeout is an idle timeout: a client that sends one byte now
 * and then keeps its connection (and, at the connection limit, every new
 * client out) for ever.  So each connection is followed from the moment
 * it is accepted: until its request's headers are complete (the first
 * call of the access handler) it has header_timeout_s; when a request
 * ends the clock starts again for the next one on that connection.  The
 * main thread sweeps twice a second and shuts down the socket of every
 * connection past its deadline, which ends it in its own thread.
 *
 * The socket stays valid while we may shut it down: libmicrohttpd calls
 * the notify callback with MHD_CONNECTION_NOTIFY_CLOSED before it closes
 * the socket, and we take the connection off the list under the same
 * lock the sweep holds.  Spec: microhttpd.h (MHD_OPTION_NOTIFY_CONNECTION,
 * MHD_CONNECTION_INFO_SOCKET_CONTEXT), shutdown(2).
 */
#include "server_int.h"

#include <stdlib.h>
#include <sys/socket.h>

#include "base/clock.h"

struct bn_server_conn {
	bn_server_conn *prev, *next;
	int fd;
	uint64_t since_ms;           /* accepted, or its last request ended */
	bool in_request;             /* headers complete, not yet answered */
	bool cut;                    /* shut down by the sweep */
};

void bn_server__conn_notify(void *cls, struct MHD_Connection *conn,
			    void **socket_context,
			    enum MHD_ConnectionNotificationCode code)
{
	const bn_server *srv = cls;
	bn_server_state *st = srv->state;
	bn_server_conn *c = *socket_context;
	const union MHD_ConnectionInfo *ci;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = bn_server__mhd()->get_connection_info(conn,
			MHD_CONNECTION_INFO_CONNECTION_FD);
		c = calloc(1, sizeof(*c));
		if (!c || !ci) {
			/* untracked: only the idle timeout applies to it */
			free(c);
			return;
		}
		c->fd = ci->connect_fd;
		c->since_ms = bn_clock_now_ms();
		pthread_mutex_lock(&st->lock);
		c->next = st->conns;
		if (st->conns)
			st->conns->prev = c;
		st->conns = c;
		pthread_mutex_unlock(&st->lock);
		*socket_context = c;
		return;
	}
	if (!c)
		return;
	pthread_mutex_lock(&st->lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		st->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&st->lock);
	free(c);
	*socket_context = NULL;
}

void bn_server__conn_mark(const bn_server *srv, struct MHD_Connection *conn,
			  bool in_request)
{
	const union MHD_ConnectionInfo *ci =
		bn_server__mhd()->get_connection_info(conn,
			MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	bn_server_conn *c = ci ? ci->socket_context : NULL;

	if (!c)
		return;
	pthread_mutex_lock(&srv->state->lock);
	c->in_request = in_request;
	if (!in_request)
		c->since_ms = bn_clock_now_ms();
	pthread_mutex_unlock(&srv->state->lock);
}

unsigned bn_server__conns_sweep(const bn_server *srv)
{
	bn_server_state *st = srv->state;
	uint64_t now = bn_clock_now_ms();
	unsigned n = 0;

	pthread_mutex_lock(&st->lock);
	for (bn_server_conn *c = st->conns; c; c = c->next) {
		if (c->in_request || c->cut ||
		    now - c->since_ms < srv->header_timeout_ms)
			continue;
		/* the connection's thread sees end of file and closes it */
		(void)shutdown(c->fd, SHUT_RDWR);
		c->cut = true;
		n++;
	}
	pthread_mutex_unlock(&st->lock);
	return n;
}
