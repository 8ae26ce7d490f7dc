// The demanglers' own declarations (neither ships a header Swift can import) and thin
// wrappers with the arguments perfsh always passes.
#include "CDemangle.h"

#include <stdint.h>
#include <stdlib.h>

extern char *swift_demangle(const char *mangled_name, size_t mangled_name_length, char *output_buffer,
                            size_t *output_buffer_size, uint32_t flags);
extern char *__cxa_demangle(const char *mangled_name, char *output_buffer, size_t *length, int *status);

char *perfsh_swift_demangle(const char *name, size_t length) {
  return swift_demangle(name, length, NULL, NULL, 0);
}

char *perfsh_cxx_demangle(const char *name) {
  int status = -1;
  char *out = __cxa_demangle(name, NULL, NULL, &status);
  if (status != 0) {
    free(out);
    return NULL;
  }
  return out;
}
