// SPDX-License-Identifier: GPL-2.0
/*
 * sysdmactl: request buffers and data checks.
 *
 * M2M/M2P sources are a seeded pattern with no zero byte; every destination
 * byte starts as the complement of the byte the transfer would write there,
 * so "exactly N bytes were written, the rest untouched" is exact.
 * The device's peripheral is one continuous stream per channel that the
 * driver restarts (SEED write) once per request, so however the request is
 * split into transfers (K10), it is one stream.  All checks are linear:
 *   M2M: dst[0..bytes) == src[0..bytes), dst[bytes..len) untouched
 *   P2M: dst[i] == sysdma_pattern_byte(seed, i) for i < bytes, the rest
 *        untouched
 *   M2P: result.sink_crc == crc32(src[0..bytes))
 */
#include <stdio.h>
#include <string.h>
#include "devlib.h"
#include "sysdmactl.h"
#include "sysdma-regs.h"

unsigned char src_byte(uint32_t seed, uint64_t off)
{
	uint32_t x = (uint32_t)(off * 0x9e3779b1u) ^ (seed * 0x85ebca6bu) ^
		     (uint32_t)(off >> 32);

	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	x ^= x >> 12;
	return (unsigned char)(x % 255 + 1);
}

static unsigned char expected_byte(const struct req *r, uint64_t i)
{
	if (r->sub.dir == SYSDMA_DEV_DIR_P2M)
		return sysdma_pattern_byte(r->sub.seed, i);
	return r->src[i];
}

void fill_buffers(struct req *r)
{
	uint64_t i, len = r->sub.len;

	if (r->src)
		for (i = 0; i < len; i++)
			r->src[i] = src_byte(r->sub.seed, i);
	if (r->dst)
		for (i = 0; i < len; i++)
			r->dst[i] = (unsigned char)~expected_byte(r, i);
}

int check_data(const struct req *r, char *msg, size_t msglen)
{
	uint64_t i, len = r->sub.len, bytes = r->res.bytes;

	if (bytes > len) {
		snprintf(msg, msglen, "result bytes %llu > len %llu",
			 (unsigned long long)bytes, (unsigned long long)len);
		return -1;
	}
	if (r->sub.dir == SYSDMA_DEV_DIR_M2P) {
		uint32_t crc = sysdma_crc32(0, r->src, bytes);

		if (crc == r->res.sink_crc)
			return 0;
		snprintf(msg, msglen,
			 "sink CRC 0x%08x, expected 0x%08x (crc32 of the first %llu source bytes)",
			 r->res.sink_crc, crc, (unsigned long long)bytes);
		return -1;
	}
	/* M2M and P2M: M2P returned above */
	for (i = 0; i < bytes; i++)
		if (r->dst[i] != expected_byte(r, i)) {
			uint64_t last = i;

			while (last + 1 < len && r->dst[last + 1] != expected_byte(r, last + 1))
				last++;
			snprintf(msg, msglen,
				 "data: byte %llu is 0x%02x, expected 0x%02x (bytes=%llu; dst[%llu..%llu] wrong)",
				 (unsigned long long)i, r->dst[i], expected_byte(r, i),
				 (unsigned long long)bytes, (unsigned long long)i,
				 (unsigned long long)last);
			return -1;
		}
	for (i = bytes; i < len; i++)
		if (r->dst[i] != (unsigned char)~expected_byte(r, i)) {
			uint64_t last = i;

			while (last + 1 < len &&
			       r->dst[last + 1] != (unsigned char)~expected_byte(r, last + 1))
				last++;
			snprintf(msg, msglen,
				 "data: byte %llu written beyond bytes=%llu (dst[%llu..%llu] changed; %s)",
				 (unsigned long long)i, (unsigned long long)bytes,
				 (unsigned long long)i, (unsigned long long)last,
				 r->dst[i] == expected_byte(r, i) ?
				 "it holds transferred data: more moved than reported" :
				 "garbage");
			return -1;
		}
	return 0;
}
