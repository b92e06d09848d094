/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SYSDMA_STRESS_THREADS_H
#define SYSDMA_STRESS_THREADS_H

/* sysdma-stress --threads T ...: argv[0] is "--threads" */
int stress_threads(int argc, char **argv);

#endif
