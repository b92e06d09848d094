// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the scenario parser and compiler (scripts/runner): good
 * files compile to the expected guest steps, malformed files fail with the
 * exact file:line and what was expected.  Run with --tap.
 */
#include <string.h>
#include "scenario.h"

#define HDR "[scenario]\nrules = K6;R6\n"

static Scenario *load_ok(const char *text)
{
	g_autoptr(GError) err = NULL;
	Scenario *s = scn_load_data("t.scn", text, &err);

	g_assert_no_error(err);
	g_assert_nonnull(s);
	return s;
}

/* Parse @text expecting an error that starts with "t.scn:LINE: " and
 * contains @what. */
static void expect_error(const char *text, int line, const char *what)
{
	g_autoptr(GError) err = NULL;
	Scenario *s = scn_load_data("t.scn", text, &err);
	g_autofree char *prefix = g_strdup_printf("t.scn:%d: ", line);

	g_assert_null(s);
	g_assert_nonnull(err);
	if (!g_str_has_prefix(err->message, prefix) || !strstr(err->message, what))
		g_error("expected an error at line %d containing '%s', got: %s", line, what,
			err->message);
}

static void test_header(void)
{
	Scenario *s = load_ok("# comment\n[scenario]\nname = x-1\nrules = K2; H4,V1\n"
			      "timeout = 7\niterations = 3\ndevice = rate=1000\n"
			      "verifier = any\ndescription = a long\n  continued text\n"
			      "[sleep]\nms = 1\n");

	g_assert_cmpstr(s->name, ==, "x-1");
	g_assert_cmpint(g_strv_length(s->rules), ==, 3);
	g_assert_cmpstr(s->rules[1], ==, "H4");
	g_assert_cmpint(s->timeout_s, ==, 7);
	g_assert_cmpint(s->iterations, ==, 3);
	g_assert_cmpstr(s->device, ==, "rate=1000");
	g_assert_true(s->verifier_any);
	g_assert_true(s->leak_check);
	g_assert_cmpstr(s->description, ==, "a long continued text");
	g_assert_cmpint(s->steps->len, ==, 1);
	scn_free(s);
}

static void test_name_from_file(void)
{
	g_autoptr(GError) err = NULL;
	Scenario *s = scn_load_data("dir/cancel-x.scn", HDR "[sleep]\nms=1\n", &err);

	g_assert_no_error(err);
	g_assert_cmpstr(s->name, ==, "cancel-x");
	scn_free(s);
}

static void test_compile(void)
{
	Scenario *s = load_ok(HDR
		"[fault slow]\nchannel = 0\nmode = slow\nsticky = yes\nslow_rate = 1M\n"
		"[submit a]\ndir = m2m\nsize = 64K\nchannel = 0\nflags = sg|hold_program\nseed = 7\n"
		"[wait-bytes a]\nmin = 16K\n"
		"[cancel a]\n"
		"[wait a]\ntimeout_ms = 3000\nerror = ECANCELED\nbytes = partial\ndev_bytes = bytes\n"
		"[expect-stats]\nflushes = transfers\ncancelled = 1\n"
		"[shell]\ncmd = echo \"hi\" there\n");
	g_autofree char *out = scn_compile(s, "inst", 1, NULL);
	const char *want =
		"scenario name=\"inst\" timeout_ms=10000 verifier=clean leak_check=yes caller_errors=unchanged\n"
		"fault L=3 ch=0 mode=slow sticky=yes slow_rate=1M\n"
		"submit L=8 req=a dir=m2m len=64K channel=0 flags=sg|hold_program seed=7\n"
		"wait-bytes L=14 req=a min=16K\n"
		"cancel L=16 req=a\n"
		"wait L=17 req=a timeout=3000\n"
		"expect L=17 req=a error=ECANCELED bytes=partial dev_bytes=bytes\n"
		"expect-stats L=22 flushes=transfers cancelled=1\n"
		"shell L=25 cmd=\"echo \\\"hi\\\" there\"\n"
		"end\n";

	g_assert_nonnull(strstr(out, want));
	scn_free(s);
}

/* A wait that expects the WAIT ioctl itself to fail has no result to check. */
static void test_compile_wait_errno(void)
{
	Scenario *s = load_ok(HDR "[submit a]\nsize = 4K\nseed = 1\n[wait a]\nexpect_errno = EAGAIN\ntimeout_ms = 1\n");
	g_autofree char *out = scn_compile(s, "i", 1, NULL);

	g_assert_nonnull(strstr(out, "wait L=6 req=a expect=EAGAIN timeout=1\n"));
	g_assert_null(strstr(out, "expect L=6"));
	scn_free(s);
}

/* rand(A..B) is reproducible for a seed and stays in range */
static void test_rand(void)
{
	Scenario *s = load_ok(HDR "[sleep]\nus = rand(100..200)\n[submit a]\nsize = 4K\n");
	g_autofree char *a = scn_compile(s, "i", 42, NULL);
	g_autofree char *b = scn_compile(s, "i", 42, NULL);
	gboolean differs = FALSE;

	g_assert_cmpstr(a, ==, b);
	for (guint32 seed = 0; seed < 50; seed++) {
		g_autofree char *c = scn_compile(s, "i", seed, NULL);
		const char *p = strstr(c, "sleep L=3 us=");
		long v;

		g_assert_nonnull(p);
		v = strtol(p + 13, NULL, 10);
		g_assert_cmpint(v, >=, 100);
		g_assert_cmpint(v, <=, 200);
		if (strcmp(c, a))
			differs = TRUE;
	}
	g_assert_true(differs);
	/* a default data seed is drawn for every submit */
	g_assert_nonnull(strstr(a, "submit L=5 req=a len=4K seed="));
	scn_free(s);
}

static void test_host(void)
{
	Scenario *s = load_ok(HDR "[host]\naction = qom-set\nproperty = x-fault-mode\nvalue = 1\n");

	g_assert_true(s->needs_host);
	g_assert_false(s->needs_snapshot);
	scn_free(s);
	s = load_ok(HDR "[host]\naction = snapshot\n");
	g_assert_true(s->needs_snapshot);
	scn_free(s);
}

static void test_group_at(void)
{
	Scenario *s = load_ok(HDR "[submit a]\nsize = 4K\n\n[wait a]\nerror = 0\n");

	g_assert_cmpstr(scn_group_at(s, 4)->header, ==, "submit a");
	g_assert_cmpstr(scn_group_at(s, 7)->header, ==, "wait a");
	g_assert_cmpstr(scn_group_at(s, 99)->header, ==, "wait a");
	scn_free(s);
}

/* ---- malformed files: exact line and what was expected ------------------ */

static void test_err_lexer(void)
{
	expect_error("[scenario]\nrules = K1\n[sleep\nms = 1\n", 3, "expected ']'");
	expect_error("[scenario]\nrules = K1\njust words\n", 3, "expected '[group]' or 'key = value'");
	expect_error("rules = K1\n", 1, "before the first [group]");
	expect_error("[scenario]\nrules = K1\n[sleep]\nms = 1\nms = 2\n", 5, "key 'ms' repeats the one at line 4");
	expect_error("[scenario]\nrules = K1\n[sleep]\nms = 1\n[sleep]\nms = 2\n", 5,
		     "group [sleep] repeats the one at line 3");
	expect_error("[scenario]\nrules = K1\n\n  indented\n", 4, "unexpected indented line");
	expect_error("[scenario]\nrules = K1\n[]\n", 3, "empty group header");
	expect_error("[scenario]\nrules = K1\nbad key = 1\n", 3, "bad key name");
}

static void test_err_header(void)
{
	expect_error("[sleep]\nms = 1\n", 1, "expected a [scenario] group first");
	expect_error("[scenario]\nname = x\n[sleep]\nms = 1\n", 1, "has no 'rules' key");
	expect_error("[scenario]\nrules = K1;K11\n", 2, "'K11' is not a contract rule");
	expect_error("[scenario]\nrules = K1\ntimeout = 0\n", 3, "expected an integer in 1..600");
	expect_error("[scenario]\nrules = K1\nverifier = maybe\n", 3, "expected any or clean");
	expect_error("[scenario]\nrules = K1\ncolour = red\n", 3, "unknown key 'colour' in [scenario]");
	expect_error("[scenario]\nrules = K1\n", 1, "has no steps");
	expect_error("[scenario]\nrules = K1\nname = a b\n", 3, "name = 'a b'");
}

static void test_err_steps(void)
{
	expect_error(HDR "[frobnicate]\n", 3, "unknown step [frobnicate]: expected one of fault, submit");
	expect_error(HDR "[submit]\nsize = 4K\n", 3, "needs a request label: expected [submit LABEL]");
	expect_error(HDR "[submit a]\ndir = sideways\nsize = 4K\n", 4, "dir = 'sideways': expected m2m, m2p or p2m");
	expect_error(HDR "[submit a]\n", 3, "has no 'size' key");
	expect_error(HDR "[submit a]\nsize = 12Q\n", 4, "size = '12Q': expected a number");
	expect_error(HDR "[submit a]\nsize = 4K\nflags = sg|fast\n", 5, "flags joined by '|'");
	expect_error(HDR "[submit a]\nsize = 4K\ncolour = red\n", 5, "unknown key 'colour' in [submit a] (expected dir, size");
	expect_error(HDR "[wait b]\n", 3, "request 'b' is not submitted before this step");
	expect_error(HDR "[submit a]\nsize = 4K\n[wait a]\nerror = EWHAT\n", 6, "error = 'EWHAT': expected errno names");
	expect_error(HDR "[submit a]\nsize = 4K\n[wait a]\nbytes = lots\n", 6, "bytes = 'lots': expected N, A..B");
	expect_error(HDR "[submit a]\nsize = 4K\n[wait a]\npath = teleport\n", 6, "path = 'teleport'");
	expect_error(HDR "[fault]\nchannel = 0\n", 3, "has no 'mode' key");
	expect_error(HDR "[fault]\nmode = slow|melt\n", 4, "faults joined by '|'");
	expect_error(HDR "[sleep]\n", 3, "needs ms = N or us = N");
	expect_error(HDR "[sleep]\nus = rand(1..)\n", 4, "rand(A..B)");
	expect_error(HDR "[expect-stats]\nflushes = lots\n", 4, "or another counter's name");
	expect_error(HDR "[expect-stats]\nwidgets = 1\n", 4, "unknown key 'widgets'");
	expect_error(HDR "[expect-verifier]\ntotal = x\n", 4, "total = 'x'");
	expect_error(HDR "[host]\naction = reboot\n", 4, "expected qom-set, qom-get, qmp, pause or snapshot");
	expect_error(HDR "[host]\naction = qom-set\nproperty = x\n", 3, "needs property and value");
	expect_error(HDR "[poke]\nregister = nowhere\nvalue = 1\n", 4, "register = 'nowhere'");
	expect_error(HDR "[cancel]\n", 3, "needs a request label or id = N");
}

/* The repository's own files: the catalogue parses; the malformed
 * selftest file fails at its documented line. */
static void test_files(void)
{
	const char *dir = g_getenv("SCENARIO_DIR");
	g_autoptr(GError) err = NULL;
	g_autofree char *mal = NULL;
	g_autoptr(GDir) d = NULL;
	const char *n;
	int count = 0;

	if (!dir) {
		g_test_skip("SCENARIO_DIR not set");
		return;
	}
	d = g_dir_open(dir, 0, &err);
	g_assert_no_error(err);
	while ((n = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, n, NULL);
		g_autoptr(GError) e = NULL;
		Scenario *s;

		if (!g_str_has_suffix(n, ".scn"))
			continue;
		s = scn_load_file(p, &e);
		g_assert_no_error(e);
		g_free(scn_compile(s, s->name, 1, NULL));
		scn_free(s);
		count++;
	}
	g_assert_cmpint(count, >=, 10);
	mal = g_build_filename(dir, "selftest", "malformed.scn", NULL);
	{
		g_autoptr(GError) e = NULL;
		g_autofree char *want = g_strdup_printf("%s:9: [wait] needs a request label", mal);

		g_assert_null(scn_load_file(mal, &e));
		g_assert_nonnull(e);
		g_assert_true(g_str_has_prefix(e->message, want));
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/scenario/header", test_header);
	g_test_add_func("/scenario/name-from-file", test_name_from_file);
	g_test_add_func("/scenario/compile", test_compile);
	g_test_add_func("/scenario/compile-wait-errno", test_compile_wait_errno);
	g_test_add_func("/scenario/rand", test_rand);
	g_test_add_func("/scenario/host", test_host);
	g_test_add_func("/scenario/group-at", test_group_at);
	g_test_add_func("/scenario/errors/lexer", test_err_lexer);
	g_test_add_func("/scenario/errors/header", test_err_header);
	g_test_add_func("/scenario/errors/steps", test_err_steps);
	g_test_add_func("/scenario/files", test_files);
	return g_test_run();
}
