// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the runner's QMP client (scripts/runner/qmp.c) against a
 * scripted fake QEMU on a unix socket: the handshake is checked, events in
 * between are kept, errors become GErrors with QEMU's class and desc, and
 * every malformed or unexpected line gives a clear error.  Run with --tap.
 */
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "qmp.h"

/* The fake QEMU: sends the greeting, then answers each line it reads with
 * the next reply of the script (%ID% becomes the id of the command it read). */
typedef struct {
	char *path;
	int listen_fd;
	const char *greeting;
	const char *const *replies;
	GPtrArray *got;		/* the lines the client sent */
	GThread *thread;
} Fake;

static gpointer fake_thread(gpointer data)
{
	Fake *f = data;
	int fd = accept(f->listen_fd, NULL, NULL);
	GString *line = g_string_new("");
	int i = 0;
	char c;

	g_assert_cmpint(fd, >=, 0);
	if (write(fd, f->greeting, strlen(f->greeting)) < 0)
		goto out;
	while (f->replies[i] && read(fd, &c, 1) == 1) {
		g_autoptr(JsonParser) p = json_parser_new();
		g_autofree char *id = NULL;
		g_auto(GStrv) parts = NULL;
		g_autofree char *reply = NULL;

		if (c != '\n') {
			g_string_append_c(line, c);
			continue;
		}
		g_ptr_array_add(f->got, g_strdup(line->str));
		g_assert_true(json_parser_load_from_data(p, line->str, -1, NULL));
		id = g_strdup_printf("%" G_GINT64_FORMAT,
				     json_object_get_int_member(json_node_get_object(json_parser_get_root(p)), "id"));
		parts = g_strsplit(f->replies[i++], "%ID%", -1);
		reply = g_strjoinv(id, parts);
		if (write(fd, reply, strlen(reply)) < 0)
			break;
		g_string_truncate(line, 0);
	}
out:
	g_string_free(line, TRUE);
	close(fd);
	return NULL;
}

static Fake *fake_new(const char *greeting, const char *const *replies)
{
	Fake *f = g_new0(Fake, 1);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	g_autofree char *dir = g_dir_make_tmp("qmp-test-XXXXXX", NULL);

	f->path = g_build_filename(dir, "qmp.sock", NULL);
	g_strlcpy(a.sun_path, f->path, sizeof(a.sun_path));
	f->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	g_assert_cmpint(bind(f->listen_fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
	g_assert_cmpint(listen(f->listen_fd, 1), ==, 0);
	f->greeting = greeting;
	f->replies = replies;
	f->got = g_ptr_array_new_with_free_func(g_free);
	f->thread = g_thread_new("fake-qemu", fake_thread, f);
	return f;
}

static void fake_free(Fake *f)
{
	g_autofree char *dir = g_path_get_dirname(f->path);

	if (f->thread)
		g_thread_join(f->thread);
	close(f->listen_fd);
	unlink(f->path);
	rmdir(dir);
	g_ptr_array_free(f->got, TRUE);
	g_free(f->path);
	g_free(f);
}

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 13, \"minor\": 0, \"major\": 10}}, \"capabilities\": [\"oob\"]}}\r\n"
#define CAPS_OK "{\"return\": {}, \"id\": %ID%}\r\n"

static void test_handshake_and_command(void)
{
	static const char *const replies[] = {
		CAPS_OK,
		/* an event first, then the reply: a string containing "return" */
		"{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"STOP\"}\r\n"
		"{\"return\": \"the \\\"return\\\" error\", \"id\": %ID%}\r\n",
		NULL,
	};
	Fake *f = fake_new(GREETING, replies);
	g_autoptr(GError) err = NULL;
	g_autoptr(JsonNode) r = NULL;
	Qmp *q = qmp_connect(f->path, 2000, &err);

	g_assert_no_error(err);
	g_assert_nonnull(q);
	r = qmp_qom_get(q, "/machine/peripheral/sysdma0", "verify-log", &err);
	g_assert_no_error(err);
	g_assert_cmpstr(json_node_get_string(r), ==, "the \"return\" error");
	g_assert_cmpuint(qmp_events(q)->len, ==, 1);
	g_assert_cmpstr(obj_str(json_node_get_object(g_ptr_array_index(qmp_events(q), 0)), "event"),
			==, "STOP");
	qmp_close(q);
	fake_free(f);
}

static void test_sent_commands(void)
{
	static const char *const replies[] = { CAPS_OK, "{\"return\": {}, \"id\": %ID%}\r\n", NULL };
	Fake *f = fake_new(GREETING, replies);
	g_autoptr(GError) err = NULL;
	g_autoptr(JsonNode) v = json_node_new(JSON_NODE_VALUE);
	Qmp *q = qmp_connect(f->path, 2000, &err);

	g_assert_no_error(err);
	json_node_set_string(v, "a \"quoted\" \\ value");
	g_assert_true(qmp_qom_set(q, "/p", "prop", json_node_copy(v), &err));
	g_assert_no_error(err);
	qmp_close(q);
	g_thread_join(f->thread);
	f->thread = NULL;
	g_assert_cmpuint(f->got->len, ==, 2);
	{
		g_autoptr(JsonParser) p = json_parser_new();
		JsonObject *o, *args;

		g_assert_true(json_parser_load_from_data(p, g_ptr_array_index(f->got, 0), -1, NULL));
		o = json_node_get_object(json_parser_get_root(p));
		g_assert_cmpstr(obj_str(o, "execute"), ==, "qmp_capabilities");
		g_assert_true(json_parser_load_from_data(p, g_ptr_array_index(f->got, 1), -1, NULL));
		o = json_node_get_object(json_parser_get_root(p));
		g_assert_cmpstr(obj_str(o, "execute"), ==, "qom-set");
		args = obj_obj(o, "arguments");
		g_assert_cmpstr(obj_str(args, "value"), ==, "a \"quoted\" \\ value");
		g_assert_cmpstr(obj_str(args, "path"), ==, "/p");
	}
	fake_free(f);
}

static void expect_connect_error(const char *greeting, const char *const *replies,
				 const char *what)
{
	Fake *f = fake_new(greeting, replies);
	g_autoptr(GError) err = NULL;
	Qmp *q = qmp_connect(f->path, 1000, &err);

	g_assert_null(q);
	g_assert_nonnull(err);
	if (!strstr(err->message, what))
		g_error("expected an error containing '%s', got: %s", what, err->message);
	fake_free(f);
}

static void test_bad_handshake(void)
{
	static const char *const caps_ok[] = { CAPS_OK, NULL };
	static const char *const caps_err[] = {
		"{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"no caps\"}, \"id\": %ID%}\r\n", NULL };
	static const char *const caps_odd[] = { "{\"return\": {\"x\": 1}, \"id\": %ID%}\r\n", NULL };
	static const char *const caps_noid[] = { "{\"return\": {}}\r\n", NULL };

	expect_connect_error("{\"hello\": 1}\r\n", caps_ok, "expected the greeting");
	expect_connect_error("not json\r\n", caps_ok, "not JSON");
	expect_connect_error("[1, 2]\r\n", caps_ok, "expected a JSON object");
	expect_connect_error(GREETING, caps_err, "qmp_capabilities failed: CommandNotFound: no caps");
	expect_connect_error(GREETING, caps_odd, "returned {\"x\":1}, expected {}");
	expect_connect_error(GREETING, caps_noid, "wrong id");
}

static void expect_command_error(const char *reply, const char *what)
{
	const char *const replies[] = { CAPS_OK, reply, NULL };
	Fake *f = fake_new(GREETING, replies);
	g_autoptr(GError) err = NULL;
	g_autoptr(JsonNode) r = NULL;
	Qmp *q = qmp_connect(f->path, 1000, &err);

	g_assert_no_error(err);
	r = qmp_execute(q, "query-status", NULL, 1000, &err);
	g_assert_null(r);
	g_assert_nonnull(err);
	if (!strstr(err->message, what))
		g_error("expected an error containing '%s', got: %s", what, err->message);
	qmp_close(q);
	fake_free(f);
}

static void test_bad_replies(void)
{
	expect_command_error("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Property 'x' not found\"}, \"id\": %ID%}\r\n",
			     "query-status failed: GenericError: Property 'x' not found");
	expect_command_error("{\"error\": \"oops\", \"id\": %ID%}\r\n", "malformed error reply");
	expect_command_error("{\"greeting\": 1}\r\n", "unexpected message while waiting for query-status");
	expect_command_error("{\"event\": 5}\r\n", "malformed event");
	expect_command_error("{\"return\": {}, \"id\": 999}\r\n", "wrong id");
	expect_command_error("garbage\r\n", "not JSON");
	/* no reply at all: the fake closes after its script */
	expect_command_error("", "connection closed");
}

static void test_json_command(void)
{
	static const char *const replies[] = { CAPS_OK, "{\"return\": {\"status\": \"running\", \"running\": true}, \"id\": %ID%}\r\n", NULL };
	Fake *f = fake_new(GREETING, replies);
	g_autoptr(GError) err = NULL;
	g_autoptr(JsonNode) r = NULL;
	Qmp *q = qmp_connect(f->path, 1000, &err);

	g_assert_no_error(err);
	g_assert_null(qmp_execute_json(q, "{\"arguments\": {}}", 1000, &err));
	g_assert_error(err, QMP_ERROR, QMP_ERROR_USAGE);
	g_clear_error(&err);
	g_assert_null(qmp_execute_json(q, "{\"execute\": \"x\", \"arguments\": 3}", 1000, &err));
	g_assert_error(err, QMP_ERROR, QMP_ERROR_USAGE);
	g_clear_error(&err);
	r = qmp_execute_json(q, "{\"execute\": \"query-status\"}", 1000, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(obj_str(json_node_get_object(r), "status"), ==, "running");
	qmp_close(q);
	fake_free(f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/qmp/handshake-and-command", test_handshake_and_command);
	g_test_add_func("/qmp/sent-commands", test_sent_commands);
	g_test_add_func("/qmp/bad-handshake", test_bad_handshake);
	g_test_add_func("/qmp/bad-replies", test_bad_replies);
	g_test_add_func("/qmp/json-command", test_json_command);
	return g_test_run();
}
