// SPDX-License-Identifier: GPL-2.0
/*
 * The module's own non-MIO PCI instructions.  Unlike the kernel's
 * __zpci_load/__zpci_store/__zpci_store_block these never retry on busy,
 * report the exact condition code and status, and turn a program check
 * raised by the instruction into an outcome (exception-table fixup plus
 * the program-interruption code the CPU stored in the lowcore).
 *
 * This is the only file of the module with s390 assembly.
 */
#include <linux/irqflags.h>
#include <asm/asm-extable.h>
#include <asm/lowcore.h>
#include <asm/pci_io.h>
#include <asm/types.h>

#include "zpci_io.h"

/* Set by the fixup path: the instruction did not complete */
#define ZPCI_IO_CC_EXCEPTION	(-1)

/*
 * The program checks a PCI instruction raises for a bad request (operand,
 * specification) suppress the instruction: the old PSW points behind it,
 * at label 0, so that is the only address with an exception-table entry,
 * exactly as in arch/s390/pci/pci_insn.c.  An access exception on the
 * kernel's own data operand (a bug, never a user input) nullifies the
 * instruction, finds no entry at the instruction and is reported by the
 * kernel as the bug it is.
 *
 * Interrupts are disabled around the instruction so that no other program
 * check on this CPU can overwrite the lowcore's interruption code before
 * it is read.
 */
static void zpci_io_outcome(struct zpci_io_outcome *out, int cc, u64 reqreg)
{
	out->status = (reqreg >> 24) & 0xff;
	if (cc == ZPCI_IO_CC_EXCEPTION) {
		out->exception = true;
		out->cc = 0;
		out->pic = get_lowcore()->pgm_code & 0x7f;
	} else {
		out->exception = false;
		out->cc = cc;
		out->pic = 0;
	}
}

static void zpci_io_hw_pcilg(u64 req, u64 offset, u64 *data,
			     struct zpci_io_outcome *out)
{
	union register_pair req_off = { .even = req, .odd = offset };
	int cc = ZPCI_IO_CC_EXCEPTION;
	unsigned long flags;
	u64 val = 0;

	local_irq_save(flags);
	asm volatile("	.insn	rre,0xb9d20000,%[val],%[req_off]\n"
		"0:	ipm	%[cc]\n"
		"	srl	%[cc],28\n"
		"1:\n"
		EX_TABLE(0b, 1b)
		: [cc] "+d" (cc), [val] "+d" (val),
		  [req_off] "+&d" (req_off.pair)
		:
		: "cc");
	zpci_io_outcome(out, cc, req_off.even);
	local_irq_restore(flags);
	*data = val;
}

static void zpci_io_hw_pcistg(u64 req, u64 offset, u64 data,
			      struct zpci_io_outcome *out)
{
	union register_pair req_off = { .even = req, .odd = offset };
	int cc = ZPCI_IO_CC_EXCEPTION;
	unsigned long flags;

	local_irq_save(flags);
	asm volatile("	.insn	rre,0xb9d00000,%[data],%[req_off]\n"
		"0:	ipm	%[cc]\n"
		"	srl	%[cc],28\n"
		"1:\n"
		EX_TABLE(0b, 1b)
		: [cc] "+d" (cc), [req_off] "+&d" (req_off.pair)
		: [data] "d" (data)
		: "cc");
	zpci_io_outcome(out, cc, req_off.even);
	local_irq_restore(flags);
}

/* The store block's operand as the instruction reads it: up to 4 KiB */
struct zpci_io_block {
	u8 b[ZPCI_BOUNDARY_SIZE];
};

static void zpci_io_hw_pcistb(u64 req, u64 offset, const void *data,
			      struct zpci_io_outcome *out)
{
	int cc = ZPCI_IO_CC_EXCEPTION;
	unsigned long flags;

	local_irq_save(flags);
	asm volatile("	.insn	rsy,0xeb00000000d0,%[req],%[offset],%[data]\n"
		"0:	ipm	%[cc]\n"
		"	srl	%[cc],28\n"
		"1:\n"
		EX_TABLE(0b, 1b)
		: [cc] "+d" (cc), [req] "+d" (req)
		: [offset] "d" (offset),
		  [data] "Q" (*(const struct zpci_io_block *)data)
		: "cc");
	zpci_io_outcome(out, cc, req);
	local_irq_restore(flags);
}

const struct zpci_io_insn_ops zpci_io_hw_insn_ops = {
	.pcilg	= zpci_io_hw_pcilg,
	.pcistg	= zpci_io_hw_pcistg,
	.pcistb	= zpci_io_hw_pcistb,
};
