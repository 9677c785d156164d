/* SPDX-License-Identifier: MIT */
/*
 * server/routes.c - the HTTP API at a glance: every route's method, path
 * pattern and handler, in the order they are matched (the first route
 * whose pattern and method match a request takes it).  The handlers live
 * in the routes_*.c file of their resource; docs/api.md describes each.
 */
#include "server_int.h"

#define BOT "/api/v1/bots/:bot"

const bn_server_route bn_server_routes[] = {
	/* skills: the library (routes_skills.c) */
	{ "GET", "/api/v1/skills", .store = bn_server__skills_list },
	{ "POST", "/api/v1/skills", .store = bn_server__skill_create },
	{ "POST", "/api/v1/skills/validate", .fn = bn_server__skill_validate },
	{ "POST", "/api/v1/skills/check", .fn = bn_server__skill_check },
	{ "PUT", "/api/v1/skills/:name/SKILL.md",
	  .store = bn_server__skill_save },
	{ "GET", "/api/v1/skills/:name", .store = bn_server__skill_show },
	{ "GET", "/api/v1/skills/:name/file", .store = bn_server__skill_file },
	{ "DELETE", "/api/v1/skills/:name/grants",
	  .store = bn_server__skill_grants_revoke },
	{ "DELETE", "/api/v1/skills/:name", .fn = bn_server__skill_remove },
	{ "POST", "/api/v1/skills/:name/run", .fn = bn_server__skill_run },
	/* bots, their skills, grants and memories (routes_bots.c) */
	{ "GET", "/api/v1/bots", .store = bn_server__bots_list },
	{ "POST", "/api/v1/bots", .store = bn_server__bot_create },
	{ "GET", BOT, .store = bn_server__bot_show },
	{ "DELETE", BOT, .fn = bn_server__bot_remove },
	{ "GET", BOT "/skills", .store = bn_server__bot_skills },
	{ "POST", BOT "/skills", .store = bn_server__skill_attach },
	{ "DELETE", BOT "/skills/:skill", .store = bn_server__skill_detach },
	{ "POST", BOT "/skills/:skill/enable",
	  .store = bn_server__skill_enable },
	{ "POST", BOT "/skills/:skill/disable",
	  .store = bn_server__skill_disable },
	{ "GET", BOT "/skills/:skill/grants",
	  .store = bn_server__grants_list },
	{ "POST", BOT "/skills/:skill/grants",
	  .store = bn_server__grants_add },
	{ "DELETE", BOT "/skills/:skill/grants",
	  .store = bn_server__grants_revoke },
	{ "GET", BOT "/memories", .store = bn_server__memories_get },
	{ "POST", BOT "/memories", .store = bn_server__memory_add },
	{ "DELETE", BOT "/memories/:id", .store = bn_server__memory_remove },
	/* the audit log, secrets and settings (routes_exec.c) */
	{ "GET", "/api/v1/audit", .store = bn_server__audit_get },
	{ "GET", "/api/v1/audit/:run/calls",
	  .store = bn_server__audit_calls_get },
	{ "GET", "/api/v1/audit/installs", .store = bn_server__installs_get },
	{ "GET", "/api/v1/secrets", .store = bn_server__secrets_list },
	{ "PUT", "/api/v1/secrets/:name", .store = bn_server__secret_set },
	{ "POST", "/api/v1/secrets/:name", .store = bn_server__secret_set },
	{ "DELETE", "/api/v1/secrets/:name",
	  .store = bn_server__secret_remove },
	{ "GET", "/api/v1/settings", .store = bn_server__settings_get },
	/* API tokens (routes_tokens.c) */
	{ "GET", "/api/v1/whoami", .fn = bn_server__whoami },
	{ "GET", "/api/v1/tokens", .store = bn_server__tokens_list },
	{ "POST", "/api/v1/tokens", .store = bn_server__token_post },
	{ "DELETE", "/api/v1/tokens/:name", .store = bn_server__token_delete },
	/* chat and its sessions (routes_chat.c) */
	{ "POST", BOT "/chat", .fn = bn_server__chat_post },
	{ "GET", BOT "/sessions",
	  .store = bn_server__sessions_list },
	{ "GET", "/api/v1/sessions/:id", .store = bn_server__session_get },
	{ "POST", "/api/v1/sessions/:id/resume",
	  .store = bn_server__session_resume },
	{ "DELETE", "/api/v1/sessions/:id",
	  .store = bn_server__session_delete },
	{ "DELETE", "/api/v1/sessions/:id/turns/:n",
	  .store = bn_server__turn_drop },
	/* registries: search, install, updates, keys (routes_registry.c) */
	{ "GET", "/api/v1/registry/search", .fn = bn_server__registry_search },
	{ "POST", "/api/v1/skills/install/preview",
	  .fn = bn_server__install_preview },
	{ "POST", "/api/v1/skills/install", .fn = bn_server__install_post },
	{ "GET", "/api/v1/keys", .store = bn_server__keys_list },
	{ "GET", "/api/v1/updates", .fn = bn_server__updates_get },
	{ "POST", "/api/v1/skills/:skill/update",
	  .fn = bn_server__update_post },
	{ "GET", "/api/v1/verify", .fn = bn_server__verify_get },
	{ "POST", "/api/v1/skills/:skill/repair",
	  .fn = bn_server__repair_post },
	{ NULL, NULL, NULL, NULL },
};
