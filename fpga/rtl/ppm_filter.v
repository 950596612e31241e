// SPDX-License-Identifier: BSD-3-Clause
// Filter PPM: 16 rules on (method, host hash, path hash or '/'-prefix hash),
// all compared in parallel, lowest index wins, else the default action
// (lib/ppm/ppm_chain.c: ppm_filter). One register stage: a record takes one
// clock. Records that already carry a decision pass through untouched.
`include "ppm_defs.vh"

module ppm_filter #(
	parameter N = 16
) (
	input  wire         clk,
	input  wire         rst_n,
	input  wire         cfg_we,
	input  wire [19:0]  cfg_addr,
	input  wire [31:0]  cfg_wdata,
	input  wire         s_valid,
	output wire         s_ready,
	input  wire [511:0] s_meta,
	input  wire [1:0]   s_slot,
	output reg          m_valid,
	input  wire         m_ready,
	output reg  [511:0] m_meta,
	output reg  [1:0]   m_slot
);
	reg [31:0] r_ctl  [0:N-1]; // valid, path_mode, match_host, action, mask
	reg [31:0] r_path [0:N-1];
	reg [31:0] r_host [0:N-1];
	reg [1:0]  def_action;

	always @(posedge clk) begin
		if (cfg_we && cfg_addr[19:16] == `T_FILTER && cfg_addr[15:4] < N) begin
			case (cfg_addr[3:0])
			4'd0: r_ctl[cfg_addr[7:4]] <= cfg_wdata;
			4'd1: r_path[cfg_addr[7:4]] <= cfg_wdata;
			4'd2: r_host[cfg_addr[7:4]] <= cfg_wdata;
			default: ;
			endcase
		end
		if (!rst_n)
			def_action <= 2'd0;
		else if (cfg_we && cfg_addr == 20'd0)
			def_action <= cfg_wdata[1:0];
	end

	wire [7:0]  method = s_meta[`M_METHOD];
	wire [2:0]  nsegs  = s_meta[282:280];
	wire [31:0] seg [0:3];
	assign seg[0] = s_meta[`M_SEG0];
	assign seg[1] = s_meta[`M_SEG1];
	assign seg[2] = s_meta[`M_SEG2];
	assign seg[3] = s_meta[`M_SEG3];

	reg [N-1:0] hit;
	integer i, k;
	reg path_ok;

	always @* begin
		for (i = 0; i < N; i = i + 1) begin
			case (r_ctl[i][25:24])
			2'd1: path_ok = r_path[i] == s_meta[`M_PATH_HASH];
			2'd2: begin
				path_ok = 1'b0;
				for (k = 0; k < 4; k = k + 1)
					if (k < nsegs && r_path[i] == seg[k])
						path_ok = 1'b1;
			end
			default: path_ok = 1'b1;
			endcase
			hit[i] = r_ctl[i][31] && r_ctl[i][{1'b0, method[3:0]}] &&
				(!r_ctl[i][23] || r_host[i] == s_meta[`M_HOST_HASH]) &&
				path_ok;
		end
	end

	reg [7:0] first;
	reg [1:0] action;
	always @* begin
		first = 8'hff;
		action = def_action;
		for (i = N - 1; i >= 0; i = i - 1)
			if (hit[i]) begin
				first = i[7:0];
				action = r_ctl[i][17:16];
			end
	end

	assign s_ready = !m_valid || m_ready;

	always @(posedge clk) begin
		if (!rst_n) begin
			m_valid <= 1'b0;
			m_meta <= 512'd0;
			m_slot <= 2'd0;
		end else if (s_ready) begin
			m_valid <= s_valid;
			if (s_valid) begin
				m_slot <= s_slot;
				m_meta <= s_meta;
				if (s_meta[`M_DECISION] == `D_CONTINUE) begin
					m_meta[`M_FRULE] <= first;
					if (action == 2'd1) begin
						m_meta[`M_DECISION] <= `D_DROP;
						m_meta[`M_REASON] <= `R_FILTER_DENY;
					end else if (action == 2'd2) begin
						m_meta[`M_DECISION] <= `D_PUNT;
						m_meta[`M_REASON] <= `R_FILTER_PUNT;
					end
				end
			end
		end
	end
endmodule
