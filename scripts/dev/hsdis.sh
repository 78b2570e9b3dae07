#!/usr/bin/env bash
# scripts/dev/hsdis.sh — builds hsdis-amd64.so, the disassembler plugin HotSpot loads for -XX:+PrintAssembly, on
# GNU binutils' libopcodes (Debian: apt-get install binutils-dev), so that the machine code C2 makes of a kernel can
# be read. The JDK ships none. Usage:
#   scripts/dev/hsdis.sh [OUT_DIR]                      # default OUT_DIR: target/hsdis
#   LD_LIBRARY_PATH=target/hsdis java -XX:+UnlockDiagnosticVMOptions \
#       -XX:CompileCommand=print,dev.gpt2.backend.vector.cpu.VectorKernels::streamQ8 ...
# Look for the last "Compiled method (c2)" block of the method: its inner loop shows whether C2 unrolled it and
# hoisted the bounds checks (a "cmp ...; jae" before each load means it did not).
set -euo pipefail
out="${1:-target/hsdis}"
[ -f /usr/include/dis-asm.h ] || { echo "hsdis.sh: needs binutils-dev (dis-asm.h, libopcodes)" >&2; exit 1; }
mkdir -p "$out"
cat > "$out/hsdis.c" <<'C'
#include <stdint.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdbool.h>
#include <dis-asm.h>

/* The interface HotSpot's Disassembler calls (see hsdis.h in the JDK sources). */
typedef void* (*event_callback_t)(void*, const char*, void*);
typedef int (*printf_callback_t)(void*, const char*, ...);

struct out { printf_callback_t print; void* stream; };

static int plain(void* s, const char* format, ...) {
  struct out* o = s;
  char text[512];
  va_list args;
  va_start(args, format);
  vsnprintf(text, sizeof text, format, args);
  va_end(args);
  return o->print(o->stream, "%s", text);
}

static int styled(void* s, enum disassembler_style style, const char* format, ...) {
  struct out* o = s;
  char text[512];
  va_list args;
  (void) style;
  va_start(args, format);
  vsnprintf(text, sizeof text, format, args);
  va_end(args);
  return o->print(o->stream, "%s", text);
}

static void address(bfd_vma a, struct disassemble_info* info) {
  plain(info->stream, "0x%lx", (unsigned long) a);
}

void* decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va, unsigned char* buffer, uintptr_t length,
                                  event_callback_t event, void* event_stream, printf_callback_t print,
                                  void* print_stream, const char* options, int newline) {
  struct out o = { print, print_stream };
  disassemble_info info;
  (void) options;
  init_disassemble_info(&info, &o, plain, styled);
  info.arch = bfd_arch_i386;
  info.mach = bfd_mach_x86_64;
  info.buffer = buffer;
  info.buffer_vma = start_va;
  info.buffer_length = length;
  info.print_address_func = address;
  info.disassembler_options = "intel-mnemonic";
  disassemble_init_for_target(&info);
  disassembler_ftype decode = disassembler(bfd_arch_i386, false, bfd_mach_x86_64, NULL);
  for (uintptr_t pc = start_va; pc < end_va; ) {
    event(event_stream, "insn", (void*) pc);
    int size = decode(pc, &info);
    if (size <= 0) size = 1;
    event(event_stream, "/insn", (void*) (pc + size));
    if (newline) print(print_stream, "\n");
    pc += size;
  }
  return NULL;
}
C
cc -O2 -shared -fPIC -o "$out/hsdis-amd64.so" "$out/hsdis.c" -lopcodes -lbfd
echo "$out/hsdis-amd64.so"
