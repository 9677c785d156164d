/* SPDX-License-Identifier: MIT */
/*
 * server/json.c - JSON replies and errors for the route handlers, the
 * mapping of our error codes to HTTP statuses, and reading the body's
 * members and the query string.
 */
#include "server_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void bn_server__reply(bn_server_req *rq, unsigned status, json_t *j)
{
	json_decref(rq->reply);
	rq->status = status;
	rq->reply = j;
}

void bn_server__fail(bn_server_req *rq, unsigned status, const char *fmt,
		     ...)
{
	char msg[BN_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_t *o = json_object();
	/* names in messages come from outside, and vsnprintf may cut a
	   character in two */
	json_object_set_new(o, "error", bn_view_text_json(msg, strlen(msg),
							   NULL));
	bn_server__reply(rq, status, o);
}

unsigned bn_server__status_of(int code)
{
	switch (code) {
	case BN_ENOTFOUND:
		return MHD_HTTP_NOT_FOUND;
	case BN_EEXIST:
		return MHD_HTTP_CONFLICT;
	case BN_EINVAL:
	case BN_EUSAGE:
	case -EINVAL:
		return MHD_HTTP_BAD_REQUEST;
	case BN_EDENIED:
	case -EACCES:
		return MHD_HTTP_FORBIDDEN;
	case BN_ELIMIT:
	case -E2BIG:
		return MHD_HTTP_CONTENT_TOO_LARGE;
	case -EAGAIN:
		return MHD_HTTP_SERVICE_UNAVAILABLE;  /* with Retry-After */
	default:
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

void bn_server__fail_err(bn_server_req *rq, const bn_err *err)
{
	bn_server__fail(rq, bn_server__status_of(err->code), "%s",
			err->msg[0] ? err->msg : "failed");
}

void bn_server__reply_removed(bn_server_req *rq, const char *name)
{
	bn_server__reply_member(rq, MHD_HTTP_OK, "removed", json_string(name));
}

void bn_server__reply_member(bn_server_req *rq, unsigned status,
			     const char *key, json_t *j)
{
	json_t *o = json_object();

	json_object_set_new(o, key, j);
	bn_server__reply(rq, status, o);
}

void bn_server__remove(bn_server_req *rq,
		       int (*remove)(bn_store *s, const char *name,
				     bn_err *err))
{
	bn_store *s;
	bn_err err;

	if (!(s = bn_server__begin(rq, &err)))
		return;
	if (remove(s, rq->params[0], &err))
		bn_server__fail_err(rq, &err);
	else
		bn_server__reply_removed(rq, rq->params[0]);
}

bn_store *bn_server__store(bn_server_req *rq)
{
	bn_err err;

	if (rq->store)
		return rq->store;
	bn_err_init(&err);
	if (bn_store_reuse_take(&rq->store, rq->srv->state->stores, &err)) {
		rq->store = NULL;
		bn_err_prefix(&err, "store");
		bn_server__fail(rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s",
				err.msg);
		return NULL;
	}
	return rq->store;
}

bn_store *bn_server__begin(bn_server_req *rq, bn_err *err)
{
	bn_err_init(err);
	return bn_server__store(rq);
}

bool bn_server__need(bn_server_req *rq, bool bad, bool present,
		     const char *want)
{
	if (bad)
		return false;
	if (!present) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "%s", want);
		return false;
	}
	return true;
}

const char *bn_server__body_str(bn_server_req *rq, const char *key,
				bool *bad)
{
	json_t *v = rq->body ? json_object_get(rq->body, key) : NULL;

	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST,
				"'%s' must be a string", key);
		*bad = true;
		return NULL;
	}
	return json_string_value(v);
}

const char *bn_server__query(bn_server_req *rq, const char *key)
{
	const char *v = bn_server__mhd()->lookup_connection_value(rq->conn,
		MHD_GET_ARGUMENT_KIND, key);
	return v && *v ? v : NULL;
}

bool bn_server__parse_ll(long long *out, const char *s, long long min,
			 long long max)
{
	char *end;
	long long v;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}
