/* SPDX-License-Identifier: MIT */
/*
 * registry/scan.c - the static scan run on a skill before it is approved:
 * instructions that fetch and run code, read credentials or the agent's
 * memory, or hide actions from the user; hidden Unicode; long encoded
 * blobs; scripts that open network connections or write outside their
 * folder.  Line-based pattern checks: findings are advisory, each with
 * its file and line, and a clean scan proves nothing.
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
#define FINDINGS_MAX 500          /* per scan, so output stays readable */
#define BASE64_RUN_MIN 200
#define HEX_RUN_MIN 128

const char *bn_registry_finding_kind_name(bn_registry_finding_kind k)
{
	static const char *const names[] = {
		"remote-exec", "credentials", "conceal", "hidden-unicode",
		"blob", "script-network", "script-write",
	};
	return k < BN_REGISTRY_FIND_MAX ? names[k] : "?";
}

void bn_registry_findings_clear(bn_registry_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].file);
		free(f->v[i].what);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
	f->scripts = 0;
	f->files = 0;
	f->bytes = 0;
}

static void add(bn_registry_findings *f, bn_registry_finding_kind k,
		const char *file, unsigned line, const char *what)
{
	if (f->n >= FINDINGS_MAX)
		return;
	f->v = bn_xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
	f->v[f->n].kind = k;
	f->v[f->n].file = bn_xstrdup(file);
	f->v[f->n].line = line;
	f->v[f->n].what = bn_xstrdup(what);
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

/* NEEDLE at a word start in the line (not inside a longer word). */
static const char *ci_word(const char *s, size_t n, const char *needle)
{
	const char *p = s;
	size_t m = strlen(needle);

	while ((p = ci_find(p, n - (size_t)(p - s), needle)) != NULL) {
		bool before = p == s || !word_char(p[-1]);
		bool after = p + m >= s + n || !word_char(p[m]);
		if (before && after)
			return p;
		p++;
	}
	return NULL;
}

/* A download piped or handed to an interpreter. */
static bool is_remote_exec(const char *l, size_t n)
{
	static const char *const fetchers[] = { "curl", "wget", "iwr",
		"invoke-webrequest", "fetch" };
	static const char *const shells[] = { "sh", "bash", "zsh", "dash",
		"python", "python3", "node", "perl", "ruby", "iex",
		"invoke-expression", "source" };
	const char *f = NULL, *pipe;
	size_t i;

	for (i = 0; i < sizeof(fetchers) / sizeof(*fetchers) && !f; i++)
		f = ci_word(l, n, fetchers[i]);
	if (!f)
		return false;
	/* curl ... | sh, wget -O- ... | sudo bash */
	for (pipe = memchr(f, '|', n - (size_t)(f - l)); pipe;
	     pipe = memchr(pipe + 1, '|', n - (size_t)(pipe + 1 - l))) {
		const char *p = pipe + 1, *end = l + n;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p >= 5 && !strncasecmp(p, "sudo ", 5))
			p += 5;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		for (i = 0; i < sizeof(shells) / sizeof(*shells); i++) {
			size_t m = strlen(shells[i]);
			if ((size_t)(end - p) >= m &&
			    !strncasecmp(p, shells[i], m) &&
			    (p + m == end || !word_char(p[m])))
				return true;
		}
		if (pipe + 1 >= end)
			break;
	}
	/* bash <(curl ...), sh -c "$(curl ...)", eval "$(wget ...)" */
	return ci_find(l, n, "<(curl") || ci_find(l, n, "<(wget") ||
		ci_find(l, n, "$(curl") || ci_find(l, n, "$(wget") ||
		ci_find(l, n, "`curl") || ci_find(l, n, "`wget");
}

static const char *const credential_words[] = {
	"~/.ssh", ".ssh/", "id_rsa", "id_ed25519", "authorized_keys",
	".aws/credentials", ".netrc", ".git-credentials", ".config/gh",
	".docker/config.json", ".kube/config", ".gnupg", "keychain",
	"find-generic-password", "login.keychain", "wallet.dat", "wallet",
	"seed phrase", "mnemonic phrase", "private key", "metamask",
	"~/.claude", ".claude/", "claude.md", "memory.md", ".boternity",
	"bnity_home", "boternity.db", "/etc/shadow", "credentials.json",
	"api_key", "secret_key",
};

static const char *const conceal_words[] = {
	"do not tell the user", "don't tell the user", "dont tell the user",
	"without telling the user", "without the user knowing",
	"without informing the user", "hide this from the user",
	"hide it from the user", "do not mention this", "don't mention this",
	"never mention", "do not show the user", "don't show the user",
	"do not inform the user", "keep this secret from",
	"the user must not know", "silently", "secretly", "covertly",
	"do not log", "without asking",
};

static const char *const network_words[] = {
	"curl ", "wget ", "socket", "requests.", "urllib", "http.client",
	"httpx", "aiohttp", "fetch(", "xmlhttprequest", "net.connect",
	"/dev/tcp/", "nc ", "ncat ", "telnet ", "ssh ", "scp ", "rsync ",
	"invoke-webrequest", "net/http", "lwp::", "http.get(",
	"http.request(", "new websocket",
};

/* ".env" as a file name, not a word like "environment". */
static bool mentions_dotenv(const char *l, size_t n)
{
	const char *p = l;
	while ((p = ci_find(p, n - (size_t)(p - l), ".env")) != NULL) {
		bool after = p + 4 >= l + n || !word_char(p[4]) || p[4] == '.';
		bool before = p == l || !isalnum((unsigned char)p[-1]);
		if (after && before)
			return true;
		p++;
	}
	return false;
}

static void check_words(bn_registry_findings *f, const char *file,
			unsigned line, const char *l, size_t n,
			const char *const *words, size_t nw,
			bn_registry_finding_kind k, const char *label)
{
	for (size_t i = 0; i < nw; i++) {
		if (ci_find(l, n, words[i])) {
			char *w = bn_xasprintf("%s: \"%s\"", label, words[i]);
			add(f, k, file, line, w);
			free(w);
			return;
		}
	}
}

/* Redirects and copies to absolute, home or parent paths. */
static bool writes_outside(const char *l, size_t n)
{
	static const char *const pats[] = {
		"> /", ">> /", ">/", ">>/", "> ~", ">> ~", "> $home",
		">> $home", "> \"$home", "../", "tee /", "tee -a /",
		"open('/", "open(\"/", "writefile('/", "writefile(\"/",
		"os.path.expanduser", "/etc/", "crontab", ".bashrc",
		".zshrc", ".profile", "chmod 777",
	};
	for (size_t i = 0; i < sizeof(pats) / sizeof(*pats); i++) {
		const char *p = ci_find(l, n, pats[i]);
		/* "> /dev/null" and 2>&1 are harmless */
		if (p && !(ci_find(p, n - (size_t)(p - l), "/dev/null") ==
			   p + strlen(pats[i]) - 1))
			return true;
	}
	return false;
}

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

static bool is_hidden(unsigned c, bool at_start)
{
	return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
		(c >= 0x200b && c <= 0x200d) || c == 0x2060 ||
		(c == 0xfeff && !at_start) || (c >= 0xe0000 && c <= 0xe007f);
}

static void check_unicode(bn_registry_findings *f, const char *file,
			  unsigned line, const char *l, size_t n,
			  bool file_start)
{
	const unsigned char *p = (const unsigned char *)l;
	size_t i = 0, len;

	while (i < n) {
		unsigned c = utf8_at(p + i, n - i, &len);
		if (is_hidden(c, file_start && i == 0)) {
			char w[96];
			snprintf(w, sizeof(w),
				 "invisible character U+%04X at column %zu", c,
				 i + 1);
			add(f, BN_REGISTRY_FIND_HIDDEN_UNICODE, file, line, w);
			return;
		}
		i += len;
	}
}

static bool is_b64(char c)
{
	return isalnum((unsigned char)c) || c == '+' || c == '/' || c == '=' ||
		c == '-' || c == '_';
}

static void check_blobs(bn_registry_findings *f, const char *file,
			unsigned line, const char *l, size_t n)
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
		if (run >= HEX_RUN_MIN && hex == run) {
			char w[80];
			snprintf(w, sizeof(w), "a %zu-character hex blob", run);
			add(f, BN_REGISTRY_FIND_BLOB, file, line, w);
			return;
		}
		if (run >= BASE64_RUN_MIN && digits && upper && lower) {
			char w[80];
			snprintf(w, sizeof(w), "a %zu-character base64 blob",
				 run);
			add(f, BN_REGISTRY_FIND_BLOB, file, line, w);
			return;
		}
		i = j + 1;
	}
}

void bn_registry_scan_text(bn_registry_findings *out, const char *file,
			   const char *text, size_t len, bool is_script)
{
	const char *p = text, *end = text + len;
	unsigned line = 1;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (is_remote_exec(p, n))
			add(out, BN_REGISTRY_FIND_REMOTE_EXEC, file, line,
			    "downloads code and runs it (a download piped "
			    "into a shell or interpreter)");
		if (mentions_dotenv(p, n))
			add(out, BN_REGISTRY_FIND_CREDENTIALS, file, line,
			    "reads credentials: \".env\"");
		else
			check_words(out, file, line, p, n, credential_words,
				    sizeof(credential_words) /
				    sizeof(*credential_words),
				    BN_REGISTRY_FIND_CREDENTIALS,
				    "reads credentials or the agent's memory");
		check_words(out, file, line, p, n, conceal_words,
			    sizeof(conceal_words) / sizeof(*conceal_words),
			    BN_REGISTRY_FIND_CONCEAL,
			    "hides actions from the user");
		check_unicode(out, file, line, p, n, p == text);
		check_blobs(out, file, line, p, n);
		if (is_script) {
			check_words(out, file, line, p, n, network_words,
				    sizeof(network_words) /
				    sizeof(*network_words),
				    BN_REGISTRY_FIND_SCRIPT_NETWORK,
				    "the script opens network connections");
			if (writes_outside(p, n))
				add(out, BN_REGISTRY_FIND_SCRIPT_WRITE, file,
				    line, "the script writes outside its "
				    "folder");
		}
		p = nl ? nl + 1 : end;
		line++;
	}
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
	for (size_t i = 0; i < sizeof(exts) / sizeof(*exts); i++) {
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
