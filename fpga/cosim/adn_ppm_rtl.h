/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Co-simulation of the PPM chain RTL (fpga/rtl/ppm_chain_top.v) behind a C
 * API: Verilator's C++ model of the chain, clocked from C the way
 * fpga/tb/tb_ppm_chain.v clocks it (full rate: input held valid, both
 * readies high), loaded with the register image lib/ppm emits for the
 * testbench (adn_ppm_chain_regs).
 *
 * It is the PpmChain element's `rtl` backend and exists for tests: the same
 * trace through `sw` (lib/ppm) and `rtl` must give the same records and
 * bytes. It is slow — one clock per input or output byte, two model
 * evaluations per clock — and is built only where Verilator 5 is found
 * (fpga/cosim/meson.build).
 *
 * Threading: an instance is single-writer, like a chain. Instances are
 * independent (each has its own VerilatedContext), so each worker lcore may
 * own one.
 */
#ifndef _ADN_PPM_RTL_H_
#define _ADN_PPM_RTL_H_

#include <stdint.h>

#include "adn_ppm.h"

#ifdef __cplusplus
extern "C" {
#endif

struct adn_ppm_rtl;

/*
 * Build a simulator of the chain, hold it in reset, then write rules' tables
 * through the register bus (connection table cleared). rules is only read
 * and may be freed afterwards; later rule changes are not seen.
 * Returns 0, -EINVAL (NULL argument), -ENOMEM, or the error of
 * adn_ppm_chain_regs.
 */
int adn_ppm_rtl_create(const struct adn_ppm_chain *rules,
		       struct adn_ppm_rtl **rtl);
void adn_ppm_rtl_free(struct adn_ppm_rtl *rtl);

/*
 * The contract of adn_ppm_chain_segment, in hardware: the segment goes into
 * s_axis (tuser = the tuple, tlast on its last byte) and the chain is clocked
 * until every request's record and output bytes are out. Then fn is called
 * per request, in order: out->meta is the record read off m_meta, out->data
 * and out->len the request's m_axis bytes, out->consumed the record's
 * msg_len. The whole segment is simulated before the first call, so fn may
 * stop early (its negative value is returned) without leaving requests in
 * the chain.
 * Returns 0, fn's negative value, -EINVAL (NULL argument, empty segment, or
 * longer than 65535 bytes: record lengths are 16-bit), -ETIMEDOUT (the chain
 * did not finish within its cycle budget) or -EIO (records and bytes
 * disagree: msg_len past the segment, out_len against tlast). After
 * -ETIMEDOUT or -EIO the chain's state is unknown and every later call
 * returns -EIO.
 */
int adn_ppm_rtl_segment(struct adn_ppm_rtl *rtl,
			const struct adn_ppm_req_in *in, adn_ppm_req_fn fn,
			void *arg);

/* Per-stage counters. The RTL has none: they are counted from the records
 * with adn_ppm_counters_add, as lib/ppm counts. NULL on a bad argument. */
const struct adn_ppm_counters *
adn_ppm_rtl_counters(const struct adn_ppm_rtl *rtl, enum adn_ppm_stage stage);

/* Clock cycles simulated so far, reset and register loading included. */
uint64_t adn_ppm_rtl_cycles(const struct adn_ppm_rtl *rtl);

#ifdef __cplusplus
}
#endif

#endif /* _ADN_PPM_RTL_H_ */
