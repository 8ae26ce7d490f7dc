// Zydis wrapper for probe placement: one call per instruction, plain facts out.
#include "CX86Decode.h"

#include <Zydis/Zydis.h>
#include <pthread.h>
#include <string.h>

static ZydisDecoder decoder;
static ZydisFormatter formatter;
static pthread_once_t setup_once = PTHREAD_ONCE_INIT;

static void setup(void) {
  ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  ZydisFormatterInit(&formatter, ZYDIS_FORMATTER_STYLE_ATT);
}

static int is_stack_register(ZydisRegister r) {
  return r == ZYDIS_REGISTER_RSP || r == ZYDIS_REGISTER_ESP || r == ZYDIS_REGISTER_SP || r == ZYDIS_REGISTER_SPL;
}

int perfsh_x86_decode(const uint8_t *bytes, size_t length, uint64_t address, perfsh_x86_instruction *out) {
  pthread_once(&setup_once, setup);
  memset(out, 0, sizeof *out);
  ZydisDecodedInstruction insn;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, bytes, length, &insn, ops))) return -1;
  out->length = insn.length;
  out->is_endbr64 = insn.mnemonic == ZYDIS_MNEMONIC_ENDBR64;
  switch (insn.meta.category) {
    case ZYDIS_CATEGORY_COND_BR:
    case ZYDIS_CATEGORY_UNCOND_BR:
    case ZYDIS_CATEGORY_CALL:
    case ZYDIS_CATEGORY_RET:
    case ZYDIS_CATEGORY_INTERRUPT:
    case ZYDIS_CATEGORY_SYSCALL:
    case ZYDIS_CATEGORY_SYSRET:
      out->is_branch = 1;
      break;
    default:
      out->is_branch = insn.mnemonic == ZYDIS_MNEMONIC_UD2 || insn.mnemonic == ZYDIS_MNEMONIC_LOOP ||
                       insn.mnemonic == ZYDIS_MNEMONIC_LOOPE || insn.mnemonic == ZYDIS_MNEMONIC_LOOPNE ||
                       insn.mnemonic == ZYDIS_MNEMONIC_JRCXZ || insn.mnemonic == ZYDIS_MNEMONIC_HLT;
  }
  int relative_branch = 0;
  for (int i = 0; i < insn.operand_count; i++) {
    const ZydisDecodedOperand *op = &ops[i];
    int writes = (op->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) != 0;
    if (op->type == ZYDIS_OPERAND_TYPE_REGISTER && writes && is_stack_register(op->reg.value)) out->writes_stack = 1;
    if (op->type == ZYDIS_OPERAND_TYPE_MEMORY) {
      if (writes && is_stack_register(op->mem.base)) out->writes_stack = 1;
      if (op->mem.base == ZYDIS_REGISTER_RIP) out->rip_relative = 1;
    }
    if (op->type == ZYDIS_OPERAND_TYPE_IMMEDIATE && op->imm.is_relative && out->is_branch) {
      ZyanU64 target;
      if (ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&insn, op, address, &target))) {
        out->has_target = 1;
        out->target = target;
        relative_branch = 1;
      }
    }
  }
  // What arch/x86/kernel/uprobes.c emulates: push of a 64-bit register (50+r, REX.B 41),
  // the one-byte nop, and relative jmp / jcc / call.
  int push_reg = insn.mnemonic == ZYDIS_MNEMONIC_PUSH && insn.length <= 2 && insn.opcode >= 0x50 && insn.opcode <= 0x57;
  int nop1 = insn.mnemonic == ZYDIS_MNEMONIC_NOP && insn.length == 1;
  int branch_rel = relative_branch && (insn.meta.category == ZYDIS_CATEGORY_UNCOND_BR ||
                                       insn.meta.category == ZYDIS_CATEGORY_COND_BR ||
                                       insn.meta.category == ZYDIS_CATEGORY_CALL) &&
                   insn.mnemonic != ZYDIS_MNEMONIC_JRCXZ && insn.mnemonic != ZYDIS_MNEMONIC_LOOP;
  out->emulated = push_reg || nop1 || branch_rel;
  ZydisFormatterFormatInstruction(&formatter, &insn, ops, insn.operand_count_visible, out->text, sizeof out->text,
                                  address, ZYAN_NULL);
  return 0;
}
