// SPDX-License-Identifier: GPL-2.0
/*
 * A QMP client on json-glib: every command is built with JsonBuilder, every
 * line QEMU sends (greeting, reply, event, error) is parsed with JsonParser
 * and checked for its shape.  Nothing is matched with strstr() and no JSON
 * is written by hand.
 *
 * Protocol (QEMU's docs/interop/qmp-spec): on connect QEMU sends a greeting
 * {"QMP": {"version": ..., "capabilities": [...]}}; the client must send
 * qmp_capabilities and get {"return": {}} before any other command.  Then
 * each command gets exactly one {"return": VALUE} or {"error": {"class": C,
 * "desc": D}}, with asynchronous {"event": NAME, ...} lines in between.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "qmp.h"

struct Qmp {
	int fd;
	char *path;
	GString *buf;		/* bytes read but not yet a whole line */
	GPtrArray *events;	/* JsonNode*: events seen so far */
	guint next_id;
};

G_DEFINE_QUARK(sysdma-qmp-error-quark, qmp_error)

const char *obj_str(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

gboolean obj_int(JsonObject *o, const char *name, gint64 *v)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
		return FALSE;
	*v = json_node_get_int(n);
	return TRUE;
}

JsonObject *obj_obj(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static int connect_unix(const char *path, int timeout_ms)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	gint64 end = g_get_monotonic_time() + timeout_ms * 1000LL;

	if (strlen(path) >= sizeof(a.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	g_strlcpy(a.sun_path, path, sizeof(a.sun_path));
	do {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		if (fd >= 0)
			close(fd);
		g_usleep(20000);
	} while (g_get_monotonic_time() < end);
	return -1;
}

/* One line from QEMU (without the line end); FALSE on EOF or timeout. */
static gboolean read_line(Qmp *q, char **line, int timeout_ms, GError **err)
{
	gint64 end = g_get_monotonic_time() + timeout_ms * 1000LL;

	for (;;) {
		char *nl = memchr(q->buf->str, '\n', q->buf->len);
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		char tmp[4096];
		int left = (int)((end - g_get_monotonic_time()) / 1000);
		ssize_t r;

		if (nl) {
			size_t n = (size_t)(nl - q->buf->str);

			*line = g_strndup(q->buf->str, n);
			g_strchomp(*line);
			g_string_erase(q->buf, 0, (gssize)n + 1);
			return TRUE;
		}
		if (left <= 0 || poll(&p, 1, left) <= 0) {
			g_set_error(err, QMP_ERROR, QMP_ERROR_TIMEOUT,
				    "QMP %s: no answer within %d ms", q->path, timeout_ms);
			return FALSE;
		}
		r = read(q->fd, tmp, sizeof(tmp));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			g_set_error(err, QMP_ERROR, QMP_ERROR_CLOSED,
				    "QMP %s: connection closed by QEMU", q->path);
			return FALSE;
		}
		g_string_append_len(q->buf, tmp, r);
	}
}

/* Parse one line into a JSON object node. */
static JsonNode *parse_object(Qmp *q, const char *line, GError **err)
{
	g_autoptr(JsonParser) p = json_parser_new();
	g_autoptr(GError) perr = NULL;
	JsonNode *root;

	if (!json_parser_load_from_data(p, line, -1, &perr)) {
		g_set_error(err, QMP_ERROR, QMP_ERROR_PROTOCOL,
			    "QMP %s: not JSON (%s): %s", q->path, perr->message, line);
		return NULL;
	}
	root = json_parser_get_root(p);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error(err, QMP_ERROR, QMP_ERROR_PROTOCOL,
			    "QMP %s: expected a JSON object, got: %s", q->path, line);
		return NULL;
	}
	return json_node_copy(root);
}

static gboolean send_node(Qmp *q, JsonNode *cmd, GError **err)
{
	g_autoptr(JsonGenerator) g = json_generator_new();
	g_autofree char *text = NULL;
	const char *s;
	size_t n;

	json_generator_set_root(g, cmd);
	text = json_generator_to_data(g, NULL);
	s = text;
	n = strlen(s);
	while (n) {
		ssize_t w = write(q->fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			g_set_error(err, QMP_ERROR, QMP_ERROR_CLOSED,
				    "QMP %s: write failed: %s", q->path, g_strerror(errno));
			return FALSE;
		}
		s += w;
		n -= (size_t)w;
	}
	if (write(q->fd, "\n", 1) != 1) {
		g_set_error(err, QMP_ERROR, QMP_ERROR_CLOSED,
			    "QMP %s: write failed: %s", q->path, g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

char *qmp_node_to_string(JsonNode *n)
{
	g_autoptr(JsonGenerator) g = json_generator_new();

	json_generator_set_root(g, n);
	return json_generator_to_data(g, NULL);
}

JsonNode *qmp_command_new(const char *execute, JsonNode *arguments, guint id)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "execute");
	json_builder_add_string_value(b, execute);
	if (arguments) {
		json_builder_set_member_name(b, "arguments");
		json_builder_add_value(b, arguments);	/* takes it */
	}
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, id);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

/*
 * Wait for the reply to command @id: events on the way are kept; any
 * other line is a protocol error.  Returns the reply object node.
 */
static JsonNode *wait_reply(Qmp *q, const char *what, guint id, int timeout_ms,
			    GError **err)
{
	for (;;) {
		g_autofree char *line = NULL;
		JsonNode *n;
		JsonObject *o;

		if (!read_line(q, &line, timeout_ms, err))
			return NULL;
		if (!*line)
			continue;
		n = parse_object(q, line, err);
		if (!n)
			return NULL;
		o = json_node_get_object(n);
		if (json_object_has_member(o, "event")) {
			if (!obj_str(o, "event")) {
				g_set_error(err, QMP_ERROR, QMP_ERROR_PROTOCOL,
					    "QMP %s: malformed event: %s", q->path, line);
				json_node_unref(n);
				return NULL;
			}
			g_ptr_array_add(q->events, n);
			continue;
		}
		if (!json_object_has_member(o, "return") &&
		    !json_object_has_member(o, "error")) {
			g_set_error(err, QMP_ERROR, QMP_ERROR_PROTOCOL,
				    "QMP %s: unexpected message while waiting for %s: %s",
				    q->path, what, line);
			json_node_unref(n);
			return NULL;
		}
		if (!json_object_has_member(o, "id") ||
		    json_node_get_value_type(json_object_get_member(o, "id")) != G_TYPE_INT64 ||
		    (guint)json_object_get_int_member(o, "id") != id) {
			g_set_error(err, QMP_ERROR, QMP_ERROR_PROTOCOL,
				    "QMP %s: reply to %s carries the wrong id (want %u): %s",
				    q->path, what, id, line);
			json_node_unref(n);
			return NULL;
		}
		return n;
	}
}

/* Turn a reply into its "return" value or a GError from its "error". */
static JsonNode *reply_value(Qmp *q, const char *what, JsonNode *reply, GError **err)
{
	JsonObject *o = json_node_get_object(reply);

	if (json_object_has_member(o, "error")) {
		JsonNode *e = json_object_get_member(o, "error");
		JsonObject *eo = JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) : NULL;
		const char *cls = obj_str(eo, "class");
		const char *desc = obj_str(eo, "desc");

		if (!cls || !desc) {
			g_autofree char *s = qmp_node_to_string(reply);

			g_set_error(err, QMP_ERROR, QMP_ERROR_PROTOCOL,
				    "QMP %s: malformed error reply to %s: %s", q->path, what, s);
		} else {
			g_set_error(err, QMP_ERROR, QMP_ERROR_COMMAND,
				    "QMP %s failed: %s: %s", what, cls, desc);
		}
		return NULL;
	}
	return json_node_copy(json_object_get_member(o, "return"));
}

Qmp *qmp_connect(const char *path, int timeout_ms, GError **err)
{
	g_autoptr(JsonNode) greeting = NULL, reply = NULL, cmd = NULL, ret = NULL;
	g_autofree char *line = NULL;
	JsonObject *o;
	JsonNode *qmp;
	Qmp *q;
	int fd = connect_unix(path, timeout_ms);

	if (fd < 0) {
		g_set_error(err, QMP_ERROR, QMP_ERROR_CONNECT,
			    "cannot connect to QMP at %s: %s", path, g_strerror(errno));
		return NULL;
	}
	q = g_new0(Qmp, 1);
	q->fd = fd;
	q->path = g_strdup(path);
	q->buf = g_string_new("");
	q->events = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
	q->next_id = 1;

	/* the greeting: {"QMP": {"version": {...}, "capabilities": [...]}} */
	if (!read_line(q, &line, timeout_ms, err))
		goto fail;
	greeting = parse_object(q, line, err);
	if (!greeting)
		goto fail;
	o = json_node_get_object(greeting);
	qmp = json_object_get_member(o, "QMP");
	if (!qmp || !JSON_NODE_HOLDS_OBJECT(qmp) ||
	    !json_object_has_member(json_node_get_object(qmp), "version") ||
	    !json_object_has_member(json_node_get_object(qmp), "capabilities")) {
		g_set_error(err, QMP_ERROR, QMP_ERROR_PROTOCOL,
			    "QMP %s: expected the greeting {\"QMP\": {\"version\", \"capabilities\"}}, got: %s",
			    path, line);
		goto fail;
	}
	/* capabilities negotiation: must answer {"return": {}} */
	cmd = qmp_command_new("qmp_capabilities", NULL, q->next_id);
	if (!send_node(q, cmd, err))
		goto fail;
	reply = wait_reply(q, "qmp_capabilities", q->next_id++, timeout_ms, err);
	if (!reply)
		goto fail;
	ret = reply_value(q, "qmp_capabilities", reply, err);
	if (!ret)
		goto fail;
	if (!JSON_NODE_HOLDS_OBJECT(ret) || json_object_get_size(json_node_get_object(ret))) {
		g_autofree char *s = qmp_node_to_string(ret);

		g_set_error(err, QMP_ERROR, QMP_ERROR_PROTOCOL,
			    "QMP %s: qmp_capabilities returned %s, expected {}", path, s);
		goto fail;
	}
	return q;
fail:
	qmp_close(q);
	return NULL;
}

JsonNode *qmp_execute(Qmp *q, const char *execute, JsonNode *arguments,
		      int timeout_ms, GError **err)
{
	g_autoptr(JsonNode) cmd = NULL, reply = NULL;
	guint id = q->next_id++;

	cmd = qmp_command_new(execute, arguments, id);
	if (!send_node(q, cmd, err))
		return NULL;
	reply = wait_reply(q, execute, id, timeout_ms, err);
	if (!reply)
		return NULL;
	return reply_value(q, execute, reply, err);
}

JsonNode *qmp_execute_json(Qmp *q, const char *text, int timeout_ms, GError **err)
{
	g_autoptr(JsonNode) n = NULL;
	JsonObject *o;
	JsonNode *args;
	const char *exec;

	n = parse_object(q, text, err);
	if (!n)
		return NULL;
	o = json_node_get_object(n);
	exec = obj_str(o, "execute");
	if (!exec) {
		g_set_error(err, QMP_ERROR, QMP_ERROR_USAGE,
			    "a QMP command must be an object with a string \"execute\": %s", text);
		return NULL;
	}
	args = json_object_get_member(o, "arguments");
	if (args && !JSON_NODE_HOLDS_OBJECT(args)) {
		g_set_error(err, QMP_ERROR, QMP_ERROR_USAGE,
			    "QMP \"arguments\" must be an object: %s", text);
		return NULL;
	}
	return qmp_execute(q, exec, args ? json_node_copy(args) : NULL, timeout_ms, err);
}

JsonNode *qmp_qom_get(Qmp *q, const char *path, const char *prop, GError **err)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "path");
	json_builder_add_string_value(b, path);
	json_builder_set_member_name(b, "property");
	json_builder_add_string_value(b, prop);
	json_builder_end_object(b);
	return qmp_execute(q, "qom-get", json_builder_get_root(b), 10000, err);
}

gboolean qmp_qom_set(Qmp *q, const char *path, const char *prop, JsonNode *value,
		     GError **err)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) r = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "path");
	json_builder_add_string_value(b, path);
	json_builder_set_member_name(b, "property");
	json_builder_add_string_value(b, prop);
	json_builder_set_member_name(b, "value");
	json_builder_add_value(b, value);
	json_builder_end_object(b);
	r = qmp_execute(q, "qom-set", json_builder_get_root(b), 10000, err);
	return r != NULL;
}

JsonNode *qmp_wait_event(Qmp *q, const char *name, int timeout_ms, GError **err)
{
	for (;;) {
		g_autofree char *line = NULL;
		JsonNode *n;
		JsonObject *o;

		for (guint i = 0; i < q->events->len; i++) {
			JsonNode *e = g_ptr_array_index(q->events, i);

			if (!g_strcmp0(obj_str(json_node_get_object(e), "event"), name))
				return json_node_copy(e);
		}
		if (!read_line(q, &line, timeout_ms, err))
			return NULL;
		if (!*line)
			continue;
		n = parse_object(q, line, err);
		if (!n)
			return NULL;
		o = json_node_get_object(n);
		if (!obj_str(o, "event")) {
			g_set_error(err, QMP_ERROR, QMP_ERROR_PROTOCOL,
				    "QMP %s: expected an event, got: %s", q->path, line);
			json_node_unref(n);
			return NULL;
		}
		g_ptr_array_add(q->events, n);
	}
}

GPtrArray *qmp_events(Qmp *q)
{
	return q->events;
}

void qmp_close(Qmp *q)
{
	if (!q)
		return;
	if (q->fd >= 0)
		close(q->fd);
	g_free(q->path);
	g_string_free(q->buf, TRUE);
	g_ptr_array_free(q->events, TRUE);
	g_free(q);
}
