# Devices of sysdma's x86_64 QEMU build (--with-devices-x86_64=sysdma).
CONFIG_I440FX=y
CONFIG_Q35=y
CONFIG_SERIAL_ISA=y
CONFIG_ISA_DEBUG=y
CONFIG_SYSDMA=y
