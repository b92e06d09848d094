// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma-run: the VM driver.
 *
 * One VM (scripts/boot) runs a whole list of scenario instances: their
 * compiled steps are concatenated into /scenario/steps and the guest runs
 * `sysdmactl run /scenario/steps`, results on the second serial port.  If the
 * VM dies in the middle (oops=panic, timeout), the instance that was running
 * is marked crashed and a fresh VM runs the rest.
 *
 * Host actions: scenarios with [host] steps get a third serial port (the
 * guest's ttyS2) connected to a unix socket we listen on.  The guest writes
 * "@@host L=N action=... ..." there and blocks until we answer "@@ack ok" or
 * "@@ack fail WHY" after doing the action over QMP.  action=snapshot saves the
 * running VM to a file (migrate), ends that QEMU and restores the state in a
 * new one (-incoming), then answers the guest from the new QEMU.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <gio/gio.h>
#include "qmp.h"
#include "run.h"

typedef struct {
	RunConfig *cfg;
	char *ctl_path;
	char *qmp_path;
	char *snap_path;
	int listen_fd;
	int conn_fd;
	Qmp *qmp;
	GMutex lock;
	GCond cond;
	gboolean stop;
	gboolean snapshot_done;	/* state saved: the current QEMU must end */
	gboolean restarted;	/* new QEMU up: answer the guest */
	GThread *thread;
	GString *log;		/* host action log, for reports */
} Ctl;

/* VMs of different groups may run in parallel (--jobs) */
G_LOCK_DEFINE_STATIC(vm_stats);

/* ---- small socket helpers ---------------------------------------------- */

static int unix_listen(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	g_strlcpy(a.sun_path, path, sizeof(a.sun_path));
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 2)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Read one line (without \n); -1 on EOF/timeout. */
static int read_line(int fd, GString *out, int timeout_ms)
{
	g_string_truncate(out, 0);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char c;
		int r = poll(&p, 1, timeout_ms);

		if (r <= 0)
			return -1;
		r = (int)read(fd, &c, 1);
		if (r <= 0)
			return -1;
		if (c == '\n')
			return 0;
		if (c != '\r')
			g_string_append_c(out, c);
	}
}

static gboolean write_all(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return FALSE;
		s += w;
		n -= (size_t)w;
	}
	return TRUE;
}

/* ---- QMP ------------------------------------------------------------- */

/* Run a command; connect (greeting + capabilities) first if needed. */
static JsonNode *qmp_cmd(Ctl *c, const char *execute, JsonNode *args, char **error)
{
	g_autoptr(GError) err = NULL;
	JsonNode *r;

	if (!c->qmp) {
		c->qmp = qmp_connect(c->qmp_path, 5000, &err);
		if (!c->qmp) {
			if (args)
				json_node_unref(args);
			*error = g_strdup(err->message);
			return NULL;
		}
	}
	r = qmp_execute(c->qmp, execute, args, 10000, &err);
	if (!r)
		*error = g_strdup(err->message);
	return r;
}

static void qmp_drop(Ctl *c)
{
	qmp_close(c->qmp);
	c->qmp = NULL;
}

/* A qom-set value: numbers and booleans as JSON literals, else a string. */
static JsonNode *json_value(const char *v)
{
	JsonNode *n = json_node_new(JSON_NODE_VALUE);
	gint64 i;
	char *end;

	if (!strcmp(v, "true") || !strcmp(v, "false")) {
		json_node_set_boolean(n, !strcmp(v, "true"));
		return n;
	}
	i = g_ascii_strtoll(v, &end, 10);
	if (*v && !*end)
		json_node_set_int(n, i);
	else
		json_node_set_string(n, v);
	return n;
}

/* A qom-get answer as text: a string as is, anything else as JSON. */
static char *json_text(JsonNode *n)
{
	if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING)
		return g_strdup(json_node_get_string(n));
	return qmp_node_to_string(n);
}

static JsonNode *qom_args(const char *path, const char *prop, JsonNode *value)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "path");
	json_builder_add_string_value(b, path);
	json_builder_set_member_name(b, "property");
	json_builder_add_string_value(b, prop);
	if (value) {
		json_builder_set_member_name(b, "value");
		json_builder_add_value(b, value);
	}
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

/* Parse the k="v" pairs of a guest "@@host" line. */
static GHashTable *parse_kv(const char *s)
{
	GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

	while (*s) {
		const char *eq, *k;
		GString *v = g_string_new("");

		while (*s == ' ')
			s++;
		k = s;
		eq = strchr(s, '=');
		if (!eq) {
			g_string_free(v, TRUE);
			break;
		}
		s = eq + 1;
		if (*s == '"') {
			s++;
			while (*s && *s != '"') {
				if (*s == '\\' && s[1])
					s++;
				g_string_append_c(v, *s++);
			}
			if (*s)
				s++;
		} else {
			while (*s && *s != ' ')
				g_string_append_c(v, *s++);
		}
		g_hash_table_insert(h, g_strndup(k, eq - k), g_string_free(v, FALSE));
	}
	return h;
}

static char *do_action(Ctl *c, GHashTable *kv, gboolean *defer)
{
	const char *action = g_hash_table_lookup(kv, "action");
	const char *path = g_hash_table_lookup(kv, "path");
	g_autoptr(JsonNode) reply = NULL;
	g_autofree char *error = NULL;

	if (!action)
		return g_strdup("fail no action");
	if (!path)
		path = "/machine/peripheral/sysdma0";
	if (!strcmp(action, "qom-set") || !strcmp(action, "qom-get")) {
		const char *prop = g_hash_table_lookup(kv, "property");

		if (!prop)
			prop = "";
		if (!strcmp(action, "qom-set")) {
			const char *v = g_hash_table_lookup(kv, "value");

			reply = qmp_cmd(c, "qom-set", qom_args(path, prop, json_value(v ? v : "")),
					&error);
		} else {
			reply = qmp_cmd(c, "qom-get", qom_args(path, prop, NULL), &error);
		}
		if (!reply)
			return g_strdup_printf("fail %s", error);
		if (!strcmp(action, "qom-get")) {
			const char *want = g_hash_table_lookup(kv, "expect");
			g_autofree char *got = json_text(reply);

			if (want && strcmp(want, got))
				return g_strdup_printf("fail qom-get %s.%s: expected %s, got %s",
						       path, prop, want, got);
			return g_strdup_printf("ok %s", got);
		}
		return g_strdup("ok");
	}
	if (!strcmp(action, "qmp")) {
		const char *cmd = g_hash_table_lookup(kv, "command");
		g_autoptr(GError) err = NULL;
		g_autofree char *text = NULL;

		if (!c->qmp) {
			c->qmp = qmp_connect(c->qmp_path, 5000, &err);
			if (!c->qmp)
				return g_strdup_printf("fail %s", err->message);
		}
		reply = qmp_execute_json(c->qmp, cmd ? cmd : "", 10000, &err);
		if (!reply)
			return g_strdup_printf("fail %s", err->message);
		text = qmp_node_to_string(reply);
		return g_strdup_printf("ok %s", text);
	}
	if (!strcmp(action, "pause")) {
		const char *ms = g_hash_table_lookup(kv, "ms");
		g_autoptr(JsonNode) r2 = NULL;

		reply = qmp_cmd(c, "stop", NULL, &error);
		if (!reply)
			return g_strdup_printf("fail %s", error);
		g_usleep(g_ascii_strtoull(ms ? ms : "0", NULL, 10) * 1000);
		r2 = qmp_cmd(c, "cont", NULL, &error);
		if (!r2)
			return g_strdup_printf("fail %s", error);
		return g_strdup("ok");
	}
	if (!strcmp(action, "snapshot")) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		g_autoptr(JsonNode) r2 = NULL;
		g_autofree char *uri = g_strdup_printf("file:%s", c->snap_path);
		gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "uri");
		json_builder_add_string_value(b, uri);
		json_builder_end_object(b);
		unlink(c->snap_path);
		/* stop first: the transfer freezes exactly where it is */
		reply = qmp_cmd(c, "stop", NULL, &error);
		if (!reply)
			return g_strdup_printf("fail snapshot: %s", error);
		r2 = qmp_cmd(c, "migrate", json_builder_get_root(b), &error);
		if (!r2)
			return g_strdup_printf("fail snapshot: %s", error);
		for (;;) {
			g_autoptr(JsonNode) m = qmp_cmd(c, "query-migrate", NULL, &error);
			const char *st;

			if (!m)
				return g_strdup_printf("fail snapshot: %s", error);
			st = JSON_NODE_HOLDS_OBJECT(m) ? obj_str(json_node_get_object(m), "status") : NULL;
			if (!g_strcmp0(st, "completed"))
				break;
			if (!st || !strcmp(st, "failed") || g_get_monotonic_time() > end) {
				g_autofree char *t = qmp_node_to_string(m);

				return g_strdup_printf("fail snapshot: migration %s", t);
			}
			g_usleep(20000);
		}
		/* End this QEMU; the main thread restores the state in a new
		 * one and we answer the guest from there.  QEMU may close the
		 * connection before it answers quit. */
		g_clear_pointer(&error, g_free);
		g_clear_pointer(&reply, json_node_unref);
		reply = qmp_cmd(c, "quit", NULL, &error);
		qmp_drop(c);
		*defer = TRUE;
		return g_strdup("ok restored");
	}
	return g_strdup_printf("fail unknown action %s", action);
}

static gpointer ctl_thread(gpointer data)
{
	Ctl *c = data;
	g_autoptr(GString) line = g_string_new("");

	while (!c->stop) {
		struct pollfd p = { .fd = c->conn_fd >= 0 ? c->conn_fd : c->listen_fd,
				    .events = POLLIN };

		if (poll(&p, 1, 100) <= 0)
			continue;
		if (c->conn_fd < 0) {
			c->conn_fd = accept(c->listen_fd, NULL, NULL);
			continue;
		}
		if (read_line(c->conn_fd, line, 1000)) {
			close(c->conn_fd);
			c->conn_fd = -1;
			continue;
		}
		if (g_str_has_prefix(line->str, "@@host ")) {
			g_autoptr(GHashTable) kv = parse_kv(line->str + 7);
			gboolean defer = FALSE;
			g_autofree char *ans = do_action(c, kv, &defer);
			g_autofree char *msg = NULL;

			g_string_append_printf(c->log, "host: %s -> %s\n", line->str + 7, ans);
			if (defer) {
				/* wait for the restored QEMU to connect */
				close(c->conn_fd);
				c->conn_fd = -1;
				g_mutex_lock(&c->lock);
				c->snapshot_done = TRUE;
				g_cond_broadcast(&c->cond);
				while (!c->restarted && !c->stop)
					g_cond_wait(&c->cond, &c->lock);
				c->restarted = FALSE;
				g_mutex_unlock(&c->lock);
				while (!c->stop && c->conn_fd < 0) {
					struct pollfd q = { .fd = c->listen_fd, .events = POLLIN };

					if (poll(&q, 1, 100) > 0)
						c->conn_fd = accept(c->listen_fd, NULL, NULL);
				}
				if (c->stop)
					break;
				/* answer only once the restored guest runs: bytes sent
				 * while the state loads would be overwritten */
				for (int i = 0; i < 500 && !c->stop; i++) {
					g_autofree char *e = NULL;
					g_autoptr(JsonNode) r = qmp_cmd(c, "query-status", NULL, &e);
					JsonObject *o = r && JSON_NODE_HOLDS_OBJECT(r) ?
						json_node_get_object(r) : NULL;

					if (o) {
						g_autofree char *e2 = NULL;
						g_autoptr(JsonNode) r2 = NULL;

						if (json_object_get_boolean_member_with_default(o, "running", FALSE))
							break;
						/* saved while stopped: restored paused */
						if (!g_strcmp0(obj_str(o, "status"), "paused"))
							r2 = qmp_cmd(c, "cont", NULL, &e2);
					} else if (c->qmp) {
						/* a protocol error: start over on a new connection */
						qmp_drop(c);
					}
					if (!c->qmp)
						g_usleep(20000);
					else
						g_usleep(10000);
				}
			}
			msg = g_strdup_printf("@@ack %s\n", ans);
			write_all(c->conn_fd, msg);
		}
	}
	return NULL;
}

/* ---- boot ------------------------------------------------------------ */

static GSubprocess *spawn_boot(RunConfig *cfg, Ctl *ctl, const char *steps,
			       const char *results, const char *console,
			       const char *bootlog, const char *device,
			       const char *append, int timeout, gboolean incoming,
			       GError **err)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GSubprocessLauncher) l =
		g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_INHERIT);
	g_autofree char *boot = g_build_filename(cfg->top, "scripts", "boot", NULL);
	g_autofree char *dev = NULL;

	dev = *device ? g_strdup_printf("id=sysdma0,%s", device) : g_strdup("id=sysdma0");
	g_ptr_array_add(argv, g_strdup(boot));
	g_ptr_array_add(argv, g_strdup("--add"));
	g_ptr_array_add(argv, g_strdup_printf("%s:/scenario/steps", steps));
	g_ptr_array_add(argv, g_strdup("--run"));
	g_ptr_array_add(argv, g_strdup("sysdmactl run /scenario/steps"));
	g_ptr_array_add(argv, g_strdup("--results"));
	g_ptr_array_add(argv, g_strdup(results));
	g_ptr_array_add(argv, g_strdup("--console"));
	g_ptr_array_add(argv, g_strdup(console));
	g_ptr_array_add(argv, g_strdup("--device"));
	g_ptr_array_add(argv, g_strdup(dev));
	g_ptr_array_add(argv, g_strdup("--append"));
	g_ptr_array_add(argv, g_strdup_printf("iomem=relaxed %s", append));
	g_ptr_array_add(argv, g_strdup("--timeout"));
	g_ptr_array_add(argv, g_strdup_printf("%d", timeout));
	g_ptr_array_add(argv, g_strdup("--qmp"));
	g_ptr_array_add(argv, g_strdup(ctl->qmp_path));
	if (cfg->kernel) {
		g_ptr_array_add(argv, g_strdup("--kernel"));
		g_ptr_array_add(argv, g_strdup(cfg->kernel));
	}
	if (cfg->initrd) {
		g_ptr_array_add(argv, g_strdup("--initrd"));
		g_ptr_array_add(argv, g_strdup(cfg->initrd));
	}
	if (ctl->ctl_path || incoming)
		g_ptr_array_add(argv, g_strdup("--"));
	if (ctl->ctl_path) {
		g_ptr_array_add(argv, g_strdup("-chardev"));
		g_ptr_array_add(argv, g_strdup_printf("socket,id=sysdmahost,path=%s,server=off",
						      ctl->ctl_path));
		g_ptr_array_add(argv, g_strdup("-serial"));
		g_ptr_array_add(argv, g_strdup("chardev:sysdmahost"));
	}
	if (incoming) {
		g_ptr_array_add(argv, g_strdup("-incoming"));
		g_ptr_array_add(argv, g_strdup_printf("file:%s", ctl->snap_path));
	}
	g_ptr_array_add(argv, NULL);
	g_subprocess_launcher_setenv(l, "SYSDMA_BUILD", cfg->build, TRUE);
	if (cfg->trace || cfg->traced)
		g_subprocess_launcher_setenv(l, "SYSDMA_TRACE", cfg->trace ? cfg->trace : "sysdma_*",
					     TRUE);
	if (cfg->traced) {
		/* the device's trace into its own file; the driver's tracepoints */
		g_autofree char *tf = g_strconcat(results, ".qemu-trace", NULL);

		g_subprocess_launcher_setenv(l, "SYSDMA_TRACE_FILE", tf, TRUE);
		g_ptr_array_insert(argv, 1, g_strdup("--trace-driver"));
	}
	g_subprocess_launcher_set_stdout_file_path(l, bootlog);
	g_subprocess_launcher_set_stderr_file_path(l, bootlog);
	if (cfg->verbose) {
		g_autofree char *cmd = g_strjoinv(" ", (char **)argv->pdata);

		g_printerr("sysdma-run: %s\n", cmd);
	}
	return g_subprocess_launcher_spawnv(l, (const char *const *)argv->pdata, err);
}

static char *file_text(const char *path)
{
	char *s = NULL;

	if (!g_file_get_contents(path, &s, NULL, NULL))
		s = g_strdup("");
	return s;
}

static void append_file(const char *dst, const char *src)
{
	g_autofree char *a = file_text(dst), *b = file_text(src);
	g_autofree char *c = g_strconcat(a, b, NULL);

	g_file_set_contents(dst, c, -1, NULL);
}

/* The last lines of the console, with the kernel's oops if there is one. */
static char *console_excerpt(const char *console)
{
	g_autofree char *text = file_text(console);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	int n = (int)g_strv_length(lines), first = n > 40 ? n - 40 : 0;
	GString *o = g_string_new("");

	for (int i = 0; i < n; i++)
		if (report_kernel_problem(lines[i]) && i < first) {
			first = i > 2 ? i - 2 : 0;
			break;
		}
	if (n - first > 80)
		first = n - 80;
	for (int i = first; i < n; i++) {
		g_strdelimit(lines[i], "\r", ' ');
		g_string_append_printf(o, "    | %s\n", lines[i]);
	}
	return g_string_free(o, FALSE);
}

int vm_run_group(RunConfig *cfg, GPtrArray *instances, const char *device,
		 const char *append, int *vm_counter, double *vm_seconds)
{
	gboolean needs_host = FALSE;
	int boots = 0, infra = 0;

	for (guint i = 0; i < instances->len; i++) {
		Instance *in = g_ptr_array_index(instances, i);

		if (in->scn->needs_host)
			needs_host = TRUE;
	}
	while (boots < 4) {
		g_autoptr(GPtrArray) todo = g_ptr_array_new();
		g_autoptr(GString) steps = g_string_new("");
		g_autofree char *dir = NULL, *stepf = NULL, *results = NULL,
				*console = NULL, *bootlog = NULL;
		g_autoptr(GError) err = NULL;
		GSubprocess *p;
		Ctl ctl = { .cfg = cfg, .listen_fd = -1, .conn_fd = -1 };
		int timeout = 30 * MAX(cfg->time_scale, 1), vm = 0, st;
		gint64 t0;
		gboolean any_begun = FALSE;

		for (guint i = 0; i < instances->len; i++) {
			Instance *in = g_ptr_array_index(instances, i);

			if (in->status == ST_NOTRUN) {
				g_ptr_array_add(todo, in);
				g_string_append(steps, in->steps);
				timeout += in->scn->timeout_s + 2;
			}
		}
		if (!todo->len)
			break;
		boots++;
		G_LOCK(vm_stats);
		vm = (*vm_counter)++;
		G_UNLOCK(vm_stats);
		if (cfg->vm_timeout)
			timeout = cfg->vm_timeout;
		if (timeout > 900 * MAX(cfg->time_scale, 1))
			timeout = 900 * MAX(cfg->time_scale, 1);
		dir = g_strdup_printf("%s/vm%d", cfg->workdir, vm);
		g_mkdir_with_parents(dir, 0700);
		stepf = g_build_filename(dir, "steps", NULL);
		results = g_build_filename(dir, "results", NULL);
		console = g_build_filename(dir, "console", NULL);
		bootlog = g_build_filename(dir, "boot.log", NULL);
		g_file_set_contents(stepf, steps->str, -1, NULL);
		ctl.qmp_path = g_build_filename(dir, "qmp.sock", NULL);
		ctl.snap_path = g_build_filename(dir, "snapshot.mig", NULL);
		ctl.log = g_string_new("");
		g_mutex_init(&ctl.lock);
		g_cond_init(&ctl.cond);
		if (needs_host) {
			ctl.ctl_path = g_build_filename(dir, "host.sock", NULL);
			ctl.listen_fd = unix_listen(ctl.ctl_path);
			if (ctl.listen_fd < 0) {
				g_printerr("sysdma-run: cannot listen on %s: %s\n", ctl.ctl_path,
					   g_strerror(errno));
				return -1;
			}
			ctl.thread = g_thread_new("sysdma-host", ctl_thread, &ctl);
		}
		t0 = g_get_monotonic_time();
		if (cfg->verbose)
			g_printerr("sysdma-run: VM %d: %u scenario(s), timeout %d s, work dir %s\n",
				   vm, todo->len, timeout, dir);
		p = spawn_boot(cfg, &ctl, stepf, results, console, bootlog, device, append,
			       timeout, FALSE, &err);
		if (!p) {
			g_printerr("sysdma-run: cannot run scripts/boot: %s\n", err->message);
			return -1;
		}
		for (;;) {
			g_subprocess_wait(p, NULL, NULL);
			st = g_subprocess_get_if_exited(p) ? g_subprocess_get_exit_status(p) : 126;
			g_object_unref(p);
			p = NULL;
			if (!needs_host)
				break;
			g_mutex_lock(&ctl.lock);
			if (!ctl.snapshot_done) {
				g_mutex_unlock(&ctl.lock);
				break;
			}
			ctl.snapshot_done = FALSE;
			g_mutex_unlock(&ctl.lock);
			/* restore the saved state in a new QEMU */
			{
				g_autofree char *r2 = g_strconcat(results, ".restored", NULL);
				g_autofree char *c2 = g_strconcat(console, ".restored", NULL);

				p = spawn_boot(cfg, &ctl, stepf, r2, c2, bootlog, device,
					       append, timeout, TRUE, &err);
				if (!p) {
					g_printerr("sysdma-run: restore: %s\n", err->message);
					break;
				}
				g_mutex_lock(&ctl.lock);
				ctl.restarted = TRUE;
				g_cond_broadcast(&ctl.cond);
				g_mutex_unlock(&ctl.lock);
				g_subprocess_wait(p, NULL, NULL);
				st = g_subprocess_get_if_exited(p) ? g_subprocess_get_exit_status(p) : 126;
				g_object_unref(p);
				p = NULL;
				append_file(results, r2);
				append_file(console, c2);
			}
			break;
		}
		if (ctl.thread) {
			ctl.stop = TRUE;
			g_mutex_lock(&ctl.lock);
			g_cond_broadcast(&ctl.cond);
			g_mutex_unlock(&ctl.lock);
			g_thread_join(ctl.thread);
		}
		if (ctl.conn_fd >= 0)
			close(ctl.conn_fd);
		if (ctl.listen_fd >= 0)
			close(ctl.listen_fd);
		qmp_close(ctl.qmp);
		G_LOCK(vm_stats);
		*vm_seconds += (g_get_monotonic_time() - t0) / 1e6;
		G_UNLOCK(vm_stats);
		{
			g_autofree char *res = file_text(results);

			report_parse_results(todo, res, vm);
			if (cfg->traced) {
				g_autofree char *tf = g_strconcat(results, ".qemu-trace", NULL);

				timeline_write_vm(cfg->timeline_dir ? cfg->timeline_dir :
						  cfg->fail_timeline_dir, todo, res, tf,
						  !cfg->timeline_dir);
			}
		}
		for (guint i = 0; i < todo->len; i++) {
			Instance *in = g_ptr_array_index(todo, i);

			if (in->log->len)
				any_begun = TRUE;
			if (in->status == ST_CRASH && !in->crash) {
				g_autofree char *ex = console_excerpt(console);
				g_autofree char *bl = file_text(bootlog);

				in->crash = g_strdup_printf("VM %d ended (scripts/boot status %d) while this scenario ran:\n%s%s%s",
							    vm, st, bl, *bl ? "\n" : "", ex);
			}
		}
		if (ctl.log->len && cfg->verbose)
			g_printerr("%s", ctl.log->str);
		g_string_free(ctl.log, TRUE);
		g_free(ctl.ctl_path);
		g_free(ctl.qmp_path);
		g_free(ctl.snap_path);
		g_mutex_clear(&ctl.lock);
		g_cond_clear(&ctl.cond);
		if (!any_begun) {
			/* the guest never started a scenario: an infrastructure failure */
			g_autofree char *ex = console_excerpt(console);
			g_autofree char *bl = file_text(bootlog);
			g_autofree char *res = file_text(results);

			for (guint i = 0; i < todo->len; i++) {
				Instance *in = g_ptr_array_index(todo, i);

				in->status = ST_CRASH;
				in->crash = g_strdup_printf("VM %d ran no scenario (scripts/boot status %d):\n%s\n  results:\n%s\n  console:\n%s",
							    vm, st, bl, res, ex);
			}
			infra = 1;
			break;
		}
	}
	return infra;
}
