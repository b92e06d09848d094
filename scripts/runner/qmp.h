/* SPDX-License-Identifier: GPL-2.0 */
/* A QMP client on json-glib (qmp.c). */
#ifndef SYSDMA_QMP_H
#define SYSDMA_QMP_H

#include <glib.h>
#include <json-glib/json-glib.h>

#define QMP_ERROR (qmp_error_quark())
GQuark qmp_error_quark(void);

typedef enum {
	QMP_ERROR_CONNECT,	/* no socket */
	QMP_ERROR_TIMEOUT,	/* no answer in time */
	QMP_ERROR_CLOSED,	/* QEMU closed the connection */
	QMP_ERROR_PROTOCOL,	/* a line that is not what QMP allows here */
	QMP_ERROR_COMMAND,	/* QEMU answered {"error": ...} */
	QMP_ERROR_USAGE,	/* our caller passed a bad command */
} QmpError;

typedef struct Qmp Qmp;

/* Connect, check the greeting and negotiate capabilities. */
Qmp *qmp_connect(const char *path, int timeout_ms, GError **err);
/* Run a command (@arguments: an object node, taken, or NULL); returns its
 * "return" value (free with json_node_unref) or NULL with @err set. */
JsonNode *qmp_execute(Qmp *q, const char *execute, JsonNode *arguments,
		      int timeout_ms, GError **err);
/* The same for a command given as JSON text ({"execute": ..., "arguments"}) */
JsonNode *qmp_execute_json(Qmp *q, const char *text, int timeout_ms, GError **err);
JsonNode *qmp_qom_get(Qmp *q, const char *path, const char *prop, GError **err);
gboolean qmp_qom_set(Qmp *q, const char *path, const char *prop, JsonNode *value,
		     GError **err);
/* Wait for event @name (already received, or the next ones); a copy */
JsonNode *qmp_wait_event(Qmp *q, const char *name, int timeout_ms, GError **err);
/* Events received so far (JsonNode* objects), oldest first */
GPtrArray *qmp_events(Qmp *q);
void qmp_close(Qmp *q);

JsonNode *qmp_command_new(const char *execute, JsonNode *arguments, guint id);
char *qmp_node_to_string(JsonNode *n);
/* Typed members (NULL / FALSE when missing or of another type) */
const char *obj_str(JsonObject *o, const char *name);
gboolean obj_int(JsonObject *o, const char *name, gint64 *v);
JsonObject *obj_obj(JsonObject *o, const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Qmp, qmp_close)

#endif
