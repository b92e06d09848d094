/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysdma-run: scenario files (tests/scenarios/NAME.scn) and their compilation
 * into guest steps for `sysdmactl run`.  Format: tests/scenarios/README.md.
 */
#ifndef SYSDMA_RUN_SCENARIO_H
#define SYSDMA_RUN_SCENARIO_H

#include <glib.h>

#define SCN_ERROR scn_error_quark()
GQuark scn_error_quark(void);

typedef struct {
	char *key;
	char *value;
	int line;
} ScnKey;

typedef struct {
	char *header;		/* the text between [ and ] */
	char *kind;		/* first word: submit, wait, ... */
	char *arg;		/* second word (request label), or NULL */
	int line;
	GPtrArray *keys;	/* ScnKey* in file order */
} ScnGroup;

typedef struct {
	char *path;
	char *name;
	char *description;
	char **rules;		/* NULL-terminated, e.g. "K6" */
	int timeout_s;		/* guest-side limit per instance */
	int iterations;		/* instances per run (random sweeps) */
	char *device;		/* extra sysdma properties ("" = default) */
	char *append;		/* extra kernel command line */
	gboolean verifier_any;	/* allow verifier violations */
	gboolean leak_check;
	gboolean kernel_log_any;	/* allow kernel warnings */
	gboolean needs_host;	/* has [host] steps (QMP) */
	gboolean needs_snapshot;
	GPtrArray *steps;	/* ScnGroup*, in file order, without [scenario] */
} Scenario;

/* The contract's rule ids, in order: K1..K10, R1..R6, H1..H5, V1..V4 */
extern const char *const scn_all_rules[];
gboolean scn_rule_valid(const char *id);

/* Parse and validate a scenario file (or text, for the unit tests). */
Scenario *scn_load_file(const char *path, GError **err);
Scenario *scn_load_data(const char *path, const char *data, GError **err);
void scn_free(Scenario *s);

/*
 * Compile one instance into `sysdmactl run` lines: "scenario ..." ... "end".
 * @seed makes every rand(A..B) value and default data seed reproducible.
 */
char *scn_compile(const Scenario *s, const char *instance, guint32 seed,
		  GError **err);

/* Where a step file line came from: the group at/above @line. */
const ScnGroup *scn_group_at(const Scenario *s, int line);

#endif
