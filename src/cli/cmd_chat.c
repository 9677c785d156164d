/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_chat.c - `bnity chat BOT`: a conversation with a bot, streamed
 * as it arrives, its tool calls shown as they happen.
 *
 * Interactive on a terminal, with a small line editor of our own (no
 * libedit/readline is installed by the project's set-up): one line, the
 * cursor keys, Home/End, Backspace/Delete, Ctrl-A/E/B/F/K/U/W/L/D/C and
 * the history of this session on Up/Down.  When standard input is not a
 * terminal, lines are read plainly, one message each.  `-m TEXT` answers
 * once and exits; `--json` prints the turn with its tool calls instead of
 * streaming.  The model's text goes to stdout, tool activity to stderr.
 *
 * Turns are journalled (agent/loop.h): `--session N --resume` finishes
 * an incomplete one, `--drop` discards it; `--sessions [BOT]` lists
 * sessions and `--show N` prints one (view/view.h's JSON with --json).
 * Interactive Ctrl-C: SIGINT is blocked in every thread and taken by a
 * thread of its own (sigwait), so no handler state is global: during a
 * turn the first one cancels the turn (journalled as cancelled, the
 * session goes on), the second exits at once; at a plain prompt it
 * exits.  The line editor reads Ctrl-C as a key: it drops a typed line;
 * on an empty line it leaves when the Ctrl-C before it came less than
 * CTRL_C_TWICE_MS ago (so a quick double press leaves whether or not the
 * cancelled turn had already given the prompt back), and otherwise says
 * how to leave.
 */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "agent/loop.h"
#include "agent/provider.h"
#include "base/buf.h"
#include "base/clock.h"
#include "view/view.h"

#define LINE_MAX_BYTES ((size_t)64 << 10)
#define HISTORY_MAX 500
#define SHOW_MAX 160 /* bytes of a tool's input or result shown */

/* ---- printing a turn as it happens -------------------------------------- */

typedef struct view {
	bool midline;                /* stdout's last byte was not '\n' */
	bool quiet_tools;            /* do not show tool activity */
	bool verbose;                /* a usage line after each turn */
} view;

static void end_line(view *v)
{
	if (v->midline) {
		fputc('\n', stdout);
		fflush(stdout);
		v->midline = false;
	}
}

static void show_text(const char *t, size_t n, void *payload)
{
	view *v = payload;

	fwrite(t, 1, n, stdout);
	fflush(stdout);
	if (n)
		v->midline = t[n - 1] != '\n';
}

/* Print S on stderr on one line, cut to SHOW_MAX bytes. */
static void show_short(const char *s)
{
	size_t n = 0;

	for (; s[n] && n < SHOW_MAX; n++)
		fputc(s[n] == '\n' || s[n] == '\r' ? ' ' : s[n], stderr);
	if (s[n])
		fputs("...", stderr);
}

static void show_call(const char *name, json_t *input, void *payload)
{
	view *v = payload;
	char *in = json_dumps(input, JSON_COMPACT);

	if (v->quiet_tools) {
		free(in);
		return;
	}
	end_line(v);
	fprintf(stderr, "[tool] %s ", name);
	show_short(in ? in : "{}");
	fputc('\n', stderr);
	free(in);
}

static void show_result(const char *name, const char *content, bool is_error,
			int64_t audit_id, void *payload)
{
	view *v = payload;

	(void)audit_id;          /* `bnity audit --session N` lists them */
	if (v->quiet_tools)
		return;
	fprintf(stderr, "[tool] %s -> %s", name, is_error ? "error: " : "");
	show_short(content);
	fputc('\n', stderr);
}

static void show_retry(unsigned long wait_ms, const char *why, void *payload)
{
	end_line(payload);
	fprintf(stderr, "bnity: retrying in %lu.%lu s (%s)\n", wait_ms / 1000,
		wait_ms % 1000 / 100, why);
}

/* "[usage] in 12, out 7, cache read 0, cache write 0; session 40" */
static void show_usage(json_t *turn)
{
	json_t *u = json_object_get(turn, "usage");
	json_t *su = json_object_get(turn, "session_usage");
	const char *keys[] = { "input_tokens", "output_tokens",
			       "cache_read_tokens", "cache_write_tokens" };
	json_int_t v[4], total = 0;

	for (int i = 0; i < 4; i++) {
		v[i] = json_integer_value(json_object_get(u, keys[i]));
		total += json_integer_value(json_object_get(su, keys[i]));
	}
	fprintf(stderr, "[usage] input %lld, output %lld, cache read %lld, "
		"cache write %lld tokens; session %lld\n", (long long)v[0],
		(long long)v[1], (long long)v[2], (long long)v[3],
		(long long)total);
}

/* Two Ctrl-C this close together (milliseconds) leave the chat. */
#define CTRL_C_TWICE_MS 2000

/* ---- a small line editor ------------------------------------------------ */

typedef struct editor {
	bool raw_ok;                 /* stdin and stdout are terminals */
	struct termios saved;        /* the terminal as it was */
	bn_strv history;             /* oldest first */
} editor;

static bool is_cont(char c)
{
	return ((unsigned char)c & 0xC0) == 0x80;
}

/* Code points in S[0..N). */
static size_t width(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		w += !is_cont(s[i]);
	return w;
}

static void refresh(const char *prompt, const bn_buf *line, size_t pos)
{
	size_t col = strlen(prompt) + width(line->data ? line->data : "", pos);

	printf("\r%s%s\x1b[K\r", prompt, bn_buf_cstr(line));
	if (col)
		printf("\x1b[%zuC", col);
	fflush(stdout);
}

static void set_line(bn_buf *line, size_t *pos, const char *s)
{
	line->len = 0;
	if (line->data)
		line->data[0] = '\0';
	(void)bn_buf_puts(line, s);
	*pos = line->len;
}

static void delete_range(bn_buf *line, size_t from, size_t to)
{
	memmove(line->data + from, line->data + to, line->len - to + 1);
	line->len -= to - from;
}

static int read_byte(void)
{
	unsigned char c;
	ssize_t n;

	do
		n = read(0, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? c : -1;
}

/* An escape sequence after ESC: 'A'..'D', 'H', 'F', 'x' for Delete. */
static int read_escape(void)
{
	int a = read_byte(), b;

	if (a != '[' && a != 'O')
		return 0;
	b = read_byte();
	if (b >= '0' && b <= '9') {
		int t = read_byte();
		if (t != '~')
			return 0;
		return b == '3' ? 'x' : (b == '1' || b == '7') ? 'H' :
			(b == '4' || b == '8') ? 'F' : 0;
	}
	return b;
}

/*
 * Edit one line on the terminal.  0 with *out (owned), 1 at end of input
 * (Ctrl-D on an empty line), 2 for Ctrl-C on an empty line, -1 when the
 * terminal fails.  Ctrl-C on a typed line drops it (0 with "").
 */
static int edit_line(editor *ed, const char *prompt, char **out)
{
	bn_buf line;
	size_t pos = 0, hist = ed->history.n;
	struct termios raw = ed->saved;
	int c, r = 0;

	bn_buf_init(&line, LINE_MAX_BYTES);
	raw.c_iflag &= ~(tcflag_t)(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
	raw.c_lflag &= ~(tcflag_t)(ECHO | ICANON | IEXTEN | ISIG);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(0, TCSAFLUSH, &raw) < 0)
		return -1;
	set_line(&line, &pos, "");
	refresh(prompt, &line, pos);
	for (;;) {
		c = read_byte();
		if (c < 0) {
			r = 1;
			break;
		}
		if (c == '\r' || c == '\n')
			break;
		if (c == 27)
			c = read_escape() + 256;
		switch (c) {
		case 4: /* Ctrl-D */
			if (line.len == 0) {
				r = 1;
				goto done;
			}
			/* fall through */
		case 256 + 'x':
			if (pos < line.len) {
				size_t e = pos + 1;
				while (e < line.len && is_cont(line.data[e]))
					e++;
				delete_range(&line, pos, e);
			}
			break;
		case 3: /* Ctrl-C: drop the line */
			if (line.len == 0)
				r = 2;
			set_line(&line, &pos, "");
			printf("^C");
			goto done;
		case 127: case 8:
			if (pos > 0) {
				size_t b = pos - 1;
				while (b > 0 && is_cont(line.data[b]))
					b--;
				delete_range(&line, b, pos);
				pos = b;
			}
			break;
		case 1: case 256 + 'H':
			pos = 0;
			break;
		case 5: case 256 + 'F':
			pos = line.len;
			break;
		case 2: case 256 + 'D':
			while (pos > 0 && is_cont(line.data[--pos]))
				;
			break;
		case 6: case 256 + 'C':
			while (pos < line.len && is_cont(line.data[++pos]))
				;
			break;
		case 11: /* Ctrl-K */
			line.len = pos;
			line.data[pos] = '\0';
			break;
		case 21: /* Ctrl-U */
			delete_range(&line, 0, pos);
			pos = 0;
			break;
		case 23: { /* Ctrl-W */
			size_t b = pos;
			while (b > 0 && line.data[b - 1] == ' ')
				b--;
			while (b > 0 && line.data[b - 1] != ' ')
				b--;
			delete_range(&line, b, pos);
			pos = b;
			break;
		}
		case 12: /* Ctrl-L */
			printf("\x1b[H\x1b[2J");
			break;
		case 256 + 'A': case 16:
			if (hist > 0)
				set_line(&line, &pos, ed->history.v[--hist]);
			break;
		case 256 + 'B': case 14:
			if (hist < ed->history.n)
				hist++;
			set_line(&line, &pos, hist < ed->history.n ?
				 ed->history.v[hist] : "");
			break;
		default:
			if (c >= 32 && c < 256 && c != 127) {
				char ch = (char)c;
				size_t tail = line.len - pos;
				if (bn_buf_append(&line, &ch, 1))
					break;
				memmove(line.data + pos + 1, line.data + pos,
					tail);
				line.data[pos++] = ch;
			}
			break;
		}
		refresh(prompt, &line, pos);
	}
done:
	(void)tcsetattr(0, TCSAFLUSH, &ed->saved);
	printf("\n");
	fflush(stdout);
	if (r) {
		bn_buf_clear(&line);
		return r;
	}
	*out = line.data ? bn_buf_take(&line) : bn_xstrdup("");
	return 0;
}

/* A line read plainly (not a terminal): 0, or 1 at end of input. */
static int plain_line(char **out)
{
	char *l = NULL;
	size_t cap = 0;
	ssize_t n = getline(&l, &cap, stdin);

	if (n < 0) {
		free(l);
		return 1;
	}
	if ((size_t)n > LINE_MAX_BYTES)
		l[LINE_MAX_BYTES] = '\0';
	l[strcspn(l, "\r\n")] = '\0';
	*out = l;
	return 0;
}

static int read_input(editor *ed, const char *prompt, char **out)
{
	int r;

	if (ed->raw_ok) {
		r = edit_line(ed, prompt, out);
		if (r >= 0)
			return r;
		ed->raw_ok = false; /* fall back to plain reading */
	}
	return plain_line(out);
}

static void remember(editor *ed, const char *line)
{
	if (!*line || (ed->history.n &&
		       !strcmp(ed->history.v[ed->history.n - 1], line)))
		return;
	if (ed->history.n == HISTORY_MAX) {
		free(ed->history.v[0]);
		memmove(ed->history.v, ed->history.v + 1,
			(ed->history.n - 1) * sizeof(char *));
		ed->history.n--;
	}
	bn_strv_push(&ed->history, line);
}

/* ---- the session -------------------------------------------------------- */

typedef struct chat {
	bn_store *store;
	bn_agent_provider *provider;
	bn_agent_session *session;
	const char *bot;
	bool json;
	bool oneshot;                /* -m: the hints name the options */
	view view;
	atomic_bool cancel;          /* Ctrl-C during a turn */
	atomic_bool in_turn;         /* a turn runs */
	_Atomic uint64_t last_ctrl_c; /* bn_clock_now_ms of the Ctrl-C that
					 cancelled a turn or met an empty
					 line, or 0 */
	const struct termios *tty;   /* restored on a second Ctrl-C, or NULL */
} chat;

static void print_turn_end(chat *c, json_t *turn)
{
	const char *stop = json_string_value(json_object_get(turn,
							     "stop_reason"));
	end_line(&c->view);
	if (stop && !strcmp(stop, "max_steps"))
		fprintf(stderr, "bnity: the turn stopped after its step limit "
			"(--max-steps) before a final answer\n");
	else if (stop && !strcmp(stop, "max_tokens"))
		fprintf(stderr, "bnity: the answer was cut at the model's "
			"token limit (--max-tokens)\n");
	else if (stop && !strcmp(stop, "cancelled"))
		fprintf(stderr, "bnity: turn %lld cancelled; what it did is "
			"kept (%s to finish it)\n", (long long)
			json_integer_value(json_object_get(turn, "turn")),
			c->oneshot ? "--resume" : "/resume");
	if (c->view.verbose)
		show_usage(turn);
}

/* How to go on from an unfinished turn, on stderr. */
static void print_pending_hint(chat *c)
{
	int64_t turn = 0, id = bn_agent_session_id(c->session);
	const char *why = NULL;
	const char *state = bn_agent_session_pending(c->session, &turn, &why);

	if (!state || !strcmp(state, "running"))
		return;
	if (c->oneshot)
		fprintf(stderr, "bnity: session %lld: turn %lld is %s; finish "
			"it with `bnity chat %s --session %lld --resume` or "
			"discard it with `bnity chat %s --session %lld "
			"--drop`\n", (long long)id, (long long)turn, state,
			c->bot, (long long)id, c->bot, (long long)id);
	else
		fprintf(stderr, "bnity: session %lld: turn %lld is %s%s%s%s: "
			"/resume finishes it, /drop discards it\n",
			(long long)id, (long long)turn, state,
			why ? " (" : "", why ? why : "", why ? ")" : "");
}

/* A failure printed: as {"error": ...} on stdout with --json. */
static int fail(chat *c, const bn_err *err)
{
	if (c->json) {
		json_t *o = json_pack("{s:s, s:i}", "error",
				      err->msg[0] ? err->msg : "failed",
				      "exit_code", err->code == BN_EUSAGE ?
				      BN_EXIT_USAGE : BN_EXIT_FAIL);
		bn_cli_print_json(o);
	}
	return bn_cli_fail(err);
}

/* One turn (TEXT), or the resume of the unfinished one (TEXT NULL). */
static int one_turn(chat *c, const char *text, bn_err *err)
{
	bn_agent_events ev = { .on_text = show_text, .on_tool_call = show_call,
			       .on_tool_result = show_result,
			       .payload = &c->view, .cancel = &c->cancel,
			       .on_retry = show_retry };
	bn_agent_events quiet = { .payload = &c->view,
				  .cancel = &c->cancel,
				  .on_retry = show_retry };
	json_t *turn = NULL;
	int r;

	atomic_store(&c->cancel, false);
	atomic_store(&c->in_turn, true);
	r = text ? bn_agent_session_turn(&turn, c->session, text,
					 c->json ? &quiet : &ev, err) :
		   bn_agent_session_resume(&turn, c->session,
					   c->json ? &quiet : &ev, err);
	atomic_store(&c->in_turn, false);
	if (r) {
		end_line(&c->view);
		return r;
	}
	if (c->json)
		bn_cli_print_json(turn);
	else {
		print_turn_end(c, turn);
		json_decref(turn);
	}
	return 0;
}

/* A failed turn: the error, then how to go on. */
static void turn_failed(chat *c, const bn_err *err)
{
	(void)fail(c, err);
	print_pending_hint(c);
}

static void print_skills(chat *c)
{
	json_t *skills = bn_agent_session_skills(c->session), *sk;
	size_t i;

	if (!json_array_size(skills)) {
		printf("no skills: attach some with `bnity skill attach SKILL "
		       "%s`\n", c->bot);
		return;
	}
	json_array_foreach(skills, i, sk)
		printf("%c %-24s %-6s %s\n",
		       json_is_true(json_object_get(sk, "active")) ? '*' : ' ',
		       json_string_value(json_object_get(sk, "name")),
		       json_string_value(json_object_get(sk, "type")),
		       json_string_value(json_object_get(sk, "description")));
	printf("(* activated in this conversation)\n");
}

static const char chat_help[] =
	"/skills  the bot's skills (* = activated)\n"
	"/reset   start a new conversation\n"
	"/session the current session id\n"
	"/resume  finish the unfinished (incomplete or cancelled) turn\n"
	"/drop    discard the unfinished turn\n"
	"/exit    leave (also Ctrl-D)\n"
	"/help    this list\n"
	"Ctrl-C during a turn cancels it; a second Ctrl-C leaves.\n";

/* A slash command: 1 to leave, 0 otherwise; *failed when it failed. */
static int command(chat *c, const char *line, bool *failed)
{
	bn_err err;

	bn_err_init(&err);
	*failed = false;
	if (!strcmp(line, "/exit") || !strcmp(line, "/quit"))
		return 1;
	if (!strcmp(line, "/help"))
		fputs(chat_help, stdout);
	else if (!strcmp(line, "/skills"))
		print_skills(c);
	else if (!strcmp(line, "/reset")) {
		bn_agent_session_reset(c->session);
		printf("new conversation\n");
	} else if (!strcmp(line, "/session")) {
		int64_t id = bn_agent_session_id(c->session);
		if (id)
			printf("session %lld\n", (long long)id);
		else
			printf("no session yet: it starts with your first "
			       "message\n");
	} else if (!strcmp(line, "/resume")) {
		if (one_turn(c, NULL, &err)) {
			turn_failed(c, &err);
			*failed = true;
		}
	} else if (!strcmp(line, "/drop")) {
		if (bn_agent_session_drop(c->session, &err)) {
			(void)bn_cli_fail(&err);
			*failed = true;
		} else {
			printf("the unfinished turn was discarded\n");
		}
	} else
		printf("unknown command '%s' (see /help)\n", line);
	fflush(stdout);
	return 0;
}

/* Ctrl-C, taken by a thread of its own (SIGINT is blocked elsewhere). */
static void *sigint_main(void *arg)
{
	chat *c = arg;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	for (;;) {
		if (sigwait(&set, &sig))
			continue;
		if (atomic_load(&c->in_turn) && !atomic_load(&c->cancel)) {
			static const char msg[] = "\n^C cancelling the turn "
				"(Ctrl-C again to leave)\n";
			atomic_store(&c->cancel, true);
			atomic_store(&c->last_ctrl_c, bn_clock_now_ms());
			(void)!write(2, msg, sizeof(msg) - 1);
			continue;
		}
		/* a second Ctrl-C, or one at a plain prompt: leave now; a turn
		   left running is closed as incomplete by the next process
		   that opens the store (its owner lease) */
		if (c->tty)
			(void)tcsetattr(0, TCSAFLUSH, c->tty);
		(void)!write(2, "\n", 1);
		_exit(130);
	}
	return NULL;
}

/* Take Ctrl-C on a thread of its own; false when that cannot be. */
static bool catch_sigint(chat *c)
{
	sigset_t set;
	pthread_attr_t attr;
	pthread_t t;
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return false;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&t, &attr, sigint_main, c);
	pthread_attr_destroy(&attr);
	if (r) {
		(void)pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		return false;
	}
	return true;
}

static int interactive(chat *c)
{
	editor ed = { 0 };
	char prompt[96];
	char *line = NULL;
	unsigned turns = 0, failures = 0;
	bool failed;
	bn_err err;

	const char *term = secure_getenv("TERM");

	ed.raw_ok = isatty(0) && isatty(1) && term &&
		strcmp(term, "dumb") != 0 &&
		tcgetattr(0, &ed.saved) == 0;
	c->tty = ed.raw_ok ? &ed.saved : NULL;
	(void)catch_sigint(c);
	snprintf(prompt, sizeof(prompt), "%.80s> ", c->bot);
	if (isatty(1))
		printf("chat with %s (%s, %s): /help for commands, /exit to "
		       "leave\n", c->bot, bn_agent_api_name(c->provider->api),
		       c->provider->model);
	print_pending_hint(c);
	for (;;) {
		if (!ed.raw_ok && isatty(1)) {
			fputs(prompt, stdout);
			fflush(stdout);
		}
		int in = read_input(&ed, prompt, &line);
		if (in == 2) { /* Ctrl-C on an empty line */
			uint64_t now = bn_clock_now_ms(),
				 last = atomic_exchange(&c->last_ctrl_c, now);
			if (last && now - last < CTRL_C_TWICE_MS) {
				bn_strv_clear(&ed.history);
				return 130;
			}
			fputs("(Ctrl-C again to leave, or /exit)\n", stdout);
			continue;
		}
		if (in)
			break;
		const char *t = line + strspn(line, " \t");
		if (!*t) {
			free(line);
			continue;
		}
		remember(&ed, t);
		if (t[0] == '/') {
			int stop = command(c, t, &failed);
			if (!strcmp(t, "/resume")) {
				turns++;
				failures += failed;
			}
			free(line);
			if (stop)
				break;
			continue;
		}
		bn_err_init(&err);
		turns++;
		if (one_turn(c, t, &err)) {
			failures++;
			turn_failed(c, &err);
		}
		free(line);
	}
	bn_strv_clear(&ed.history);
	/* piped input whose every turn failed is a failure */
	return turns && failures == turns ? BN_EXIT_FAIL : BN_EXIT_OK;
}

/* ---- sessions: list and show -------------------------------------------- */

static void print_time(long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32] = "-";

	if (t && gmtime_r(&tt, &tm))
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M", &tm);
	printf("%s", buf);
}

static const char *jstr(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

static long long jint(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/*
 * The view `chat --sessions` (SHOW NULL: the sessions of BOT, or of
 * every bot) or `chat --show SHOW` (that session) prints, into *OUT.  A
 * SHOW that is no session id is BN_EUSAGE.
 */
static int sessions_load(json_t **out, const char *bot, const char *show,
			 bn_err *err)
{
	unsigned long long id = 0;
	bn_store_bot b = { 0 };
	bn_store *s = NULL;
	int r;

	if (show && !bn_cli_parse_num(&id, show, 1, LLONG_MAX))
		return bn_err_set(err, BN_EUSAGE, "--show: a session id (a "
				  "positive number)");
	if ((r = bn_cli_open_store(&s, err)))
		return r;
	if (!show && bot && !(r = bn_store_bot_get(&b, s, bot, err)))
		bn_store_bot_clear(&b);
	if (!r)
		r = show ? bn_view_session_load_json(out, s, (int64_t)id, err) :
		    bn_view_sessions_load_json(out, s, bot, 0, err);
	bn_store_free(s);
	return r;
}

/* The sessions A (stolen) of BOT (NULL: every bot) as a table. */
static void print_sessions(json_t *a, const char *bot)
{
	json_t *o;
	size_t i;

	if (!json_array_size(a))
		printf("no sessions%s%s\n", bot ? " of " : "", bot ? bot : "");
	else
		printf("%-6s %-16s %5s %-10s %-16s %s\n", "ID", "BOT", "TURNS",
		       "STATE", "LAST USED (UTC)", "TITLE");
	json_array_foreach(a, i, o) {
		printf("%-6lld %-16s %5lld %-10s ", jint(o, "id"),
		       jstr(o, "bot"), jint(o, "turns"),
		       *jstr(o, "state") ? jstr(o, "state") : "-");
		print_time(jint(o, "last_used"));
		printf(" %s\n", jstr(o, "title"));
	}
	json_decref(a);
}

/* A number list of audit ids as " (audit #1, #2)". */
static void print_audit(json_t *ids)
{
	json_t *v;
	size_t i;

	json_array_foreach(ids, i, v)
		printf("%s#%lld", i ? ", " : " (audit ", (long long)
		       json_integer_value(v));
	if (json_array_size(ids))
		printf(")");
}

/* Session O (stolen), turn by turn. */
static void print_session(json_t *o)
{
	json_t *t, *call;
	size_t i, j;

	printf("session %lld of %s: %s\n", jint(o, "id"), jstr(o, "bot"),
	       jstr(o, "title"));
	printf("%lld turns, %lld messages, last used ", jint(o, "turns"),
	       jint(o, "messages"));
	print_time(jint(o, "last_used"));
	printf(" UTC\n");
	json_array_foreach(json_object_get(o, "history"), i, t) {
		json_t *u = json_object_get(t, "usage");
		printf("\nturn %lld: %s", jint(t, "number"), jstr(t, "state"));
		if (*jstr(t, "error"))
			printf(" (%s)", jstr(t, "error"));
		printf(", %lld steps, %lld+%lld tokens", jint(t, "steps"),
		       jint(u, "input_tokens"), jint(u, "output_tokens"));
		print_audit(json_object_get(t, "audit"));
		printf("\n  user: %s\n", jstr(t, "user"));
		json_array_foreach(json_object_get(t, "tool_calls"), j, call) {
			json_t *res = json_object_get(call, "result");
			printf("  [tool] %s %s -> %s", jstr(call, "name"),
			       jstr(call, "id"), json_is_null(res) ?
			       "(no result stored)" :
			       json_is_true(json_object_get(call, "is_error")) ?
			       "error" : "ok");
			print_audit(json_object_get(call, "audit"));
			printf("\n");
		}
		if (*jstr(t, "reply"))
			printf("  reply: %s\n", jstr(t, "reply"));
	}
	json_decref(o);
}

/* ---- the command -------------------------------------------------------- */

typedef struct chat_args {
	const char *bot, *message, *session, *provider, *model;
	const char *show;
	bool json, verbose, resume, drop, sessions;
} chat_args;

/* *A from the command line ARGS, checked: 0, or the exit code after a
   usage error. */
static int parse_args(chat_args *a, const bn_cli_args *args)
{
	int npos = args->npos;

	*a = (chat_args){
		.json = bn_cli_flag(args, "json"),
		.verbose = bn_cli_flag(args, "verbose"),
		.resume = bn_cli_flag(args, "resume"),
		.drop = bn_cli_flag(args, "drop"),
		.sessions = bn_cli_flag(args, "sessions"),
	};
	a->message = bn_cli_value(args, "message");
	a->session = bn_cli_value(args, "session");
	a->provider = bn_cli_value(args, "provider");
	a->model = bn_cli_value(args, "model");
	a->show = bn_cli_value(args, "show");
	if (a->sessions || a->show) {
		if (a->sessions && a->show)
			return bn_cli_usage("chat", "--sessions or --show, not "
					    "both");
		if (npos > (a->sessions ? 1 : 0))
			return bn_cli_usage("chat", a->sessions ?
					    "--sessions [BOT]: one bot at most"
					    : "--show N takes no BOT");
		a->bot = npos ? args->pos[0] : NULL;
		return 0;
	}
	if (npos != 1)
		return bn_cli_usage("chat", "name one BOT");
	a->bot = args->pos[0];
	if ((a->resume || a->drop) && !a->session)
		return bn_cli_usage("chat", "--%s needs --session N",
				    a->resume ? "resume" : "drop");
	if (a->resume && a->drop)
		return bn_cli_usage("chat", "--resume or --drop, not both");
	if ((a->resume || a->drop) && a->message)
		return bn_cli_usage("chat", "-m starts a new turn: finish the "
				    "unfinished one with --resume, or --drop "
				    "it, first");
	if (a->json && !a->message && !a->resume && !a->drop)
		return bn_cli_usage("chat", "--json needs -m TEXT or --resume");
	if (a->message && !*a->message)
		return bn_cli_usage("chat", "-m: the message is empty");
	if (a->provider) {
		bn_agent_api api;
		bn_err e;
		bn_err_init(&e);
		if (bn_agent_api_check(&api, a->provider, &e))
			return bn_cli_usage("chat", "--%s", e.msg);
	}
	return 0;
}

static int open_chat(chat *c, const chat_args *a, bn_agent_loop_options *o,
		     bn_err *err)
{
	bn_store_bot bot = { 0 };
	unsigned long long sid = 0;
	int r;

	if (a->session && !bn_cli_parse_num(&sid, a->session, 1, LLONG_MAX))
		return bn_err_set(err, BN_EUSAGE, "--session: a session id "
				  "(a positive number)");
	if ((r = bn_cli_open_store(&c->store, err)))
		return r;
	if ((r = bn_store_bot_get(&bot, c->store, a->bot, err)))
		return r;
	r = bn_agent_provider_new(&c->provider, c->store,
				  a->provider ? a->provider : bot.provider,
				  a->model ? a->model : bot.model, err);
	bn_store_bot_clear(&bot);
	if (r)
		return r;
	r = bn_agent_session_open(&c->session, c->store, c->provider, a->bot,
				  (int64_t)sid, o, err);
	if (r)
		return r;
	const bn_strv *w = bn_agent_session_warnings(c->session);
	for (size_t i = 0; i < w->n; i++)
		fprintf(stderr, "bnity: warning: %s\n", w->v[i]);
	return 0;
}

/* -m, --resume or --drop: one action on the session, then exit. */
static int once(chat *c, const chat_args *a, bn_err *err)
{
	int r;

	if (a->drop) {
		if ((r = bn_agent_session_drop(c->session, err)))
			return fail(c, err);
		if (a->json)
			bn_cli_print_json(json_pack("{s:I, s:b}", "session",
				(json_int_t)bn_agent_session_id(c->session),
				"dropped", 1));
		else
			fprintf(stderr, "bnity: the unfinished turn of session "
				"%lld was discarded\n", (long long)
				bn_agent_session_id(c->session));
		return BN_EXIT_OK;
	}
	r = one_turn(c, a->resume ? NULL : a->message, err);
	if (r)
		turn_failed(c, err);
	if (!a->json && bn_agent_session_id(c->session))
		fprintf(stderr, "[session %lld]\n", (long long)
			bn_agent_session_id(c->session));
	return r ? (err->code == BN_EUSAGE ? BN_EXIT_USAGE : BN_EXIT_FAIL) :
		BN_EXIT_OK;
}

int bn_cli_chat_main(const bn_cli_args *args)
{
	chat_args a;
	bn_agent_loop_options o = BN_AGENT_LOOP_OPTIONS_INIT;
	const char *num;
	chat c = { 0 };
	unsigned long long v;
	bn_err err;
	int r;

	if ((r = parse_args(&a, args)))
		return r;
	bn_err_init(&err);
	if (a.sessions || a.show) {
		json_t *j = NULL;
		r = sessions_load(&j, a.bot, a.sessions ? NULL : a.show, &err);
		if (r == BN_EUSAGE)
			return bn_cli_usage("chat", "%s", err.msg);
		c.json = a.json;
		if (r)
			return fail(&c, &err);
		if (a.json)
			bn_cli_print_json(j);
		else if (a.sessions)
			print_sessions(j, a.bot);
		else
			print_session(j);
		return BN_EXIT_OK;
	}
	if ((num = bn_cli_value(args, "max-steps"))) {
		if (!bn_cli_parse_num(&v, num, 1, 64))
			return bn_cli_usage("chat", "--max-steps: 1 to 64");
		o.max_steps = (unsigned)v;
	}
	if ((num = bn_cli_value(args, "context-tokens"))) {
		if (!bn_cli_parse_num(&v, num, 1000, 10000000))
			return bn_cli_usage("chat", "--context-tokens: 1000 "
					    "to 10000000");
		o.context_tokens = v;
	}
	if ((num = bn_cli_value(args, "max-tokens"))) {
		if (!bn_cli_parse_num(&v, num, 1, 1000000))
			return bn_cli_usage("chat", "--max-tokens: 1 to "
					    "1000000");
		o.max_tokens = (unsigned)v;
	}
	c.bot = a.bot;
	c.json = a.json;
	c.view.verbose = a.verbose;
	c.oneshot = a.message || a.resume || a.drop;
	atomic_init(&c.cancel, false);
	atomic_init(&c.in_turn, false);
	atomic_init(&c.last_ctrl_c, 0);
	bn_err_init(&err);
	r = open_chat(&c, &a, &o, &err);
	if (r == BN_EUSAGE) {
		r = bn_cli_usage("chat", "%s", err.msg);
		goto out;
	}
	if (r) {
		r = fail(&c, &err);
		goto out;
	}
	if (c.oneshot)
		r = once(&c, &a, &err);
	else
		r = interactive(&c);
out:
	bn_agent_session_free(c.session);
	bn_agent_provider_free(c.provider);
	bn_store_free(c.store);
	return r;
}
