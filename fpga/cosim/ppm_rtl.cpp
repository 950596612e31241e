/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * C shim over the Verilated PPM chain (adn_ppm_rtl.h). Drives the ports as
 * fpga/tb/tb_ppm_chain.v does at full rate: inputs change while the clock is
 * low, a handshake is taken when valid and ready are both high just before
 * the rising edge, the register bus writes one word per clock.
 */
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

#include "Vppm_chain_top.h"
#include "verilated.h"

#include "adn_ppm_rtl.h"

namespace {

/* Clocks with reset asserted before the tables are written (the bench
 * uses 4). */
constexpr int RESET_CLOCKS = 4;

/* Budget per segment: the chain takes a byte per clock in and gives a byte
 * per clock out, and out is at most the input plus a 64-byte routing header
 * per (at least 18-byte) request, so 16 clocks a byte is generous; the
 * constant covers the pipeline's latency on tiny segments. */
constexpr uint64_t CLOCKS_PER_BYTE = 16;
constexpr uint64_t CLOCKS_SLACK = 4096;

struct out_byte {
	uint8_t data;
	bool last;
};

} /* namespace */

struct adn_ppm_rtl {
	VerilatedContext *ctx;
	Vppm_chain_top *top;
	uint64_t cycles;
	bool broken;	/* a segment failed: the chain's state is unknown */
	struct adn_ppm_counters cnt[ADN_PPM_ST_MAX];
	/* Of the segment being simulated; kept to reuse their storage. */
	std::vector<struct adn_ppm_meta> recs;
	std::vector<out_byte> bytes;
	std::vector<uint8_t> req_out;
};

/* One clock: settle the inputs set since the last edge with the clock low,
 * note the handshakes the rising edge will take, then take it. */
static void
rtl_clock(struct adn_ppm_rtl *r, bool *in_taken)
{
	Vppm_chain_top *t = r->top;

	t->clk = 0;
	t->eval();
	if (in_taken != nullptr)
		*in_taken = t->s_axis_tvalid && t->s_axis_tready;
	if (t->m_meta_valid && t->m_meta_ready) {
		uint32_t w[ADN_PPM_META_WORDS];
		struct adn_ppm_meta m;

		/* Record word 0 is bits 511:480; Verilator's word 0 is
		 * bits 31:0. */
		for (int k = 0; k < ADN_PPM_META_WORDS; k++)
			w[k] = t->m_meta[ADN_PPM_META_WORDS - 1 - k];
		adn_ppm_meta_unpack(w, &m);
		r->recs.push_back(m);
	}
	if (t->m_axis_tvalid && t->m_axis_tready)
		r->bytes.push_back({ t->m_axis_tdata, t->m_axis_tlast != 0 });
	t->clk = 1;
	t->eval();
	r->cycles++;
}

static int
rtl_reg_write(void *arg, uint32_t addr, uint32_t data)
{
	struct adn_ppm_rtl *r = static_cast<struct adn_ppm_rtl *>(arg);

	r->top->cfg_we = 1;
	r->top->cfg_addr = addr;
	r->top->cfg_wdata = data;
	rtl_clock(r, nullptr);
	return 0;
}

static void
rtl_destroy(struct adn_ppm_rtl *r)
{
	if (r->top != nullptr)
		r->top->final();
	delete r->top;
	delete r->ctx;
	delete r;
}

extern "C" int
adn_ppm_rtl_create(const struct adn_ppm_chain *rules, struct adn_ppm_rtl **rtl)
{
	struct adn_ppm_rtl *r;
	int rc;

	if (rules == nullptr || rtl == nullptr)
		return -EINVAL;
	r = new (std::nothrow) adn_ppm_rtl();
	if (r == nullptr)
		return -ENOMEM;
	/* Verilator reports allocation failure by throwing; nothing may
	 * cross into C. */
	try {
		r->ctx = new VerilatedContext;
		r->top = new Vppm_chain_top(r->ctx, "ppm_chain_top");
		r->req_out.reserve(UINT16_MAX);
	} catch (...) {
		rtl_destroy(r);
		return -ENOMEM;
	}
	Vppm_chain_top *t = r->top;

	t->rst_n = 0;
	t->cfg_we = 0;
	t->s_axis_tvalid = 0;
	t->m_meta_ready = 1;
	t->m_axis_tready = 1;
	for (int i = 0; i < RESET_CLOCKS; i++)
		rtl_clock(r, nullptr);
	t->rst_n = 1;
	/* The image ppm-vectors gives the bench, written the same way. */
	rc = adn_ppm_chain_regs(rules, rtl_reg_write, r);
	t->cfg_we = 0;
	if (rc < 0) {
		rtl_destroy(r);
		return rc;
	}
	rtl_clock(r, nullptr);
	/* Output from reset or loading would be assigned to the first
	 * segment's requests. */
	if (!r->recs.empty() || !r->bytes.empty()) {
		rtl_destroy(r);
		return -EIO;
	}
	*rtl = r;
	return 0;
}

extern "C" void
adn_ppm_rtl_free(struct adn_ppm_rtl *rtl)
{
	if (rtl != nullptr)
		rtl_destroy(rtl);
}

/* Stream the segment in and clock until the records cover it and every
 * byte they announce is out. */
static int
rtl_run(struct adn_ppm_rtl *r, const struct adn_ppm_req_in *in)
{
	Vppm_chain_top *t = r->top;
	const uint64_t budget = CLOCKS_PER_BYTE * in->len + CLOCKS_SLACK;
	size_t sent = 0, consumed = 0, out_total = 0, seen = 0;

	r->recs.clear();
	r->bytes.clear();
	/* tuser {sip, dip, sport, dport}; Verilator's word 0 is bits 31:0. */
	t->s_axis_tuser[0] = (uint32_t)in->tuple.sport << 16 | in->tuple.dport;
	t->s_axis_tuser[1] = in->tuple.dip;
	t->s_axis_tuser[2] = in->tuple.sip;
	for (uint64_t c = 0; c < budget; c++) {
		bool taken;

		t->s_axis_tvalid = sent < in->len;
		if (sent < in->len) {
			t->s_axis_tdata = in->data[sent];
			t->s_axis_tlast = sent + 1 == in->len;
		}
		rtl_clock(r, &taken);
		if (taken)
			sent++;
		for (; seen < r->recs.size(); seen++) {
			consumed += r->recs[seen].msg_len;
			out_total += r->recs[seen].out_len;
		}
		if (consumed > in->len || r->bytes.size() > out_total)
			break;
		if (consumed == in->len && r->bytes.size() == out_total) {
			t->s_axis_tvalid = 0;
			return 0;
		}
	}
	t->s_axis_tvalid = 0;
	return consumed > in->len || r->bytes.size() > out_total ?
		-EIO : -ETIMEDOUT;
}

extern "C" int
adn_ppm_rtl_segment(struct adn_ppm_rtl *r, const struct adn_ppm_req_in *in,
		    adn_ppm_req_fn fn, void *arg)
{
	size_t at = 0;
	int rc;

	if (r == nullptr || in == nullptr || fn == nullptr ||
	    in->data == nullptr || in->len == 0 || in->len > UINT16_MAX)
		return -EINVAL;
	if (r->broken)
		return -EIO;
	/* Nothing may be thrown into C: a failed allocation in the vectors
	 * is -ENOMEM, and the segment's fate unknown. */
	try {
		rc = rtl_run(r, in);
	} catch (const std::bad_alloc &) {
		rc = -ENOMEM;
	}
	if (rc < 0) {
		r->broken = true;
		return rc;
	}
	/* Split the byte stream by the records' out_len; tlast must end each
	 * request's bytes and nothing else. */
	for (const struct adn_ppm_meta &m : r->recs) {
		for (size_t i = 0; i < m.out_len; i++)
			if (r->bytes[at + i].last != (i + 1 == m.out_len)) {
				r->broken = true;
				return -EIO;
			}
		at += m.out_len;
	}
	at = 0;
	for (const struct adn_ppm_meta &m : r->recs) {
		struct adn_ppm_out out;

		adn_ppm_counters_add(r->cnt, &m);
		/* Does not allocate: reserved for the largest out_len. */
		r->req_out.resize(m.out_len);
		for (size_t i = 0; i < m.out_len; i++)
			r->req_out[i] = r->bytes[at + i].data;
		at += m.out_len;
		std::memset(&out, 0, sizeof(out));
		out.meta = m;
		out.data = m.out_len ? r->req_out.data() : nullptr;
		out.len = m.out_len;
		out.consumed = m.msg_len;
		if (rc == 0)
			rc = fn(arg, &out);
	}
	return rc;
}

extern "C" const struct adn_ppm_counters *
adn_ppm_rtl_counters(const struct adn_ppm_rtl *rtl, enum adn_ppm_stage stage)
{
	if (rtl == nullptr || (unsigned int)stage >= ADN_PPM_ST_MAX)
		return nullptr;
	return &rtl->cnt[stage];
}

extern "C" uint64_t
adn_ppm_rtl_cycles(const struct adn_ppm_rtl *rtl)
{
	return rtl != nullptr ? rtl->cycles : 0;
}
