// Declarations only (include/CFuzzDriver.h); SwiftPM builds a C target from at least one source file.
#include "CFuzzDriver.h"
