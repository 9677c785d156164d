/* SPDX-License-Identifier: MIT */
/* cli/help.c - the help text of every command, in one table. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

typedef struct help_entry {
	const char *command;  /* "skill validate" */
	const char *usage;    /* arguments after the command */
	const char *text;     /* what it does */
} help_entry;

static const help_entry entries[] = {
	{ "skill validate", "PATH... [--json]",
	  "Check each skill (a folder or its SKILL.md) strictly against the\n"
	  "Agent Skills specification. Exit 1 if any is invalid. --json prints\n"
	  "{\"path\", \"valid\", \"errors\", \"warnings\"} per path." },
	{ "skill read-properties", "PATH",
	  "Print the skill's frontmatter properties as JSON." },
	{ "skill to-prompt", "PATH...",
	  "Print the <available_skills> block an agent gets for these skills." },
	{ "skill create", "NAME [--type prompt|tool] [--description TEXT]",
	  "Write a new skill into the store. A tool skill gets src/main.c\n"
	  "and schema.json to build later. The result passes `skill validate`." },
	{ "skill list", "[--json]",
	  "List every skill: the store's, the user's (~/.agents/skills,\n"
	  "~/.claude/skills) and the project's (.agents/skills,\n"
	  ".claude/skills from here up to the repository root)." },
	{ "skill inspect", "NAME [--resolved] [--json]",
	  "Show one skill: where it is, its fields, its instructions' size,\n"
	  "its grants and the bots it is attached to. --resolved shows it\n"
	  "combined with its ancestors (metadata.parents), with the origin of\n"
	  "every capability and instruction block." },
	{ "skill remove", "NAME",
	  "Remove a skill from the store and detach it from every bot." },
	{ "skill search", "QUERY [--registry NAME] [--json] [--offline]",
	  "Search the registries (skills.sh, anthropics/skills,\n"
	  "ComposioHQ/awesome-claude-skills, and those in config.json)." },
	{ "skill browse", "[QUERY] [--registry NAME] [--offline]",
	  "Browse registries: on a terminal search, show details and install;\n"
	  "otherwise print a plain listing." },
	{ "skill install",
	  "SOURCE [--skill NAME]... [--all] [--yes] [--grant CAP[=SCOPE],...]\n"
	  "        [--bot BOT] [--force] [--local] [--offline]",
	  "Install skills from a folder, a .skill/.zip/.tar.gz,\n"
	  "owner/repo[/path][#ref], a GitHub or git URL, or https://HOST\n"
	  "(.well-known/agent-skills). Shows warnings and scan findings, checks\n"
	  "signatures (tier verified/untrusted; --local: a folder you vouch\n"
	  "for), asks for each capability on a terminal (--yes grants all,\n"
	  "--grant the named ones), builds tool sources, commits atomically,\n"
	  "pins it in skills-lock.json. --force installs despite strict errors\n"
	  "or replaces an installed skill." },
	{ "skill update", "NAME|--all [--yes] [--grant CAP,...] [--bot BOT] [--force]",
	  "Fetch again; changed content is replaced; changed capabilities are\n"
	  "shown and asked for again." },
	{ "skill outdated", "[NAME] [--json] [--offline]",
	  "Which installed skills differ from their source. Exit 1 if any." },
	{ "skill verify", "[NAME] [--json]",
	  "Check installed files against skills-lock.json. Exit 1 on any change." },
	{ "skill digest", "PATH",
	  "Print the listing a skill signature signs (sign it with minisign into\n"
	  "skill.minisig)." },
	{ "key trust", "PUBKEY|FILE [--comment TEXT]",
	  "Trust a minisign public key: skills it signs install as verified." },
	{ "key list", "[--json]", "List trusted keys." },
	{ "key remove", "KEYID|PUBKEY", "Stop trusting a key." },
	{ "skill build", "[SKILL | PATH] [--verbose]",
	  "Build a tool skill's skill.wasm from its sources: C (src/*.c) with\n"
	  "clang for wasm32-wasi and the SDK header, or WAT (skill.wat) with\n"
	  "wat2wasm. The result must be a WASI command; a failed build keeps\n"
	  "the previous skill.wasm." },
	{ "skill grant",
	  "SKILL CAP[=SCOPE]... [--bot BOT] [--fuel N] [--max-memory BYTES]\n"
	  "        [--timeout-ms MS] [--max-output BYTES]",
	  "Allow a skill a capability it declares, for one bot or every bot.\n"
	  "Without a scope, the scopes the skill declares are granted. Limit\n"
	  "flags override the tier's defaults for the skill's runs; each is 1\n"
	  "to its maximum (fuel 10^18, memory 1 TiB, timeout a year, output\n"
	  "1 GiB; sizes may end in k, M or G), else a usage error." },
	{ "skill revoke", "SKILL CAP[=SCOPE]|all... [--bot BOT]",
	  "Take back grants (all scopes of CAP without one)." },
	{ "skill run",
	  "SKILL [--bot BOT] [--input JSON | --input-file F | < stdin] [--json]",
	  "Run a tool skill with its input, under its tier's limits and its\n"
	  "grants; print its output. --json prints {ok, output, error, limit,\n"
	  "fuel_used, memory_peak, duration_ms, tier, ...}. Exit 3 the skill\n"
	  "failed, 4 it failed after a refused capability, 5 a limit stopped\n"
	  "it, 6 it trapped." },
	{ "skill script",
	  "SKILL SCRIPT [ARGS...] [--bot BOT] [--input TEXT | --input-file F]\n"
	  "        [--json]",
	  "Run scripts/SCRIPT of a skill that holds exec_command=SCRIPT, under\n"
	  "the OS sandbox: a read-only copy of the skill folder ($SKILL_DIR), a\n"
	  "fresh work folder ($HOME), no network, the tier's limits. Audited.\n"
	  "Exit: 0, 3 it failed, 4 not granted, 5 a limit stopped it." },
	{ "skill attach", "SKILL BOT", "Attach a skill to a bot (enabled)." },
	{ "skill detach", "SKILL BOT", "Detach a skill from a bot." },
	{ "skill enable", "SKILL BOT", "Enable an attached skill for a bot." },
	{ "skill disable", "SKILL BOT",
	  "Disable an attached skill for a bot (kept attached, left out of\n"
	  "the bot's prompt)." },
	{ "bot create",
	  "SLUG [--name NAME] [--persona TEXT | --persona-file FILE]\n"
	  "        [--provider P] [--model M]",
	  "Create a bot. SLUG: lowercase letters, digits and hyphens." },
	{ "bot list", "[--json]", "List the bots." },
	{ "bot show", "BOT [--json]", "Show a bot and its skills." },
	{ "bot remove", "BOT", "Remove a bot and its attachments." },
	{ "bot prompt", "BOT [--json]",
	  "Print the system prompt the bot's agent gets: the persona, then\n"
	  "an <available_skills> catalog of its enabled skills (none when it\n"
	  "has none)." },
	{ "audit",
	  "[--skill S] [--bot B] [--since WHEN] [--outcome O] [--limit N]\n"
	  "        [--before ID] [--json] | --installs [--skill S] [--since WHEN]",
	  "The audit log, newest first: every skill run and every host call\n"
	  "it made, allowed or denied. WHEN: 2026-11-27, 30m, 2h, 7d.\n"
	  "--installs: every install and update instead (source, tier, hash,\n"
	  "grants, scan findings)." },
	{ "chat",
	  "BOT [-m TEXT] [--json] [--session ID] [--provider anthropic|openai]\n"
	  "        [--model M] [--max-steps N] [--context-tokens N]",
	  "Talk to BOT. Without -m: interactive (/skills, /reset, /session,\n"
	  "/help, /exit). With -m: answer once and exit; --json prints the turn\n"
	  "with its tool calls and results. --session ID continues a\n"
	  "conversation. Providers: docs/agent.md." },
	{ "secret set", "NAME",
	  "Store a secret in the vault, encrypted. The value is read from\n"
	  "standard input (up to 64 KiB; one final newline is dropped; on a\n"
	  "terminal it is not echoed) and is never printed by any command.\n"
	  "NAME: 1 to 128 letters, digits, '_', '.' and '-'. The key is\n"
	  "$BNITY_HOME/vault.key (created with mode 0600), or derived from\n"
	  "$BNITY_VAULT_PASSPHRASE when that is set." },
	{ "secret list", "[--json]",
	  "List the secrets' names and when each was last set; never values." },
	{ "secret remove", "NAME", "Remove a secret from the vault." },
	{ "memory add", "--bot BOT TEXT",
	  "Remember TEXT (up to 64 KiB of UTF-8) for the bot; prints its id." },
	{ "memory search", "--bot BOT QUERY... [--limit N] [--json]",
	  "Search the bot's memories for any word of QUERY, best match\n"
	  "first (N: 1 to 100, default 10). Punctuation is plain text, never\n"
	  "search syntax." },
	{ "memory list", "--bot BOT [--json]",
	  "List the bot's memories, oldest first." },
	{ "memory remove", "--bot BOT ID", "Forget one of the bot's memories." },
	{ "sandbox run",
	  "[--read PATH]... [--write PATH]... [--net none] [--time S]\n"
	  "        [--memory BYTES] -- CMD [ARGS...]",
	  "Run a native program confined as untrusted skills are: new\n"
	  "namespaces, no network, Landlock (its binary and libraries plus the\n"
	  "paths named), a seccomp allow-list, cgroup and rlimit limits, as\n"
	  "uid 65534. Exit: CMD's status; 124 a limit ended it; 128+N signal N;\n"
	  "1 confinement failed. See docs/sandbox.md." },
	{ "sandbox status", "[--json]",
	  "Which confinement mechanisms this machine offers, and which are in\n"
	  "force for untrusted runs (found by trying each)." },
	{ "serve", "[--listen ADDR:PORT] [--public] [--max-connections N]\n"
	  "        [--max-per-client N] [--header-timeout S]",
	  "Serve the HTTP API (/api/v1) and the web UI on 127.0.0.1:8737. Every\n"
	  "route but GET /api/v1/health needs `Authorization: Bearer TOKEN`; the\n"
	  "token is made on the first start, printed once, and kept in\n"
	  "$BNITY_HOME/api-token (mode 0600). --listen picks the address (port 0:\n"
	  "any free port); a non-loopback address needs --public. At most 64\n"
	  "connections at once, 16 from one address, and 10 s to send a request's\n"
	  "headers (the three options change these). SIGINT or SIGTERM stops it\n"
	  "within seconds, ending every skill run in progress.\n"
	  "BNITY_CORS_ORIGIN=ORIGIN allows that one browser origin. See docs/api.md." },
	{ "wasm run",
	  "[--fuel N] [--max-memory BYTES] [--dir HOST::GUEST[:ro]]...\n"
	  "        [--env K=V]... FILE.wasm [ARGS...]",
	  "Run a WebAssembly command module (WASI preview 1) in the engine.\n"
	  "Exit status: the program's; 124 a limit was exhausted; 125 a trap;\n"
	  "126 the module cannot be loaded; 2 a usage error." },
	{ NULL, NULL, NULL },
};

static void overview(void)
{
	const help_entry *e;

	printf("bnity %s - modular skills for AI agents, run safely\n\n"
	       "usage: bnity COMMAND [ARGS...]\n"
	       "       bnity help COMMAND     the help of one command\n"
	       "       bnity --version\n\ncommands:\n", BN_VERSION);
	for (e = entries; e->command; e++) {
		const char *nl = strchr(e->text, '\n');
		int len = nl ? (int)(nl - e->text) : (int)strlen(e->text);
		printf("  %-22s %.*s\n", e->command, len, e->text);
	}
	printf("\nEverything lives in $BNITY_HOME (default ~/.boternity).\n"
	       "Exit codes: 0 success, 1 invalid or refused, 2 usage error.\n");
}

bool bn_cli_help(const char *command)
{
	const help_entry *e;
	size_t len = command ? strlen(command) : 0;
	bool any = false;

	if (!command || !*command) {
		overview();
		return true;
	}
	for (e = entries; e->command; e++) {
		if (strcmp(e->command, command) == 0 ||
		    (strncmp(e->command, command, len) == 0 &&
		     e->command[len] == ' ')) {
			printf("usage: bnity %s %s\n\n%s\n\n", e->command,
			       e->usage, e->text);
			any = true;
		}
	}
	return any;
}
