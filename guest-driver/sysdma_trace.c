// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma: the tracepoints' definitions (sysdma_trace.h).  Every other file
 * only includes the header and calls trace_sysdma_*().
 */
#define CREATE_TRACE_POINTS
#include "sysdma_trace.h"
