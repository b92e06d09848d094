/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every sysdma guest tool needs from the device besides the ioctls:
 * its registers (BAR0 through sysfs) and the sink's CRC32.
 */
#ifndef SYSDMA_DEVLIB_H
#define SYSDMA_DEVLIB_H

#include <stddef.h>
#include <stdint.h>

/*
 * The sysfs folder of the first sysdma PCI function
 * (/sys/bus/pci/devices/<bdf>) into @p: 0, or -1 with a message in @err.
 */
int sysdma_find_device(char *p, size_t plen, char *err, size_t errlen);

/*
 * Find the sysdma PCI function in sysfs and map its BAR0 (after writing 1
 * to its "enable" file when @enable, for use without a bound driver).
 * Checks the ID register.  While the driver owns the BAR this needs the
 * kernel parameter iomem=relaxed.  NULL with a message in @err on failure.
 */
volatile uint32_t *sysdma_map_bar0(int enable, char *err, size_t errlen);

/* sysdma.ko's module parameter @name: its value, or -1 */
long sysdma_param_read(const char *name);
/* Set it; 0 or -1 (errno set) */
int sysdma_param_write(const char *name, long v);

/*
 * The CPU the (first) sysdma interrupt is routed to, from /proc/interrupts
 * and /proc/irq/N/effective_affinity_list, or -1.  The driver completes a
 * request on that CPU (DRIVER.md U12).
 */
int sysdma_irq_cpu(void);

/* zlib-style CRC32, as the device's sink computes it (SINK_CRC) */
uint32_t sysdma_crc32(uint32_t crc, const unsigned char *p, size_t n);

#endif /* SYSDMA_DEVLIB_H */
