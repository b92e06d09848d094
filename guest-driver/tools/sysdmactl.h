/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysdmactl: the guest-side tool of the sysdma tests.
 *
 * Every command (CLI or a line of a compiled step file) is an operation
 * name followed by key=value arguments; see steps.c for the list and
 * tests/scenarios/README.md for the format.
 */
#ifndef SYSDMACTL_H
#define SYSDMACTL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/sysdma.h>

#define MAX_ARGS	32
#define MAX_REQS	64
#define MAX_FDS		8
#define NAME_LEN	40

struct arg {
	char *key;
	char *val;
	int used;
};

struct cmd {
	char *op;
	struct arg args[MAX_ARGS];
	int nargs;
	int line;		/* source line in the .scn file (0 = CLI) */
};

struct req {
	char name[NAME_LEN];
	int fd_index;
	struct sysdma_submit sub;
	unsigned char *src, *dst;	/* mmap'ed buffers, len bytes each */
	int submitted;			/* SUBMIT succeeded */
	int have_res;			/* WAIT returned a result */
	struct sysdma_result res;
	long wait_ms;			/* how long the last WAIT took */
};

struct ctx {
	const char *scenario;	/* NULL in CLI mode */
	int fds[MAX_FDS];
	struct req reqs[MAX_REQS];
	int nreqs;
	int failed;		/* expectations failed in this scenario */
	int verbose;
	struct sysdma_stats stats0;	/* STATS at scenario start */
	uint32_t verify0[32];		/* VERIFY_COUNT(k) at scenario start */
	int have_verify0;
	int ctl_fd;		/* host control port (ttyS2), -1 = not open */
	const char *dev_path;
};

/* steps.c */
int parse_cmd(char *line, struct cmd *c, char *err, size_t errlen);
int exec_cmd(struct ctx *x, struct cmd *c);
int run_files(int argc, char **argv);
void ctx_init(struct ctx *x);
void ctx_fini(struct ctx *x);
void print_ops(FILE *f);		/* the operations, for --help */
int exec_usage_error(void);	/* the last exec_cmd() failed on bad usage */
void fail(struct ctx *x, const struct cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* verify.c */
unsigned char src_byte(uint32_t seed, uint64_t off);
void fill_buffers(struct req *r);
/* Check the data of a finished request: returns 0 or fills @msg. */
int check_data(const struct req *r, char *msg, size_t msglen);

/* bar.c: the device's registers through sysfs resource0 (iomem=relaxed) */
int bar_open(char *err, size_t errlen);
uint32_t bar_read(uint32_t off);
void bar_write(uint32_t off, uint32_t val);
int bar_ok(void);
int bar_channels(void);
int reg_offset(const char *name, int ch, uint32_t *off);

/* names.c */
const char *errno_name(int e);
int parse_errno(const char *s, int *e);
const char *path_name(unsigned int p);
const char *path_names(void);
int parse_path(const char *s, unsigned int *p);
int parse_dir(const char *s, unsigned int *d);
int parse_flags(const char *s, unsigned int *f);
int parse_fault_mode(const char *s, unsigned int *m);
int parse_u64(const char *s, uint64_t *v);	/* 12, 0x1f, 64K, 1M */
int stat_index(const char *name);
const char *stat_name(int i);
int verify_index(const char *name);	/* SYSDMA_V_*, or 99 = total */
const char *verify_name(int k);
#define VERIFY_TOTAL_INDEX 99

#endif
