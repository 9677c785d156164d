/* SPDX-License-Identifier: MIT */
/*
 * cli/commands.c - the command table: every command of `bnity`, its
 * summary, its help and its options, and the function that runs it.
 * Dispatch, help, option parsing and shell completion read only this
 * (cli.h says how), so a new command or option is added here once.
 */
#include "cli.h"

#include <string.h>

#include "cmd_sandbox.h"
#include "cmd_wasm.h"
#include "server/server.h"

#define BN_STR_(x) #x
#define BN_STR(x) BN_STR_(x)

/* A command's options, ended for it. */
#define OPTS(...) ((const bn_cli_optspec[]){ __VA_ARGS__, { .name = NULL } })
#define FLAG(name) { (name), 0, BN_CLI_FLAG, NULL }
#define VALUE(name) { (name), 0, BN_CLI_VALUE, NULL }
#define LIST(name) { (name), 0, BN_CLI_LIST, NULL }
/* A value the command cannot do without; NEED is the usage error. */
#define NEEDED(name, need) { (name), 0, BN_CLI_VALUE, (need) }
/* --bot BOT, which every memory command needs. */
#define BOT_NEEDED NEEDED("bot", "give --bot BOT")

static const bn_cli_cmd skill_cmds[] = {
	{ .name = "validate",
	  .summary = "Check skills against the Agent Skills specification",
	  .usage = "PATH... [--json]",
	  .text = "Check each skill (a folder or its SKILL.md) strictly against the\n"
		  "Agent Skills specification. Exit 1 if any is invalid. --json prints\n"
		  "{\"path\", \"valid\", \"errors\", \"warnings\"} per path.",
	  .opts = OPTS(FLAG("json")),
	  .min_args = 1, .max_args = BN_CLI_ARGS_ANY,
	  .want = "name at least one PATH",
	  .run = bn_cli_skill_validate,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "scan",
	  .summary = "Show what the static scan finds in skills",
	  .usage = "PATH... [--json]",
	  .text = "Run the static scan an install preview shows over each skill (a\n"
		  "folder or its SKILL.md): instructions that fetch and run code, read\n"
		  "credentials or hide actions, hidden Unicode, encoded blobs, scripts\n"
		  "that open connections or write outside their folder. Findings are\n"
		  "advice, not a verdict: exit 0 whatever is found, 1 if a PATH cannot\n"
		  "be read. --json prints {\"path\", \"findings\"} per path, one a line.",
	  .opts = OPTS(FLAG("json")),
	  .min_args = 1, .max_args = BN_CLI_ARGS_ANY,
	  .want = "name at least one PATH",
	  .run = bn_cli_skill_scan,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "read-properties",
	  .summary = "Print a skill's frontmatter as JSON",
	  .usage = "PATH",
	  .text = "Print the skill's frontmatter properties as JSON.",
	  .min_args = 1, .max_args = 1,
	  .want = "name one PATH",
	  .run = bn_cli_skill_read_properties,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "to-prompt",
	  .summary = "Print the <available_skills> block for skills",
	  .usage = "PATH...",
	  .text = "Print the <available_skills> block an agent gets for these skills.",
	  .min_args = 1, .max_args = BN_CLI_ARGS_ANY,
	  .want = "name at least one PATH",
	  .run = bn_cli_skill_to_prompt,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "create",
	  .summary = "Write a new skill into the store",
	  .usage = "NAME [--type prompt|tool] [--description TEXT]",
	  .text = "Write a new skill into the store. A tool skill gets src/main.c\n"
		  "and schema.json to build later. The result passes `skill validate`.",
	  .opts = OPTS(VALUE("type"), VALUE("description")),
	  .min_args = 1, .max_args = 1,
	  .want = "name one NAME",
	  .run = bn_cli_skill_create,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "list",
	  .summary = "List every skill, with its type, tier and origin",
	  .usage = "[--json] [--warnings]",
	  .text = "List every skill, by name: the store's, the user's\n"
		  "(~/.agents/skills, ~/.claude/skills) and the project's\n"
		  "(.agents/skills, .claude/skills from here up to the repository\n"
		  "root). More than three problems with those folders are summed up\n"
		  "in one line; --warnings lists each.",
	  .opts = OPTS(FLAG("json"), FLAG("warnings")),
	  
	  .run = bn_cli_skill_list,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "inspect",
	  .summary = "Show one skill, its grants and its bots",
	  .usage = "NAME [--resolved] [--json]",
	  .text = "Show one skill: where it is, its fields, its instructions' size,\n"
		  "its grants and the bots it is attached to. --resolved shows it\n"
		  "combined with its ancestors (metadata.parents), with the origin of\n"
		  "every capability and instruction block.",
	  .opts = OPTS(FLAG("json"), FLAG("resolved")),
	  .min_args = 1, .max_args = 1,
	  .want = "name one skill",
	  .run = bn_cli_skill_inspect,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "remove",
	  .summary = "Remove a skill from the store",
	  .usage = "NAME",
	  .text = "Remove a skill from the store and detach it from every bot. The\n"
		  "copies `skill install --agent` made are removed when unchanged; a\n"
		  "changed one is left and reported.",
	  .min_args = 1, .max_args = 1,
	  .want = "name one skill",
	  .store = bn_cli_skill_remove,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "search",
	  .summary = "Search the registries for skills",
	  .usage = "QUERY [--registry NAME] [--json] [--offline]",
	  .text = "Search the registries (skills.sh, anthropics/skills,\n"
		  "ComposioHQ/awesome-claude-skills, and those in config.json). One\n"
		  "row per skill with its installs, the registries that have it, its\n"
		  "description and the install command; by relevance (exact name,\n"
		  "name prefix, in the name, in the description), then installs.",
	  .opts = OPTS(VALUE("registry"), FLAG("json"), FLAG("offline")),
	  .min_args = 1, .max_args = 1,
	  .want = "give one QUERY",
	  .run = bn_cli_skill_search },
	{ .name = "find",
	  .summary = "Search the registries (skill search, as the skills CLI names it)",
	  .usage = "QUERY [--registry NAME] [--json] [--offline]",
	  .text = "The same as `bnity skill search`.",
	  .opts = OPTS(VALUE("registry"), FLAG("json"), FLAG("offline")),
	  .min_args = 1, .max_args = 1,
	  .want = "give one QUERY",
	  .run = bn_cli_skill_search },
	{ .name = "browse",
	  .summary = "Browse the registries, and install from them",
	  .usage = "[QUERY] [--registry NAME] [--offline]",
	  .text = "Browse registries: on a terminal search, show details and install;\n"
		  "otherwise print a plain listing.",
	  .opts = OPTS(VALUE("registry"), FLAG("offline")),
	  .max_args = 1,
	  .want = "give at most one QUERY",
	  .run = bn_cli_skill_browse },
	{ .name = "install",
	  .summary = "Install skills from a folder, archive or repository",
	  .usage = "[SOURCE] [-s|--skill NAME]... [--all] [-y|--yes]\n"
		   "        [-a|--agent AGENT]... [-g|--global]\n"
		   "        [--grant CAP[=SCOPE],...]... [--bot BOT] [--force] [--local]\n"
		   "        [--strict] [--json] [--offline]",
	  .text = "Install skills from a folder, a .skill/.zip/.tar.gz,\n"
		  "owner/repo[/path][#ref] or owner/repo@SKILL, a GitHub or git\n"
		  "URL, or https://HOST (.well-known/agent-skills). Shows warnings\n"
		  "and scan findings, checks signatures (tier verified/untrusted;\n"
		  "--local: a folder you vouch\n"
		  "for), asks for each capability on a terminal (--yes grants all,\n"
		  "--grant the named ones), builds tool sources, commits atomically,\n"
		  "pins it in skills-lock.json. Problems of form (a long description,\n"
		  "a name that is not a store name) are warnings: the name becomes a\n"
		  "store name and the original is kept. --strict refuses them (--force\n"
		  "overrides). --force also replaces an installed skill. With several\n"
		  "skills each is installed or skipped with its reason, then a summary\n"
		  "(exit 1 when any was skipped). --skill and --grant may repeat.\n"
		  "Without SOURCE, restores every skill of skills-lock.json (the\n"
		  "repository's, else BNITY_HOME's) at its pinned ref and hash; its\n"
		  "tier is decided afresh and its grants asked for again (--yes\n"
		  "grants the pinned ones).\n"
		  "--agent AGENT (claude-code, codex, cursor, opencode, gemini-cli,\n"
		  "github-copilot, amp, cline, kilo, continue, goose, roo, windsurf;\n"
		  "may repeat) also copies each skill into that agent's skills folder:\n"
		  "the project's (under the repository root) or, with -g, the user's.\n"
		  "The store keeps the original; each copy's hash is recorded, so\n"
		  "`skill verify` reports a changed copy and `skill remove` removes\n"
		  "only unchanged ones. Agents run a skill's scripts with no sandbox:\n"
		  "a skill with scripts is copied only after a yes per agent (--yes).",
	  .opts = OPTS({ "skill", 's', BN_CLI_LIST, NULL }, FLAG("all"),
		       { "yes", 'y', BN_CLI_FLAG, NULL }, LIST("grant"),
		       VALUE("bot"),
		       FLAG("force"), FLAG("local"), FLAG("strict"),
		       FLAG("json"), FLAG("offline"),
		       { "agent", 'a', BN_CLI_LIST, NULL },
		       { "global", 'g', BN_CLI_FLAG, NULL }),
	  .max_args = 1,
	  .want = "give one SOURCE",
	  .run = bn_cli_skill_install },
	{ .name = "update",
	  .summary = "Install installed skills again from their sources",
	  .usage = "NAME|--all [-y|--yes] [--grant CAP,...]... [--bot BOT]\n"
		   "        [--force] [--offline]",
	  .text = "Fetch again; changed content is replaced. Grants of unchanged\n"
		  "capabilities are kept; a new capability is granted only with\n"
		  "--grant or on a terminal (never by --yes), and stderr names each\n"
		  "one not granted with the command to grant it. A store copy that\n"
		  "was changed is restored from its source at the pinned ref. A\n"
		  "source that cannot be reached keeps the skill and its lockfile\n"
		  "entry; exit 1 when any skill was not updated.",
	  .opts = OPTS(FLAG("all"), { "yes", 'y', BN_CLI_FLAG, NULL },
		       LIST("grant"),
		       VALUE("bot"), FLAG("force"), FLAG("offline")),
	  .max_args = 1,
	  .want = "name one SKILL, or --all",
	  .run = bn_cli_skill_update },
	{ .name = "outdated",
	  .summary = "Tell which installed skills differ from their source",
	  .usage = "[NAME] [--json] [--offline]",
	  .text = "Which installed skills differ from their source. Exit 1 if any.",
	  .opts = OPTS(FLAG("json"), FLAG("offline")),
	  .max_args = 1,
	  .want = "name at most one SKILL",
	  .run = bn_cli_skill_outdated },
	{ .name = "verify",
	  .summary = "Check installed files against skills-lock.json",
	  .usage = "[NAME] [--json]",
	  .text = "Check installed files, and the copies made for agents, against\n"
		  "skills-lock.json. Exit 1 on any change.",
	  .opts = OPTS(FLAG("json")),
	  .max_args = 1,
	  .want = "name at most one SKILL",
	  .run = bn_cli_skill_verify },
	{ .name = "digest",
	  .summary = "Print the listing a skill signature signs",
	  .usage = "PATH",
	  .text = "Print the listing a skill signature signs (sign it with minisign into\n"
		  "skill.minisig).",
	  .min_args = 1, .max_args = 1,
	  .want = "give one skill folder",
	  .run = bn_cli_skill_digest },
	{ .name = "build",
	  .summary = "Build a tool skill's skill.wasm from its sources",
	  .usage = "[SKILL | PATH [--unconfined]] [--verbose]",
	  .text = "Build a tool skill's skill.wasm from its sources: C (src/*.c) with\n"
		  "clang for wasm32-wasi and the SDK header, or WAT (skill.wat) with\n"
		  "wat2wasm. The result must be a WASI command; a failed build keeps\n"
		  "the previous skill.wasm. Only a local skill named by SKILL builds\n"
		  "in-process; any other skill, and a folder given by PATH, builds\n"
		  "inside the OS sandbox, unless --unconfined says the folder's\n"
		  "sources are your own.",
	  .opts = OPTS(FLAG("verbose"), FLAG("unconfined")),
	  .max_args = 1,
	  .want = "name at most one skill",
	  .run = bn_cli_skill_build },
	{ .name = "grant",
	  .summary = "Allow a skill a capability it declares",
	  .usage = "SKILL CAP[=SCOPE]... [--bot BOT] [--fuel N]\n"
		   "        [--max-memory BYTES] [--timeout-ms MS] [--max-output BYTES]",
	  .text = "Allow a skill a capability it declares, for one bot or every bot.\n"
		  "Without a scope, the scopes the skill declares are granted. Limit\n"
		  "flags override the tier's defaults for the skill's runs; each is 1\n"
		  "to its maximum (fuel 10^18, memory 1 TiB, timeout a year, output\n"
		  "1 GiB; sizes may end in k, M or G), else a usage error. A flag\n"
		  "sets its one limit; those set before stay (`skill revoke SKILL\n"
		  "limits` clears them).",
	  .opts = OPTS(VALUE("bot"), VALUE("fuel"), VALUE("max-memory"),
		       VALUE("timeout-ms"), VALUE("max-output")),
	  .max_args = BN_CLI_ARGS_MAX,
	  .run = bn_cli_skill_grant,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "grants",
	  .summary = "List grants suspended until given again",
	  .usage = "--pending",
	  .text = "List the grants an upgrade suspended: get_secret grants without\n"
		  "an origin that could not be bound to the skill's single HTTP\n"
		  "origin. Give each again as get_secret=NAME@ORIGIN.",
	  .opts = OPTS(FLAG("pending")),
	  .max_args = BN_CLI_ARGS_MAX,
	  .run = bn_cli_skill_grants,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "revoke",
	  .summary = "Take back grants",
	  .usage = "SKILL CAP[=SCOPE]|limits|all... [--bot BOT]",
	  .text = "Take back grants (all scopes of CAP without one); `limits`\n"
		  "takes back the limits set by `skill grant`, `all` everything.",
	  .opts = OPTS(VALUE("bot")),
	  .min_args = 2, .max_args = BN_CLI_ARGS_MAX,
	  .want = "name a SKILL and CAP[=SCOPE] (or all)",
	  .store = bn_cli_skill_revoke,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "run",
	  .summary = "Run a tool skill once",
	  .usage = "SKILL [--bot BOT] [--json]\n"
		   "        [--input JSON | --input-file F | < stdin]",
	  .text = "Run a tool skill with its input, under its tier's limits and its\n"
		  "grants; print its output. --json prints {ok, output, error, limit,\n"
		  "fuel_used, memory_peak, duration_ms, tier, ...}. Exit 3 the skill\n"
		  "failed, 4 it failed after a refused capability, 5 a limit stopped\n"
		  "it, 6 it trapped.",
	  .opts = OPTS(VALUE("bot"), VALUE("input"), VALUE("input-file"),
		       FLAG("json")),
	  .min_args = 1, .max_args = 1,
	  .want = "name one SKILL",
	  .run = bn_cli_skill_run },
	{ .name = "script",
	  .summary = "Run one of a skill's scripts under the OS sandbox",
	  .usage = "SKILL SCRIPT [ARGS...] [--bot BOT]\n"
		   "        [--input TEXT | --input-file F] [--json]",
	  .text = "Run scripts/SCRIPT of a skill that holds exec_command=SCRIPT, under\n"
		  "the OS sandbox: a read-only copy of the skill folder ($SKILL_DIR), a\n"
		  "fresh work folder ($HOME), no network, the tier's limits. Audited.\n"
		  "Exit: 0, 3 it failed, 4 not granted, 5 a limit stopped it.",
	  .opts = OPTS(VALUE("bot"), VALUE("input"), VALUE("input-file"),
		       FLAG("json")),
	  .min_args = 2, .max_args = BN_CLI_ARGS_ANY,
	  .want = "name a SKILL and a SCRIPT",
	  .run = bn_cli_skill_script },
	{ .name = "attach",
	  .summary = "Attach a skill to a bot",
	  .usage = "SKILL BOT",
	  .text = "Attach a skill to a bot (enabled).",
	  .min_args = 2, .max_args = 2,
	  .want = "name a SKILL and a BOT",
	  .store = bn_cli_skill_bind,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "detach",
	  .summary = "Detach a skill from a bot",
	  .usage = "SKILL BOT",
	  .min_args = 2, .max_args = 2,
	  .want = "name a SKILL and a BOT",
	  .store = bn_cli_skill_bind,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "enable",
	  .summary = "Enable an attached skill for a bot",
	  .usage = "SKILL BOT",
	  .min_args = 2, .max_args = 2,
	  .want = "name a SKILL and a BOT",
	  .store = bn_cli_skill_bind,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "disable",
	  .summary = "Disable an attached skill for a bot",
	  .usage = "SKILL BOT",
	  .text = "Disable an attached skill for a bot (kept attached, left out of\n"
		  "the bot's prompt).",
	  .min_args = 2, .max_args = 2,
	  .want = "name a SKILL and a BOT",
	  .store = bn_cli_skill_bind,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = NULL },
};

static const bn_cli_cmd bot_cmds[] = {
	{ .name = "create",
	  .summary = "Create a bot",
	  .usage = "SLUG [--name NAME] [--persona TEXT | --persona-file F]\n"
		   "        [--provider P] [--model M]",
	  .text = "Create a bot. SLUG: lowercase letters, digits and hyphens.",
	  .opts = OPTS(VALUE("name"), VALUE("persona"), VALUE("persona-file"),
		       VALUE("provider"), VALUE("model")),
	  .min_args = 1, .max_args = 1,
	  .want = "name one SLUG",
	  .run = bn_cli_bot_create },
	{ .name = "list",
	  .summary = "List the bots",
	  .usage = "[--json]",
	  .opts = OPTS(FLAG("json")),
	  .store = bn_cli_bot_list },
	{ .name = "show",
	  .summary = "Show a bot and its skills",
	  .usage = "BOT [--json]",
	  .opts = OPTS(FLAG("json")),
	  .min_args = 1, .max_args = 1,
	  .want = "name one BOT",
	  .store = bn_cli_bot_show },
	{ .name = "remove",
	  .summary = "Remove a bot and its attachments",
	  .usage = "BOT",
	  .opts = OPTS(FLAG("json")),
	  .min_args = 1, .max_args = 1,
	  .want = "name one BOT",
	  .store = bn_cli_bot_remove },
	{ .name = "prompt",
	  .summary = "Print the system prompt the bot's agent gets",
	  .usage = "BOT [--json]",
	  .text = "Print the system prompt the bot's agent gets: the persona, then\n"
		  "an <available_skills> catalog of its enabled skills (none when it\n"
		  "has none).",
	  .opts = OPTS(FLAG("json")),
	  .min_args = 1, .max_args = 1,
	  .want = "name one BOT",
	  .store = bn_cli_bot_prompt },
	{ .name = "set",
	  .summary = "Set a bot's token limits, or show them",
	  .usage = "BOT [--max-tokens N|default] [--daily-tokens N|off]\n"
		   "        [--token-field max_completion_tokens|max_tokens|default] [--json]",
	  .text = "--max-tokens caps one answer of the model (default: the model\n"
		  "family's, see docs/agent.md). --daily-tokens caps what the bot's turns\n"
		  "use in 24 hours (input, output and cache tokens): a turn over it is\n"
		  "refused. --token-field max_tokens for OpenAI-compatible servers that\n"
		  "do not know max_completion_tokens. Without options: shows them\n"
		  "with the tokens used in the last 24 hours.",
	  .opts = OPTS(VALUE("max-tokens"), VALUE("daily-tokens"),
		       VALUE("token-field"), FLAG("json")),
	  .min_args = 1, .max_args = 1,
	  .want = "name one BOT",
	  .run = bn_cli_bot_set },
	{ .name = NULL },
};

static const bn_cli_cmd secret_cmds[] = {
	{ .name = "set",
	  .summary = "Store a secret, read from standard input",
	  .usage = "NAME",
	  .text = "Store a secret in the vault, encrypted. The value is read from\n"
		  "standard input (up to 64 KiB; one final newline is dropped; on a\n"
		  "terminal it is not echoed) and is never printed by any command.\n"
		  "NAME: 1 to 128 letters, digits, '_', '.' and '-'. The key is\n"
		  "$BNITY_HOME/vault.key (created with mode 0600), or derived from\n"
		  "$BNITY_VAULT_PASSPHRASE when that is set.",
	  .min_args = 1, .max_args = 1,
	  .want = "name one NAME (the value is read from standard input)",
	  .run = bn_cli_secret_set },
	{ .name = "list",
	  .summary = "List the secrets' names, never their values",
	  .usage = "[--json]",
	  .text = "List the secrets' names and when each was last set; never values.",
	  .opts = OPTS(FLAG("json")),
	  
	  .run = bn_cli_secret_list },
	{ .name = "remove",
	  .summary = "Remove a secret from the vault",
	  .usage = "NAME",
	  .min_args = 1, .max_args = 1,
	  .want = "name one NAME",
	  .run = bn_cli_secret_remove },
	{ .name = NULL },
};

static const bn_cli_cmd token_cmds[] = {
	{ .name = "create",
	  .summary = "Make a named API token for `bnity serve`",
	  .usage = "NAME [--role admin|user] [--json]",
	  .text = "Make an API token named NAME and print it, this once (only its\n"
		  "SHA-256 is kept). Role user (the default): read, chat and run\n"
		  "skills. Role admin: also install, remove, grant, revoke, and change\n"
		  "bots, secrets and tokens. Every `bnity serve` of this $BNITY_HOME\n"
		  "accepts it from its next request. NAME: 1 to 64 of a-z, 0-9, '.',\n"
		  "'_', '-'; \"serve\" is the token of $BNITY_HOME/api-token.",
	  .opts = OPTS(VALUE("role"), FLAG("json")),
	  .min_args = 1, .max_args = 1,
	  .want = "name one token (NAME)",
	  .run = bn_cli_token_create },
	{ .name = "list",
	  .summary = "List the API tokens: name, role, made, last used",
	  .usage = "[--json]",
	  .text = "List every API token's name, role, when it was made and last used\n"
		  "(to the minute); never a token's text.",
	  .opts = OPTS(FLAG("json")),
	  .max_args = 1,
	  .store = bn_cli_token_list },
	{ .name = "revoke",
	  .summary = "Revoke an API token: refused from the next request",
	  .usage = "NAME",
	  .text = "Revoke the token NAME: every server refuses it from its next\n"
		  "request. Revoking \"serve\" also removes $BNITY_HOME/api-token, so\n"
		  "the next `bnity serve` makes a new one.",
	  .min_args = 1, .max_args = 1,
	  .want = "name one token (NAME)",
	  .store = bn_cli_token_revoke },
	{ .name = NULL },
};

static const bn_cli_cmd store_cmds[] = {
	{ .name = "export",
	  .summary = "Write every row of the store to a file",
	  .usage = "FILE [--database URL] [--json]",
	  .text = "Write every table of the current store (--database URL, else\n"
		  "$BNITY_DATABASE_URL, else $BNITY_HOME/boternity.db) to FILE (mode\n"
		  "0600), in one transaction: bots, grants, the audit log, memories,\n"
		  "conversations, the vault's ciphertexts, tokens' hashes, the skill\n"
		  "index. JSON lines, docs/store-export.md. The vault's key is not in\n"
		  "it: the home that imports it needs the same vault.key (or\n"
		  "passphrase and vault.salt) to read the secrets.",
	  .opts = OPTS(VALUE("database"), FLAG("json")),
	  .min_args = 1, .max_args = 1,
	  .want = "name one FILE",
	  .run = bn_cli_store_export },
	{ .name = "import",
	  .summary = "Read an export into the store (SQLite or PostgreSQL)",
	  .usage = "FILE [--database URL] [--replace] [--json]",
	  .text = "Insert every row of FILE (from `bnity store export`) into the\n"
		  "current store, in one transaction: any error (a truncated or\n"
		  "corrupt file, a count in its trailer that differs, a newer schema)\n"
		  "names the line or table and imports nothing. The store must be\n"
		  "empty but for its skill index (replaced by the file's); --replace\n"
		  "empties every table first.",
	  .opts = OPTS(VALUE("database"), FLAG("replace"), FLAG("json")),
	  .min_args = 1, .max_args = 1,
	  .want = "name one FILE",
	  .run = bn_cli_store_import },
	{ .name = NULL },
};

static const bn_cli_cmd memory_cmds[] = {
	{ .name = "add",
	  .summary = "Remember a text for a bot",
	  .usage = "--bot BOT TEXT",
	  .text = "Remember TEXT (up to 64 KiB of UTF-8) for the bot; prints its id.",
	  .opts = OPTS(BOT_NEEDED),
	  .min_args = 1, .max_args = 1,
	  .want = "give one TEXT (quote it)",
	  .run = bn_cli_memory_add },
	{ .name = "search",
	  .summary = "Search a bot's memories",
	  .usage = "--bot BOT QUERY... [--limit N] [--json]",
	  .text = "Search the bot's memories for any word of QUERY, best match\n"
		  "first (N: 1 to 100, default 10). Punctuation is plain text, never\n"
		  "search syntax.",
	  .opts = OPTS(BOT_NEEDED, VALUE("limit"), FLAG("json")),
	  .min_args = 1, .max_args = BN_CLI_ARGS_ANY,
	  .want = "give a QUERY",
	  .run = bn_cli_memory_search },
	{ .name = "list",
	  .summary = "List a bot's memories",
	  .usage = "--bot BOT [--json]",
	  .text = "List the bot's memories, oldest first.",
	  .opts = OPTS(BOT_NEEDED, FLAG("json")),
	  
	  .run = bn_cli_memory_list },
	{ .name = "remove",
	  .summary = "Forget one of a bot's memories",
	  .usage = "--bot BOT ID",
	  .opts = OPTS(BOT_NEEDED),
	  .max_args = BN_CLI_ARGS_MAX,
	  .run = bn_cli_memory_remove },
	{ .name = NULL },
};

static const bn_cli_cmd sandbox_cmds[] = {
	{ .name = "run",
	  .summary = "Run a program confined as untrusted skills are",
	  .usage = "[--read PATH]... [--write PATH]... [--net none]\n"
		   "        [--time S] [--memory BYTES] -- CMD [ARGS...]",
	  .text = "Run CMD confined: new namespaces, no network, Landlock (its binary,\n"
		  "shared libraries, ld.so.cache, /dev/null, /dev/urandom, plus the paths\n"
		  "named), a seccomp allow-list, cgroup and rlimit limits.  CMD runs as\n"
		  "uid/gid 65534: --write folders must be writable by it.\n"
		  "Exit: CMD's status; 124 when a limit ended it (named on stderr);\n"
		  "128+N when signal N killed it; 1 when confinement failed; 2 usage.\n"
		  "BNITY_SANDBOX_ALLOW_WEAKER=1 accepts missing mechanisms;\n"
		  "BNITY_SANDBOX_TRACE=1 prints per-step microseconds on stderr.\n"
		  "See docs/sandbox.md.",
	  .opts = OPTS(LIST("read"), LIST("write"), VALUE("net"), VALUE("time"),
		       VALUE("memory")),
	  
	  .run = bn_cli_sandbox_run,
	  .flags = BN_CLI_CMD_RAW },
	{ .name = "status",
	  .summary = "Tell which confinement this machine offers",
	  .usage = "[--json]",
	  .text = "Probe each confinement mechanism: offered by this machine, and in\n"
		  "force for untrusted runs (found by trying each).",
	  .opts = OPTS(FLAG("json")),
	  
	  .run = bn_cli_sandbox_status },
	{ .name = NULL },
};

static const bn_cli_cmd key_cmds[] = {
	{ .name = "trust",
	  .summary = "Trust a minisign public key",
	  .usage = "PUBKEY|FILE [--comment TEXT]",
	  .text = "Trust a minisign public key: skills it signs install as verified.",
	  .opts = OPTS(VALUE("comment")),
	  .min_args = 1, .max_args = 1,
	  .want = "give one PUBKEY (the base64 line of a minisign .pub file, or the file)",
	  .run = bn_cli_key_trust },
	{ .name = "list",
	  .summary = "List trusted keys",
	  .usage = "[--json]",
	  .opts = OPTS(FLAG("json")),
	  
	  .store = bn_cli_key_list },
	{ .name = "remove",
	  .summary = "Stop trusting a key",
	  .usage = "KEYID|PUBKEY",
	  .min_args = 1, .max_args = 1,
	  .want = "give one key id or PUBKEY",
	  .store = bn_cli_key_remove },
	{ .name = NULL },
};

/* `wasm run` reads its own words, as the engine's test runner (which has
   no table) runs it too. */
static int wasm_run(const bn_cli_args *a)
{
	return bn_cli_wasm_run(a->argc, a->argv);
}

static const bn_cli_cmd wasm_cmds[] = {
	{ .name = "run",
	  .summary = "Run a WebAssembly command module (WASI preview 1)",
	  .usage = "[--fuel N] [--max-memory BYTES] [--max-call-depth N]\n"
		   "        [--timeout SECONDS] [--max-output BYTES]\n"
		   "        [--dir HOST[::GUEST][:ro]]... [--env KEY=VALUE]...\n"
		   "        [--engine auto|interp] FILE.wasm [ARGS...]",
	  .text = "Run a WebAssembly command module (WASI preview 1) in the engine.\n"
		  "\n"
		  BN_CLI_WASM_RUN_HELP
		  "See docs/wasm-run.md.",
	  .opts = OPTS(VALUE("fuel"), VALUE("max-memory"),
		       VALUE("max-call-depth"), VALUE("timeout"),
		       VALUE("max-output"), LIST("dir"), LIST("env"),
		       VALUE("engine")),
	  .run = wasm_run,
	  .flags = BN_CLI_CMD_RAW },
	{ .name = NULL },
};

static const bn_cli_cmd mcp_cmds[] = {
	{ .name = "serve",
	  .summary = "Offer a bot's skills to agents over MCP",
	  .usage = "[--bot BOT] [--listen ADDR:PORT]",
	  .text = "Serve the Model Context Protocol (2025-06-18, and 2025-03-26 to\n"
		  "clients that ask for it) over stdio: each enabled tool skill of BOT\n"
		  "is a tool, run as `bnity skill run --bot BOT` runs it (tier, worker,\n"
		  "limits, grants, audit record naming the client); each prompt skill\n"
		  "is a prompt and skill://NAME/... resources. Without --bot, bot 'mcp'\n"
		  "(made on first use, with nothing attached: `bnity skill attach NAME\n"
		  "mcp`). Changes to the bot's skills, by any bnity, are announced.\n"
		  "\n"
		  "  --listen ADDR:PORT  Streamable HTTP at http://ADDR:PORT/mcp instead,\n"
		  "                      loopback only, with the API's bearer token\n"
		  "                      ($BNITY_HOME/api-token); port 0 picks one\n"
		  "\n"
		  "See docs/mcp.md for adding it to Claude Code, Codex, Cursor, VS Code.",
	  .opts = OPTS(VALUE("bot"), VALUE("listen")),
	  
	  .run = bn_cli_mcp_serve },
	{ .name = "config",
	  .summary = "Print or add the snippet an agent needs",
	  .usage = "--agent claude-code|codex|cursor|vscode [--bot BOT]\n"
		   "        [--name NAME] [--write]",
	  .text = "Print the configuration that makes AGENT start `bnity mcp serve`.\n"
		  "--write adds it instead, keeping the file's other entries (an entry\n"
		  "of the same NAME, default boternity, is replaced): .mcp.json\n"
		  "(claude-code), .cursor/mcp.json, .vscode/mcp.json in this folder,\n"
		  "~/.codex/config.toml (codex). A file that does not parse is named\n"
		  "and left as it is.",
	  .opts = OPTS(VALUE("agent"), VALUE("bot"), VALUE("name"),
		       FLAG("write")),
	  
	  .run = bn_cli_mcp_config,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = NULL }
};

const bn_cli_cmd bn_cli_commands[] = {
	{ .name = "skill",
	  .summary = "Skills: write, check, find, install, run, grant",
	  .subs = skill_cmds },
	{ .name = "bot",
	  .summary = "Bots: their persona, their skills, their prompt",
	  .subs = bot_cmds,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "audit",
	  .summary = "The audit log of skill runs, or of installs",
	  .usage = "[--skill S] [--bot B] [--session N] [--since WHEN] [--outcome O]\n"
		   "        [--limit N] [--before ID] [--json]\n"
		   "       bnity audit --run ID [--after CALL] [--limit N] [--json]\n"
		   "       bnity audit --installs [--skill S] [--since WHEN] [--limit N] [--json]",
	  .text = "The audit log, newest first: every skill run and every host call\n"
		  "it made, allowed or denied. WHEN: 2026-11-27, 30m, 2h, 7d.\n"
		  "A run shows its first 50 calls; --run ID [--after CALL] pages\n"
		  "through the rest. Records of a chat's tool calls show their session,\n"
		  "turn and call id (--session N: only that session's); a run whose\n"
		  "process died while it ran shows as abandoned.\n"
		  "--installs: every install and update instead (source, tier, hash,\n"
		  "grants, scan findings).",
	  .opts = OPTS(VALUE("skill"), VALUE("bot"), VALUE("since"),
		       VALUE("outcome"), VALUE("limit"), VALUE("before"),
		       VALUE("run"), VALUE("after"), VALUE("session"),
		       FLAG("json"), FLAG("installs")),
	  
	  .run = bn_cli_audit_main,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "secret",
	  .summary = "The encrypted vault of secrets",
	  .subs = secret_cmds,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "token",
	  .summary = "Named API tokens and their roles",
	  .subs = token_cmds,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "store",
	  .summary = "Move a home's rows between SQLite and PostgreSQL",
	  .subs = store_cmds,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "memory",
	  .summary = "A bot's memories",
	  .subs = memory_cmds,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "chat",
	  .summary = "Talk to a bot",
	  .usage = "BOT [-m|--message TEXT] [--json] [--session ID [--resume|--drop]]\n"
		   "        [--provider anthropic|openai] [--model M] [--max-steps N]\n"
		   "        [--context-tokens N] [--max-tokens N] [--verbose]\n"
		   "   or: chat --sessions [BOT] [--json]\n"
		   "   or: chat --show ID [--json]",
	  .text = "Talk to BOT. Without -m: interactive (/skills, /reset, /session,\n"
		  "/resume, /drop, /help, /exit; Ctrl-C cancels the turn, twice leaves).\n"
		  "With -m: answer once and exit; --json prints the turn with its tool\n"
		  "calls, results and token usage. --session ID continues a conversation;\n"
		  "a turn that failed stays incomplete: --resume finishes it (tools whose\n"
		  "results are stored never run again), --drop discards it. --sessions\n"
		  "lists sessions, --show ID prints one with its turns, tool calls and\n"
		  "audit records. --max-tokens caps one answer (else the bot's setting,\n"
		  "else the model's default); --verbose prints each turn's token usage.\n"
		  "Providers, retries and budgets: docs/agent.md.",
	  .opts = OPTS({ "message", 'm', BN_CLI_VALUE, NULL }, VALUE("session"),
		       VALUE("provider"), VALUE("model"), VALUE("max-steps"),
		       VALUE("context-tokens"), VALUE("max-tokens"),
		       FLAG("json"), FLAG("verbose"), FLAG("resume"),
		       FLAG("drop"), FLAG("sessions"), VALUE("show")),
	  .max_args = 1,
	  .run = bn_cli_chat_main },
	{ .name = "sandbox",
	  .summary = "The OS sandbox untrusted skills run in",
	  .subs = sandbox_cmds },
	{ .name = "key",
	  .summary = "Trusted keys: skills they sign install as verified",
	  .subs = key_cmds,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "serve",
	  .summary = "Serve the HTTP API and the web UI",
	  .usage = "[--listen ADDR:PORT] [--public] [--max-connections N]\n"
		   "        [--max-per-client N] [--header-timeout S]\n"
		   "        [--install-root DIR] [--database URL]",
	  .text = "Serve the HTTP API (/api/v1) and the web UI, on "
		  BN_SERVER_DEFAULT_LISTEN "\n"
		  "by default. Every route but GET /api/v1/health needs the header\n"
		  "`Authorization: Bearer TOKEN`; the token is made on the first start,\n"
		  "printed once, and kept in $BNITY_HOME/api-token (mode 0600).\n"
		  "\n"
		  "  --listen ADDR:PORT  where to listen (IPv6 as [::1]:PORT; port 0\n"
		  "                      picks a free one, printed on start)\n"
		  "  --public            allow a non-loopback ADDR (anyone who can reach\n"
		  "                      it still needs the token; prefer a TLS proxy)\n"
		  "  --max-connections N connections open at once, in all (default "
		  BN_STR(BN_SERVER_MAX_CONNECTIONS) ")\n"
		  "  --max-per-client N  connections open at once from one address\n"
		  "                      (default " BN_STR(BN_SERVER_MAX_PER_CLIENT) ")\n"
		  "  --header-timeout S  seconds a connection has to send a request's\n"
		  "                      headers, from its start or its previous request's\n"
		  "                      end; then it is closed (default "
		  BN_STR(BN_SERVER_HEADER_TIMEOUT_S) ")\n"
		  "  --install-root DIR  let API clients install from folders, archives\n"
		  "                      and git repositories on this machine below DIR\n"
		  "                      (default: never from this machine's disk)\n"
		  "  --database URL      keep every table in PostgreSQL at URL\n"
		  "                      (postgresql://USER@HOST/DB?sslmode=require),\n"
		  "                      shared by replicas (docs/scale.md); default\n"
		  "                      $BNITY_DATABASE_URL, else $BNITY_HOME/boternity.db\n"
		  "\n"
		  "SIGINT or SIGTERM stops it within a few seconds, ending every skill\n"
		  "run in progress.\n"
		  "\n"
		  "BNITY_CORS_ORIGIN=https://host lets that one origin call the API from\n"
		  "a browser; without it no CORS header is sent. See docs/api.md.",
	  .opts = OPTS(VALUE("listen"), FLAG("public"), VALUE("max-connections"),
		       VALUE("install-root"), VALUE("database"),
		       VALUE("max-per-client"), VALUE("header-timeout")),
	  
	  .run = bn_cli_serve_main },
	{ .name = "mcp",
	  .summary = "Offer skills to agents over the Model Context Protocol",
	  .subs = mcp_cmds },
	{ .name = "wasm",
	  .summary = "Run WebAssembly programs directly",
	  .subs = wasm_cmds },
	{ .name = "help",
	  .summary = "Print the help of a command, or list them all",
	  .usage = "[COMMAND...]",
	  .text = "Print the help of a command (`bnity help skill install`), the\n"
		  "commands of a group (`bnity help skill`), or every command with\n"
		  "its summary. `bnity COMMAND --help` (or -h) prints the same.",
	  
	  .run = bn_cli_help_main,
	  .flags = BN_CLI_CMD_WORDS | BN_CLI_CMD_NO_SPAWNER },
	{ .name = "version",
	  .summary = "Print the version",
	  .text = "Print the version (also `bnity --version`).",
	  
	  .run = bn_cli_version_main,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = "completion",
	  .summary = "Print a shell completion script",
	  .usage = "bash|zsh|fish",
	  .text = "Print a completion script for the shell: its commands,\n"
		  "subcommands and options come from the same table as this help.\n"
		  "Load it with\n"
		  "  bash:  source <(bnity completion bash)     (in ~/.bashrc)\n"
		  "  zsh:   source <(bnity completion zsh)      (after compinit)\n"
		  "  fish:  bnity completion fish | source",
	  .choices = "bash zsh fish",
	  .min_args = 1, .max_args = 1,
	  .want = "name one shell: bash, zsh or fish",
	  .run = bn_cli_completion_main,
	  .flags = BN_CLI_CMD_NO_SPAWNER },
	{ .name = NULL },
};

/* The command named by the LEN bytes at WORD among CMDS, or NULL. */
static const bn_cli_cmd *find_word(const bn_cli_cmd *cmds, const char *word,
				   size_t len)
{
	for (; cmds && cmds->name; cmds++)
		if (strlen(cmds->name) == len && !strncmp(cmds->name, word, len))
			return cmds;
	return NULL;
}

const bn_cli_cmd *bn_cli_cmd_find(const char *path)
{
	const bn_cli_cmd *cmds = bn_cli_commands, *c = NULL;

	if (!path)
		return NULL;
	while (*path) {
		size_t len = strcspn(path, " ");
		if (!cmds || !(c = find_word(cmds, path, len)))
			return NULL;
		cmds = c->subs;
		path += len;
		path += strspn(path, " ");
	}
	return c;
}
