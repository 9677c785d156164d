/* SPDX-License-Identifier: MIT */
/*
 * bench/wasm/coremark.c - a mixed integer workload in the spirit of the
 * embedded "CoreMark" benchmarks (our own program, not theirs): each
 * iteration walks, searches, reverses and merge-sorts a linked list,
 * multiplies small int16 matrices, runs a number-recognising state
 * machine over a text buffer, and folds every result into a CRC-16.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { NODES = 160, MAT = 20, TEXT = 1536, ITERS = 3600 };

struct node {
	struct node *next;
	int16_t data;
	int16_t idx;
};

static struct node pool[NODES];
static uint32_t seed = 0x2545f491u;

static uint32_t rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

/* CRC-16/CCITT, one bit at a time, as small cores do it. */
static uint16_t crc16_byte(uint8_t b, uint16_t crc)
{
	crc ^= (uint16_t)b << 8;
	for (int i = 0; i < 8; i++)
		crc = crc & 0x8000 ? (uint16_t)(crc << 1 ^ 0x1021) :
				     (uint16_t)(crc << 1);
	return crc;
}

static uint16_t crc16_u16(uint16_t v, uint16_t crc)
{
	crc = crc16_byte((uint8_t)v, crc);
	return crc16_byte((uint8_t)(v >> 8), crc);
}

static uint16_t crc16_u32(uint32_t v, uint16_t crc)
{
	crc = crc16_u16((uint16_t)v, crc);
	return crc16_u16((uint16_t)(v >> 16), crc);
}

/* ---- linked list ------------------------------------------------------ */

static struct node *list_build(void)
{
	for (int i = 0; i < NODES; i++) {
		pool[i].data = (int16_t)(rnd() & 0x7fff);
		pool[i].idx = (int16_t)i;
		pool[i].next = i + 1 < NODES ? &pool[i + 1] : NULL;
	}
	return &pool[0];
}

static struct node *list_reverse(struct node *l)
{
	struct node *prev = NULL;
	while (l) {
		struct node *n = l->next;
		l->next = prev;
		prev = l;
		l = n;
	}
	return prev;
}

static struct node *list_find(struct node *l, int16_t data, int16_t idx)
{
	for (; l; l = l->next)
		if (l->data == data || (idx >= 0 && l->idx == idx))
			return l;
	return NULL;
}

static int cmp_data(const struct node *a, const struct node *b)
{
	/* sort on a scrambled key so the order differs from idx order */
	int ka = (a->data ^ 0x1555) & 0x7fff, kb = (b->data ^ 0x1555) & 0x7fff;
	if (ka != kb)
		return ka - kb;
	return a->idx - b->idx;
}

static int cmp_idx(const struct node *a, const struct node *b)
{
	return a->idx - b->idx;
}

/* Bottom-up merge sort of a singly linked list. */
static struct node *list_sort(struct node *l,
			      int (*cmp)(const struct node *,
					 const struct node *))
{
	for (int width = 1;; width *= 2) {
		struct node *p = l, *head = NULL, *tail = NULL;
		int merges = 0;
		while (p) {
			struct node *q = p;
			int psize = 0, qsize = width;
			merges++;
			while (q && psize < width) {
				psize++;
				q = q->next;
			}
			while (psize > 0 || (qsize > 0 && q)) {
				struct node *e;
				if (psize == 0) {
					e = q;
					q = q->next;
					qsize--;
				} else if (qsize == 0 || !q ||
					   cmp(p, q) <= 0) {
					e = p;
					p = p->next;
					psize--;
				} else {
					e = q;
					q = q->next;
					qsize--;
				}
				if (tail)
					tail->next = e;
				else
					head = e;
				tail = e;
			}
			p = q;
		}
		tail->next = NULL;
		l = head;
		if (merges <= 1)
			return l;
	}
}

static uint16_t list_bench(struct node **lp, uint32_t iter, uint16_t crc)
{
	struct node *l = *lp;
	int found = 0, missed = 0;
	for (int i = 0; i < 12; i++) {
		int16_t want = (int16_t)((iter * 37u + (uint32_t)i * 911u) &
					 0x7fff);
		struct node *n = list_find(l, want, (int16_t)(i * 13 % NODES));
		if (n) {
			found++;
			n->data = (int16_t)((n->data + (int)iter) & 0x7fff);
			l = list_reverse(l);
		} else {
			missed++;
		}
	}
	l = list_sort(l, cmp_data);
	uint32_t acc = 0;
	int pos = 0;
	for (struct node *n = l; n; n = n->next, pos++)
		acc = acc * 31u + (uint32_t)n->data + (uint32_t)pos;
	crc = crc16_u32(acc, crc);
	l = list_sort(l, cmp_idx);
	crc = crc16_u16((uint16_t)(found * 256 + missed), crc);
	crc = crc16_u16((uint16_t)l->data, crc);
	*lp = l;
	return crc;
}

/* ---- matrices --------------------------------------------------------- */

static int16_t ma[MAT][MAT], mb[MAT][MAT];
static int32_t mc[MAT][MAT];

static uint16_t mat_sum(uint16_t crc, int32_t clip)
{
	int32_t tmp = 0, prev = 0, ret = 0;
	for (int i = 0; i < MAT; i++)
		for (int j = 0; j < MAT; j++) {
			int32_t v = mc[i][j];
			tmp += v;
			if (tmp > clip) {
				ret += 10;
				tmp = 0;
			} else {
				ret += v > prev ? 1 : 0;
			}
			prev = v;
		}
	return crc16_u16((uint16_t)ret, crc);
}

static uint16_t mat_bench(uint32_t iter, uint16_t crc)
{
	int16_t k = (int16_t)(iter & 0xff) | 1;
	int32_t vec[MAT];
	for (int i = 0; i < MAT; i++)
		for (int j = 0; j < MAT; j++)
			ma[i][j] = (int16_t)(ma[i][j] + k) & 0x0fff;
	for (int i = 0; i < MAT; i++)
		for (int j = 0; j < MAT; j++)
			mc[i][j] = (int32_t)ma[i][j] * k;
	crc = mat_sum(crc, 40000);
	for (int i = 0; i < MAT; i++) {
		int32_t s = 0;
		for (int j = 0; j < MAT; j++)
			s += (int32_t)ma[i][j] * mb[j][i];
		vec[i] = s;
	}
	for (int i = 0; i < MAT; i++)
		crc = crc16_u32((uint32_t)vec[i], crc);
	for (int i = 0; i < MAT; i++)
		for (int j = 0; j < MAT; j++) {
			int32_t s = 0;
			for (int x = 0; x < MAT; x++)
				s += (int32_t)ma[i][x] * mb[x][j];
			mc[i][j] = s;
		}
	crc = mat_sum(crc, 4000000);
	for (int i = 0; i < MAT; i++)
		for (int j = 0; j < MAT; j++) {
			int32_t s = 0;
			for (int x = 0; x < MAT; x++) {
				int32_t p = (int32_t)ma[i][x] * mb[x][j];
				s += ((p >> 2) & 0xf) * ((p >> 5) & 0x7f);
			}
			mc[i][j] = s;
		}
	crc = mat_sum(crc, 60000);
	for (int i = 0; i < MAT; i++)
		for (int j = 0; j < MAT; j++)
			ma[i][j] = (int16_t)(ma[i][j] - k) & 0x0fff;
	return crc;
}

/* ---- state machine ---------------------------------------------------- */

enum state { S_START, S_INT, S_SIGN, S_FRAC, S_DOT, S_EXP, S_ESIGN,
	     S_EINT, S_BAD, S_MAX };

static char text[TEXT + 1];

static void text_build(void)
{
	static const char *const pat[] = { "5012", "1.23", "-874", "+122",
					   "3.4e-2", "-.75", "0x1f", "1e9",
					   "77.7E+3", "+-9", "42", "6.0." };
	size_t n = 0;
	while (n < TEXT) {
		const char *s = pat[rnd() % 12];
		size_t len = strlen(s);
		if (n + len + 1 > TEXT)
			break;
		memcpy(text + n, s, len);
		n += len;
		text[n++] = ',';
	}
	memset(text + n, ' ', TEXT - n);
	text[TEXT] = '\0';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Classify one token starting at *p, counting transitions. */
static enum state scan(const char **p, uint32_t *moves)
{
	enum state st = S_START;
	const char *s = *p;
	for (; *s && *s != ','; s++) {
		char c = *s;
		enum state prev = st;
		switch (st) {
		case S_START:
			if (is_digit(c))
				st = S_INT;
			else if (c == '+' || c == '-')
				st = S_SIGN;
			else if (c == '.')
				st = S_DOT;
			else
				st = S_BAD;
			break;
		case S_SIGN:
			st = is_digit(c) ? S_INT : c == '.' ? S_DOT : S_BAD;
			break;
		case S_INT:
			if (c == '.')
				st = S_DOT;
			else if (c == 'e' || c == 'E')
				st = S_EXP;
			else if (!is_digit(c))
				st = S_BAD;
			break;
		case S_DOT:
			st = is_digit(c) ? S_FRAC : S_BAD;
			break;
		case S_FRAC:
			if (c == 'e' || c == 'E')
				st = S_EXP;
			else if (!is_digit(c))
				st = S_BAD;
			break;
		case S_EXP:
			st = is_digit(c) ? S_EINT :
			     (c == '+' || c == '-') ? S_ESIGN : S_BAD;
			break;
		case S_ESIGN:
			st = is_digit(c) ? S_EINT : S_BAD;
			break;
		case S_EINT:
			if (!is_digit(c))
				st = S_BAD;
			break;
		default:
			break;
		}
		if (st != prev)
			(*moves)++;
	}
	*p = *s ? s + 1 : s;
	return st;
}

static uint16_t state_bench(uint32_t iter, uint16_t crc)
{
	uint32_t final[S_MAX] = { 0 }, moves = 0;
	const char *p = text;
	while (*p)
		final[scan(&p, &moves)]++;
	for (int i = 0; i < S_MAX; i++)
		crc = crc16_u16((uint16_t)final[i], crc);
	crc = crc16_u32(moves, crc);
	/* damage a few characters, rescan, then undo */
	size_t step = 17 + iter % 23;
	for (size_t i = iter % 7; i < TEXT; i += step)
		text[i] ^= 0x01;
	p = text;
	moves = 0;
	memset(final, 0, sizeof final);
	while (*p)
		final[scan(&p, &moves)]++;
	for (int i = 0; i < S_MAX; i++)
		crc = crc16_u16((uint16_t)final[i], crc);
	for (size_t i = iter % 7; i < TEXT; i += step)
		text[i] ^= 0x01;
	return crc16_u32(moves, crc);
}

int main(void)
{
	struct node *l = list_build();
	for (int i = 0; i < MAT; i++)
		for (int j = 0; j < MAT; j++) {
			ma[i][j] = (int16_t)(rnd() & 0x0fff);
			mb[i][j] = (int16_t)(rnd() & 0x0fff);
		}
	text_build();
	uint16_t crc_list = 0, crc_mat = 0, crc_state = 0, crc = 0;
	for (uint32_t it = 0; it < ITERS; it++) {
		crc_list = list_bench(&l, it, crc_list);
		crc_mat = mat_bench(it, crc_mat);
		crc_state = state_bench(it, crc_state);
	}
	crc = crc16_u16(crc_list, crc);
	crc = crc16_u16(crc_mat, crc);
	crc = crc16_u16(crc_state, crc);
	printf("iterations=%d list=%04x matrix=%04x state=%04x crc=%04x\n",
	       ITERS, crc_list, crc_mat, crc_state, crc);
	return 0;
}
