/* SPDX-License-Identifier: GPL-2.0 */
/* sysdma-run: shared declarations of the runner's parts. */
#ifndef SYSDMA_RUN_H
#define SYSDMA_RUN_H

#include <glib.h>
#include "scenario.h"

typedef enum {
	ST_NOTRUN, ST_PASS, ST_FAIL, ST_TIMEOUT, ST_CRASH,
} Status;

typedef struct {
	Scenario *scn;
	char *name;		/* instance name: NAME or NAME#k */
	guint32 run_seed;	/* --seed of the run that replays it */
	guint32 seed;		/* GRand seed of this instance */
	int iteration;
	char *steps;
	Status status;
	long ms;
	GPtrArray *fails;	/* char*: "file:line: [group]: message" */
	GPtrArray *log;		/* char*: guest lines of this instance */
	GPtrArray *kernel;	/* char*: kernel log lines of this instance */
	GPtrArray *kproblems;	/* char*: warnings/oops lines */
	char *crash;		/* console excerpt when the VM died */
	int vm;			/* which VM ran it */
	int channel;		/* a channel it used (for the trace), -1 */
	char *timeline;		/* its timeline's HTML file, or NULL */
} Instance;

typedef struct {
	const char *top;	/* source tree (scripts/boot) */
	const char *build;	/* build dir (initramfs.cpio.gz) */
	const char *initrd;	/* NULL = $build/initramfs.cpio.gz */
	const char *kernel;	/* NULL = the set-up kernel */
	const char *trace;	/* SYSDMA_TRACE pattern or NULL */
	int vm_timeout;		/* 0 = computed */
	int time_scale;		/* --time-scale: slow guests */
	gboolean verbose;
	gboolean keep;		/* keep the work dir */
	gboolean traced;	/* device + driver traces on: timelines */
	const char *timeline_dir; /* timelines of every instance go here */
	char *fail_timeline_dir;  /* else those of the failing ones here */
	char *workdir;
} RunConfig;

/* vm.c: run the instances (same boot config) in as few VMs as needed */
int vm_run_group(RunConfig *cfg, GPtrArray *instances, const char *device,
		 const char *append, int *vm_counter, double *vm_seconds);

/* timeline.c: per instance NAME.json (trace events) + NAME.html */
void timeline_write_vm(const char *dir, GPtrArray *instances, const char *results,
		       const char *trace_file, gboolean failed_only);
void timeline_write_index(const char *dir, GPtrArray *instances, double seconds);
char *timeline_file_stem(const char *name);

/* report.c */
void report_parse_results(GPtrArray *instances, const char *results, int vm);
void report_failure(FILE *f, RunConfig *cfg, Instance *in, const char *console,
		    const char *replay);
gboolean report_kernel_problem(const char *line);
void report_junit(const char *path, GPtrArray *instances, double seconds);
void report_summary(FILE *f, GPtrArray *instances, GPtrArray *scenarios,
		    double seconds, int vms, double vm_seconds);
const char *status_name(Status s);

#endif
