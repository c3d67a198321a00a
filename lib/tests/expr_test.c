/* expr_test.c: every operator and function of the expression language. */
#include <stdlib.h>
#include <time.h>

#include "expr.h"
#include "unit.h"

static struct pxr_schema *sch;
static struct pxr_rec rec;
static struct pxr_arena arena;
static struct pxr_env env;

static void
field(const char *name, int t, const char *val)
{
	size_t i = pxr_schema_add(sch, name, strlen(name));

	pxr_rec_fit(&rec);
	if (val == NULL)
		pxr_rec_setnull(&rec, i);
	else
		pxr_rec_set(&rec, i, t, val, strlen(val));
}

/* Evaluate src; the value as text, or "error: ..." */
static const char *
ev(const char *src)
{
	static char out[2048];
	struct pxr_error e;
	struct pxr_expr *x;
	struct pxr_value v;
	struct pxr_buf b = { 0 };

	pxr_error_clear(&e);
	x = pxr_expr_compile(src, strlen(src), NULL, 0, &e);
	if (x == NULL) {
		snprintf(out, sizeof(out), "compile: %s", e.text);
		return out;
	}
	pxr_expr_bind(x, sch);
	pxr_rec_fit(&rec);
	pxr_arena_reset(&arena);
	if (pxr_expr_eval(x, &env, &v, &e) < 0)
		snprintf(out, sizeof(out), "error: %s", e.text);
	else {
		pxr_value_text(&v, env.tz, &b);
		snprintf(out, sizeof(out), "%s%s", v.t == PXR_V_NULL ? "null" :
		    "", b.p != NULL ? b.p : "");
	}
	pxr_buf_free(&b);
	pxr_expr_free(x);
	return out;
}

#define T(src, want) CHECK_STR(ev(src), want, "%s", src)

/*
 * The builtin table and the Functions list of man/pxr-expr.7 (each name
 * after "Fn" between ".Ss Functions" and the next ".Ss") name the same
 * functions.  Run from the top of the tree.
 */
static void
builtins_match_man(void)
{
	char line[512], man[64][32];
	const char *name, *help;
	size_t nman = 0, i, j;
	int in = 0, found;
	FILE *f = fopen("man/pxr-expr.7", "r");

	CHECK(f != NULL, "man/pxr-expr.7 opens");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line;

		if (strncmp(line, ".Ss ", 4) == 0) {
			in = strcmp(line, ".Ss Functions\n") == 0;
			continue;
		}
		while (in && (p = strstr(p, "Fn ")) != NULL) {
			p += 3;
			for (i = 0; p[i] >= 'a' && p[i] <= 'z' && i < 31; i++)
				man[nman][i] = p[i];
			man[nman][i] = '\0';
			if (i > 0 && nman < 63)
				nman++;
		}
	}
	fclose(f);
	CHECK(nman > 0, "pxr-expr(7) lists %zu functions", nman);
	for (i = 0; (name = pxr_expr_builtin(i, &help)) != NULL; i++) {
		for (found = 0, j = 0; j < nman; j++)
			found |= strcmp(man[j], name) == 0;
		CHECK(found, "builtin %s is in pxr-expr(7)", name);
		CHECK(strncmp(help, name, strlen(name)) == 0 &&
		    help[strlen(name)] == '(', "%s's help line names it: %s",
		    name, help);
	}
	for (j = 0; j < nman; j++) {
		for (found = 0, i = 0; (name = pxr_expr_builtin(i, NULL)) !=
		    NULL; i++)
			found |= strcmp(man[j], name) == 0;
		CHECK(found, "pxr-expr(7)'s %s() is a builtin", man[j]);
	}
}

int
main(void)
{
	struct pxr_error e;
	clock_t t0;
	double secs;

	sch = pxr_schema_new();
	pxr_rec_init(&rec, sch);
	env.tz = pxr_tz_get("Europe/Stockholm");
	env.arena = &arena;
	env.rec = &rec;
	pxr_time_parse("2026-11-21T06:00:00Z", 20, env.tz, &env.now, NULL, &e);
	field("n", PXR_STR, "42");
	field("x", PXR_STR, "2.5");
	field("s", PXR_STR, "Hello");
	field("pc", PXR_STR, "007");
	field("pc2", PXR_STR, "0070");
	field("t1", PXR_STR, "2026-11-20T10:00:00Z");
	field("t2", PXR_STR, "2026-11-20T11:30:00+01:00");
	field("d", PXR_STR, "90m");
	field("nul", PXR_NULL, NULL);
	field("flag", PXR_STR, "TRUE");
	field("big", PXR_NUM, "9223372036854775807");
	field("jn", PXR_NUM, "12.5");
	field("order", PXR_JSON, "{\"id\":7,\"who\":{\"name\":\"\xc3\x85sa\"}}");
	field("Order Date", PXR_STR, "2026-11-01");
	field("bad", PXR_STR, "2026-13-01");
	field("leap", PXR_STR, "2026-02-29");
	field("word", PXR_STR, "abc");
	field("aaa", PXR_STR, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab");

	/* arithmetic, integers and doubles */
	T("1 + 2 * 3", "7");
	T("(1 + 2) * 3", "9");
	T("7 / 2", "3.5");
	T("8 / 2", "4");
	T("7 % 3", "1");
	T("-7 % 3", "-1");
	T("7.5 % 2", "1.5");
	T("1 / 0", "error: division by zero");
	T("1 % 0", "error: division by zero");
	T("n + 1", "43");
	T("n * x", "105");
	T("-n", "-42");
	T("- -3", "3");
	T("0.1 + 0.2", "0.3");
	T("9223372036854775807 + 1", "error: integer overflow in +");
	T("big + 1", "error: integer overflow in +");
	T("big * 2", "error: integer overflow in *");
	T("-9223372036854775807 - 2", "error: integer overflow in -");
	T("jn * 2", "25");
	T("s + 1", "error: column 's': not a number: \"Hello\"");
	T("nul + 1", "null");
	T("1e3 + 1", "1001");
	/* comparisons */
	T("n == 42", "true");
	T("n == '42'", "true");
	T("n > 5", "true");
	T("n > x", "true");
	T("s == 'Hello'", "true");
	T("s != 'hello'", "true");
	T("s < 'World'", "true");
	T("s == 5", "false");
	T("s > 5", "error: column 's': not a number: \"Hello\"");
	T("pc == 7", "false");
	T("pc == '007'", "true");
	T("pc < pc2", "true");
	T("nul == null", "true");
	T("nul != null", "false");
	T("n == null", "false");
	T("nul > 1", "false");
	T("nul == 1", "false");
	T("nul < 1", "false");
	T("nul != 1", "false");
	T("flag == true", "true");
	T("flag && true", "true");
	/* logic and null */
	T("true && false", "false");
	T("true || false", "true");
	T("!true", "false");
	T("not false", "true");
	T("true and true or false", "true");
	T("nul == null || false", "true");
	T("(nul > 1) && true", "false");
	T("!(n > 100)", "true");
	T("! n == 42", "false");
	T("s && true", "error: column 's': not true or false: \"Hello\"");
	/* in, regex */
	T("s in ['Hi', 'Hello']", "true");
	T("n in [1, 42]", "true");
	T("word in ['x']", "false");
	T("nul in [null]", "false");
	T("s =~ '^H.l+o$'", "true");
	T("s =~ 'hello'", "false");
	T("s =~ '(?i)hello'", "true");
	T("s !~ '^x'", "true");
	T("nul =~ 'x'", "false");
	T("n =~ '^4'", "true");
	T("aaa =~ '^(a|aa)+$'", "error: column 'aaa': regular expression failed: match limit exceeded");
	T("s =~ '('", "compile: 1:8: bad regular expression: missing closing parenthesis");
	T("s =~ word", "compile: 1:6: the pattern must be a string literal");
	/* times and durations */
	T("t2 - t1", "30m");
	T("minutes(t2 - t1)", "30");
	T("hours(t2 - t1)", "0.5");
	T("t1 + 2h", "2026-11-20T12:00:00Z");
	T("t1 - 1d", "2026-11-19T10:00:00Z");
	T("t2 > t1", "true");
	T("t1 - 1h30m", "2026-11-20T08:30:00Z");
	T("2h > 90m", "true");
	T("d == 90m", "true");
	T("d * 2", "error: column 'd': not a number: \"90m\"");
	T("d + 30m", "2h");
	T("2 * 1h", "2h");
	T("1h / 30m", "2");
	T("1d / 3", "8h");
	T("seconds(1m)", "60");
	T("days(36h)", "1.5");
	T("time('2026-11-20T10:00:00.250+0100')", "2026-11-20T09:00:00.250Z");
	T("time('2026-11-20')", "2026-11-19T23:00:00Z");
	T("time('2026-11-20 08:00')", "2026-11-20T07:00:00Z");
	T("time('2026-07-01T12:00')", "2026-07-01T10:00:00Z");
	T("time('2026-02-29')", "compile: 1:6: not a time: \"2026-02-29\" (no such date)");
	T("time(leap)", "error: column 'leap': not a time: \"2026-02-29\" (no such date)");
	T("time('2028-02-29')", "2028-02-28T23:00:00Z");
	T("time('2026-02-31')", "compile: 1:6: not a time: \"2026-02-31\" (no such date)");
	T("time('2026-11-20T24:00')", "compile: 1:6: not a time: \"2026-11-20T24:00\" (hour 0-23, minute and second 0-59)");
	T("time('2026-11-20T23:59:60')", "compile: 1:6: not a time: \"2026-11-20T23:59:60\" (hour 0-23, minute and second 0-59)");
	T("time('2026-11-20T10:00:00.5Z') - time('2026-11-20T10:00:00Z')", "500ms");
	/* DST, Europe/Stockholm, last Sunday of October 2026 (25th). */
	T("hours(time('2026-10-25 03:30') - time('2026-10-25 01:30'))", "3");
	T("time('2026-10-25 02:30')", "2026-10-25T00:30:00Z");
	T("time('2026-03-29 02:30')", "2026-03-29T01:30:00Z");
	T("hours(time('2026-03-29 04:00') - time('2026-03-29 01:00'))", "2");
	T("'2026-10-25T02:20+01:00' > '2026-10-25T02:30+02:00'", "true");
	T("now()", "2026-11-21T06:00:00Z");
	T("t1 - now() <= 5d", "true");
	T("date(t1)", "2026-11-20");
	T("date('2026-11-20T23:30:00Z')", "2026-11-21");
	T("hour(t1)", "11");
	T("weekday(t1)", "5");
	T("weekday('2026-11-23')", "1");
	T("`Order Date` < t1", "true");
	T("t1 > bad", "error: column 'bad': not a time: \"2026-13-01\" (no such date)");
	T("t1 - bad", "error: column 'bad': not a time: \"2026-13-01\" (no such date)");
	T("bad > 5d", "error: column 'bad': not a duration: \"2026-13-01\" (expected e.g. 90s, 15m, 2h, 1d, 1w, 1h30m)");
	/* strings */
	T("lower(s)", "hello");
	T("upper(s)", "HELLO");
	T("trim('  x y ')", "x y");
	T("len(s)", "5");
	T("len('\xc5\x81\xc3\xb3" "d\xc5\xba')", "4");
	T("substr(s, 1, 3)", "ell");
	T("substr(s, 3)", "lo");
	T("substr('\xc5\x81\xc3\xb3" "d\xc5\xba', 1, 2)", "\xc3\xb3" "d");
	T("contains(s, 'ell')", "true");
	T("startswith(s, 'He')", "true");
	T("endswith(s, 'lo')", "true");
	T("capture('order 12345 ok', '(\\\\d+)', 1)", "12345");
	T("capture('ab', '(?<x>b)', 'x')", "b");
	T("capture('ab', 'z', 0)", "null");
	T("coalesce(nul, nul, 'x')", "x");
	T("coalesce(nul)", "null");
	T("min(3, n, 7)", "3");
	T("max(3, n, 7)", "42");
	T("max(t1, t2)", "2026-11-20T10:30:00Z");
	T("min(nul, 2)", "2");
	T("abs(-5)", "5");
	T("abs(-2.5)", "2.5");
	T("round(2.5)", "3");
	T("round(-2.5)", "-3");
	T("floor(2.7)", "2");
	T("ceil(2.1)", "3");
	T("floor(days(36h))", "1");
	T("800 * floor(days(now() - t1))", "0");
	T("num('12')", "12");
	T("num(pc)", "7");
	T("num(s)", "error: column 's': not a number: \"Hello\"");
	T("str(42) == '42'", "true");
	T("str(t1)", "2026-11-20T10:00:00Z");
	T("lower(nul)", "null");
	/* nested JSON */
	T("order.id", "7");
	T("order.id + 1", "8");
	T("order.who.name", "\xc3\x85sa");
	T("order.nope", "null");
	/* parse errors with positions */
	T("(1 + 2", "compile: 1:7: expected ')', found end of expression");
	T("1 +", "compile: 1:4: expected a value, found end of expression");
	T("a = 1", "compile: 1:3: unexpected '=' (did you mean '=='?)");
	T("a & b", "compile: 1:3: unexpected '&' (did you mean '&&'?)");
	T("foo(1)", "compile: 1:1: unknown function 'foo'");
	T("len(1, 2)", "compile: 1:1: len() takes 1 argument, not 2");
	T("'abc", "compile: 1:1: unterminated string");
	T("1 < 2 < 3", "compile: 1:7: comparisons do not chain: use && between them");
	T("n in 5", "compile: 1:6: 'in' needs a list: x in ['a', 'b']");
	T("5x", "compile: 1:1: not a duration: \"5x\" (expected e.g. 90s, 15m, 2h, 1d, 1w, 1h30m)");
	T("", "compile: 1:1: empty expression");
	T("1 2", "compile: 1:3: unexpected number after the expression");
	{
		/* 1,000-deep nesting: a clear error, no stack overflow. */
		struct pxr_buf b = { 0 };
		int i;

		for (i = 0; i < 1000; i++)
			pxr_buf_addc(&b, '(');
		pxr_buf_addc(&b, '1');
		for (i = 0; i < 1000; i++)
			pxr_buf_addc(&b, ')');
		CHECK(strstr(ev(b.p), "nested too deeply") != NULL,
		    "1000-deep nesting refused: %s", ev(b.p));
		pxr_buf_free(&b);
	}
	/* The catastrophic regex on 10,000 a's stops fast. */
	{
		struct pxr_buf b = { 0 };
		int i;

		for (i = 0; i < 10000; i++)
			pxr_buf_addc(&b, 'a');
		pxr_buf_addc(&b, 'b');
		field("many", PXR_STR, b.p);
		t0 = clock();
		CHECK(strstr(ev("many =~ '(a|aa)+$'"), "limit") != NULL,
		    "(a|aa)+$ on 10,000 a's hits a limit: %s",
		    ev("many =~ '(a|aa)+$'"));
		secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
		CHECK(secs < 5, "and returns (%.3f s for two runs)", secs);
		pxr_buf_free(&b);
	}
	{
		/* Calendar days in Europe/Stockholm keep the wall clock. */
		struct pxr_buf b = { 0 };
		int64_t t;

		pxr_time_parse("2026-03-28T12:00:00+01:00", 25, NULL, &t,
		    NULL, &e);
		pxr_time_format_tz(&b, pxr_time_add_days(env.tz, t, 1), env.tz);
		CHECK_STR(b.p, "2026-03-29T12:00:00+02:00", "spring: +1 day");
		pxr_buf_reset(&b);
		pxr_time_parse("2026-10-20T09:00:00+02:00", 25, NULL, &t,
		    NULL, &e);
		pxr_time_format_tz(&b, pxr_time_add_days(env.tz, t, 30),
		    env.tz);
		CHECK_STR(b.p, "2026-11-19T09:00:00+01:00", "autumn: +30 days");
		pxr_buf_reset(&b);
		pxr_time_parse("2026-03-28T02:30:00+01:00", 25, NULL, &t,
		    NULL, &e);
		pxr_time_format_tz(&b, pxr_time_add_days(env.tz, t, 1), env.tz);
		CHECK_STR(b.p, "2026-03-29T03:30:00+02:00",
		    "into the gap: later by the gap");
		pxr_buf_reset(&b);
		pxr_time_format_tz(&b, pxr_time_add_days(env.tz, t, -1), env.tz);
		CHECK_STR(b.p, "2026-03-27T02:30:00+01:00", "back a day");
		pxr_buf_free(&b);
	}
	/* Calendar days (d, w) and exact time (h, m, s) across both changes. */
	T("date('2026-10-20') + 30d", "2026-11-19");
	T("date('2026-03-05') + 30d - 1d", "2026-04-03");
	T("date('2026-03-05') + 1w * 4 + 2d", "2026-04-04");
	T("days(date('2026-03-30') - date('2026-03-28'))", "2");
	T("days(date('2026-10-26') - date('2026-10-24'))", "2");
	T("hours(time('2026-03-30') - time('2026-03-28'))", "47");
	T("time('2026-03-28T12:00') + 1d", "2026-03-29T10:00:00Z");
	T("time('2026-03-28T12:00') + 1d12h", "2026-03-29T22:00:00Z");
	T("time('2026-03-30T12:00') - 2d", "2026-03-28T11:00:00Z");
	T("-(2d) + time('2026-03-30T12:00')", "2026-03-28T11:00:00Z");
	T("date('2026-03-28') + 12h", "2026-03-28T11:00:00Z");
	T("time('2026-03-28T12:00') + 1d * 1.5", "2026-03-29T23:00:00Z");
	T("1d == 24h", "true");
	T("date('2026-03-05') + 9999999d", "error: integer overflow in time");
	builtins_match_man();
	pxr_rec_fini(&rec);
	pxr_arena_free(&arena);
	pxr_schema_free(sch);
	UNIT_END();
}
