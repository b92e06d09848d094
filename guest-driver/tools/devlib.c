// SPDX-License-Identifier: GPL-2.0
/*
 * Shared by the sysdma guest tools: BAR0 mapping and CRC32 (devlib.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "devlib.h"
#include "sysdma-regs.h"

#define PCI_DEVICES "/sys/bus/pci/devices"

static unsigned long read_hex(const char *dir, const char *file)
{
	char p[512], buf[32] = "";
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	f = fopen(p, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoul(buf, NULL, 16);
}

int sysdma_find_device(char *p, size_t plen, char *err, size_t errlen)
{
	struct dirent *d;
	DIR *dir;

	dir = opendir(PCI_DEVICES);
	if (!dir) {
		snprintf(err, errlen, "%s: %s", PCI_DEVICES, strerror(errno));
		return -1;
	}
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(p, plen, "%s/%s", PCI_DEVICES, d->d_name);
		if (read_hex(p, "vendor") == SYSDMA_PCI_VENDOR_ID &&
		    read_hex(p, "device") == SYSDMA_PCI_DEVICE_ID)
			break;
	}
	closedir(dir);
	if (!d) {
		snprintf(err, errlen, "no sysdma PCI device (%04x:%04x) in %s",
			 SYSDMA_PCI_VENDOR_ID, SYSDMA_PCI_DEVICE_ID, PCI_DEVICES);
		return -1;
	}
	return 0;
}

volatile uint32_t *sysdma_map_bar0(int enable, char *err, size_t errlen)
{
	char p[512], q[560];
	volatile uint32_t *bar;
	void *m;
	int f;

	if (sysdma_find_device(p, sizeof(p), err, errlen))
		return NULL;
	if (enable) {
		snprintf(q, sizeof(q), "%s/enable", p);
		f = open(q, O_WRONLY);
		if (f >= 0) {
			/* already enabled is fine */
			(void)!write(f, "1", 1);
			close(f);
		}
	}
	snprintf(q, sizeof(q), "%s/resource0", p);
	f = open(q, O_RDWR | O_SYNC);
	if (f < 0) {
		snprintf(err, errlen, "%s: %s", q, strerror(errno));
		return NULL;
	}
	m = mmap(NULL, SYSDMA_BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	close(f);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "mmap %s: %s%s", q, strerror(errno),
			 errno == EINVAL || errno == EPERM ?
			 " (boot with iomem=relaxed)" : "");
		return NULL;
	}
	bar = m;
	if (bar[SYSDMA_REG_ID / 4] != SYSDMA_ID_VALUE) {
		snprintf(err, errlen, "%s: ID reads %#x, not 'SDMA'", q,
			 bar[SYSDMA_REG_ID / 4]);
		munmap(m, SYSDMA_BAR_SIZE);
		return NULL;
	}
	return bar;
}

/*
 * zlib's crc32(), sliced by 8 (eight bytes per step, tables t[1..7] derived
 * from t[0]): the tools check every M2P transfer with it, and a byte at a
 * time was most of their guest CPU under TCG.  Little-endian words.
 */
uint32_t sysdma_crc32(uint32_t crc, const unsigned char *p, size_t n)
{
	static uint32_t t[8][256];
	static int init;
	uint32_t lo, hi;

	if (!init) {
		for (uint32_t k = 0; k < 256; k++) {
			uint32_t c = k;

			for (int j = 0; j < 8; j++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			t[0][k] = c;
		}
		for (uint32_t k = 0; k < 256; k++)
			for (int j = 1; j < 8; j++)
				t[j][k] = t[0][t[j - 1][k] & 0xff] ^ (t[j - 1][k] >> 8);
		init = 1;
	}
	crc = ~crc;
	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		lo ^= crc;
		crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^
		      t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
		      t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^
		      t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
	}
	for (; n; p++, n--)
		crc = t[0][(crc ^ *p) & 0xff] ^ (crc >> 8);
	return ~crc;
}

#define SYSDMA_PARAM_DIR "/sys/module/sysdma/parameters/"

int sysdma_irq_cpu(void)
{
	char line[512], path[64];
	FILE *f = fopen("/proc/interrupts", "r");
	int irq = -1, cpu = -1;

	if (!f)
		return -1;
	while (irq < 0 && fgets(line, sizeof(line), f))
		if (strstr(line, "sysdma"))
			irq = atoi(line);
	fclose(f);
	if (irq < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/irq/%d/effective_affinity_list", irq);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &cpu) != 1)
		cpu = -1;
	fclose(f);
	return cpu;
}

long sysdma_param_read(const char *name)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), SYSDMA_PARAM_DIR "%s", name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

int sysdma_param_write(const char *name, long v)
{
	char path[128];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), SYSDMA_PARAM_DIR "%s", name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	if (fprintf(f, "%ld\n", v) < 0)
		ret = -1;
	if (fclose(f))
		ret = -1;
	return ret;
}
