/* SPDX-License-Identifier: MIT */
/*
 * registry/scan.c - the static scan run on a skill before it is approved:
 * instructions that fetch and run code, read credentials or the agent's
 * memory, or hide actions from the user; hidden Unicode; long encoded
 * blobs; scripts that open network connections or write outside their
 * folder.  Line-based checks, made precise enough that a finding is worth
 * a human's look: tokens and calls rather than substrings of words, code
 * rather than the comments and docstrings of a script, sanitisers
 * recognised, one finding per file and rule with a count, and a cap per
 * skill.  Findings are advice, each with its file and line; a clean scan
 * proves nothing.  The rules are listed in docs/security.md.
 */
#include "registry.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/fs.h"

#define SCAN_FILE_MAX_BYTES ((size_t)1 << 20)
#define BASE64_RUN_MIN 200
#define HEX_RUN_MIN 128
#define NELEM(a) (sizeof(a) / sizeof(*(a)))

static const char *const finding_names[BN_REGISTRY_FIND_MAX] = {
	"remote-exec", "credentials", "conceal", "hidden-unicode", "blob",
	"script-network", "script-write",
};

BN_STR_ENUM_NAME(bn_registry_finding_kind, finding_names, "?")

void bn_registry_findings_clear(bn_registry_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].file);
		free(f->v[i].what);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
	f->omitted = 0;
	f->scripts = 0;
	f->files = 0;
	f->bytes = 0;
}

json_t *bn_registry_findings_json(const bn_registry_findings *f)
{
	json_t *a = json_array();

	for (size_t i = 0; i < f->n; i++) {
		json_t *k = json_object();
		json_object_set_new(k, "kind", json_string(
			bn_registry_finding_kind_name(f->v[i].kind)));
		json_object_set_new(k, "file", json_string(f->v[i].file));
		json_object_set_new(k, "line", json_integer(f->v[i].line));
		json_object_set_new(k, "count", json_integer(f->v[i].count));
		json_object_set_new(k, "what", json_string(f->v[i].what));
		json_array_append_new(a, k);
	}
	return a;
}

/* The findings of one file: where they start in OUT, so a rule that
   matches again in the same file counts instead of adding a finding. */
typedef struct scan_file {
	bn_registry_findings *out;
	const char *name;
	size_t first;
} scan_file;

static void add(scan_file *sf, bn_registry_finding_kind k, unsigned line,
		const char *what)
{
	bn_registry_findings *f = sf->out;

	for (size_t i = sf->first; i < f->n; i++) {
		if (f->v[i].kind == k) {
			f->v[i].count++;
			return;
		}
	}
	if (f->n >= BN_REGISTRY_FINDINGS_MAX) {
		f->omitted++;
		return;
	}
	f->v = bn_xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
	f->v[f->n].kind = k;
	f->v[f->n].file = bn_xstrdup(sf->name);
	f->v[f->n].line = line;
	f->v[f->n].what = bn_xstrdup(what);
	f->v[f->n].count = 1;
	f->n++;
}

/* Case-insensitive search of NEEDLE in [S, S+N); NULL when absent. */
static const char *ci_find(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	for (size_t i = 0; m <= n && i <= n - m; i++)
		if (strncasecmp(s + i, needle, m) == 0)
			return s + i;
	return NULL;
}

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* How a token of a rule must stand in the line. */
enum {
	TOK_CMD = 1,     /* a command word: starts a command or a string */
	TOK_NODOT = 2,   /* not a method (`.fetch(`) */
	TOK_NOURL = 4,   /* not part of a URL */
	TOK_NODASH = 8,  /* not the end of a longer name (`x-memory.md`) */
};

typedef struct token {
	const char *text;
	unsigned how;
} token;

/* Whether the non-blank run around P in [L, L+N) is a URL. */
static bool in_url(const char *l, size_t n, const char *p)
{
	const char *a = p, *b = p, *end = l + n;

	while (a > l && !isspace((unsigned char)a[-1]))
		a--;
	while (b < end && !isspace((unsigned char)*b))
		b++;
	return ci_find(a, (size_t)(b - a), "://") != NULL;
}

/* P (in [L, ...)) is where a command starts: after blanks, at the start
   of the line, after ; | & ( ` { or a quote, or after sudo, exec... */
static bool command_start(const char *l, const char *p)
{
	static const char *const pre[] = { "sudo", "exec", "then", "do",
		"time", "nohup", "command", "xargs", "env" };
	const char *q = p;

	while (q > l && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	if (q == l || strchr(";|&(`{\"'[", q[-1]))
		return true;
	for (size_t i = 0; i < NELEM(pre); i++) {
		size_t m = strlen(pre[i]);
		if ((size_t)(q - l) >= m && !strncmp(q - m, pre[i], m) &&
		    (q - m == l || !word_char(q[-(long)m - 1])))
			return q < p;
	}
	return false;
}

/* TOK in [L, L+N), standing as its flags say; NULL when absent. */
static const char *find_token(const char *l, size_t n, const token *tok)
{
	const char *p = l, *end = l + n;
	size_t m = strlen(tok->text);
	bool wl = word_char(tok->text[0]), wr = word_char(tok->text[m - 1]);

	while ((p = ci_find(p, (size_t)(end - p), tok->text)) != NULL) {
		bool ok = true;
		if (wl && p > l && word_char(p[-1]))
			ok = false;
		if (wr && p + m < end && word_char(p[m]))
			ok = false;
		if ((tok->how & TOK_NODOT) && p > l && p[-1] == '.')
			ok = false;
		if ((tok->how & TOK_NODASH) && p > l &&
		    (p[-1] == '-' || p[-1] == '/' || p[-1] == '.'))
			ok = false;
		if ((tok->how & TOK_NOURL) && in_url(l, n, p))
			ok = false;
		if ((tok->how & TOK_CMD) &&
		    (!command_start(l, p) ||
		     (p + m < end && !strchr(" \t\"',;)", p[m]))))
			ok = false;
		if (ok)
			return p;
		p++;
	}
	return NULL;
}

/* The first of the NT tokens TOKS in the line, as its text; or NULL. */
static const char *first_token(const char *l, size_t n, const token *toks,
			       size_t nt)
{
	for (size_t i = 0; i < nt; i++)
		if (find_token(l, n, &toks[i]))
			return toks[i].text;
	return NULL;
}

static void check_tokens(scan_file *sf, unsigned line, const char *l,
			 size_t n, const token *toks, size_t nt,
			 bn_registry_finding_kind k, const char *label)
{
	const char *t = first_token(l, n, toks, nt);

	if (t) {
		char *w = bn_xasprintf("%s: \"%s\"", label, t);
		add(sf, k, line, w);
		free(w);
	}
}

/* Download commands, followed by their arguments (not `curl/` a path). */
static const token fetchers[] = {
	{ "curl ", 0 }, { "wget ", 0 }, { "iwr ", 0 },
	{ "invoke-webrequest ", 0 }, { "irm ", 0 },
	{ "invoke-restmethod ", 0 },
};

static const char *const shells[] = { "sh", "bash", "zsh", "dash", "ksh",
	"python", "python3", "node", "perl", "ruby", "iex",
	"invoke-expression", "source", "eval", "." };

/* The word ending at E (after blanks, quotes and -options before it) is a
   shell or interpreter: `sh -c "`, `bash <`, `eval `. */
static bool shell_before(const char *l, const char *e)
{
	for (;;) {
		while (e > l && strchr(" \t\"'", e[-1]))
			e--;
		const char *w = e;
		while (w > l && !strchr(" \t\"'|;&(", w[-1]))
			w--;
		if (w < e && *w == '-') {          /* an option: -c, -s */
			e = w;
			continue;
		}
		for (size_t i = 0; i < NELEM(shells); i++)
			if ((size_t)(e - w) == strlen(shells[i]) &&
			    !strncasecmp(w, shells[i], (size_t)(e - w)))
				return true;
		return false;
	}
}

/* The command word at P is a shell or interpreter (after sudo). */
static bool shell_at(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p >= 5 && !strncasecmp(p, "sudo ", 5))
		p += 5;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p >= 2 && !strncmp(p, "-E", 2))    /* sudo -E bash */
		p += 2;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	for (size_t i = 0; i < NELEM(shells); i++) {
		size_t m = strlen(shells[i]);
		if ((size_t)(end - p) >= m && !strncasecmp(p, shells[i], m) &&
		    (p + m == end || strchr(" \t-;)`'\".,\\", p[m])))
			return true;
	}
	return false;
}

/*
 * A download handed to a shell or interpreter: `curl ... | sh`,
 * `wget -O- ... | sudo bash`, `bash <(curl ...)`, `sh -c "$(curl ...)"`,
 * `eval "$(wget ...)"`.  Capturing a download (`r=$(curl ...)`) or
 * naming curl in prose is not.
 */
static bool is_remote_exec(const char *l, size_t n)
{
	const char *end = l + n;

	for (size_t i = 0; i < NELEM(fetchers); i++) {
		const char *f = find_token(l, n, &fetchers[i]);
		if (!f)
			continue;
		for (const char *p = f; (p = memchr(p, '|', (size_t)(end - p)));
		     p++) {
			if (p + 1 < end && p[1] == '|') {   /* || is "or" */
				p++;
				continue;
			}
			if (shell_at(p + 1, end))
				return true;
		}
		/* a substitution: $(curl, <(curl, `curl */
		if (f > l && strchr("(`", f[-1]) &&
		    (f[-1] == '`' || (f - 1 > l && strchr("$<", f[-2]))) &&
		    shell_before(l, f[-1] == '`' ? f - 1 : f - 2))
			return true;
	}
	return false;
}

static const token credential_tokens[] = {
	{ "~/.ssh", 0 }, { ".ssh/", 0 }, { "id_rsa", 0 },
	{ "id_ed25519", 0 }, { "id_ecdsa", 0 }, { "authorized_keys", 0 },
	{ ".aws/credentials", 0 }, { ".netrc", 0 },
	{ ".git-credentials", 0 }, { ".config/gh", 0 },
	{ ".docker/config.json", 0 }, { ".kube/config", 0 },
	{ ".gnupg", 0 }, { "keychain", 0 }, { "find-generic-password", 0 },
	{ "find-internet-password", 0 }, { "wallet.dat", 0 },
	{ "mnemonic phrase", 0 }, { "recovery phrase", 0 },
	{ "/etc/shadow", 0 },
	{ ".claude.json", 0 }, { ".boternity", 0 }, { "bnity_home", 0 },
	{ "boternity.db", 0 }, { "memory.md", TOK_NOURL | TOK_NODASH },
};

/* The agent's own folder (~/.claude/history.jsonl, .claude/settings...),
   but not the skills and commands folders skills are installed into. */
static bool mentions_agent_home(const char *l, size_t n)
{
	static const char *const installs[] = { "skills", "commands",
		"agents", "plugins" };
	const char *p = l, *end = l + n;

	while ((p = ci_find(p, (size_t)(end - p), ".claude/")) != NULL) {
		const char *r = p + 8;
		bool install = false;
		for (size_t i = 0; i < NELEM(installs); i++) {
			size_t m = strlen(installs[i]);
			if ((size_t)(end - r) >= m &&
			    !strncasecmp(r, installs[i], m))
				install = true;
		}
		if (!install && !(p > l && word_char(p[-1])) &&
		    !in_url(l, n, p))
			return true;
		p++;
	}
	return false;
}

/* ".env" as a file name (.env, .env.local), not a word like
   "environment", a property (process.env), a template (.env.example) or
   the name of a syntax ("the .env format"). */
static bool mentions_dotenv(const char *l, size_t n)
{
	static const char *const templates[] = { ".example", ".sample",
		".template", ".dist", ".tmpl" };
	const char *p = l, *end = l + n;

	while ((p = ci_find(p, (size_t)(end - p), ".env")) != NULL) {
		const char *r = p + 4;
		bool after = (r >= end || !word_char(*r)) &&
			!((size_t)(end - r) >= 7 && !strncasecmp(r, " format", 7));
		bool before = p == l || !isalnum((unsigned char)p[-1]);
		for (size_t i = 0; i < NELEM(templates) && after; i++) {
			size_t m = strlen(templates[i]);
			if ((size_t)(end - r) >= m &&
			    !strncasecmp(r, templates[i], m))
				after = false;
		}
		if (after && before)
			return true;
		p++;
	}
	return false;
}

/* A wallet's seed phrase, not an SEO "seed phrase" for keywords. */
static bool mentions_seed_phrase(const char *l, size_t n)
{
	static const char *const wallet[] = { "wallet", "crypto", "bip39",
		"metamask", "private key", "recover" };

	if (!ci_find(l, n, "seed phrase"))
		return false;
	for (size_t i = 0; i < NELEM(wallet); i++)
		if (ci_find(l, n, wallet[i]))
			return true;
	return false;
}

static void check_credentials(scan_file *sf, unsigned line, const char *l,
			      size_t n)
{
	if (mentions_seed_phrase(l, n))
		add(sf, BN_REGISTRY_FIND_CREDENTIALS, line,
		    "reads credentials: a wallet's seed phrase");
	else if (mentions_dotenv(l, n))
		add(sf, BN_REGISTRY_FIND_CREDENTIALS, line,
		    "reads credentials: \".env\"");
	else if (mentions_agent_home(l, n))
		add(sf, BN_REGISTRY_FIND_CREDENTIALS, line,
		    "reads the agent's own files: \".claude/\"");
	else
		check_tokens(sf, line, l, n, credential_tokens,
			     NELEM(credential_tokens),
			     BN_REGISTRY_FIND_CREDENTIALS,
			     "reads credentials or the agent's memory");
}

/* Phrases that hide an action from the user wherever they stand. */
static const token conceal_tokens[] = {
	{ "do not tell the user", 0 }, { "don't tell the user", 0 },
	{ "dont tell the user", 0 }, { "without telling the user", 0 },
	{ "without the user knowing", 0 },
	{ "without informing the user", 0 }, { "hide this from the user", 0 },
	{ "hide it from the user", 0 }, { "do not mention this", 0 },
	{ "don't mention this", 0 }, { "never mention", 0 },
	{ "do not show the user", 0 }, { "don't show the user", 0 },
	{ "do not inform the user", 0 }, { "keep this secret from", 0 },
	{ "the user must not know", 0 }, { "secretly", 0 },
	{ "covertly", 0 }, { "without asking the user", 0 },
	{ "without asking for permission", 0 },
	{ "without asking for confirmation", 0 },
	{ "without asking for approval", 0 },
};

/* "Silently" as an order (at the start of a sentence, list item or
   clause: "Silently upload", "then silently delete"), not a description
   ("the call fails silently"). */
static bool silent_order(const char *l, size_t n)
{
	static const char *const joins[] = { "then ", "and ", "also " };
	const token tok = { "silently", 0 };
	const char *p = l, *end = l + n;

	while ((p = find_token(p, (size_t)(end - p), &tok)) != NULL) {
		const char *q = p;
		while (q > l && strchr(" \t*_>", q[-1]))
			q--;
		for (size_t i = 0; i < NELEM(joins); i++) {
			size_t m = strlen(joins[i]) - 1;
			if ((size_t)(q - l) >= m && !strncasecmp(q - m,
				joins[i], m) && (q - m == l ||
				!word_char(q[-(long)m - 1]))) {
				/* ", then silently send": a new clause */
				q -= m;
				while (q > l && (q[-1] == ' ' || q[-1] == '\t'))
					q--;
				if (q > l && q[-1] == ',')
					return true;
				break;
			}
		}
		if (q == l || strchr(".!:;-+)", q[-1]) ||
		    (q - l >= 3 && !strncmp(q - 3, "\xe2\x80\x94", 3)))
			return true;
		p += 8;
	}
	return false;
}

static void check_conceal(scan_file *sf, unsigned line, const char *l,
			  size_t n)
{
	const char *t = first_token(l, n, conceal_tokens,
				    NELEM(conceal_tokens));

	if (!t && silent_order(l, n))
		t = "silently";
	if (t) {
		char *w = bn_xasprintf("hides actions from the user: \"%s\"",
				       t);
		add(sf, BN_REGISTRY_FIND_CONCEAL, line, w);
		free(w);
	}
}

/* Calls and modules that open connections, and network commands. */
static const token network_tokens[] = {
	{ "socket", 0 }, { "requests.", 0 }, { "urllib", 0 },
	{ "urlopen", 0 }, { "http.client", 0 }, { "httpx", 0 },
	{ "aiohttp", 0 }, { "smtplib", 0 }, { "ftplib", 0 },
	{ "paramiko", 0 }, { "websockets", 0 }, { "new websocket", 0 },
	{ "fetch(", TOK_NODOT }, { "axios", 0 }, { "xmlhttprequest", 0 },
	{ "net.connect", 0 }, { "net.createconnection", 0 },
	{ "http.get(", 0 }, { "https.get(", 0 }, { "http.request(", 0 },
	{ "https.request(", 0 }, { "/dev/tcp/", 0 }, { "/dev/udp/", 0 },
	{ "net/http", 0 }, { "lwp::", 0 }, { "invoke-webrequest", 0 },
	{ "invoke-restmethod", 0 }, { "net.webclient", 0 },
	{ "curl", TOK_CMD }, { "wget", TOK_CMD }, { "nc", TOK_CMD },
	{ "ncat", TOK_CMD }, { "netcat", TOK_CMD }, { "telnet", TOK_CMD },
	{ "ssh", TOK_CMD }, { "scp", TOK_CMD }, { "sftp", TOK_CMD },
	{ "rsync", TOK_CMD },
};

/* Decode one UTF-8 sequence at P; *len its size (1 for invalid). */
static unsigned utf8_at(const unsigned char *p, size_t left, size_t *len)
{
	if (p[0] < 0x80 || left < 2) {
		*len = 1;
		return p[0];
	}
	if ((p[0] & 0xe0) == 0xc0) {
		*len = 2;
		return ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu);
	}
	if ((p[0] & 0xf0) == 0xe0 && left >= 3) {
		*len = 3;
		return ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) |
			(p[2] & 0x3fu);
	}
	if ((p[0] & 0xf8) == 0xf0 && left >= 4) {
		*len = 4;
		return ((p[0] & 0x07u) << 18) | ((p[1] & 0x3fu) << 12) |
			((p[2] & 0x3fu) << 6) | (p[3] & 0x3fu);
	}
	*len = 1;
	return p[0];
}

/*
 * Invisible characters that can hide text: bidi overrides and isolates,
 * zero-width characters, tag characters.  Not a BOM at the start of the
 * file, a zero-width joiner inside an emoji sequence (PREV a pictograph),
 * nor the tag characters of a flag emoji (after U+1F3F4).
 */
static bool is_hidden(unsigned c, unsigned prev, bool at_start)
{
	bool pictograph = prev >= 0x1f000 || (prev >= 0x2600 && prev <= 0x27bf)
		|| prev == 0xfe0f;

	if (c == 0x200d && pictograph)
		return false;
	if (c >= 0xe0000 && c <= 0xe007f)
		return prev != 0x1f3f4 && !(prev >= 0xe0020 && prev <= 0xe007e);
	return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
		(c >= 0x200b && c <= 0x200d) || c == 0x2060 ||
		(c == 0xfeff && !at_start);
}

static void check_unicode(scan_file *sf, unsigned line, const char *l,
			  size_t n, bool file_start)
{
	const unsigned char *p = (const unsigned char *)l;
	size_t i = 0, len;
	unsigned prev = 0;

	while (i < n) {
		unsigned c = utf8_at(p + i, n - i, &len);
		if (is_hidden(c, prev, file_start && i == 0)) {
			char w[96];
			snprintf(w, sizeof(w),
				 "invisible character U+%04X at column %zu", c,
				 i + 1);
			add(sf, BN_REGISTRY_FIND_HIDDEN_UNICODE, line, w);
			return;
		}
		prev = c;
		i += len;
	}
}

static bool is_b64(char c)
{
	return isalnum((unsigned char)c) || c == '+' || c == '/' || c == '=' ||
		c == '-' || c == '_';
}

static void check_blobs(scan_file *sf, unsigned line, const char *l,
			size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i, digits = 0, hex = 0, upper = 0, lower = 0;
		while (j < n && is_b64(l[j])) {
			digits += isdigit((unsigned char)l[j]) != 0;
			hex += isxdigit((unsigned char)l[j]) != 0;
			upper += isupper((unsigned char)l[j]) != 0;
			lower += islower((unsigned char)l[j]) != 0;
			j++;
		}
		size_t run = j - i;
		char w[80];
		if (run >= HEX_RUN_MIN && hex == run) {
			snprintf(w, sizeof(w), "a %zu-character hex blob", run);
			add(sf, BN_REGISTRY_FIND_BLOB, line, w);
			return;
		}
		if (run >= BASE64_RUN_MIN && digits && upper && lower) {
			snprintf(w, sizeof(w), "a %zu-character base64 blob",
				 run);
			add(sf, BN_REGISTRY_FIND_BLOB, line, w);
			return;
		}
		i = j + 1;
	}
}

/* ---- scripts: code, not comments ---------------------------------------- */

typedef enum lang {
	LANG_PROSE,   /* not a script: every rule reads all of it */
	LANG_SH,      /* # comments after a blank */
	LANG_PY,      /* # comments, triple-quoted docstrings */
	LANG_HASH,    /* # comments: Ruby, Perl, PowerShell */
	LANG_SLASH,   /* // and block comments: JavaScript, TypeScript, PHP */
	LANG_OTHER,   /* a script of unknown language: all of it is code */
} lang;

static lang script_lang(const char *name, const char *text, size_t len)
{
	static const struct { const char *ext; lang l; } exts[] = {
		{ ".sh", LANG_SH }, { ".bash", LANG_SH }, { ".zsh", LANG_SH },
		{ ".py", LANG_PY }, { ".rb", LANG_HASH }, { ".pl", LANG_HASH },
		{ ".ps1", LANG_HASH }, { ".js", LANG_SLASH },
		{ ".mjs", LANG_SLASH }, { ".cjs", LANG_SLASH },
		{ ".ts", LANG_SLASH }, { ".php", LANG_SLASH },
	};
	const char *base = strrchr(name, '/'), *nl;
	size_t n, hl;

	base = base ? base + 1 : name;
	n = strlen(base);
	for (size_t i = 0; i < NELEM(exts); i++) {
		size_t m = strlen(exts[i].ext);
		if (n > m && !strcasecmp(base + n - m, exts[i].ext))
			return exts[i].l;
	}
	if (len < 2 || text[0] != '#' || text[1] != '!')
		return LANG_OTHER;
	nl = memchr(text, '\n', len);
	hl = nl ? (size_t)(nl - text) : len;
	if (ci_find(text, hl, "python"))
		return LANG_PY;
	if (ci_find(text, hl, "node") || ci_find(text, hl, "deno"))
		return LANG_SLASH;
	if (ci_find(text, hl, "ruby") || ci_find(text, hl, "perl") ||
	    ci_find(text, hl, "pwsh"))
		return LANG_HASH;
	if (ci_find(text, hl, "sh"))
		return LANG_SH;
	return LANG_OTHER;
}

/* What a script's lexer carries from one line to the next. */
typedef struct lexer {
	lang lang;
	char triple;      /* inside a Python triple-quoted string: its quote */
	bool block;       /* inside a block comment */
} lexer;

/*
 * Copy the line L (N bytes) to OUT with its comments and docstrings
 * blanked, so the script rules read code only.  Quotes are followed on
 * the line; a string that looks like a comment is kept.
 */
static void code_of(lexer *lx, const char *l, size_t n, char *out)
{
	char q = 0;
	size_t i = 0;

	memcpy(out, l, n);
	if (lx->lang == LANG_PROSE || lx->lang == LANG_OTHER)
		return;
	while (i < n) {
		char c = l[i];
		if (lx->triple) {
			if (c == lx->triple && i + 2 < n && l[i + 1] == c &&
			    l[i + 2] == c) {
				memset(out + i, ' ', 3);
				lx->triple = 0;
				i += 3;
				continue;
			}
			out[i++] = ' ';
		} else if (lx->block) {
			if (c == '*' && i + 1 < n && l[i + 1] == '/') {
				out[i++] = ' ';
				lx->block = false;
			}
			out[i++] = ' ';
		} else if (q) {
			if (c == '\\' && q != '\'')
				i++;
			else if (c == q)
				q = 0;
			i++;
		} else if (lx->lang == LANG_PY && (c == '"' || c == '\'') &&
			   i + 2 < n && l[i + 1] == c && l[i + 2] == c) {
			memset(out + i, ' ', 3);
			lx->triple = c;
			i += 3;
		} else if (c == '"' || c == '\'' ||
			   (c == '`' && lx->lang == LANG_SLASH)) {
			q = c;
			i++;
		} else if (c == '#' && lx->lang != LANG_SLASH &&
			   (lx->lang != LANG_SH || i == 0 ||
			    isspace((unsigned char)l[i - 1]))) {
			memset(out + i, ' ', n - i);
			return;
		} else if (c == '/' && lx->lang == LANG_SLASH && i + 1 < n &&
			   l[i + 1] == '/') {
			memset(out + i, ' ', n - i);
			return;
		} else if (c == '/' && lx->lang == LANG_SLASH && i + 1 < n &&
			   l[i + 1] == '*') {
			memset(out + i, ' ', 2);
			lx->block = true;
			i += 2;
		} else {
			i++;
		}
	}
}

/* A path outside the skill's folder starts at P: absolute (but not
   /dev/null, /dev/std*, /tmp), in the home folder, or a parent. */
static bool outside_path(const char *p, const char *end, bool dotdot)
{
	static const char *const fine[] = { "/dev/null", "/dev/std",
		"/dev/tty", "/dev/fd/", "/tmp/", "/tmp\"", "/tmp'" };
	static const char *const homes[] = { "~/", "$home", "${home}",
		"%userprofile%", "$env:userprofile" };
	size_t left = (size_t)(end - p);

	if (left && (*p == '"' || *p == '\''))
		p++, left--;
	if (left >= 2 && *p == '/' && p[1] != '/') {
		for (size_t i = 0; i < NELEM(fine); i++)
			if (left >= strlen(fine[i]) &&
			    !strncasecmp(p, fine[i], strlen(fine[i])))
				return false;
		return true;
	}
	for (size_t i = 0; i < NELEM(homes); i++)
		if (left >= strlen(homes[i]) &&
		    !strncasecmp(p, homes[i], strlen(homes[i])))
			return true;
	return dotdot && left >= 3 && !strncmp(p, "../", 3);
}

/* A check or a clean-up of a path, not a use of it: replace("../", ""),
   startswith(".."), normpath(...), '..' in parts. */
static bool is_sanitiser(const char *l, size_t n)
{
	static const char *const marks[] = { "replace(", "startswith(",
		"includes(", "is_relative_to(", "commonpath(", "normpath(",
		"realpath(", "relpath(", "resolve(", "\" in ", "' in ",
		"== \"..", "== '..", "!= \"..", "!= '..", "=~" };
	for (size_t i = 0; i < NELEM(marks); i++)
		if (ci_find(l, n, marks[i]))
			return true;
	return false;
}

/* Shell: `> /x`, `>> ~/x`, `tee -a /x`, `cp a ../../b` (the last word). */
static const char *shell_write(const char *l, size_t n, bool dotdot)
{
	static const token movers[] = { { "cp", TOK_CMD }, { "mv", TOK_CMD },
		{ "install", TOK_CMD }, { "ln", TOK_CMD },
		{ "tee", TOK_CMD } };
	const char *end = l + n;

	char q = 0;

	for (const char *p = l; p < end; p++) {      /* > outside quotes */
		const char *t = p + 1;
		if (q) {
			q = *p == q ? 0 : q;
			continue;
		}
		if (*p == '"' || *p == '\'') {
			q = *p;
			continue;
		}
		if (*p != '>' || (p > l && strchr("=-<", p[-1])))
			continue;
		if (t < end && *t == '>')
			t++;
		if (t < end && (*t == '&' || *t == '='))
			continue;
		while (t < end && (*t == ' ' || *t == '\t'))
			t++;
		if (outside_path(t, end, dotdot))
			return "a redirect";
	}
	for (size_t i = 0; i < NELEM(movers); i++) {
		const char *p = find_token(l, n, &movers[i]), *e, *w;
		if (!p)
			continue;
		e = p;
		while (e < end && !strchr(";|&", *e))
			e++;
		while (e > p && isspace((unsigned char)e[-1]))
			e--;
		w = e;
		while (w > p && !isspace((unsigned char)w[-1]))
			w--;
		if (w > p + strlen(movers[i].text) && outside_path(w, e, dotdot))
			return movers[i].text;
	}
	return NULL;
}

/* Calls that write files: open(..., "w"), write_text, writeFileSync... */
static bool write_call(const char *l, size_t n)
{
	static const char *const calls[] = { ".write_text(", ".write_bytes(",
		"writefile", "appendfile", "createwritestream", "shutil.copy",
		"shutil.move", "os.rename(", "os.replace(", "copyfile",
		"file.write(", "set-content", "out-file", "add-content",
		"os.symlink(", "fs.symlink" };
	static const char *const modes[] = { "'w", "\"w", "'a", "\"a", "'x",
		"\"x" };
	const char *o;

	for (size_t i = 0; i < NELEM(calls); i++)
		if (ci_find(l, n, calls[i]))
			return true;
	if ((o = ci_find(l, n, "open(")) != NULL)
		for (size_t i = 0; i < NELEM(modes); i++) {
			const char *m = ci_find(o, n - (size_t)(o - l),
						modes[i]);
			if (m && m + 2 < l + n && strchr("bt+'\"", m[2]))
				return true;
		}
	return false;
}

/* A path literal or expression for a place outside the folder. */
static bool names_outside(const char *l, size_t n, bool dotdot)
{
	static const char *const homes[] = { "expanduser(", "path.home()",
		"os.homedir()", "process.env.home", "environ[\"home\"]",
		"environ['home']", "getenv(\"home\")", "getenv('home')" };
	const char *end = l + n;

	for (size_t i = 0; i < NELEM(homes); i++)
		if (ci_find(l, n, homes[i]))
			return true;
	for (const char *p = l; p < end; p++)
		if ((*p == '"' || *p == '\'' || *p == '`') &&
		    outside_path(p + 1, end, dotdot))
			return true;
	return false;
}

/* Files that start programs at login or on a schedule. */
static const token persist_tokens[] = {
	{ ".bashrc", 0 }, { ".zshrc", 0 }, { ".bash_profile", 0 },
	{ "~/.profile", 0 }, { "crontab", 0 }, { "/etc/cron", 0 },
	{ "launchagents", 0 }, { "launchdaemons", 0 },
	{ ".config/autostart", 0 }, { "systemd/user", 0 },
	{ "chmod 777", 0 }, { "chmod -r 777", 0 }, { "chmod a+w", 0 },
};

static void check_write(scan_file *sf, unsigned line, const char *l,
			size_t n, lang lg)
{
	bool dotdot = !is_sanitiser(l, n);
	const char *how = NULL, *t;
	char *w;

	if ((t = first_token(l, n, persist_tokens, NELEM(persist_tokens))))
		w = bn_xasprintf("the script changes what runs at login or "
				 "who may write: \"%s\"", t);
	else if ((lg == LANG_SH || lg == LANG_OTHER) &&
		 (how = shell_write(l, n, dotdot)) != NULL)
		w = bn_xasprintf("the script writes outside its folder (%s)",
				 how);
	else if (lg != LANG_SH && write_call(l, n) &&
		 names_outside(l, n, dotdot))
		w = bn_xstrdup("the script writes outside its folder (a "
			       "file write to an absolute, home or parent "
			       "path)");
	else
		return;
	add(sf, BN_REGISTRY_FIND_SCRIPT_WRITE, line, w);
	free(w);
}

/* Counted findings say so: the first line is shown, the rest counted. */
static void note_counts(scan_file *sf)
{
	for (size_t i = sf->first; i < sf->out->n; i++) {
		bn_registry_finding *f = &sf->out->v[i];
		char *w;
		if (f->count < 2)
			continue;
		w = bn_xasprintf("%s (%u lines of this file; the first shown)",
				 f->what, f->count);
		free(f->what);
		f->what = w;
	}
}

void bn_registry_scan_text(bn_registry_findings *out, const char *file,
			   const char *text, size_t len, bool is_script)
{
	const char *p = text, *end = text + len;
	scan_file sf = { out, file, out->n };
	lexer lx = { is_script ? script_lang(file, text, len) : LANG_PROSE,
		     0, false };
	char *code = bn_xmalloc(len + 1);
	unsigned line = 1;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		/* instructions (prose) and code alike */
		check_unicode(&sf, line, p, n, p == text);
		check_blobs(&sf, line, p, n);
		code_of(&lx, p, n, code);
		if (is_remote_exec(code, n))
			add(&sf, BN_REGISTRY_FIND_REMOTE_EXEC, line,
			    "downloads code and runs it (a download piped "
			    "into a shell or interpreter)");
		check_credentials(&sf, line, code, n);
		if (!is_script)
			check_conceal(&sf, line, p, n);
		if (is_script) {
			check_tokens(&sf, line, code, n, network_tokens,
				     NELEM(network_tokens),
				     BN_REGISTRY_FIND_SCRIPT_NETWORK,
				     "the script opens network connections");
			check_write(&sf, line, code, n, lx.lang);
		}
		p = nl ? nl + 1 : end;
		line++;
	}
	free(code);
	note_counts(&sf);
}

static bool looks_like_script(const char *name, const char *text,
			      size_t len, mode_t mode)
{
	static const char *const exts[] = { ".sh", ".bash", ".zsh", ".py",
		".js", ".mjs", ".cjs", ".ts", ".rb", ".pl", ".ps1", ".php",
		".lua", ".bat", ".cmd" };
	size_t n = strlen(name);

	if (len >= 2 && text[0] == '#' && text[1] == '!')
		return true;
	if (mode & 0111)
		return true;
	for (size_t i = 0; i < NELEM(exts); i++) {
		size_t m = strlen(exts[i]);
		if (n > m && !strcasecmp(name + n - m, exts[i]))
			return true;
	}
	return false;
}

static int scan_tree(bn_registry_findings *out, const char *root,
		     const char *rel, unsigned depth, bn_err *err)
{
	char *dir = *rel ? bn_fs_join(root, rel) : bn_xstrdup(root);
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d) {
		r = bn_err_set(err, BN_EIO, "%s: %s", dir, strerror(errno));
		free(dir);
		return r;
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		struct stat st;
		char *path, *sub;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    (!*rel && !strcmp(de->d_name, BN_REGISTRY_MARKER_FILE)))
			continue;
		path = bn_fs_join(dir, de->d_name);
		sub = *rel ? bn_xasprintf("%s/%s", rel, de->d_name) :
			bn_xstrdup(de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && depth < 32) {
			r = scan_tree(out, root, sub, depth + 1, err);
		} else if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			char *text = NULL;
			size_t len = 0;
			bn_err e;
			bn_err_init(&e);
			/* Large files: scan their first MiB. */
			if (st.st_size > (off_t)SCAN_FILE_MAX_BYTES) {
				FILE *fp = fopen(path, "rbe");
				text = bn_xmalloc(SCAN_FILE_MAX_BYTES + 1);
				len = fp ? fread(text, 1, SCAN_FILE_MAX_BYTES,
						 fp) : 0;
				text[len] = '\0';
				if (fp)
					fclose(fp);
			} else if (bn_fs_read_file(&text, &len, path,
						   SCAN_FILE_MAX_BYTES, &e)) {
				text = NULL;
			}
			bool script = text && looks_like_script(de->d_name,
						text, len, st.st_mode);
			out->scripts += script;
			out->files++;
			out->bytes += (uint64_t)st.st_size;
			if (text && !memchr(text, '\0', len))
				bn_registry_scan_text(out, sub, text, len,
						      script);
			free(text);
		}
		free(path);
		free(sub);
	}
	closedir(d);
	free(dir);
	return r;
}

int bn_registry_scan_dir(bn_registry_findings *out, const char *dir,
			 bn_err *err)
{
	return scan_tree(out, dir, "", 0, err);
}
