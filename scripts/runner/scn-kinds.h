/* SPDX-License-Identifier: GPL-2.0 */
/* sysdma-run: the step kinds of the scenario language (parser + compiler). */
#ifndef SYSDMA_RUN_SCN_KINDS_H
#define SYSDMA_RUN_SCN_KINDS_H

#include <glib.h>

typedef enum {
	V_NUM,		/* unsigned, 0x.., K/M suffix, or rand(A..B) */
	V_INT,		/* signed integer or rand(A..B) */
	V_ERRNO,	/* one errno name or 0 */
	V_ERRSET,	/* errno names joined by | */
	V_PATHSET,	/* dma|cancel-k2|cancel-stop|timeout|abort joined by | */
	V_DIR,		/* m2m m2p p2m */
	V_FLAGS,	/* submit flag names joined by | */
	V_FMODE,	/* fault names joined by | */
	V_FSTICKY,	/* yes or fault names */
	V_SPEC,		/* N, A..B, <N, >N, <=N, >=N, all, partial, none, any */
	V_DEVBYTES,	/* bytes or V_SPEC */
	V_YESNO,
	V_STR,
	V_REG,		/* register name or offset */
	V_VAL,		/* number or scratch[+N] */
	V_ACTION,	/* host action name */
	V_QSTATE,	/* SYSDMA_QSTATE_* names joined by | */
} VType;

typedef struct {
	const char *key;	/* in the .scn file */
	const char *gkey;	/* in the guest step line */
	VType type;
	int second;		/* 1: goes on the second line (wait -> expect) */
	gboolean required;
} KeyDef;

typedef enum { REQ_NONE, REQ_NEEDED, REQ_OPTIONAL } ReqUse;

typedef struct {
	const char *kind;
	const char *op;		/* guest op */
	const char *op2;	/* second guest op, or NULL */
	ReqUse req;
	const KeyDef *keys;	/* NULL-key terminated */
	VType free_keys;	/* for expect-stats/-verifier: any counter name */
	const char *const *free_names;	/* allowed free key names */
	const char *help;
} KindDef;

const KindDef *scn_kind(const char *kind);
const KindDef *scn_kinds(int *n);
gboolean scn_value_valid(VType t, const char *v, const char **expected);
extern const char *const scn_stat_names[];
extern const char *const scn_verifier_names[];
extern const char *const scn_host_actions[];

#endif
