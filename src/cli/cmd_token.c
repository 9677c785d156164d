/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_token.c - `bnity token ...`: named API tokens, each with a
 * role (server/server.h says what a role may call).  Every `bnity serve`
 * of this $BNITY_HOME accepts them from its next request.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "server/server.h"
#include "store/tokens.h"
#include "view/view.h"

int bn_cli_token_create(const bn_cli_args *a)
{
	const char *name = a->pos[0], *role = bn_cli_value(a, "role");
	char text[BN_SERVER_TOKEN_HEX + 1];
	bn_cli_ctx c;
	int r;

	if (!role)
		role = "user";
	if (strcmp(role, "admin") && strcmp(role, "user"))
		return bn_cli_usage(a->path, "--role '%s': use admin "
				    "or user", role);
	if ((r = bn_cli_ctx_open(&c)))
		return r;
	r = bn_server_token_create(text, c.store, name, role, &c.err);
	if ((r = bn_cli_ctx_end(&c, r)))
		return r;
	if (bn_cli_flag(a, "json")) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "name", name,
				      "role", role, "token", text);
		bn_cli_print_json(o);
	} else {
		printf("token '%s' (%s) made; it is shown this once, keep it "
		       "(Authorization: Bearer TOKEN):\n%s\n", name, role,
		       text);
	}
	sodium_memzero(text, sizeof(text));
	return BN_EXIT_OK;
}

int bn_cli_token_list(bn_cli_ctx *c, const bn_cli_args *a)
{
	bn_store_token *v = NULL;
	size_t n = 0;
	int r = bn_store_token_list(&v, &n, c->store, &c->err);

	if (r)
		return r;
	if (bn_cli_flag(a, "json")) {
		bn_cli_print_json(bn_view_tokens_json(v, n));
	} else if (n == 0) {
		printf("no API tokens yet: `bnity serve` makes the admin "
		       "token 'serve'; `bnity token create NAME` makes "
		       "others\n");
	} else {
		char made[BN_CLI_TIME_SIZE], used[BN_CLI_TIME_SIZE];
		printf("%-24s %-6s %-24s %s\n", "NAME", "ROLE", "CREATED",
		       "LAST USED");
		for (size_t i = 0; i < n; i++) {
			bn_cli_time_utc(made, v[i].created_at, NULL);
			bn_cli_time_utc(used, v[i].last_used_at, "never");
			printf("%-24s %-6s %-24s %s\n", v[i].name, v[i].role,
			       made, used);
		}
	}
	bn_store_tokens_free(v, n);
	return 0;
}

int bn_cli_token_revoke(bn_cli_ctx *c, const bn_cli_args *a)
{
	int r = bn_server_token_revoke(c->store, bn_store_home(c->store),
				       a->pos[0], &c->err);

	if (!r)
		printf("revoked token '%s': refused from now on\n", a->pos[0]);
	return r;
}
