// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma-run: run sysdma scenarios (tests/scenarios/NAME.scn) in QEMU guests.
 *
 *   sysdma-run [options] [FILE.scn|DIR ...]
 *
 * Parses and validates the scenarios, compiles them into guest steps for
 * `sysdmactl run`, boots one VM per shard (scripts/boot) that runs them all,
 * and reports: pass/fail per scenario, failures with expected vs actual and
 * the logs, a rule coverage table, TAP (--tap) and JUnit (--junit).
 * Exit status: 0 all passed, 1 a scenario failed, 2 bad usage or a
 * malformed scenario, 3 no VM could run a scenario.
 * Format and usage: tests/scenarios/README.md.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "run.h"

static char **filters;
static int opt_seed = -1, opt_repeat = 1, opt_vm_timeout, opt_jobs = 2;
static int opt_time_scale = 1;
static char *opt_shard, *opt_junit, *opt_trace, *opt_initrd, *opt_kernel;
static char **opt_check_log;
static gboolean opt_list_instances, opt_no_timeline;
static char *opt_timeline;
static gboolean opt_list, opt_tap, opt_verbose, opt_keep, opt_compile, opt_check;

static GOptionEntry entries[] = {
	{ "list", 'l', 0, G_OPTION_ARG_NONE, &opt_list, "List the scenarios (name, rules, file) and exit", NULL },
	{ "list-instances", 0, 0, G_OPTION_ARG_NONE, &opt_list_instances, "Print the instances this run (or --shard) would run, one per line, and exit", NULL },
	{ "timeline", 0, 0, G_OPTION_ARG_FILENAME, &opt_timeline, "Write every instance's timeline (NAME.json trace events, NAME.html) and index.html into DIR (default: only failing ones, in the work dir)", "DIR" },
	{ "no-timeline", 0, 0, G_OPTION_ARG_NONE, &opt_no_timeline, "No device/driver traces and no timelines, not even for failures", NULL },
	{ "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters, "Only scenarios whose name matches GLOB (repeatable)", "GLOB" },
	{ "seed", 's', 0, G_OPTION_ARG_INT, &opt_seed, "Seed of the random values (default: random, printed)", "N" },
	{ "repeat", 'r', 0, G_OPTION_ARG_INT, &opt_repeat, "Run every scenario N times (seeds N, N+1, ...)", "N" },
	{ "shard", 0, 0, G_OPTION_ARG_STRING, &opt_shard, "Run only shard I of N (1-based), e.g. 2/3", "I/N" },
	{ "jobs", 'j', 0, G_OPTION_ARG_INT, &opt_jobs, "VMs running at the same time when the selection needs several (default 2)", "N" },
	{ "tap", 0, 0, G_OPTION_ARG_NONE, &opt_tap, "TAP on stdout (meson test protocol: tap)", NULL },
	{ "junit", 0, 0, G_OPTION_ARG_FILENAME, &opt_junit, "Write a JUnit XML report", "FILE" },
	{ "trace", 't', 0, G_OPTION_ARG_STRING, &opt_trace, "QEMU trace events (e.g. 'sysdma_*'), shown on failure", "PATTERN" },
	{ "initrd", 0, 0, G_OPTION_ARG_FILENAME, &opt_initrd, "Base initramfs (default $SYSDMA_BUILD/initramfs.cpio.gz)", "FILE" },
	{ "kernel", 0, 0, G_OPTION_ARG_FILENAME, &opt_kernel, "Guest kernel, vmlinux or bzImage (default: Debian's, from set-up)", "FILE" },
	{ "vm-timeout", 0, 0, G_OPTION_ARG_INT, &opt_vm_timeout, "Hard limit per VM in seconds (default: sum of the scenario timeouts + 30)", "S" },
	{ "compile", 0, 0, G_OPTION_ARG_NONE, &opt_compile, "Print the compiled guest steps and exit", NULL },
	{ "check", 0, 0, G_OPTION_ARG_NONE, &opt_check, "Only parse and validate the scenarios", NULL },
	{ "time-scale", 0, 0, G_OPTION_ARG_INT, &opt_time_scale, "Multiply every scenario timeout (and the VM limits) by N: slow guests (debug kernels, sanitized QEMU)", "N" },
	{ "check-log", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_check_log, "Only scan FILE (a kernel log or console, repeatable) for kernel problem reports; print them, exit 1 if any", "FILE" },
	{ "keep", 'k', 0, G_OPTION_ARG_NONE, &opt_keep, "Keep the work dir (steps, results, console per VM)", NULL },
	{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "Show the boot commands and host actions", NULL },
	{ NULL },
};

/*
 * --check-log: the runner's own detector (report_kernel_problem) for logs
 * of boots it did not run itself (the acceptance and stress tests under
 * the debug kernels).  Exit 0: clean, 1: problems (printed), 2: unreadable.
 */
static int check_logs(char **files)
{
	int found = 0;

	for (int f = 0; files[f]; f++) {
		g_autofree char *text = NULL;
		g_auto(GStrv) lines = NULL;
		g_autoptr(GError) err = NULL;

		if (!g_file_get_contents(files[f], &text, NULL, &err)) {
			g_printerr("sysdma-run: --check-log: %s\n", err->message);
			return 2;
		}
		lines = g_strsplit(text, "\n", -1);
		for (int i = 0; lines[i]; i++) {
			g_strdelimit(lines[i], "\r", ' ');
			if (report_kernel_problem(lines[i])) {
				printf("%s:%d: %s\n", files[f], i + 1, lines[i]);
				found++;
			}
		}
	}
	if (found)
		printf("sysdma-run: %d kernel problem line(s)\n", found);
	return found ? 1 : 0;
}

static char *find_top(const char *argv0)
{
	const char *env = g_getenv("SYSDMA_TOP");
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	char *d;

	if (env)
		return g_strdup(env);
#ifdef SYSDMA_SRCDIR
	if (g_file_test(SYSDMA_SRCDIR "/scripts/boot", G_FILE_TEST_EXISTS))
		return g_strdup(SYSDMA_SRCDIR);
#endif
	/* walk up from the binary (or argv[0]) to a dir with scripts/boot */
	d = g_path_get_dirname(exe ? exe : argv0);
	while (strcmp(d, "/") && strcmp(d, ".")) {
		g_autofree char *b = g_build_filename(d, "scripts", "boot", NULL);
		char *up;

		if (g_file_test(b, G_FILE_TEST_EXISTS))
			return d;
		up = g_path_get_dirname(d);
		g_free(d);
		d = up;
	}
	g_free(d);
	return g_get_current_dir();
}

static char *find_build(const char *top)
{
	const char *env = g_getenv("SYSDMA_BUILD");

	if (env)
		return g_strdup(env);
#ifdef SYSDMA_BUILDDIR
	(void)top;
	return g_strdup(SYSDMA_BUILDDIR);
#else
	return g_build_filename(top, "build", NULL);
#endif
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Scenario files from the arguments: files as given, dirs -> DIR/ *.scn */
static gboolean collect(const char *arg, GPtrArray *files)
{
	if (g_file_test(arg, G_FILE_TEST_IS_DIR)) {
		g_autoptr(GDir) d = g_dir_open(arg, 0, NULL);
		const char *n;
		GPtrArray *v = g_ptr_array_new();

		if (!d)
			return FALSE;
		while ((n = g_dir_read_name(d)))
			if (g_str_has_suffix(n, ".scn"))
				g_ptr_array_add(v, g_build_filename(arg, n, NULL));
		g_ptr_array_sort(v, cmp_str);
		for (guint i = 0; i < v->len; i++)
			g_ptr_array_add(files, g_ptr_array_index(v, i));
		g_ptr_array_free(v, TRUE);
		return TRUE;
	}
	if (!g_file_test(arg, G_FILE_TEST_EXISTS)) {
		g_printerr("sysdma-run: %s: no such file or directory\n", arg);
		return FALSE;
	}
	g_ptr_array_add(files, g_strdup(arg));
	return TRUE;
}

static gboolean selected(const Scenario *s)
{
	if (!filters)
		return TRUE;
	for (int i = 0; filters[i]; i++)
		if (g_pattern_match_simple(filters[i], s->name))
			return TRUE;
	return FALSE;
}

static guint32 mix(guint32 seed, const char *name, int k)
{
	guint32 h = g_str_hash(name) ^ (seed * 2654435761u) ^ ((guint32)k * 0x85ebca6bu);

	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	return h;
}

/*
 * Scenarios share a VM when they need the same boot (device properties,
 * kernel command line).  One that snapshots the VM gets a VM of its own.
 */
static char *group_key(Instance *in)
{
	return g_strdup_printf("%s\n%s\n%s", in->scn->device, in->scn->append,
			       in->scn->needs_snapshot ? in->name : "");
}

typedef struct {
	RunConfig *cfg;
	GPtrArray *instances;
	int *vms;
	double *vm_seconds;
	int infra;
} Job;

static void run_job(gpointer data, gpointer user)
{
	Job *j = data;
	Instance *first = g_ptr_array_index(j->instances, 0);

	(void)user;
	j->infra = vm_run_group(j->cfg, j->instances, first->scn->device,
				first->scn->append, j->vms, j->vm_seconds) != 0;
}

static int job_cost(const Job *j)
{
	int t = 0;

	for (guint i = 0; i < j->instances->len; i++)
		t += ((Instance *)g_ptr_array_index(j->instances, i))->scn->timeout_s;
	return t + (int)j->instances->len * 10;
}

static gint cmp_jobs(gconstpointer a, gconstpointer b)
{
	return job_cost(*(Job *const *)b) - job_cost(*(Job *const *)a);
}

static char *replay_cmd(const char *argv0, RunConfig *cfg, Instance *in)
{
	return g_strdup_printf("SYSDMA_BUILD=%s %s%s%s%s%s --seed %u --filter '%s' %s", cfg->build,
			       argv0, cfg->initrd ? " --initrd " : "", cfg->initrd ? cfg->initrd : "",
			       cfg->kernel ? " --kernel " : "", cfg->kernel ? cfg->kernel : "",
			       in->run_seed, in->scn->name, in->scn->path);
}

int main(int argc, char **argv)
{
	g_autoptr(GOptionContext) oc = g_option_context_new("[FILE.scn|DIR ...]");
	g_autoptr(GError) err = NULL;
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) scns = g_ptr_array_new();
	g_autoptr(GPtrArray) insts = g_ptr_array_new();
	g_autoptr(GPtrArray) mine = g_ptr_array_new();
	g_autoptr(GPtrArray) group_keys = g_ptr_array_new_with_free_func(g_free);
	RunConfig cfg = { 0 };
	int shard_i = 1, shard_n = 1, bad = 0, vms = 0, infra = 0, failed = 0;
	guint32 seed;
	gint64 t0 = g_get_monotonic_time();
	double vm_seconds = 0, secs;
	FILE *out;

	/* a VM that goes away must not kill us through a socket write */
	signal(SIGPIPE, SIG_IGN);
	g_option_context_add_main_entries(oc, entries, NULL);
	g_option_context_set_summary(oc,
		"Run sysdma scenarios in QEMU guests (one VM per shard).\n"
		"Default scenarios: tests/scenarios/*.scn of the source tree.\n"
		"Environment: SYSDMA_BUILD (build dir), SYSDMA_TOP (source tree).");
	if (!g_option_context_parse(oc, &argc, &argv, &err)) {
		g_printerr("sysdma-run: %s\n(see sysdma-run --help)\n", err->message);
		return 2;
	}
	if (opt_time_scale < 1 || opt_time_scale > 20) {
		g_printerr("sysdma-run: --time-scale wants 1..20\n");
		return 2;
	}
	if (opt_repeat < 1) {
		g_printerr("sysdma-run: --repeat wants N >= 1\n");
		return 2;
	}
	if (opt_shard && (sscanf(opt_shard, "%d/%d", &shard_i, &shard_n) != 2 ||
			  shard_n < 1 || shard_i < 1 || shard_i > shard_n)) {
		g_printerr("sysdma-run: --shard '%s': expected I/N with 1 <= I <= N\n", opt_shard);
		return 2;
	}
	if (opt_check_log)
		return check_logs(opt_check_log);
	cfg.top = find_top(argv[0]);
	cfg.build = find_build(cfg.top);
	cfg.initrd = opt_initrd;
	cfg.kernel = opt_kernel;
	cfg.trace = opt_trace;
	cfg.vm_timeout = opt_vm_timeout;
	cfg.time_scale = opt_time_scale;
	cfg.verbose = opt_verbose;
	cfg.traced = !opt_no_timeline;
	cfg.timeline_dir = opt_timeline;
	if (opt_timeline && opt_no_timeline) {
		g_printerr("sysdma-run: --timeline and --no-timeline exclude each other\n");
		return 2;
	}
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (!collect(argv[i], files))
				return 2;
	} else {
		g_autofree char *d = g_build_filename(cfg.top, "tests", "scenarios", NULL);

		if (!collect(d, files))
			return 2;
	}
	for (guint i = 0; i < files->len; i++) {
		g_autoptr(GError) e = NULL;
		Scenario *s = scn_load_file(g_ptr_array_index(files, i), &e);

		if (!s) {
			g_printerr("sysdma-run: %s\n", e->message);
			bad++;
			continue;
		}
		for (guint j = 0; j < scns->len; j++)
			if (!strcmp(((Scenario *)g_ptr_array_index(scns, j))->name, s->name)) {
				g_printerr("sysdma-run: %s: scenario name '%s' already used by %s\n",
					   s->path, s->name,
					   ((Scenario *)g_ptr_array_index(scns, j))->path);
				bad++;
			}
		if (selected(s))
			g_ptr_array_add(scns, s);
		else
			scn_free(s);
	}
	if (bad)
		return 2;
	if (opt_list) {
		for (guint i = 0; i < scns->len; i++) {
			Scenario *s = g_ptr_array_index(scns, i);
			g_autofree char *r = g_strjoinv(";", s->rules);

			printf("%-34s %-22s %s%s\n", s->name, r, s->path,
			       s->iterations > 1 ? g_strdup_printf(" (x%d)", s->iterations) : "");
		}
		return 0;
	}
	if (opt_check) {
		printf("%u scenario(s) OK\n", scns->len);
		return 0;
	}
	if (!scns->len) {
		g_printerr("sysdma-run: no scenario selected\n");
		return 2;
	}
	seed = opt_seed >= 0 ? (guint32)opt_seed : g_random_int() & 0x7fffffff;

	/* instances: scenario x repeat x iterations */
	for (guint i = 0; i < scns->len; i++) {
		Scenario *s = g_ptr_array_index(scns, i);
		int total = opt_repeat * s->iterations;

		s->timeout_s *= opt_time_scale;

		for (int r = 0; r < opt_repeat; r++)
			for (int k = 0; k < s->iterations; k++) {
				Instance *in = g_new0(Instance, 1);
				int idx = r * s->iterations + k;

				in->scn = s;
				in->name = total > 1 ? g_strdup_printf("%s#%d", s->name, idx)
						     : g_strdup(s->name);
				in->run_seed = seed + (guint32)r;
				in->seed = mix(in->run_seed, s->name, k);
				in->iteration = idx;
				in->fails = g_ptr_array_new_with_free_func(g_free);
				in->log = g_ptr_array_new_with_free_func(g_free);
				in->kernel = g_ptr_array_new_with_free_func(g_free);
				in->kproblems = g_ptr_array_new_with_free_func(g_free);
				in->channel = -1;
				in->steps = scn_compile(s, in->name, in->seed, NULL);
				g_ptr_array_add(insts, in);
			}
	}
	for (guint i = 0; i < insts->len; i++)
		if ((int)(i % (guint)shard_n) == shard_i - 1)
			g_ptr_array_add(mine, g_ptr_array_index(insts, i));
	if (opt_list_instances) {
		for (guint i = 0; i < mine->len; i++)
			printf("%s\n", ((Instance *)g_ptr_array_index(mine, i))->name);
		return 0;
	}
	if (opt_compile) {
		for (guint i = 0; i < mine->len; i++)
			fputs(((Instance *)g_ptr_array_index(mine, i))->steps, stdout);
		return 0;
	}
	out = opt_tap ? stderr : stdout;
	fprintf(out, "sysdma-run: %u scenario instance(s)%s, seed %u, build %s\n", mine->len,
		opt_shard ? g_strdup_printf(" (shard %d/%d)", shard_i, shard_n) : "", seed,
		cfg.build);
	if (!mine->len) {
		if (opt_tap)
			printf("TAP version 13\n1..0 # SKIP no scenario in this shard\n");
		return 0;
	}
	cfg.workdir = g_dir_make_tmp("sysdma-run-XXXXXX", &err);
	if (!cfg.workdir) {
		g_printerr("sysdma-run: %s\n", err->message);
		return 3;
	}

	cfg.fail_timeline_dir = g_build_filename(cfg.workdir, "timeline", NULL);
	/* one VM per distinct boot configuration (device properties, cmdline) */
	for (guint i = 0; i < mine->len; i++) {
		Instance *in = g_ptr_array_index(mine, i);
		char *key = group_key(in);

		if (!g_ptr_array_find_with_equal_func(group_keys, key, g_str_equal, NULL))
			g_ptr_array_add(group_keys, key);
		else
			g_free(key);
	}
	{
		g_autoptr(GPtrArray) jobs = g_ptr_array_new();

		for (guint i = 0; i < group_keys->len; i++) {
			const char *key = g_ptr_array_index(group_keys, i);
			Job *j = g_new0(Job, 1);

			j->cfg = &cfg;
			j->vms = &vms;
			j->vm_seconds = &vm_seconds;
			j->instances = g_ptr_array_new();
			for (guint k = 0; k < mine->len; k++) {
				Instance *in = g_ptr_array_index(mine, k);
				g_autofree char *ik = group_key(in);

				if (!strcmp(ik, key))
					g_ptr_array_add(j->instances, in);
			}
			g_ptr_array_add(jobs, j);
		}
		/* the longest first: it bounds the wall time */
		g_ptr_array_sort(jobs, cmp_jobs);
		if (opt_jobs < 1)
			opt_jobs = 1;
		{
			GThreadPool *pool = g_thread_pool_new(run_job, NULL, opt_jobs, TRUE, NULL);

			for (guint i = 0; i < jobs->len; i++)
				g_thread_pool_push(pool, g_ptr_array_index(jobs, i), NULL);
			g_thread_pool_free(pool, FALSE, TRUE);
		}
		for (guint i = 0; i < jobs->len; i++) {
			Job *j = g_ptr_array_index(jobs, i);

			if (j->infra)
				infra = 1;
			g_ptr_array_free(j->instances, TRUE);
			g_free(j);
		}
	}
	secs = (g_get_monotonic_time() - t0) / 1e6;

	if (opt_tap)
		printf("TAP version 13\n1..%u\n", mine->len);
	for (guint i = 0; i < mine->len; i++) {
		Instance *in = g_ptr_array_index(mine, i);
		g_autofree char *console = g_strdup_printf("%s/vm%d/console", cfg.workdir, in->vm);
		g_autofree char *replay = replay_cmd(argv[0], &cfg, in);

		if (in->status != ST_PASS)
			failed++;
		if (opt_tap)
			printf("%s %u - %s # %ld ms%s\n", in->status == ST_PASS ? "ok" : "not ok",
			       i + 1, in->name, in->ms,
			       in->status == ST_PASS ? "" : g_strdup_printf(" %s", status_name(in->status)));
		if (in->status != ST_PASS) {
			report_failure(opt_tap ? stdout : stderr, &cfg, in, console, replay);
			fflush(stdout);
		}
	}
	if (opt_junit)
		report_junit(opt_junit, mine, secs);
	if (cfg.traced && (opt_timeline || failed)) {
		const char *dir = opt_timeline ? opt_timeline : cfg.fail_timeline_dir;

		timeline_write_index(dir, mine, secs);
		fprintf(out, "timeline: %s/index.html\n", dir);
	}
	report_summary(out, mine, scns, secs, vms, vm_seconds);
	if (failed)
		fprintf(out, "seed %u: replay a failure with the 'replay:' command shown with it\n",
			seed);
	if (opt_keep || failed)
		fprintf(out, "work dir (steps, results, console per VM): %s\n", cfg.workdir);
	if (!opt_keep && !failed) {
		g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", cfg.workdir);

		if (system(cmd) != 0)
			g_printerr("sysdma-run: could not remove %s\n", cfg.workdir);
	}
	if (infra && failed == (int)mine->len)
		return 3;
	return failed ? 1 : 0;
}
