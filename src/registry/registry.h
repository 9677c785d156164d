/* SPDX-License-Identifier: MIT */
/*
 * registry/registry.h - finding skills in public places and installing
 * them with supply-chain defences.
 *
 * Owns: fetching over HTTPS (loopback http only) with caps and timeouts,
 * the registry cache, sources (GitHub, any git URL, skills.sh, well-known
 * sites, local folders and archives), safe archive extraction, the static
 * scan, minisign signatures and trusted keys, skills-lock.json and the
 * tree hash, and the install pipeline.
 * Uses: base, skill, store, exec (grants, audit, build), libcurl,
 * libgit2, libarchive, libsodium, jansson.  Never prints: the CLI does.
 *
 * Formats and rules: docs/registries.md.
 */
#ifndef BN_REGISTRY_REGISTRY_H
#define BN_REGISTRY_REGISTRY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "skill/manifest.h"
#include "skill/tree.h"
#include "store/store.h"

/* ---- caps --------------------------------------------------------------- */

#define BN_REGISTRY_FILE_MAX_BYTES BN_SKILL_TREE_FILE_MAX_BYTES
#define BN_REGISTRY_SKILL_MAX_BYTES BN_SKILL_TREE_MAX_BYTES
#define BN_REGISTRY_MAX_ENTRIES BN_SKILL_TREE_MAX_ENTRIES
#define BN_REGISTRY_API_MAX_BYTES ((size_t)8 << 20)     /* one JSON answer */
#define BN_REGISTRY_ARCHIVE_MAX_BYTES ((size_t)200 << 20)/* a repo archive */

/* ---- fetch.c: HTTP(S) GET ---------------------------------------------- */

/* How one GET is made. */
typedef struct bn_registry_fetch_opts {
	size_t max_bytes;        /* body cap; 0 = BN_REGISTRY_API_MAX_BYTES */
	long timeout_ms;         /* whole transfer; 0 = env or 60000 */
	const char *etag;        /* If-None-Match, or NULL */
	const char *token;       /* bearer token (never logged), or NULL */
	const char *accept;      /* Accept header, or NULL */
	bool progress;           /* draw progress on stderr if a terminal */
} bn_registry_fetch_opts;

#define BN_REGISTRY_FETCH_OPTS_INIT { 0, 0, NULL, NULL, NULL, false }

/* One answer. */
typedef struct bn_registry_response {
	long status;             /* HTTP status (200, 304, ...) */
	bn_buf body;             /* the body, capped */
	char *etag;              /* ETag header (owned), or NULL */
} bn_registry_response;

/* Free R's body and ETag; R is reusable. */
void bn_registry_response_clear(bn_registry_response *r);

/*
 * bn_registry_url_allowed - URL is https://, or http:// to a loopback
 * address (127.0.0.0/8, [::1], localhost).  Everything else is refused.
 */
bool bn_registry_url_allowed(const char *url);

/*
 * bn_registry_fetch - GET URL into *out (cleared with
 * bn_registry_response_clear).  Redirects are followed over https only.
 * Errors: BN_EDENIED (scheme refused), BN_ELIMIT (body over the cap or
 * timed out), BN_EIO (network), BN_ENOTFOUND (404).  Statuses other than
 * 2xx and 304 fail with the status in the message.
 */
int bn_registry_fetch(bn_registry_response *out, const char *url,
		      const bn_registry_fetch_opts *o, bn_err *err) BN_MUST_USE;

/* ---- config.c: $BNITY_HOME/config.json and the environment ------------- */

typedef enum bn_registry_kind {
	BN_REGISTRY_KIND_SKILLSSH = 0,  /* a skills.sh search API */
	BN_REGISTRY_KIND_GITHUB,        /* a GitHub repository */
	BN_REGISTRY_KIND_WELLKNOWN,     /* a site with an agent-skills index */
	BN_REGISTRY_KIND_MAX
} bn_registry_kind;

typedef struct bn_registry_entry {
	char *name;              /* "skills.sh", "anthropics/skills" */
	bn_registry_kind kind;
	char *location;          /* base URL or owner/repo[/path][#ref] */
} bn_registry_entry;

typedef struct bn_registry_config {
	char *home;              /* $BNITY_HOME */
	char *skills_sh_url;     /* base, no trailing slash */
	char *github_api_url;
	char *github_raw_url;
	char *github_token;      /* GITHUB_TOKEN or NULL; never logged */
	long cache_ttl_s;        /* listing time to live */
	bn_registry_entry *v;    /* registries, defaults first */
	size_t n;
} bn_registry_config;

/*
 * bn_registry_config_load - defaults, then $BNITY_HOME/config.json
 * ("registries": {"skills_sh_url", "github_api_url", "github_raw_url",
 * "cache_ttl_seconds", "extra": [{"name","type","location"}]}), then the
 * environment (BNITY_SKILLS_SH_URL, BNITY_GITHUB_API_URL,
 * BNITY_GITHUB_RAW_URL, GITHUB_TOKEN).  A malformed config.json fails
 * with BN_EINVAL naming it.
 */
int bn_registry_config_load(bn_registry_config *out, const char *home,
			    bn_err *err) BN_MUST_USE;
/* Free C (the token is wiped first). */
void bn_registry_config_clear(bn_registry_config *c);

/* ---- cache.c: cached GETs of listings ---------------------------------- */

/*
 * bn_registry_get_cached - the body of URL, from the cache while younger
 * than the TTL, else fetched with If-None-Match (a 304 refreshes the
 * cached copy), with TOKEN (may be NULL) as a bearer token.  With
 * ctx->offline the cache alone answers (BN_ENOTFOUND when absent).
 * *out is an owned NUL-terminated copy of *len_out bytes.
 */
struct bn_registry_ctx;
int bn_registry_get_cached(char **out, size_t *len_out,
			   const struct bn_registry_ctx *ctx, const char *url,
			   const char *token, bn_err *err) BN_MUST_USE;

/* ---- archive.c: safe extraction ---------------------------------------- */

#define BN_REGISTRY_ARCHIVE_STRIP1 (1u << 0) /* drop the first component */

/* Caps of one extraction. */
typedef struct bn_registry_limits {
	size_t file_max_bytes;   /* 0 = BN_REGISTRY_FILE_MAX_BYTES */
	size_t total_max_bytes;  /* 0 = BN_REGISTRY_ARCHIVE_MAX_BYTES */
	size_t max_entries;      /* 0 = BN_REGISTRY_MAX_ENTRIES */
} bn_registry_limits;

/*
 * bn_registry_archive_extract - unpack the tar (any compression) or zip
 * in DATA into the existing empty folder DEST.  Refused (BN_EDENIED, the
 * entry named): absolute paths, "..", links of any kind (hard links, and
 * symbolic links, which could point out), devices and FIFOs.  BN_ELIMIT
 * past a cap; BN_EINVAL for a malformed or truncated archive.  On failure
 * DEST may hold part of the archive: the caller removes it.
 */
int bn_registry_archive_extract(const char *dest, const void *data,
				size_t len, const bn_registry_limits *lim,
				unsigned flags, bn_err *err) BN_MUST_USE;

/* ---- scan.c: the static scan ------------------------------------------ */

typedef enum bn_registry_finding_kind {
	BN_REGISTRY_FIND_REMOTE_EXEC = 0, /* fetch-and-run instructions */
	BN_REGISTRY_FIND_CREDENTIALS,     /* reads secrets or agent memory */
	BN_REGISTRY_FIND_CONCEAL,         /* hides actions from the user */
	BN_REGISTRY_FIND_HIDDEN_UNICODE,  /* bidi, zero-width, tag chars */
	BN_REGISTRY_FIND_BLOB,            /* long base64 or hex */
	BN_REGISTRY_FIND_SCRIPT_NETWORK,  /* a script opens connections */
	BN_REGISTRY_FIND_SCRIPT_WRITE,    /* a script writes outside */
	BN_REGISTRY_FIND_MAX
} bn_registry_finding_kind;

typedef struct bn_registry_finding {
	bn_registry_finding_kind kind;
	char *file;              /* relative to the skill folder */
	unsigned line;           /* 1-based */
	char *what;              /* a short description with the evidence */
	unsigned count;          /* lines of FILE this rule matched; LINE is
				    the first (one finding per file and rule) */
} bn_registry_finding;

typedef struct bn_registry_findings {
	bn_registry_finding *v;
	size_t n;
	size_t omitted;          /* matching lines past the cap of one scan
				    (BN_REGISTRY_FINDINGS_MAX), not kept */
	size_t scripts;          /* files that look like scripts (an
				    agent outside the sandbox runs them) */
	size_t files;            /* regular files read */
	uint64_t bytes;          /* their size */
} bn_registry_findings;

/* At most this many findings are kept per scan (one skill), so a noisy
   skill stays readable; the rest are counted in `omitted`. */
#define BN_REGISTRY_FINDINGS_MAX 20

/* Free every finding of F; F is reusable. */
void bn_registry_findings_clear(bn_registry_findings *f);
/* "remote-exec", "credentials", ... (static strings). */
const char *bn_registry_finding_kind_name(bn_registry_finding_kind k);
/* F as a new JSON array of {"kind", "file", "line", "count", "what"}. */
json_t *bn_registry_findings_json(const bn_registry_findings *f);

/*
 * bn_registry_scan_text - scan LEN bytes of TEXT, the file named FILE
 * (relative to the skill), appending findings to OUT; IS_SCRIPT adds the
 * script checks (network, writes outside) and reads the text as code of
 * the language its name or #! line says: comments and docstrings are
 * prose, not code.  One finding per rule in FILE, with its count.
 */
void bn_registry_scan_text(bn_registry_findings *out, const char *file,
			   const char *text, size_t len, bool is_script);

/*
 * bn_registry_scan_dir - scan every regular file under DIR (files over
 * 1 MiB are scanned in their first MiB).  Findings are advisory.
 */
int bn_registry_scan_dir(bn_registry_findings *out, const char *dir,
			 bn_err *err) BN_MUST_USE;

/* ---- lock.c: skills-lock.json ------------------------------------------ */

#define BN_REGISTRY_SIG_FILE BN_SKILL_TREE_SIG_FILE
#define BN_REGISTRY_MARKER_FILE BN_SKILL_TREE_MARKER_FILE

/* The listing and tree hash of a skill folder are skill/tree.h's. */

/* A copy of an installed skill that bnity made in another agent's
   folder (store/agents.h). */
typedef struct bn_registry_agent_copy {
	char *agent;             /* the agent's name */
	char *path;              /* the copy's folder (absolute) */
	char *hash;              /* its tree hash as copied */
} bn_registry_agent_copy;

/* One skill's entry in skills-lock.json. */
typedef struct bn_registry_lock_entry {
	char *name;
	char *source;            /* what the user typed, normalised */
	char *source_type;       /* github, git, skills.sh, well-known,
				    local, archive */
	char *ref;               /* commit or ref, NULL when none */
	char *path;              /* path inside the source, NULL if none */
	char *hash;              /* "sha256:..." tree hash as installed */
	char *source_hash;       /* tree hash as fetched (before a build) */
	char *tier;              /* local, verified, untrusted */
	char *version;           /* the manifest's, NULL if none */
	char *original_name;     /* the name as the source wrote it, when
				    that was not a store name; else NULL */
	bn_strv capabilities;    /* declared "cap[=scope]" */
	bn_strv granted;         /* granted "cap[=scope]" */
	long long installed_at;  /* seconds since the epoch */
	bn_registry_agent_copy *copies; /* "agentCopies": what bnity copied
				    into agents' folders */
	size_t n_copies;
} bn_registry_lock_entry;

/* Add a copy (copied strings) to E. */
void bn_registry_lock_entry_add_copy(bn_registry_lock_entry *e,
				     const char *agent, const char *path,
				     const char *hash);

/* Free E's fields and zero it. */
void bn_registry_lock_entry_clear(bn_registry_lock_entry *e);
/* Entry E as the JSON object written (a new reference; NULL if OOM). */
json_t *bn_registry_lock_entry_to_json(const bn_registry_lock_entry *e);
/* Entry NAME from object J (*out cleared with
   bn_registry_lock_entry_clear); fields absent stay NULL.  BN_EINVAL
   when J is not an object. */
int bn_registry_lock_entry_from_json(bn_registry_lock_entry *out,
				     const char *name, const json_t *j,
				     bn_err *err) BN_MUST_USE;

/*
 * bn_registry_lock_load - $HOME/skills-lock.json as JSON (*out owned; an
 * empty {"version":1,"skills":{}} when the file is missing).  Keys that
 * other tools write are kept.  BN_EINVAL when malformed.
 */
int bn_registry_lock_load(json_t **out, const char *home,
			  bn_err *err) BN_MUST_USE;
/* bn_registry_lock_save - write LOCK atomically. */
int bn_registry_lock_save(const char *home, const json_t *lock,
			  bn_err *err) BN_MUST_USE;
/* Set (or with E == NULL remove) entry NAME, keeping unknown keys. */
int bn_registry_lock_put(const char *home, const char *name,
			 const bn_registry_lock_entry *e,
			 bn_err *err) BN_MUST_USE;
/* Set the N entries V (each named by its name) in one write. */
int bn_registry_lock_put_many(const char *home,
			      const bn_registry_lock_entry *v, size_t n,
			      bn_err *err) BN_MUST_USE;
/* Read entry NAME: BN_ENOTFOUND when absent. */
int bn_registry_lock_get(bn_registry_lock_entry *out, const char *home,
			 const char *name, bn_err *err) BN_MUST_USE;

/* ---- sign.c: minisign signatures and trusted keys --------------------- */

typedef struct bn_registry_pubkey {
	uint8_t key_id[8];       /* little-endian id as minisign shows it */
	uint8_t pk[32];          /* Ed25519 public key */
} bn_registry_pubkey;

/* Parse a minisign public key: its base64 line or a whole .pub file. */
int bn_registry_pubkey_parse(bn_registry_pubkey *out, const char *text,
			     bn_err *err) BN_MUST_USE;
/* The key id as minisign prints it (16 upper-case hex digits). */
void bn_registry_key_id_hex(char out[17], const uint8_t id[8]);

/*
 * bn_registry_sig_verify - check minisign signature SIG_TEXT over MSG
 * with one of KEYS: the signature ("Ed", or "ED" over BLAKE2b-512 of
 * MSG) and the global signature over the trusted comment.  On success
 * *trusted_out (may be NULL) is the trusted comment (owned) and *key_out
 * (may be NULL) the index of the key.  BN_ENOTFOUND: no key has the
 * signature's id; BN_EDENIED: a signature does not verify; BN_EINVAL:
 * malformed.
 */
int bn_registry_sig_verify(char **trusted_out, size_t *key_out,
			   const bn_registry_pubkey *keys, size_t n_keys,
			   const void *msg, size_t len, const char *sig_text,
			   bn_err *err) BN_MUST_USE;

/*
 * bn_registry_key_trust - trust the minisign public key TEXT (its base64
 * line or a whole .pub file) with COMMENT (may be NULL); trusting it again
 * updates it.  ID_OUT (may be NULL) receives its key id.  BN_EINVAL for
 * something that is not a minisign public key.
 */
int bn_registry_key_trust(char id_out[17], bn_store *s, const char *text,
			  const char *comment, bn_err *err) BN_MUST_USE;
/* Remove by key id (hex) or by the base64 key. BN_ENOTFOUND if none. */
int bn_registry_key_remove(bn_store *s, const char *id_or_key,
			   bn_err *err) BN_MUST_USE;
/*
 * bn_registry_audit_installs - the install audit log, newest first: a JSON
 * array of {id, at_ms, skill, action ("install" or "update"), source, ref
 * (or null), hash, tier, granted (array of "cap=scope"), findings}.
 * SKILL (may be NULL) keeps one skill's records, SINCE_MS those at or
 * after it, LIMIT (0: 100) caps the count.
 */
int bn_registry_audit_installs(json_t **out, bn_store *s, const char *skill,
			       int64_t since_ms, unsigned limit,
			       bn_err *err) BN_MUST_USE;

/* Every trusted key: JSON array of {id, key, comment, added_at}. */
int bn_registry_key_list(json_t **out, bn_store *s, bn_err *err) BN_MUST_USE;
/* Every trusted key, parsed: *out is an owned array of *n_out keys. */
int bn_registry_keys_load(bn_registry_pubkey **out, size_t *n_out,
			  bn_store *s, bn_err *err) BN_MUST_USE;

/* ---- sources: github.c, git.c, skillssh.c, wellknown.c ----------------- */

typedef enum bn_registry_source_kind {
	BN_REGISTRY_SRC_LOCAL = 0,   /* a folder */
	BN_REGISTRY_SRC_ARCHIVE,     /* a local .skill/.zip/.tar.gz */
	BN_REGISTRY_SRC_GITHUB,      /* owner/repo[/path][#ref], GitHub URL */
	BN_REGISTRY_SRC_GIT,         /* any other git URL or bare repo */
	BN_REGISTRY_SRC_WELLKNOWN,   /* https://HOST */
	BN_REGISTRY_SRC_MAX
} bn_registry_source_kind;

/* A parsed SOURCE argument. */
typedef struct bn_registry_source {
	bn_registry_source_kind kind;
	char *text;              /* as given */
	char *owner, *repo;      /* GitHub */
	char *path;              /* sub-folder, or NULL */
	char *ref;               /* branch, tag or commit, or NULL */
	char *url;               /* git URL, site, or local path */
	char *skill;             /* owner/repo@SKILL: the one skill, or NULL */
	const char *read_at;     /* borrowed: where a source on this disk
				    is read, when bn_registry_source_fetch
				    pinned it (/proc/self/fd/N), else NULL */
} bn_registry_source;

/* Free S's strings. */
void bn_registry_source_clear(bn_registry_source *s);
/* "local", "archive", "github", "git", "well-known" (static). */
const char *bn_registry_source_kind_name(bn_registry_source_kind k);
/* Classify TEXT; BN_EINVAL for something that is none of the kinds. */
int bn_registry_source_parse(bn_registry_source *out, const char *text,
			     bn_err *err) BN_MUST_USE;

/*
 * bn_registry_source_disk_path - the path on this machine's disk that S
 * reads (a folder, an archive, a local git repository or a file:// URL;
 * borrowed from S, "file://" left off), or NULL when S is fetched over a
 * network.  A server uses it to keep its clients' installs off its disk.
 */
const char *bn_registry_source_disk_path(const bn_registry_source *s);

/* A skill found in a source, ready to be vetted. */
typedef struct bn_registry_candidate {
	char *name;              /* folder name */
	char *dir;               /* its fetched folder (in scratch) */
	char *path;              /* path inside the source, or NULL */
	char *ref;               /* the commit it was fetched at, or NULL */
	char *digest;            /* well-known digest, or NULL */
} bn_registry_candidate;

typedef struct bn_registry_candidates {
	bn_registry_candidate *v;
	size_t n;
	char *resolved_ref;      /* commit the whole source resolved to */
} bn_registry_candidates;

/* Free C's candidates (their folders stay on disk). */
void bn_registry_candidates_clear(bn_registry_candidates *c);

/* How far a fetch or an install of many files has come. */
typedef struct bn_registry_progress {
	const char *phase;       /* "fetching" or "installing" */
	size_t skills_done, skills_total; /* installing */
	size_t files, files_total; /* files fetched (total 0: unknown), or
				    files of the skills vetted so far */
	uint64_t bytes;          /* bytes fetched, or of those files */
	const char *current;     /* the skill being installed, or NULL */
} bn_registry_progress;

/* Shows P (the CLI draws it, on a terminal only); often called. */
typedef void (*bn_registry_progress_fn)(const bn_registry_progress *p,
					void *payload);

/* Per-fetch context shared by the sources and the cache. */
typedef struct bn_registry_ctx bn_registry_ctx;
struct bn_registry_ctx {
	bn_store *store;
	const bn_registry_config *cfg;
	bool offline;
	bool progress;           /* draw download progress */
	bn_strv *notes;          /* human notes for the CLI (may be NULL) */
	const char *const *only; /* fetch only these skill names (NULL:
				    every skill of the source) */
	size_t n_only;
	bn_registry_progress_fn on_progress; /* NULL: none */
	void *progress_payload;
	/* a server reading for its clients: a source on this machine's disk
	   is read only when it lies below DISK_ROOT (NULL: never), opened
	   beneath it in one step (bn_fs_open_below), so a link swapped in
	   after the server's check leads nowhere else */
	bool disk_confined;
	const char *disk_root;
};

/* True when NAME is wanted by CTX's only list. */
bool bn_registry_ctx_wants(const bn_registry_ctx *ctx, const char *name);

/*
 * bn_registry_source_fetch - fetch SRC into folder SCRATCH and list its
 * skills: every folder holding a SKILL.md.  Candidates' folders live in
 * SCRATCH.  Errors name the source and what failed.
 */
typedef int bn_registry_fetch_fn(bn_registry_candidates *out,
				 const bn_registry_ctx *ctx,
				 const bn_registry_source *src,
				 const char *scratch, bn_err *err);
bn_registry_fetch_fn bn_registry_source_fetch BN_MUST_USE;

/* Each kind of remote source has a fetch of that contract. */
/* github.c: the skills of owner/repo[/path] at #ref (HEAD by default). */
bn_registry_fetch_fn bn_registry_github_fetch BN_MUST_USE;
/* git.c: clone URL at REF (NULL: HEAD) and pin the commit. */
bn_registry_fetch_fn bn_registry_git_fetch BN_MUST_USE;
/* wellknown.c: the skills of SRC->url's index, each digest checked. */
bn_registry_fetch_fn bn_registry_wellknown_fetch BN_MUST_USE;

/* One search result. */
typedef struct bn_registry_hit {
	char *id;
	char *name;
	char *source;            /* what `skill install` takes */
	char *registry;          /* the registry it came from */
	char *description;       /* may be NULL */
	long long installs;      /* -1 when unknown */
	bn_strv registries;      /* every registry that has it (merged) */
	char *install;           /* the command that installs it */
} bn_registry_hit;

typedef struct bn_registry_hits {
	bn_registry_hit *v;
	size_t n;
} bn_registry_hits;

/* Free every hit of H; H is reusable. */
void bn_registry_hits_clear(bn_registry_hits *h);

/* skillssh.c: GET {base}/api/search?q=QUERY&limit=LIMIT (0 = 20),
   appending results to OUT; malformed answers fail with BN_EINVAL. */
int bn_registry_skillssh_search(bn_registry_hits *out,
				const bn_registry_ctx *ctx, const char *base,
				const char *query, unsigned limit,
				bn_err *err) BN_MUST_USE;

/*
 * bn_registry_search - QUERY over every configured registry (REGISTRY
 * NULL) or the one named.  GitHub registries list the repository's skills
 * (cached) and match name and description.  Failures of one registry
 * become notes when others answer.  One hit per skill (same repository
 * and name) with every registry that has it, sorted by relevance (exact
 * name, name prefix, in the name, in the description) then installs.
 */
int bn_registry_search(bn_registry_hits *out, const bn_registry_ctx *ctx,
		       const char *registry, const char *query,
		       bn_err *err) BN_MUST_USE;

/* ---- install.c: the pipeline ------------------------------------------- */

/* Asks the user about one capability; true grants it. */
typedef bool (*bn_registry_approve_fn)(const char *skill, const char *cap,
				       const char *scope, void *payload);

/* Asks the user a yes/no QUESTION about SKILL; true is yes. */
typedef bool (*bn_registry_confirm_fn)(const char *skill,
				       const char *question, void *payload);

/* Reports a step of the pipeline to the user (the CLI prints it). */
typedef void (*bn_registry_report_fn)(const char *skill, const char *line,
				      void *payload);

typedef struct bn_registry_install_opts {
	const char *const *only;   /* --skill NAMEs, or NULL */
	size_t n_only;
	bool all;                  /* --all: every skill of the source */
	bool yes;                  /* grant every declared capability */
	const char *const *grant;  /* --grant CAP[=SCOPE] */
	size_t n_grant;
	const char *bot;           /* grants for this bot; NULL = every bot */
	bool force;                /* strict errors do not refuse */
	bool local;                /* a local folder gets tier "local" */
	bool update;               /* replace an installed skill */
	const char *expect_name;   /* update: the skill must be this one */
	bn_registry_approve_fn approve; /* NULL: no terminal */
	bn_registry_report_fn report;   /* NULL: silent */
	void *payload;
	bool strict;               /* strict validation gates (--strict) */
	const char *const *expect_hash; /* with only: the tree only[i]
				      must hash to (a restore's pin), ""
				      or NULL for any; NULL: no pins */
	const char *const *agents; /* --agent NAMEs (store/agents.h): each
				      gets a copy in its skills folder */
	size_t n_agents;
	bool global;               /* -g: the agents' user folders */
	const char *agent_root;    /* the project the agents' project
				      folders are under (without -g) */
	bn_registry_confirm_fn confirm; /* asks before a copy of a skill
				      with scripts; NULL: no terminal */
	bool yes_agents;           /* copy a skill with scripts for each
				      agent without asking (yes implies
				      it; a restore's --yes sets only this) */
} bn_registry_install_opts;

/*
 * bn_registry_spec_lacks - what a capability declared as SPEC lacks
 * before it can be granted, as the user writes it after SPEC: "=SCOPE"
 * for a capability declared without the scope it needs ("http_get"),
 * "@https://HOST" for a secret declared without the origin it goes to
 * ("get_secret=NAME"), "" when nothing.  Such a declaration installs, but
 * only a grant the user completes (--grant SPEC=... or SPEC@...) is given.
 */
const char *bn_registry_spec_lacks(const char *spec);

#define BN_REGISTRY_INSTALL_OPTS_INIT { NULL, 0, false, false, NULL, 0, \
	NULL, false, false, false, NULL, NULL, NULL, NULL, false, NULL, \
	NULL, 0, false, NULL, NULL, false }

/* What happened to one skill. */
typedef struct bn_registry_installed {
	char *name;
	char *tier;
	char *hash;
	bool changed;              /* content differed from before (update) */
	bn_strv granted;
	char *original_name;       /* as the source named it; NULL if same */
	char *skipped;             /* why it was not installed; NULL if it
				      was (only in a many-skill install) */
	bn_strv warnings;          /* format problems that did not refuse */
	bn_strv ungranted;         /* update: capabilities new in this
				      version that were not granted */
	bn_strv agent_copies;      /* "AGENT PATH" of each copy made */
	bn_strv agent_refused;     /* why a copy asked for was not made */
} bn_registry_installed;

typedef struct bn_registry_install_result {
	bn_registry_installed *v;
	size_t n;
} bn_registry_install_result;

/* Free R's entries; R is reusable. */
void bn_registry_install_result_clear(bn_registry_install_result *r);

/*
 * bn_registry_install - run the pipeline for SOURCE: fetch into a scratch
 * folder of the store, lenient load (strict errors refuse unless force),
 * static scan, signature and tier, capability approval, build when only
 * sources came, atomic commit into the store, lockfile entry, audit.
 * A failure leaves the store, the database and the lockfile as before.
 * *out (cleared with bn_registry_install_result_clear) lists what was
 * installed; with several skills it is written even when a later one
 * failed (the return value is then that failure).  BN_EUSAGE when the
 * source has several skills and neither --skill nor --all chose.
 */
int bn_registry_install(bn_registry_install_result *out,
			const bn_registry_ctx *ctx, const char *source,
			const bn_registry_install_opts *o,
			bn_err *err) BN_MUST_USE;

/*
 * bn_registry_skill_remove - remove store skill NAME (bn_store_skill_remove)
 * and its skills-lock.json entry.  A skill found only in another agent's
 * folder is not removed: BN_ENOTFOUND says where it is.
 */
int bn_registry_skill_remove(bn_store *s, const char *name,
			     bn_err *err) BN_MUST_USE;
/* The same, removing too the copies bnity made in agents' folders that
   are still as copied; NOTES (may be NULL) says what was removed and
   which changed copy was left. */
int bn_registry_skill_remove_noting(bn_strv *notes, bn_store *s,
				    const char *name, bn_err *err) BN_MUST_USE;

/*
 * bn_registry_restore - install every entry of the skills-lock.json at
 * LOCK_PATH again (boternity's or the `skills` CLI's), each at its pinned
 * ref and, where the entry has one, its pinned content hash; each is
 * installed or skipped with its reason in *out.  The lockfile's tier is
 * never believed; its grants are granted again only with O->yes (only
 * those), else asked for on a terminal.  ROOT (may be NULL): the
 * repository the lockfile came with, which local sources must not leave.
 */
int bn_registry_restore(bn_registry_install_result *out,
			const bn_registry_ctx *ctx, const char *lock_path,
			const char *root, const bn_registry_install_opts *o,
			bn_err *err) BN_MUST_USE;

/*
 * bn_registry_repair - install skill NAME again from its skills-lock.json
 * entry's source at the pinned ref, where it must hash to the pinned
 * source hash: what puts back a store copy someone changed.  The grants
 * held are kept as by an update.  *SOURCE_OUT (owned, NULL when the entry
 * has none) is the source it was fetched from, for messages.
 */
int bn_registry_repair(bn_registry_install_result *out,
		       const bn_registry_ctx *ctx, const char *name,
		       const bn_registry_install_opts *o, char **source_out,
		       bn_err *err) BN_MUST_USE;

/*
 * bn_registry_verify - recompute NAME's tree hash and compare it with
 * the lockfile, and each copy bnity made of it in an agent's folder with
 * the hash recorded for it.  BN_EINVAL (message naming the skill or the
 * copy) on a mismatch or a copy gone, BN_ENOTFOUND when the skill is not
 * in the lockfile.
 */
int bn_registry_verify(bn_store *s, const char *name,
		       bn_err *err) BN_MUST_USE;


/*
 * bn_registry_lock_sync - make skills-lock.json agree with the store:
 * every store skill carrying an install marker whose lockfile entry is
 * missing or older gets it (and its grants) back from the marker (what a
 * kill after the commit point left), and entries boternity wrote for
 * skills no longer in the store are dropped.  Entries other tools wrote
 * are kept.
 */
int bn_registry_lock_sync(bn_store *s, bn_err *err) BN_MUST_USE;

/* ---- update.c: what an update would change, and the update ----------- */

/* The skills skills-lock.json in HOME holds that boternity installed
   (entries with a tier), appended to OUT. */
int bn_registry_lock_names(bn_strv *out, const char *home,
			   bn_err *err) BN_MUST_USE;

/* What the source of an installed skill has now, against its entry. */
typedef struct bn_registry_update_info {
	bool outdated;           /* latest differs from the entry's
				    source hash */
	char *latest;            /* tree hash at the source now */
	char *version;           /* the manifest's version there, or NULL */
	bn_strv new_capabilities;     /* declared there, not installed:
				    what an update asks for again */
	bn_strv dropped_capabilities; /* installed, no longer declared */
	bn_registry_findings new_findings; /* scan findings there whose
				    rule and file the store copy lacks */
} bn_registry_update_info;

/* Free C's fields and zero it. */
void bn_registry_update_check_clear(bn_registry_update_info *c);

/*
 * bn_registry_update_check - fetch E's source again (into a scratch
 * folder that is removed) and compare the skill there with E and the
 * store copy (*out, cleared with bn_registry_update_check_clear).
 * BN_ENOTFOUND when the source no longer has the skill; the source's
 * errors otherwise.
 */
int bn_registry_update_check(bn_registry_update_info *out,
			     const bn_registry_ctx *ctx,
			     const bn_registry_lock_entry *e,
			     bn_err *err) BN_MUST_USE;

/*
 * bn_registry_update - install skill NAME again from the source its
 * skills-lock.json entry names (O's only, all, update and expect_name are
 * set here).  A store copy that no longer hashes as installed is first
 * restored at the pinned ref (bn_registry_repair), which O->report is
 * told.  Grants of unchanged capabilities are kept; a new one is granted
 * only through O->grant or O->approve.  BN_ENOTFOUND when NAME is not in
 * the lockfile.
 */
int bn_registry_update(bn_registry_install_result *out,
		       const bn_registry_ctx *ctx, const char *name,
		       const bn_registry_install_opts *o,
		       bn_err *err) BN_MUST_USE;

#endif
