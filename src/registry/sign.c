/* SPDX-License-Identifier: MIT */
/*
 * registry/sign.c - minisign signatures (Ed25519 with libsodium) and the
 * keys the user trusts.
 *
 * Format (https://jedisct1.github.io/minisign/): a public key is base64
 * of "Ed" || key id (8) || Ed25519 key (32); a signature file is
 *   untrusted comment: TEXT
 *   base64("Ed" or "ED" || key id (8) || signature (64))
 *   trusted comment: TEXT
 *   base64(global signature (64))
 * where "ED" signs BLAKE2b-512 of the message instead of the message, and
 * the global signature signs signature || the trusted comment's TEXT.
 * What a skill's signature signs is in docs/registries.md.
 */
#include "registry.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/keys.h"

#define SIG_TEXT_MAX 8192
#define COMMENT_MAX 1024

void bn_registry_key_id_hex(char out[17], const uint8_t id[8])
{
	static const char hex[] = "0123456789ABCDEF";
	for (int i = 0; i < 8; i++) {
		out[2 * i] = hex[id[7 - i] >> 4];
		out[2 * i + 1] = hex[id[7 - i] & 15];
	}
	out[16] = '\0';
}

/* Decode the base64 in [S, S+N) into exactly WANT bytes. */
static bool b64_exact(uint8_t *out, size_t want, const char *s, size_t n)
{
	size_t got = 0;

	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n > 4 * ((want + 2) / 3) + 4)
		return false;
	if (sodium_base642bin(out, want, s, n, NULL, &got, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return false;
	return got == want;
}

/* The next line of *P (without its newline); false at the end. */
static bool next_line(const char **line, size_t *len, const char **p)
{
	const char *s = *p, *nl;

	if (!*s)
		return false;
	nl = strchr(s, '\n');
	*line = s;
	*len = nl ? (size_t)(nl - s) : strlen(s);
	*p = nl ? nl + 1 : s + *len;
	if (*len && s[*len - 1] == '\r')
		(*len)--;
	return true;
}

int bn_registry_pubkey_parse(bn_registry_pubkey *out, const char *text,
			     bn_err *err)
{
	uint8_t raw[42];
	const char *p = text, *l;
	size_t n;

	while (next_line(&l, &n, &p)) {
		while (n && (*l == ' ' || *l == '\t'))
			l++, n--;
		if (n == 0 || (n >= 18 && !strncmp(l, "untrusted comment:", 18)))
			continue;
		if (!b64_exact(raw, sizeof(raw), l, n) || raw[0] != 'E' ||
		    raw[1] != 'd')
			return bn_err_set(err, BN_EINVAL,
				"not a minisign public key (expected the "
				"base64 line of a .pub file, starting "
				"\"RW\")");
		memcpy(out->key_id, raw + 2, 8);
		memcpy(out->pk, raw + 10, 32);
		return 0;
	}
	return bn_err_set(err, BN_EINVAL, "empty public key");
}

int bn_registry_sig_verify(char **trusted_out, size_t *key_out,
			   const bn_registry_pubkey *keys, size_t n_keys,
			   const void *msg, size_t len, const char *sig_text,
			   bn_err *err)
{
	uint8_t sig[74], global[64], hash[64];
	uint8_t *gmsg;
	const char *p = sig_text, *l, *tc = NULL;
	size_t n, tc_len = 0, k;
	char idhex[17];
	int step = 0;

	if (strlen(sig_text) > SIG_TEXT_MAX)
		return bn_err_set(err, BN_ELIMIT,
				  "signature file over %d bytes", SIG_TEXT_MAX);
	while (step < 4 && next_line(&l, &n, &p)) {
		if (step == 0 && !(n >= 18 &&
				   !strncmp(l, "untrusted comment:", 18)))
			return bn_err_set(err, BN_EINVAL,
				"signature: line 1 is not an untrusted comment");
		if (step == 1 && !b64_exact(sig, sizeof(sig), l, n))
			return bn_err_set(err, BN_EINVAL,
				"signature: line 2 is not a minisign signature");
		if (step == 2) {
			if (!(n >= 17 && !strncmp(l, "trusted comment: ", 17)))
				return bn_err_set(err, BN_EINVAL,
					"signature: line 3 is not a trusted "
					"comment");
			tc = l + 17;
			tc_len = n - 17;
			if (tc_len > COMMENT_MAX)
				return bn_err_set(err, BN_ELIMIT,
					"signature: trusted comment too long");
		}
		if (step == 3 && !b64_exact(global, sizeof(global), l, n))
			return bn_err_set(err, BN_EINVAL,
				"signature: line 4 is not a global signature");
		step++;
	}
	if (step < 4)
		return bn_err_set(err, BN_EINVAL,
				  "signature: truncated (%d of 4 lines)", step);
	if (sig[0] != 'E' || (sig[1] != 'd' && sig[1] != 'D'))
		return bn_err_set(err, BN_EINVAL,
				  "signature: unknown algorithm");
	for (k = 0; k < n_keys; k++)
		if (!memcmp(keys[k].key_id, sig + 2, 8))
			break;
	bn_registry_key_id_hex(idhex, sig + 2);
	if (k == n_keys)
		return bn_err_set(err, BN_ENOTFOUND,
			"signed by key %s, which you do not trust (see `bnity "
			"key trust`)", idhex);
	if (sig[1] == 'D') {
		crypto_generichash(hash, sizeof(hash), msg, len, NULL, 0);
		msg = hash;
		len = sizeof(hash);
	}
	if (crypto_sign_verify_detached(sig + 10, msg, len, keys[k].pk) != 0)
		return bn_err_set(err, BN_EDENIED,
			"bad signature by key %s: the files are not what "
			"was signed", idhex);
	gmsg = bn_xmalloc(64 + tc_len);
	memcpy(gmsg, sig + 10, 64);
	memcpy(gmsg + 64, tc, tc_len);
	if (crypto_sign_verify_detached(global, gmsg, 64 + tc_len,
					keys[k].pk) != 0) {
		free(gmsg);
		return bn_err_set(err, BN_EDENIED,
			"bad signature by key %s: the trusted comment was "
			"altered", idhex);
	}
	free(gmsg);
	if (trusted_out)
		*trusted_out = bn_xstrndup(tc, tc_len);
	if (key_out)
		*key_out = k;
	return 0;
}

/* ---- trusted keys ------------------------------------------------------- */

static int db_fail(int r, bn_err *err)
{
	bn_err_prefix(err, "trusted keys");
	return r;
}

int bn_registry_key_trust(char id_out[17], bn_store *s, const char *text,
			  const char *comment, bn_err *err)
{
	bn_registry_pubkey k;
	uint8_t raw[42];
	char b64[64], id[17];
	int r = bn_registry_pubkey_parse(&k, text, err);

	if (r)
		return r;
	raw[0] = 'E';
	raw[1] = 'd';
	memcpy(raw + 2, k.key_id, 8);
	memcpy(raw + 10, k.pk, 32);
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw),
			  sodium_base64_VARIANT_ORIGINAL);
	bn_registry_key_id_hex(id, k.key_id);
	if ((r = bn_store_key_put(s, id, b64, comment, err)))
		return db_fail(r, err);
	if (id_out)
		memcpy(id_out, id, 17);
	return 0;
}

int bn_registry_key_remove(bn_store *s, const char *id_or_key, bn_err *err)
{
	bool removed = false;
	int r = bn_store_key_remove(&removed, s, id_or_key, err);

	if (r)
		return db_fail(r, err);
	if (!removed)
		return bn_err_set(err, BN_ENOTFOUND,
			"no trusted key '%s' (see `bnity key list`)",
			id_or_key);
	return 0;
}

int bn_registry_key_list(json_t **out, bn_store *s, bn_err *err)
{
	bn_store_key *v = NULL;
	size_t n = 0;
	json_t *a;
	int r = bn_store_key_list(&v, &n, s, err);

	if (r)
		return db_fail(r, err);
	if (!(a = json_array())) {
		bn_store_keys_free(v, n);
		return bn_err_oom(err);
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:I}",
			"id", v[i].key_id, "key", v[i].pubkey,
			"comment", v[i].comment,
			"added_at", (json_int_t)v[i].added_at));
	bn_store_keys_free(v, n);
	*out = a;
	return 0;
}

int bn_registry_keys_load(bn_registry_pubkey **out, size_t *n_out,
			  bn_store *s, bn_err *err)
{
	bn_registry_pubkey *keys = NULL;
	bn_store_key *v = NULL;
	size_t n = 0, nk = 0;
	int r = bn_store_key_list(&v, &n, s, err);

	if (r)
		return db_fail(r, err);
	for (size_t i = 0; i < n; i++) {
		bn_registry_pubkey k;
		if (!v[i].pubkey ||
		    bn_registry_pubkey_parse(&k, v[i].pubkey, NULL))
			continue;
		keys = bn_xrealloc(keys, (nk + 1) * sizeof(*keys));
		keys[nk++] = k;
	}
	bn_store_keys_free(v, n);
	*out = keys;
	*n_out = nk;
	return 0;
}
