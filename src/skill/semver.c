/* SPDX-License-Identifier: MIT */
/* skill/semver.c - versions and ranges (see semver.h; semver.org 2.0.0). */
#include "semver.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A number without leading zeros; *p advanced past it. */
static bool num(unsigned long *out, const char **p)
{
	const char *s = *p;
	char *end;

	if (!isdigit((unsigned char)*s) || (s[0] == '0' && isdigit(
		(unsigned char)s[1])))
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno)
		return false;
	*p = end;
	return true;
}

/*
 * Dot-separated identifiers of [0-9A-Za-z-], none empty (semver 9, 10).
 * NUMERIC: an identifier of digits alone has no leading zero (9: the
 * pre-release; build metadata may have them).
 */
static bool idents_ok(const char *s, size_t n, bool numeric)
{
	size_t i, start = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (!isalnum((unsigned char)s[i]) && s[i] != '-')
				return false;
			continue;
		}
		if (i == start)
			return false;
		if (numeric && i - start > 1 && s[start] == '0' &&
		    strspn(s + start, "0123456789") >= i - start)
			return false;
		start = i + 1;
	}
	return true;
}

bool bn_semver_parse(bn_semver *out, const char *text, unsigned flags)
{
	bool strict = flags & BN_SEMVER_STRICT;
	const char *p = text;
	bn_semver v = { 0 };

	if (!p)
		return false;
	if (*p == 'v' && !strict)
		p++;
	if (!num(&v.major, &p) || *p++ != '.' || !num(&v.minor, &p) ||
	    *p++ != '.' || !num(&v.patch, &p))
		return false;
	if (*p == '-') {
		size_t n = strcspn(p + 1, "+");
		if (!idents_ok(p + 1, n, strict) || n >= sizeof(v.pre))
			return false;
		memcpy(v.pre, p + 1, n);
		v.pre[n] = '\0';
		p += 1 + n;
	}
	if (*p == '+') {
		if (!idents_ok(p + 1, strlen(p + 1), false))
			return false;
		p += strlen(p);
	}
	if (*p)
		return false;
	*out = v;
	return true;
}

/* Compare dot-separated pre-release identifiers (semver 11.4). */
static int cmp_pre(const char *a, const char *b)
{
	if (!*a || !*b)
		return !*a && !*b ? 0 : (!*a ? 1 : -1);
	while (*a && *b) {
		size_t la = strcspn(a, "."), lb = strcspn(b, ".");
		bool na = strspn(a, "0123456789") == la;
		bool nb = strspn(b, "0123456789") == lb;
		int c;
		if (na && nb) {
			c = la != lb ? (la < lb ? -1 : 1) : strncmp(a, b, la);
		} else if (na != nb) {
			c = na ? -1 : 1;
		} else {
			c = strncmp(a, b, la < lb ? la : lb);
			if (!c && la != lb)
				c = la < lb ? -1 : 1;
		}
		if (c)
			return c < 0 ? -1 : 1;
		a += la + (a[la] == '.');
		b += lb + (b[lb] == '.');
	}
	return *a ? 1 : *b ? -1 : 0;
}

int bn_semver_cmp(const bn_semver *a, const bn_semver *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	return cmp_pre(a->pre, b->pre);
}

/* A partial version "1", "1.2", "1.x", "1.2.*": parts given, rest 0. */
static bool partial(bn_semver *out, int *given, const char *s, size_t n)
{
	char buf[128];
	const char *p = buf;
	unsigned long *part[3];

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(out, 0, sizeof(*out));
	part[0] = &out->major;
	part[1] = &out->minor;
	part[2] = &out->patch;
	if (*p == 'v')
		p++;
	*given = 0;
	if (strchr(buf, '-') || strchr(buf, '+')) {
		*given = 3;
		return bn_semver_parse(out, p, 0);
	}
	for (int i = 0; i < 3; i++) {
		if (*p == 'x' || *p == 'X' || *p == '*') {
			p++;
			if (*p && *p != '.')
				return false;
			break;
		}
		if (!num(part[i], &p))
			return false;
		(*given)++;
		if (!*p)
			break;
		if (*p++ != '.' || i == 2)
			return false;
	}
	while (*p == '.' || *p == 'x' || *p == 'X' || *p == '*')
		p++;
	return *p == '\0';
}

/* One comparator of S[0..n); false when malformed.  *ok = V satisfies. */
static bool comparator(bool *ok, const bn_semver *v, const char *s, size_t n)
{
	char op[3] = "";
	bn_semver lo, hi;
	int given, c;

	if (n && (s[0] == '^' || s[0] == '~' || s[0] == '=')) {
		op[0] = s[0];
		s++, n--;
	} else if (n && (s[0] == '>' || s[0] == '<')) {
		op[0] = s[0];
		s++, n--;
		if (n && s[0] == '=') {
			op[1] = '=';
			s++, n--;
		}
	}
	if (n == 1 && (*s == '*' || *s == 'x' || *s == 'X') && !op[0]) {
		*ok = v->pre[0] == '\0';
		return true;
	}
	if (!partial(&lo, &given, s, n) || given == 0)
		return false;
	hi = lo;
	hi.pre[0] = '\0';
	/* the exclusive upper bound of a caret, tilde or partial range */
	if (op[0] == '^') {
		if (lo.major || given == 1) { hi.major++; hi.minor = hi.patch = 0; }
		else if (lo.minor || given == 2) { hi.minor++; hi.patch = 0; }
		else hi.patch++;
	} else if (op[0] == '~' || (!op[0] && given < 3) || op[0] == '=') {
		if (given == 1) { hi.major++; hi.minor = hi.patch = 0; }
		else if (given == 2 || op[0] == '~') { hi.minor++; hi.patch = 0; }
		else hi.patch++;
	}
	c = bn_semver_cmp(v, &lo);
	if (!strcmp(op, ">")) {
		if (given < 3) { /* >1.2 means >=1.3.0 */
			bn_semver nx = lo;
			if (given == 1) { nx.major++; nx.minor = 0; }
			else nx.minor++;
			nx.patch = 0;
			*ok = bn_semver_cmp(v, &nx) >= 0;
		} else {
			*ok = c > 0;
		}
	} else if (!strcmp(op, ">=")) {
		*ok = c >= 0;
	} else if (!strcmp(op, "<")) {
		*ok = c < 0;
	} else if (!strcmp(op, "<=")) {
		if (given < 3) {
			bn_semver nx = lo;
			if (given == 1) { nx.major++; nx.minor = 0; }
			else nx.minor++;
			nx.patch = 0;
			*ok = bn_semver_cmp(v, &nx) < 0;
		} else {
			*ok = c <= 0;
		}
	} else if (!op[0] && given == 3) {
		*ok = c == 0;
	} else {
		*ok = c >= 0 && bn_semver_cmp(v, &hi) < 0;
	}
	/* a pre-release satisfies only ranges that name its own x.y.z */
	if (*ok && v->pre[0] && (lo.pre[0] == '\0' || v->major != lo.major ||
				 v->minor != lo.minor || v->patch != lo.patch))
		*ok = false;
	return true;
}

static bool each(const bn_semver *v, const char *range, bool *all_ok)
{
	const char *p = range;
	int count = 0;

	*all_ok = true;
	for (;;) {
		bool ok;
		size_t n;
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		n = strcspn(p, " ");
		if (!comparator(&ok, v, p, n))
			return false;
		*all_ok = *all_ok && ok;
		p += n;
		count++;
	}
	return count > 0;
}

bool bn_semver_range_valid(const char *range)
{
	bn_semver zero = { 0 };
	bool ok;
	return each(&zero, range, &ok);
}

bool bn_semver_satisfies(const bn_semver *v, const char *range)
{
	bool ok;
	return each(v, range, &ok) && ok;
}
