// SPDX-License-Identifier: BSD-3-Clause
// L7 HTTP routing PPM chain: parser -> filter -> router -> deparser.
// Each PPM only talks to its neighbour, through a valid/ready handshake that
// carries the 512-bit metadata record and the request's buffer slot; the
// request bytes stay in a four-slot message buffer (4 x 2 KiB) written by the
// parser and read by the deparser, so the parser takes request N+2 while the
// router works on N+1 and the deparser emits N.
//
// Interfaces:
//   s_axis_*  request stream, 8-bit, tlast ends a TOE segment, tuser = the
//             segment's {sip, dip, sport, dport}
//   m_meta_*  one 512-bit record per request (layout: ppm_defs.vh)
//   m_axis_*  output bytes of FORWARD / PUNT requests, tlast per request
//   cfg_*     write-only register bus loading the rule tables
`include "ppm_defs.vh"

module ppm_chain_top (
	input  wire         clk,
	input  wire         rst_n,
	input  wire         cfg_we,
	input  wire [19:0]  cfg_addr,
	input  wire [31:0]  cfg_wdata,
	input  wire [7:0]   s_axis_tdata,
	input  wire         s_axis_tvalid,
	output wire         s_axis_tready,
	input  wire         s_axis_tlast,
	input  wire [95:0]  s_axis_tuser,
	output wire         m_meta_valid,
	input  wire         m_meta_ready,
	output wire [511:0] m_meta,
	output wire [7:0]   m_axis_tdata,
	output wire         m_axis_tvalid,
	input  wire         m_axis_tready,
	output wire         m_axis_tlast
);
	wire         buf_we;
	wire [12:0]  buf_waddr, buf_raddr;
	wire [7:0]   buf_wdata;
	reg  [7:0]   buf_rdata;
	reg  [7:0]   msg_buf [0:8191];
	wire [3:0]   slot_free;

	always @(posedge clk) begin
		if (buf_we)
			msg_buf[buf_waddr] <= buf_wdata;
		buf_rdata <= msg_buf[buf_raddr];
	end

	wire         p_valid, p_ready;
	wire [1:0]   p_slot, f_slot, r_slot;
	wire [511:0] p_meta;
	wire         f_valid, f_ready;
	wire [511:0] f_meta;
	wire         r_valid, r_ready;
	wire [511:0] r_meta;

	ppm_http_parser parser (
		.clk(clk), .rst_n(rst_n),
		.s_tdata(s_axis_tdata), .s_tvalid(s_axis_tvalid),
		.s_tready(s_axis_tready), .s_tlast(s_axis_tlast),
		.s_tuser(s_axis_tuser),
		.buf_we(buf_we), .buf_waddr(buf_waddr), .buf_wdata(buf_wdata),
		.m_valid(p_valid), .m_ready(p_ready), .m_meta(p_meta),
		.m_slot(p_slot), .slot_free(slot_free));

	ppm_filter filter (
		.clk(clk), .rst_n(rst_n),
		.cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_wdata(cfg_wdata),
		.s_valid(p_valid), .s_ready(p_ready), .s_meta(p_meta),
		.s_slot(p_slot),
		.m_valid(f_valid), .m_ready(f_ready), .m_meta(f_meta),
		.m_slot(f_slot));

	ppm_router router (
		.clk(clk), .rst_n(rst_n),
		.cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_wdata(cfg_wdata),
		.s_valid(f_valid), .s_ready(f_ready), .s_meta(f_meta),
		.s_slot(f_slot),
		.m_valid(r_valid), .m_ready(r_ready), .m_meta(r_meta),
		.m_slot(r_slot));

	ppm_deparser deparser (
		.clk(clk), .rst_n(rst_n),
		.cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_wdata(cfg_wdata),
		.s_valid(r_valid), .s_ready(r_ready), .s_meta(r_meta),
		.s_slot(r_slot),
		.m_meta_valid(m_meta_valid), .m_meta_ready(m_meta_ready),
		.m_meta(m_meta),
		.m_tdata(m_axis_tdata), .m_tvalid(m_axis_tvalid),
		.m_tready(m_axis_tready), .m_tlast(m_axis_tlast),
		.buf_raddr(buf_raddr), .buf_rdata(buf_rdata),
		.slot_free(slot_free));
endmodule
