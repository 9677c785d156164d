/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_secret.c - `bnity secret ...`: set, list, remove (see
 * exec/vault.h for how values are sealed).  `set` reads the value from
 * standard input, with echo off on a terminal, into locked memory that is
 * wiped afterwards; nothing here ever prints a value.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "exec/vault.h"
#include "view/view.h"

/* What `set` reads: a value at the limit plus "\r\n", plus one byte to
   tell a longer input apart. */
#define INPUT_MAX (BN_EXEC_VAULT_VALUE_MAX + 3)

/* Open C and the vault of its store into *V (owned): 0, or the exit
   code after a message (C ended). */
static int open_vault(bn_cli_ctx *c, bn_exec_vault **v)
{
	int r;

	if ((r = bn_cli_ctx_open(c)))
		return r;
	r = bn_exec_vault_open(v, c->store, &c->err);
	return r ? bn_cli_ctx_end(c, r) : 0;
}

/* Read fd 0 into BUF (INPUT_MAX bytes) until EOF, or one line when
   LINE. */
static int read_stdin(unsigned char *buf, size_t *len_out, bool line,
		      bn_err *err)
{
	size_t len = 0;

	while (len < INPUT_MAX) {
		ssize_t n = read(0, buf + len, INPUT_MAX - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return bn_err_set(err, BN_EIO, "standard input: %s",
					  strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
		if (line && buf[len - 1] == '\n')
			break;
	}
	*len_out = len;
	return 0;
}

/* Read the value of NAME from a terminal, echo off, one line. */
static int read_tty(unsigned char *buf, size_t *len_out, const char *name,
		    bn_err *err)
{
	struct termios old, quiet;
	int r;

	if (tcgetattr(0, &old) < 0)
		return read_stdin(buf, len_out, true, err);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	fprintf(stderr, "value of secret '%s' (not shown; end with Enter): ",
		name);
	fflush(stderr);
	if (tcsetattr(0, TCSAFLUSH, &quiet) < 0)
		return bn_err_set(err, BN_EIO, "cannot turn off the terminal's "
				  "echo: %s", strerror(errno));
	r = read_stdin(buf, len_out, true, err);
	(void)tcsetattr(0, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return r;
}

/* The value for NAME into BUF: all of stdin, less one final newline. */
static int read_value(unsigned char *buf, size_t *len_out, const char *name,
		      bn_err *err)
{
	size_t len = 0;
	int r = isatty(0) ? read_tty(buf, &len, name, err) :
			    read_stdin(buf, &len, false, err);

	if (r)
		return r;
	if (len && buf[len - 1] == '\n') {
		len--;
		if (len && buf[len - 1] == '\r')
			len--;
	}
	if (len > BN_EXEC_VAULT_VALUE_MAX)
		return bn_err_set(err, BN_ELIMIT, "secret '%s': the value on "
				  "standard input passes the limit of %zu "
				  "bytes", name, BN_EXEC_VAULT_VALUE_MAX);
	*len_out = len;
	return 0;
}

int bn_cli_secret_set(const bn_cli_args *a)
{
	const char *arg = a->pos[0];
	unsigned char *buf;
	bn_exec_vault *v;
	size_t len = 0;
	bn_cli_ctx c;
	bn_err err;
	int r;

	bn_err_init(&err);
	if (!bn_exec_vault_name_is_valid(arg)) {
		bn_err_set(&err, BN_EINVAL, "secret name '%s': use 1 to %d "
			   "letters, digits, '_', '.' and '-'", arg,
			   BN_EXEC_VAULT_NAME_MAX);
		return bn_cli_fail(&err);
	}
	if (sodium_init() < 0 || !(buf = sodium_malloc(INPUT_MAX))) {
		bn_err_oom(&err);
		return bn_cli_fail(&err);
	}
	if (read_value(buf, &len, arg, &err)) {
		sodium_free(buf);
		return bn_cli_fail(&err);
	}
	if ((r = open_vault(&c, &v)) == 0) {
		r = bn_exec_vault_set(v, arg, buf, len, &c.err);
		if (!r)
			printf("stored secret '%s'\n", arg);
		bn_exec_vault_free(v);
		r = bn_cli_ctx_end(&c, r);
	}
	sodium_free(buf);
	return r;
}

static void list_print(const bn_exec_vault_entry *e, size_t n, bool json)
{
	char when[BN_CLI_TIME_SIZE];
	size_t i;

	if (json) {
		bn_cli_print_json(bn_view_secrets_json(e, n));
		return;
	}
	if (n == 0) {
		printf("no secrets yet: `bnity secret set NAME` stores one "
		       "(the value is read from standard input)\n");
		return;
	}
	printf("%-40s %s\n", "NAME", "UPDATED");
	for (i = 0; i < n; i++) {
		bn_cli_time_utc(when, e[i].updated_at, NULL);
		printf("%-40s %s\n", e[i].name, when);
	}
}

int bn_cli_secret_list(const bn_cli_args *a)
{
	bn_exec_vault_entry *e = NULL;
	bn_exec_vault *v;
	size_t n = 0;
	bn_cli_ctx c;
	int r;

	if ((r = open_vault(&c, &v)))
		return r;
	r = bn_exec_vault_list(&e, &n, v, &c.err);
	if (!r)
		list_print(e, n, bn_cli_flag(a, "json"));
	bn_exec_vault_entries_free(e, n);
	bn_exec_vault_free(v);
	return bn_cli_ctx_end(&c, r);
}

int bn_cli_secret_remove(const bn_cli_args *a)
{
	const char *arg = a->pos[0];
	bn_exec_vault *v;
	bn_cli_ctx c;
	int r;

	if ((r = open_vault(&c, &v)))
		return r;
	r = bn_exec_vault_remove(v, arg, &c.err);
	if (!r)
		printf("removed secret '%s'\n", arg);
	bn_exec_vault_free(v);
	return bn_cli_ctx_end(&c, r);
}
