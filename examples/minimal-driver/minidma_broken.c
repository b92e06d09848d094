// SPDX-License-Identifier: GPL-2.0
/*
 * minidma_broken: minidma with a protocol bug on purpose: no FLUSH after
 * the first transfer, so its next START (and the channel's release) breaks
 * CONTRACT V1 and the device's verifier reports it.
 */
#define MINIDMA_SKIP_FLUSH
#include "minidma.c"
