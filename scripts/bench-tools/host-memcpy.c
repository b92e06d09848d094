/*
 * host-memcpy: the host reference for scripts/bench.  For each SIZE,
 * copies one buffer to another with memcpy (buffers touched first) for
 * at least 200 ms and prints "@bench host_memcpy.SIZE BYTES_PER_S".
 *
 *   host-memcpy SIZE...      sizes in bytes, K, M or G suffixes
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int parse_size(const char *s, uint64_t *v)
{
    char *end;

    errno = 0;
    *v = strtoull(s, &end, 0);
    if (end == s || errno) {
        return -1;
    }
    switch (*end) {
    case 'K': case 'k': *v <<= 10; end++; break;
    case 'M': case 'm': *v <<= 20; end++; break;
    case 'G': case 'g': *v <<= 30; end++; break;
    }
    return *end || !*v || *v > (1ull << 32) ? -1 : 0;
}

int main(int argc, char **argv)
{
    uint64_t max = 0, len;
    unsigned char *a, *b;
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: host-memcpy SIZE...\n");
        return 2;
    }
    for (i = 1; i < argc; i++) {
        if (parse_size(argv[i], &len)) {
            fprintf(stderr, "host-memcpy: bad size '%s' (1..4G)\n", argv[i]);
            return 2;
        }
        max = len > max ? len : max;
    }
    a = malloc(max);
    b = malloc(max);
    if (!a || !b) {
        fprintf(stderr, "host-memcpy: out of memory\n");
        return 1;
    }
    memset(a, 0x5a, max);
    memset(b, 0xa5, max);
    for (i = 1; i < argc; i++) {
        uint64_t done = 0, t0, t;

        parse_size(argv[i], &len);
        memcpy(b, a, len);
        t0 = now_ns();
        do {
            memcpy(b, a, len);
            /* keep the copy: the compiler may not drop it */
            __asm__ volatile("" : : "r"(b) : "memory");
            done += len;
            t = now_ns() - t0;
        } while (t < 200000000ull && done < (1ull << 33));
        printf("@bench host_memcpy.%llu %.6g\n", (unsigned long long)len,
               done * 1e9 / t);
    }
    free(a);
    free(b);
    return 0;
}
