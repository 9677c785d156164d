/* SPDX-License-Identifier: MIT */
/*
 * tests/registry/minisign_tool.c - a minimal minisign-format signer for
 * the shell tests (the minisign program is not installed in CI):
 *   minisign_tool keygen PUBFILE SECFILE     write a key pair
 *   minisign_tool sign SECFILE MSGFILE COMMENT [ED]
 *                                            print a .minisig on stdout
 * The secret file holds the raw key id (8) and Ed25519 secret key (64) in
 * hex; it is a test fixture, not minisign's encrypted format.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int keygen(const char *pubf, const char *secf)
{
	unsigned char pk[32], sk[64], id[8], raw[42];
	char b64[64], hex[2 * 72 + 1];
	unsigned char both[72];
	FILE *f;

	crypto_sign_keypair(pk, sk);
	randombytes_buf(id, sizeof(id));
	raw[0] = 'E';
	raw[1] = 'd';
	memcpy(raw + 2, id, 8);
	memcpy(raw + 10, pk, 32);
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw),
			  sodium_base64_VARIANT_ORIGINAL);
	f = fopen(pubf, "we");
	if (!f)
		return 1;
	fprintf(f, "untrusted comment: test public key\n%s\n", b64);
	fclose(f);
	memcpy(both, id, 8);
	memcpy(both + 8, sk, 64);
	sodium_bin2hex(hex, sizeof(hex), both, sizeof(both));
	f = fopen(secf, "we");
	if (!f)
		return 1;
	fprintf(f, "%s\n", hex);
	fclose(f);
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rbe");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static int sign(const char *secf, const char *msgf, const char *comment,
		int prehash)
{
	unsigned char both[72], sig[74], global[64], hash[64];
	unsigned char *gm;
	char b64[128];
	size_t len, hl, cl = strlen(comment);
	char *hex = slurp(secf, &hl), *msg = slurp(msgf, &len);
	const unsigned char *m = (unsigned char *)msg;

	if (!hex || !msg || sodium_hex2bin(both, sizeof(both), hex, hl, "\n",
					   NULL, NULL))
		return 1;
	if (prehash) {
		crypto_generichash(hash, sizeof(hash), m, len, NULL, 0);
		m = hash;
		len = sizeof(hash);
	}
	sig[0] = 'E';
	sig[1] = prehash ? 'D' : 'd';
	memcpy(sig + 2, both, 8);
	crypto_sign_detached(sig + 10, NULL, m, len, both + 8);
	gm = malloc(64 + cl);
	memcpy(gm, sig + 10, 64);
	memcpy(gm + 64, comment, cl);
	crypto_sign_detached(global, NULL, gm, 64 + cl, both + 8);
	sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig),
			  sodium_base64_VARIANT_ORIGINAL);
	printf("untrusted comment: signature from the test key\n%s\n", b64);
	printf("trusted comment: %s\n", comment);
	sodium_bin2base64(b64, sizeof(b64), global, sizeof(global),
			  sodium_base64_VARIANT_ORIGINAL);
	printf("%s\n", b64);
	free(gm);
	free(hex);
	free(msg);
	return 0;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return 1;
	if (argc == 4 && !strcmp(argv[1], "keygen"))
		return keygen(argv[2], argv[3]);
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "sign"))
		return sign(argv[2], argv[3], argv[4], argc == 6);
	fprintf(stderr, "usage: minisign_tool keygen PUB SEC | sign SEC MSG "
		"COMMENT [ED]\n");
	return 2;
}
