// CX86Decode: x86-64 instruction decoding through Zydis (libzydis-dev), reduced to the
// facts probe placement needs, so Swift never sees Zydis's unions and macros.
#ifndef PERFSH_CX86DECODE_H
#define PERFSH_CX86DECODE_H

#include <stddef.h>
#include <stdint.h>

/// One decoded instruction.
typedef struct {
  /// Length in bytes; 0 when the bytes are no valid instruction.
  uint8_t length;
  /// `endbr64` (the CET indirect-branch landing pad).
  uint8_t is_endbr64;
  /// Changes control flow: jumps, conditional jumps, calls, returns, loops, traps.
  uint8_t is_branch;
  /// A branch with a relative target; `target` holds the absolute address.
  uint8_t has_target;
  /// Writes %rsp or memory addressed through %rsp (so the return address may move).
  uint8_t writes_stack;
  /// Addresses memory relative to %rip.
  uint8_t rip_relative;
  /// The kernel's uprobes emulate it (push of a register, one-byte nop, relative jumps and
  /// calls) instead of single-stepping a copy out of line.
  uint8_t emulated;
  /// Absolute branch target when `has_target`.
  uint64_t target;
  /// AT&T text, e.g. "push %rbp".
  char text[96];
} perfsh_x86_instruction;

/// Decodes the instruction at `bytes` (at most `length` bytes) located at `address`.
/// Returns 0 and fills `out`, or -1 when the bytes are no valid instruction.
int perfsh_x86_decode(const uint8_t *_Nonnull bytes, size_t length, uint64_t address,
                      perfsh_x86_instruction *_Nonnull out);

#endif
