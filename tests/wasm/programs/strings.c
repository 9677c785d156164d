/* SPDX-License-Identifier: MIT */
/* strings.c - printf formats, snprintf, strtok, parsing; same output native
 * and on wasm32-wasi (tests/wasm/programs/run.sh compares them). */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void formats(void)
{
	printf("[%d] [%5d] [%-5d] [%05d] [%+d] [% d]\n", 42, 42, 42, 42, 42, 42);
	printf("[%x] [%X] [%#x] [%o] [%#o] [%u]\n", 255, 255, 255, 8, 8,
	       4000000000u);
	printf("[%ld] [%lld] [%" PRId64 "] [%" PRIu64 "] [%zu] [%hd]\n",
	       -1234567L, -9000000000000LL, INT64_MIN, UINT64_MAX,
	       sizeof(int32_t), (short)-5);
	printf("[%s] [%10s] [%-10s] [%.3s] [%c] [%%]\n", "hello", "right",
	       "left", "truncate", 'Z');
	printf("[%*d] [%-*d] [%.*f] [%.0f] [%e] [%g] [%G]\n", 6, 7, 6, 7, 2,
	       3.14159, 2.5, 123456.789, 0.0001234, 1e20);
	printf("[%08.3f] [%-8.2e] [%+.4g] [%#.0f]\n", -3.14159, 1234.5, 0.5,
	       7.0);
}

static void truncation(void)
{
	char buf[8];
	int n = snprintf(buf, sizeof buf, "%s-%d", "abcdefgh", 12345);
	printf("snprintf %d [%s]\n", n, buf);
	n = snprintf(NULL, 0, "%d %s", 1234567, "xyz");
	printf("snprintf-null %d\n", n);
}

static void tokens(void)
{
	char line[] = "the quick,brown;;fox  jumps over,the lazy dog";
	char *save = NULL;
	int i = 0;
	for (char *t = strtok(line, " ,;"); t; t = strtok(NULL, " ,;"))
		printf("tok %d: %s (%zu)\n", i++, t, strlen(t));
	char csv[] = "a=1&b=22&c=333";
	for (char *p = strtok_r(csv, "&", &save); p;
	     p = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(p, '=');
		printf("kv %.*s -> %s\n", (int)(eq - p), p, eq + 1);
	}
}

static void parsing(void)
{
	char *end;
	long a = strtol("0x1f", &end, 0), b = strtol("-0777", &end, 0);
	unsigned long c = strtoul("zz", &end, 36);
	long d = strtol("  +12abc", &end, 10);
	printf("strtol %ld %ld %lu %ld rest [%s]\n", a, b, c, d, end);
	double x = strtod("3.14159xyz", &end);
	printf("strtod %g %g %.3f rest [%s]\n", strtod("1e-3", NULL),
	       strtod("-2.5E+2", NULL), x, end);
	int qty;
	char what[16];
	double price;
	int got = sscanf("12 apples 3.5", "%d %15s %lf", &qty, what, &price);
	printf("sscanf %d: %d %s %.2f\n", got, qty, what, price);
}

static void transforms(void)
{
	char s[64] = "Hello, WebAssembly World";
	size_t n = strlen(s);
	for (size_t i = 0; i < n / 2; i++) {
		char c = s[i];
		s[i] = s[n - 1 - i];
		s[n - 1 - i] = c;
	}
	printf("reversed [%s]\n", s);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)(isupper((unsigned char)s[i]) ? tolower(s[i])
							 : toupper(s[i]));
	printf("swapped [%s]\n", s);
	memmove(s + 2, s, 10);
	printf("memmove [%s]\n", s);
	printf("strstr [%s] strrchr [%s] spn %zu cspn %zu\n",
	       strstr("haystack needle hay", "needle"),
	       strrchr("a/b/c/d", '/'), strspn("aaabbbccc", "ab"),
	       strcspn("hello world", " "));
	printf("cmp %d %d %d\n", strcmp("abc", "abd") < 0,
	       strncmp("abcdef", "abcxyz", 3) == 0, strcmp("b", "a") > 0);
}

static void histogram(void)
{
	const char *text = "it was the best of times it was the worst of times "
			   "it was the age of wisdom it was the age of "
			   "foolishness";
	char words[32][16];
	int counts[32] = { 0 }, nw = 0;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", text);
	for (char *t = strtok(buf, " "); t; t = strtok(NULL, " ")) {
		int k;
		for (k = 0; k < nw && strcmp(words[k], t); k++)
			;
		if (k == nw && nw < 32)
			snprintf(words[nw++], 16, "%s", t);
		if (k < 32)
			counts[k]++;
	}
	for (int k = 0; k < nw; k++)
		printf("%-12s %d\n", words[k], counts[k]);
}

int main(void)
{
	formats();
	truncation();
	tokens();
	parsing();
	transforms();
	histogram();
	return 0;
}
