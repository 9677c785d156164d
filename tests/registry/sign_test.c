/* SPDX-License-Identifier: MIT */
/*
 * tests/registry/sign_test.c - minisign verification (registry/sign.c):
 * a key pair made here with libsodium, signatures written in minisign's
 * format ("Ed" and prehashed "ED"), then a tampered message, a wrong
 * key, an altered trusted comment, malformed files and public keys.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "harness.h"
#include "registry/registry.h"

typedef struct keypair {
	unsigned char id[8];
	unsigned char pk[32];
	unsigned char sk[64];
	char pub_b64[64];
} keypair;

static void keygen(keypair *k)
{
	unsigned char raw[42];

	crypto_sign_keypair(k->pk, k->sk);
	randombytes_buf(k->id, sizeof(k->id));
	raw[0] = 'E';
	raw[1] = 'd';
	memcpy(raw + 2, k->id, 8);
	memcpy(raw + 10, k->pk, 32);
	sodium_bin2base64(k->pub_b64, sizeof(k->pub_b64), raw, sizeof(raw),
			  sodium_base64_VARIANT_ORIGINAL);
}

/* A .minisig of MSG by K with trusted comment TC (owned string). */
static char *sign(const keypair *k, const char *msg, const char *tc,
		  bool prehash)
{
	unsigned char sig[74], global[64], hash[64], *gm;
	const unsigned char *m = (const unsigned char *)msg;
	size_t len = strlen(msg), tl = strlen(tc);
	char a[128], b[128];

	if (prehash) {
		crypto_generichash(hash, sizeof(hash), m, len, NULL, 0);
		m = hash;
		len = sizeof(hash);
	}
	sig[0] = 'E';
	sig[1] = prehash ? 'D' : 'd';
	memcpy(sig + 2, k->id, 8);
	crypto_sign_detached(sig + 10, NULL, m, len, k->sk);
	gm = malloc(64 + tl);
	memcpy(gm, sig + 10, 64);
	memcpy(gm + 64, tc, tl);
	crypto_sign_detached(global, NULL, gm, 64 + tl, k->sk);
	free(gm);
	sodium_bin2base64(a, sizeof(a), sig, sizeof(sig),
			  sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(b, sizeof(b), global, sizeof(global),
			  sodium_base64_VARIANT_ORIGINAL);
	return bn_xasprintf("untrusted comment: signature from minisign "
			    "secret key\n%s\ntrusted comment: %s\n%s\n", a, tc,
			    b);
}

static const char msg[] = "0123abcd  SKILL.md\n4567ef01  scripts/a.sh\n";

static bn_registry_pubkey parse(bn_t *t, const keypair *k)
{
	bn_registry_pubkey p;
	char *file = bn_xasprintf("untrusted comment: minisign public key "
				  "X\n%s\n", k->pub_b64);

	memset(&p, 0, sizeof(p));
	BN_CHECK_INT(t, bn_registry_pubkey_parse(&p, file, NULL), ==, 0);
	free(file);
	return p;
}

static void test_good_signature(bn_t *t)
{
	keypair k;
	bn_registry_pubkey p;
	char *sig, *tc = NULL;
	size_t which = 9;
	bn_err err;

	keygen(&k);
	p = parse(t, &k);
	BN_CHECK(t, memcmp(p.pk, k.pk, 32) == 0);
	for (int pre = 0; pre < 2; pre++) {
		sig = sign(&k, msg, "timestamp:1700000000\tfile:x", pre);
		bn_err_init(&err);
		BN_CHECK_INT(t, bn_registry_sig_verify(&tc, &which, &p, 1, msg,
						       strlen(msg), sig, &err),
			     ==, 0);
		BN_CHECK_STR(t, tc, "timestamp:1700000000\tfile:x");
		BN_CHECK_INT(t, which, ==, 0);
		free(tc);
		tc = NULL;
		free(sig);
	}
}

static void test_tampered_message(bn_t *t)
{
	keypair k;
	bn_registry_pubkey p;
	char *sig, bad[sizeof(msg)];
	bn_err err;

	keygen(&k);
	p = parse(t, &k);
	memcpy(bad, msg, sizeof(msg));
	bad[0] = '9';
	for (int pre = 0; pre < 2; pre++) {
		sig = sign(&k, msg, "c", pre);
		bn_err_init(&err);
		BN_CHECK_INT(t, bn_registry_sig_verify(NULL, NULL, &p, 1, bad,
						       strlen(bad), sig, &err),
			     ==, BN_EDENIED);
		BN_CHECK_CONTAINS(t, err.msg, "bad signature");
		free(sig);
	}
}

static void test_wrong_key(bn_t *t)
{
	keypair k, other;
	bn_registry_pubkey p, impostor;
	char *sig;
	bn_err err;

	keygen(&k);
	keygen(&other);
	p = parse(t, &other);
	sig = sign(&k, msg, "c", false);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_registry_sig_verify(NULL, NULL, &p, 1, msg,
					       strlen(msg), sig, &err), ==,
		     BN_ENOTFOUND);
	BN_CHECK_CONTAINS(t, err.msg, "do not trust");
	/* same key id, different key: the signature must not verify */
	impostor = p;
	memcpy(impostor.key_id, k.id, 8);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_registry_sig_verify(NULL, NULL, &impostor, 1, msg,
					       strlen(msg), sig, &err), ==,
		     BN_EDENIED);
	free(sig);
}

static void test_bad_trusted_comment(bn_t *t)
{
	keypair k;
	bn_registry_pubkey p;
	char *sig, *line;
	bn_err err;

	keygen(&k);
	p = parse(t, &k);
	sig = sign(&k, msg, "timestamp:1 file:good", false);
	line = strstr(sig, "file:good");
	memcpy(line, "file:evil", 9);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_registry_sig_verify(NULL, NULL, &p, 1, msg,
					       strlen(msg), sig, &err), ==,
		     BN_EDENIED);
	BN_CHECK_CONTAINS(t, err.msg, "trusted comment");
	free(sig);
}

static void test_malformed(bn_t *t)
{
	keypair k;
	bn_registry_pubkey p;
	char *sig;
	bn_err err;
	static const char *const bad[] = {
		"",
		"untrusted comment: x\n",
		"untrusted comment: x\nnot-base64!\ntrusted comment: c\nAAAA\n",
		"hello\n",
	};

	keygen(&k);
	p = parse(t, &k);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		bn_err_init(&err);
		BN_CHECK_INT(t, bn_registry_sig_verify(NULL, NULL, &p, 1, msg,
			     strlen(msg), bad[i], &err), ==, BN_EINVAL);
	}
	/* a signature cut before its trusted comment */
	sig = sign(&k, msg, "c", false);
	*strstr(sig, "trusted comment: c\n") = '\0';
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_registry_sig_verify(NULL, NULL, &p, 1, msg,
					       strlen(msg), sig, &err), ==,
		     BN_EINVAL);
	BN_CHECK_CONTAINS(t, err.msg, "truncated");
	free(sig);
	BN_CHECK_INT(t, bn_registry_pubkey_parse(&p, "RWQnotakey", NULL), ==,
		     BN_EINVAL);
	BN_CHECK_INT(t, bn_registry_pubkey_parse(&p, "", NULL), ==, BN_EINVAL);
}

static void test_key_id_hex(bn_t *t)
{
	const uint8_t id[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd,
				0xef };
	char hex[17];

	bn_registry_key_id_hex(hex, id);
	BN_CHECK_STR(t, hex, "EFCDAB8967452301");
}

int main(void)
{
	bn_t t = { 0 };

	if (sodium_init() < 0)
		return 1;
	BN_RUN(&t, test_good_signature);
	BN_RUN(&t, test_tampered_message);
	BN_RUN(&t, test_wrong_key);
	BN_RUN(&t, test_bad_trusted_comment);
	BN_RUN(&t, test_malformed);
	BN_RUN(&t, test_key_id_hex);
	return bn_t_done(&t);
}
