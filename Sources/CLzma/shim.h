#include <lzma.h>

// LZMA_CONCATENATED is a UINT32_C() macro Swift cannot import.
static const uint32_t perfsh_lzma_concatenated = LZMA_CONCATENATED;
