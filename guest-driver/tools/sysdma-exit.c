// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma-exit: end the VM with a verdict through QEMU's isa-debug-exit
 * device (iobase 0xf4).  QEMU exits with (value << 1) | 1; we write
 * CODE + 1, so a verdict is an odd status >= 3 and can be told apart from a
 * plain poweroff or a panic (both exit 0) and from QEMU's own error exit (1).
 *
 *   sysdma-exit CODE     CODE in 0..126
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <unistd.h>

#define DEBUG_EXIT_PORT 0xf4

int main(int argc, char **argv)
{
	char *end;
	long code;

	if (argc != 2) {
		fprintf(stderr, "usage: sysdma-exit CODE (0..126)\n");
		return 2;
	}
	code = strtol(argv[1], &end, 0);
	if (*argv[1] == '\0' || *end != '\0' || code < 0 || code > 126) {
		fprintf(stderr, "sysdma-exit: bad code '%s' (want 0..126)\n",
			argv[1]);
		return 2;
	}
	if (ioperm(DEBUG_EXIT_PORT, 4, 1)) {
		perror("sysdma-exit: ioperm");
		return 1;
	}
	sync();
	outl((unsigned int)code + 1, DEBUG_EXIT_PORT);
	/* Not reached when QEMU has the isa-debug-exit device. */
	fprintf(stderr, "sysdma-exit: no isa-debug-exit device at 0x%x\n",
		DEBUG_EXIT_PORT);
	return 1;
}
