// SPDX-License-Identifier: BSD-3-Clause
// Deparser PPM (lib/ppm/ppm_chain.c: ppm_deparse). For each record:
//   FORWARD: emits the request with the endpoint's routing header inserted
//            before the blank line: buf[0, eoh-2) + tmpl[ep] + buf[eoh-2, msg_len)
//   PUNT:    emits the request unchanged (to the slow path)
//   DROP, ERROR: no bytes.
// The record (with out_len filled in) goes out on m_meta first, then the
// bytes on m_axis, one per clock, tlast on the last. Then the buffer slot is
// handed back to the parser. Buffer and template memories are read
// synchronously; a two-entry skid FIFO keeps one byte per clock under
// back-pressure.
`include "ppm_defs.vh"

module ppm_deparser (
	input  wire         clk,
	input  wire         rst_n,
	input  wire         cfg_we,
	input  wire [19:0]  cfg_addr,
	input  wire [31:0]  cfg_wdata,
	input  wire         s_valid,
	output wire         s_ready,
	input  wire [511:0] s_meta,
	input  wire [1:0]   s_slot,
	output reg          m_meta_valid,
	input  wire         m_meta_ready,
	output reg  [511:0] m_meta,
	output wire [7:0]   m_tdata,
	output wire         m_tvalid,
	input  wire         m_tready,
	output wire         m_tlast,
	output wire [12:0]  buf_raddr,
	input  wire [7:0]   buf_rdata,
	output reg  [3:0]   slot_free
);
	reg [6:0]  tmpl_len [0:63];
	reg [31:0] tmpl     [0:1023];

	always @(posedge clk) begin
		if (cfg_we && cfg_addr[19:16] == `T_EP_LEN && cfg_addr[3:0] == 4'd0)
			tmpl_len[cfg_addr[9:4]] <= cfg_wdata[6:0];
		if (cfg_we && cfg_addr[19:16] == `T_EP_TMPL && cfg_addr[3:0] == 4'd0)
			tmpl[cfg_addr[13:4]] <= cfg_wdata;
	end

	localparam [1:0] S_IDLE = 2'd0, S_META = 2'd1, S_STREAM = 2'd2;
	reg [1:0]  st;
	reg [1:0]  slot;
	reg        fwd;
	reg [5:0]  ep;
	reg [15:0] ins, tlen, out_len, rk;

	// ---- read issue: index rk -> source address ----
	reg        inflight, infl_tmpl, infl_last;
	reg [1:0]  infl_byte;
	reg [7:0]  fifo_d [0:1];
	reg        fifo_l [0:1];
	reg [1:0]  cnt;
	reg        rd_ptr;
	reg [31:0] tmpl_q;

	wire pop = cnt != 2'd0 && m_tready;
	wire [1:0] cnt_after = cnt - {1'b0, pop};
	wire issue = (st == S_META || st == S_STREAM) && rk < out_len &&
		({1'b0, cnt_after} + {2'b0, inflight}) < 3'd2;
	wire in_tmpl = fwd && rk >= ins && rk < ins + tlen;
	wire [15:0] tk = rk - ins;
	wire [15:0] src = (fwd && rk >= ins + tlen) ? rk - tlen : rk;

	assign buf_raddr = {slot, src[10:0]};
	always @(posedge clk)
		tmpl_q <= tmpl[{ep, tk[5:2]}];

	wire [7:0] rd_byte = !infl_tmpl ? buf_rdata :
		infl_byte == 2'd0 ? tmpl_q[7:0] :
		infl_byte == 2'd1 ? tmpl_q[15:8] :
		infl_byte == 2'd2 ? tmpl_q[23:16] : tmpl_q[31:24];

	assign m_tvalid = cnt != 2'd0;
	assign m_tdata = fifo_d[rd_ptr];
	assign m_tlast = fifo_l[rd_ptr];
	// done: every byte issued and gone, and the record taken
	wire done = st == S_STREAM && rk == out_len && !inflight &&
		cnt_after == 2'd0 && !(m_meta_valid && !m_meta_ready);
	assign s_ready = st == S_IDLE || done;

	wire [15:0] s_tlen = {9'd0, tmpl_len[s_meta[133:128]]};
	wire [7:0]  s_dec = s_meta[`M_DECISION];
	wire [15:0] s_msg = s_meta[`M_MSG_LEN];
	wire [15:0] s_out = s_dec == `D_FORWARD ? s_msg + s_tlen :
		s_dec == `D_PUNT ? s_msg : 16'd0;

	task load_record;
		begin
			slot <= s_slot;
			fwd <= s_dec == `D_FORWARD;
			ep <= s_meta[133:128];
			ins <= s_meta[`M_EOH] - 16'd2;
			tlen <= s_dec == `D_FORWARD ? s_tlen : 16'd0;
			out_len <= s_out;
			rk <= 16'd0;
			m_meta <= s_meta;
			m_meta[`M_OUT_LEN] <= s_out;
			st <= S_META;
		end
	endtask

	always @(posedge clk) begin
		slot_free <= 4'd0;
		if (!rst_n) begin
			st <= S_IDLE;
			m_meta_valid <= 1'b0;
			m_meta <= 512'd0;
			inflight <= 1'b0;
			cnt <= 2'd0;
			rd_ptr <= 1'b0;
			rk <= 16'd0;
			out_len <= 16'd0;
		end else begin
			// skid FIFO
			inflight <= issue;
			infl_tmpl <= in_tmpl;
			infl_byte <= tk[1:0];
			infl_last <= rk == out_len - 16'd1;
			// push behind whatever is left after this clock's pop
			if (inflight) begin
				fifo_d[rd_ptr ^ pop ^ (cnt_after != 2'd0)] <= rd_byte;
				fifo_l[rd_ptr ^ pop ^ (cnt_after != 2'd0)] <= infl_last;
			end
			cnt <= cnt_after + {1'b0, inflight};
			if (pop)
				rd_ptr <= !rd_ptr;
			if (issue)
				rk <= rk + 16'd1;

			if (m_meta_valid && m_meta_ready)
				m_meta_valid <= 1'b0;
			case (st)
			S_IDLE:
				if (s_valid)
					load_record;
			S_META:
				if (!m_meta_valid) begin
					m_meta_valid <= 1'b1;
					st <= S_STREAM;
				end
			S_STREAM:
				if (done) begin
					slot_free <= 4'd1 << slot;
					st <= S_IDLE;
					if (s_valid)
						load_record;
				end
			default: st <= S_IDLE;
			endcase
		end
	end
endmodule
