// libperfsh-alloc.so exports the C and C++ allocation functions it interposes (malloc, free,
// operator new, …) and nothing else; see recorder.c. Nothing in perfsh links against it.
#ifndef PERFSH_CALLOCRECORDER_H
#define PERFSH_CALLOCRECORDER_H
#endif
