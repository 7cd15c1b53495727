#ifndef C_FUZZ_DRIVER_H
#define C_FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver, for a program with its own main (SwiftPM gives every executable target one). Linked from
// libFuzzer's runtime when the fuzz targets are built with GATEWAY_FUZZ=1; never called otherwise.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
