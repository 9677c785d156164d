/* SPDX-License-Identifier: MIT */
/*
 * mcp/config.c - the snippet each agent needs to start `bnity mcp serve`
 * (see mcp.h), and adding it to the agent's file without losing the
 * file's other entries.
 *
 *   claude-code  .mcp.json            {"mcpServers": {NAME: {...}}}
 *   cursor       .cursor/mcp.json     {"mcpServers": {NAME: {...}}}
 *   vscode       .vscode/mcp.json     {"servers": {NAME: {...}}}
 *   codex        ~/.codex/config.toml [mcp_servers.NAME]
 *
 * A JSON file is parsed whole and written back (atomically); a TOML file
 * is checked line by line (tables, keys, comments, multi-line values)
 * and only the [mcp_servers.NAME] table is replaced or appended, so the
 * rest stays byte for byte.  A file that does not read as its format is
 * refused, never rewritten.
 */
#include "mcp_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/fs.h"

#define CONFIG_MAX_BYTES ((size_t)4 << 20)

static const char *const agent_names[BN_MCP_AGENT_MAX] = {
	[BN_MCP_AGENT_CLAUDE_CODE] = "claude-code",
	[BN_MCP_AGENT_CODEX] = "codex",
	[BN_MCP_AGENT_CURSOR] = "cursor",
	[BN_MCP_AGENT_VSCODE] = "vscode",
};

BN_STR_ENUM_PARSE(bn_mcp_agent, agent_names)

const char *bn_mcp_agent_names(void)
{
	return "claude-code codex cursor vscode";
}

char *bn_mcp_config_path(bn_mcp_agent agent, const char *project,
			 const char *home)
{
	switch (agent) {
	case BN_MCP_AGENT_CODEX:
		return bn_fs_join(home, ".codex/config.toml");
	case BN_MCP_AGENT_CURSOR:
		return bn_fs_join(project, ".cursor/mcp.json");
	case BN_MCP_AGENT_VSCODE:
		return bn_fs_join(project, ".vscode/mcp.json");
	default:
		return bn_fs_join(project, ".mcp.json");
	}
}

/* The words after the command. */
static json_t *args_json(const bn_mcp_config *c)
{
	json_t *a = json_pack("[s, s]", "mcp", "serve");

	if (c->bot) {
		json_array_append_new(a, json_string("--bot"));
		json_array_append_new(a, json_string(c->bot));
	}
	return a;
}

/* The server's entry in a JSON file. */
static json_t *entry_json(const bn_mcp_config *c)
{
	json_t *e = json_pack("{s:s, s:s, s:o}", "type", "stdio", "command",
			      c->command, "args", args_json(c));

	if (c->home)
		json_object_set_new(e, "env", json_pack("{s:s}", "BNITY_HOME",
							c->home));
	return e;
}

static const char *servers_key(bn_mcp_agent a)
{
	return a == BN_MCP_AGENT_VSCODE ? "servers" : "mcpServers";
}

/* S as a TOML basic string (with its quotes) onto B. */
static int toml_string(bn_buf *b, const char *s)
{
	int r = bn_buf_puts(b, "\"");

	for (; *s && !r; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			r = bn_buf_printf(b, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			r = bn_buf_printf(b, "\\u%04x", ch);
		else
			r = bn_buf_append(b, s, 1);
	}
	return r ? r : bn_buf_puts(b, "\"");
}

/* Whether NAME may stand bare in a TOML key. */
static bool toml_bare(const char *name)
{
	return *name && strspn(name, "abcdefghijklmnopqrstuvwxyz"
			       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
	       strlen(name);
}

/* The [mcp_servers.NAME] header line (no newline) onto B. */
static int toml_header(bn_buf *b, const char *name)
{
	int r = bn_buf_puts(b, "[mcp_servers.");

	if (!r)
		r = toml_bare(name) ? bn_buf_puts(b, name) : toml_string(b,
									 name);
	return r ? r : bn_buf_puts(b, "]");
}

static int toml_table(bn_buf *b, const bn_mcp_config *c)
{
	json_t *args = args_json(c), *a;
	size_t i;
	int r = toml_header(b, c->name);

	r = r ? r : bn_buf_puts(b, "\ncommand = ");
	r = r ? r : toml_string(b, c->command);
	r = r ? r : bn_buf_puts(b, "\nargs = [");
	json_array_foreach(args, i, a) {
		r = r ? r : bn_buf_puts(b, i ? ", " : "");
		r = r ? r : toml_string(b, json_string_value(a));
	}
	r = r ? r : bn_buf_puts(b, "]\n");
	if (c->home) {
		r = r ? r : bn_buf_puts(b, "env = { BNITY_HOME = ");
		r = r ? r : toml_string(b, c->home);
		r = r ? r : bn_buf_puts(b, " }\n");
	}
	json_decref(args);
	return r;
}

int bn_mcp_config_snippet(char **out, const bn_mcp_config *c, bn_err *err)
{
	bn_buf b;
	char *text;

	if (c->agent == BN_MCP_AGENT_CODEX) {
		bn_buf_init(&b, 0);
		if (toml_table(&b, c)) {
			bn_buf_clear(&b);
			return bn_err_oom(err);
		}
		*out = bn_buf_take(&b);
		return 0;
	}
	json_t *doc = json_pack("{s:{s:o}}", servers_key(c->agent), c->name,
				entry_json(c));
	text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	if (!text)
		return bn_err_oom(err);
	*out = bn_xasprintf("%s\n", text);
	free(text);
	return 0;
}

/* ---- writing -------------------------------------------------------------- */

static int write_json(bool *replaced, const char *path, const char *text,
		      size_t len, const bn_mcp_config *c, bn_err *err)
{
	const char *key = servers_key(c->agent);
	json_error_t je;
	json_t *doc = len ? json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)
			  : json_object(), *servers;
	char *out;
	int r;

	if (!json_is_object(doc)) {
		json_decref(doc);
		return bn_err_set(err, BN_EINVAL, "%s: not a JSON object "
				  "(%s); fix or move it, it was left as it "
				  "is", path, len ? je.text : "");
	}
	servers = json_object_get(doc, key);
	if (servers && !json_is_object(servers)) {
		json_decref(doc);
		return bn_err_set(err, BN_EINVAL, "%s: \"%s\" is not an "
				  "object; it was left as it is", path, key);
	}
	if (!servers) {
		servers = json_object();
		json_object_set_new(doc, key, servers);
	}
	*replaced = json_object_get(servers, c->name) != NULL;
	json_object_set_new(servers, c->name, entry_json(c));
	out = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!out)
		return bn_err_oom(err);
	char *withnl = bn_xasprintf("%s\n", out);
	r = bn_fs_write_atomic(path, withnl, strlen(withnl), 0644, err);
	free(withnl);
	free(out);
	return r;
}

/* The brackets and braces LINE opens minus those it closes, outside
   strings and comments; *tq toggles on each ''' or """. */
static int toml_depth(const char *line, size_t n, bool *tq)
{
	int depth = 0;
	char q = 0;

	for (size_t i = 0; i < n; i++) {
		char ch = line[i];
		if (i + 2 < n && (ch == '"' || ch == '\'') &&
		    line[i + 1] == ch && line[i + 2] == ch && !q) {
			*tq = !*tq;
			i += 2;
		} else if (*tq) {
			continue;
		} else if (q) {
			if (ch == '\\' && q == '"')
				i++;
			else if (ch == q)
				q = 0;
		} else if (ch == '"' || ch == '\'') {
			q = ch;
		} else if (ch == '#') {
			break;
		} else if (ch == '[' || ch == '{') {
			depth++;
		} else if (ch == ']' || ch == '}') {
			depth--;
		}
	}
	return depth;
}

/* Whether LINE (not inside a value) is blank, a comment, a table header
   or a key = value. */
static bool toml_line_ok(const char *line, size_t n)
{
	size_t i = 0;

	while (i < n && isspace((unsigned char)line[i]))
		i++;
	if (i == n || line[i] == '#' || line[i] == '[')
		return true;
	while (i < n && (isalnum((unsigned char)line[i]) ||
			 strchr("_-.\"' ", line[i])))
		i++;
	return i < n && line[i] == '=';
}

static int write_toml(bool *replaced, const char *path, const char *text,
		      size_t len, const bn_mcp_config *c, bn_err *err)
{
	bn_buf head, out;
	size_t pos = 0, skip_from = SIZE_MAX, skip_to = SIZE_MAX;
	unsigned lineno = 0;
	int depth = 0, r = 0;
	bool tq = false;

	bn_buf_init(&head, 0);
	if (toml_header(&head, c->name))
		return bn_err_oom(err);
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		bool inside = depth > 0 || tq;

		lineno++;
		if (!inside && !toml_line_ok(line, n)) {
			bn_buf_clear(&head);
			return bn_err_set(err, BN_EINVAL, "%s:%u: not TOML "
					  "this can read; fix it, it was left "
					  "as it is", path, lineno);
		}
		if (!inside && n && line[0] == '[') {
			/* a table header ends the one being replaced */
			if (skip_from != SIZE_MAX && skip_to == SIZE_MAX)
				skip_to = pos;
			size_t hn = n;
			while (hn && isspace((unsigned char)line[hn - 1]))
				hn--;
			if (hn == head.len && !memcmp(line, head.data, hn))
				skip_from = pos;
		}
		depth += toml_depth(line, n, &tq);
		pos += n + (nl ? 1 : 0);
	}
	if (depth || tq) {
		bn_buf_clear(&head);
		return bn_err_set(err, BN_EINVAL, "%s: a value is not closed "
				  "at its end; it was left as it is", path);
	}
	if (skip_from != SIZE_MAX && skip_to == SIZE_MAX)
		skip_to = len;
	*replaced = skip_from != SIZE_MAX;
	bn_buf_init(&out, 0);
	if (*replaced) {
		r = bn_buf_append(&out, text, skip_from);
		r = r ? r : toml_table(&out, c);
		if (!r && skip_to < len)
			r = bn_buf_puts(&out, "\n");
		r = r ? r : bn_buf_append(&out, text + skip_to, len - skip_to);
	} else {
		r = bn_buf_append(&out, text, len);
		if (!r && len && text[len - 1] != '\n')
			r = bn_buf_puts(&out, "\n");
		if (!r && len)
			r = bn_buf_puts(&out, "\n");
		r = r ? r : toml_table(&out, c);
	}
	if (!r)
		r = bn_fs_write_atomic(path, out.data ? out.data : "", out.len,
				       0644, err);
	else
		r = bn_err_oom(err);
	bn_buf_clear(&out);
	bn_buf_clear(&head);
	return r;
}

int bn_mcp_config_write(bool *replaced_out, const char *path,
			const bn_mcp_config *c, bn_err *err)
{
	char *text = NULL, *dir = bn_xstrdup(path), *slash;
	size_t len = 0;
	int r = 0;

	*replaced_out = false;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		r = bn_fs_mkdirs(dir, err);
	}
	free(dir);
	if (r)
		return r;
	if (bn_fs_is_file(path) &&
	    (r = bn_fs_read_file(&text, &len, path, CONFIG_MAX_BYTES, err)))
		return r;
	if (c->agent == BN_MCP_AGENT_CODEX)
		r = write_toml(replaced_out, path, text ? text : "", len, c,
			       err);
	else
		r = write_json(replaced_out, path, text ? text : "", len, c,
			       err);
	free(text);
	return r;
}
