// CDemangle: the two demanglers perfsh links against, declared once in C so Swift calls
// them as ordinary imported functions instead of through @_silgen_name.
#ifndef PERFSH_CDEMANGLE_H
#define PERFSH_CDEMANGLE_H

#include <stddef.h>

/// The Swift runtime's demangler (libswiftCore's `swift_demangle`): a malloc'd readable
/// name, or NULL when `name` (of `length` bytes) is not a Swift symbol.
char *perfsh_swift_demangle(const char *name, size_t length);

/// libstdc++'s Itanium C++ ABI demangler (`__cxa_demangle`): a malloc'd readable name, or
/// NULL when `name` is not a valid mangled C++ name.
char *perfsh_cxx_demangle(const char *name);

#endif
