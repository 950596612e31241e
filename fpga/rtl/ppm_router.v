// SPDX-License-Identifier: BSD-3-Clause
// Router PPM: FlatProxy Algorithm 1 (lib/ppm/ppm_chain.c: ppm_router).
//   1. listener = Listener[idx2(dip, dport)]            (64 entries)
//   2. route    = Route[idx2(path_hash, lid<<1|0)]      exact
//                 else Route[idx2(seg_hash[k], lid<<1|1)] for k = n_segs-1..0
//   3. queue    = Conn[idx2(idx2(sip, dip), sport<<16|dport)] (1024 entries)
//      on a miss: endpoint = Ring[cluster][hash >> 26], insert at the first
//      free slot of the probe window.
// Every table is open addressing with 4 linear probes and full-key compare,
// held in synchronous-read arrays (block RAM); a probe takes 2 clocks
// (address, compare). Listener/route/ring tables are loaded through the
// register bus; the connection table is filled here and cleared by the bus.
`include "ppm_defs.vh"

module ppm_router (
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
`include "ppm_hash.vh"

	// ---- tables ----
	reg [31:0] lt_ip   [0:63];
	reg [31:0] lt_ctl  [0:63];   // valid[31] id[23:16] port[15:0]
	reg [31:0] rt_hash [0:255];
	reg [31:0] rt_ctl  [0:255];  // valid[31] kind[24] lid[23:16] id[15:8] cl[7:0]
	reg [8:0]  ring    [0:1023]; // valid[8] endpoint[7:0]
	reg [31:0] ct_sip  [0:1023];
	reg [31:0] ct_dip  [0:1023];
	reg [31:0] ct_port [0:1023];
	reg [8:0]  ct_ctl  [0:1023]; // valid[8] endpoint[7:0]

	wire [3:0]  cfg_tbl = cfg_addr[19:16];
	wire [11:0] cfg_idx = cfg_addr[15:4];
	wire [3:0]  cfg_w   = cfg_addr[3:0];

	always @(posedge clk) begin
		if (cfg_we) begin
			if (cfg_tbl == `T_LISTENER && cfg_w == 4'd0)
				lt_ip[cfg_idx[5:0]] <= cfg_wdata;
			if (cfg_tbl == `T_LISTENER && cfg_w == 4'd1)
				lt_ctl[cfg_idx[5:0]] <= cfg_wdata;
			if (cfg_tbl == `T_ROUTE && cfg_w == 4'd0)
				rt_hash[cfg_idx[7:0]] <= cfg_wdata;
			if (cfg_tbl == `T_ROUTE && cfg_w == 4'd1)
				rt_ctl[cfg_idx[7:0]] <= cfg_wdata;
			if (cfg_tbl == `T_RING)
				ring[cfg_idx[9:0]] <= {cfg_wdata[31], cfg_wdata[7:0]};
		end
	end

	// ---- FSM ----
	localparam [3:0] S_IDLE = 4'd0, S_LHASH = 4'd1, S_LRD = 4'd2,
		S_LCHK = 4'd3, S_RHASH = 4'd4, S_RRD = 4'd5, S_RCHK = 4'd6,
		S_CHASH1 = 4'd7, S_CHASH2 = 4'd8, S_CRD = 4'd9, S_CCHK = 4'd10,
		S_RING = 4'd11, S_RINGCHK = 4'd12, S_OUT = 4'd13;

	reg [3:0]   st;
	reg [511:0] meta;
	reg [1:0]   slot;
	reg [31:0]  base;
	reg [1:0]   probe;
	reg [7:0]   lid;
	reg         kind;
	reg [31:0]  rkey;
	reg [2:0]   segk;
	reg [31:0]  h1, ch;
	reg         free_found;
	reg [9:0]   free_slot;

	wire [31:0] sip = meta[`M_SIP];
	wire [31:0] dip = meta[`M_DIP];
	wire [15:0] dport = meta[`M_DPORT];
	wire [31:0] ports = {meta[`M_SPORT], meta[`M_DPORT]};

	// synchronous reads, addressed by the current state's registers
	wire [5:0] l_addr = base[5:0] + {4'd0, probe};
	wire [7:0] r_addr = base[7:0] + {6'd0, probe};
	wire [9:0] c_addr = ch[9:0] + {8'd0, probe};
	wire [9:0] g_addr = {meta[139:136], ch[31:26]};
	reg [31:0] lt_ip_q, lt_ctl_q, rt_hash_q, rt_ctl_q;
	reg [31:0] ct_sip_q, ct_dip_q, ct_port_q;
	reg [8:0]  ct_ctl_q, ring_q;
	reg [9:0]  c_addr_q;

	// conn table: data-path insert, bus clear
	reg        ct_we;
	reg [9:0]  ct_waddr;
	reg [8:0]  ct_wctl;
	always @(posedge clk) begin
		lt_ip_q <= lt_ip[l_addr];
		lt_ctl_q <= lt_ctl[l_addr];
		rt_hash_q <= rt_hash[r_addr];
		rt_ctl_q <= rt_ctl[r_addr];
		ct_sip_q <= ct_sip[c_addr];
		ct_dip_q <= ct_dip[c_addr];
		ct_port_q <= ct_port[c_addr];
		ct_ctl_q <= ct_ctl[c_addr];
		c_addr_q <= c_addr;
		ring_q <= ring[g_addr];
		if (cfg_we && cfg_tbl == `T_CONN_CLR) begin
			ct_ctl[cfg_idx[9:0]] <= 9'd0;
		end else if (ct_we) begin
			ct_ctl[ct_waddr] <= ct_wctl;
			ct_sip[ct_waddr] <= sip;
			ct_dip[ct_waddr] <= dip;
			ct_port[ct_waddr] <= ports;
		end
	end

	wire [31:0] cur_seg = segk == 3'd1 ? meta[`M_SEG0] :
		segk == 3'd2 ? meta[`M_SEG1] :
		segk == 3'd3 ? meta[`M_SEG2] : meta[`M_SEG3];

	assign s_ready = st == S_IDLE;

	task punt;
		input [7:0] r;
		begin
			meta[`M_DECISION] <= `D_PUNT;
			meta[`M_REASON] <= r;
			st <= S_OUT;
		end
	endtask

	always @(posedge clk) begin
		ct_we <= 1'b0;
		if (!rst_n) begin
			st <= S_IDLE;
			m_valid <= 1'b0;
			m_meta <= 512'd0;
			m_slot <= 2'd0;
			meta <= 512'd0;
			slot <= 2'd0;
			probe <= 2'd0;
			base <= 32'd0;
			ch <= 32'd0;
		end else begin
			if (m_valid && m_ready)
				m_valid <= 1'b0;
			case (st)
			S_IDLE:
				if (s_valid) begin
					meta <= s_meta;
					slot <= s_slot;
					st <= s_meta[`M_DECISION] == `D_CONTINUE ?
						S_LHASH : S_OUT;
				end
			S_LHASH: begin
				base <= idx2(dip, {16'd0, dport});
				probe <= 2'd0;
				st <= S_LRD;
			end
			S_LRD: st <= S_LCHK;
			S_LCHK:
				if (lt_ctl_q[31] && lt_ip_q == dip &&
				    lt_ctl_q[15:0] == dport) begin
					lid <= lt_ctl_q[23:16];
					meta[`M_LISTENER] <= lt_ctl_q[23:16];
					kind <= 1'b0;
					rkey <= meta[`M_PATH_HASH];
					segk <= meta[282:280];
					st <= S_RHASH;
				end else if (probe == 2'd3) begin
					punt(`R_NO_LISTENER);
				end else begin
					probe <= probe + 2'd1;
					st <= S_LRD;
				end
			S_RHASH: begin
				base <= idx2(rkey, {23'd0, lid, kind});
				probe <= 2'd0;
				st <= S_RRD;
			end
			S_RRD: st <= S_RCHK;
			S_RCHK:
				if (rt_ctl_q[31] && rt_hash_q == rkey &&
				    rt_ctl_q[23:16] == lid && rt_ctl_q[24] == kind) begin
					meta[`M_ROUTE] <= rt_ctl_q[15:8];
					meta[`M_CLUSTER] <= rt_ctl_q[7:0];
					if (kind)
						meta[480 + `F_PREFIX_HIT] <= 1'b1;
					st <= S_CHASH1;
				end else if (probe != 2'd3) begin
					probe <= probe + 2'd1;
					st <= S_RRD;
				end else if (segk == 3'd0) begin
					punt(`R_NO_ROUTE);
				end else begin
					// next shorter '/'-prefix
					kind <= 1'b1;
					rkey <= cur_seg;
					segk <= segk - 3'd1;
					st <= S_RHASH;
				end
			S_CHASH1: begin
				h1 <= idx2(sip, dip);
				st <= S_CHASH2;
			end
			S_CHASH2: begin
				ch <= idx2(h1, ports);
				probe <= 2'd0;
				free_found <= 1'b0;
				st <= S_CRD;
			end
			S_CRD: st <= S_CCHK;
			S_CCHK:
				if (ct_ctl_q[8] && ct_sip_q == sip && ct_dip_q == dip &&
				    ct_port_q == ports) begin
					meta[`M_ENDPOINT] <= ct_ctl_q[7:0];
					meta[`M_QUEUE] <= {6'd0, c_addr_q};
					meta[`M_DECISION] <= `D_FORWARD;
					st <= S_OUT;
				end else begin
					if (!ct_ctl_q[8] && !free_found) begin
						free_found <= 1'b1;
						free_slot <= c_addr_q;
					end
					if (probe == 2'd3) begin
						st <= S_RING;
					end else begin
						probe <= probe + 2'd1;
						st <= S_CRD;
					end
				end
			S_RING: st <= S_RINGCHK; // ring_q <= ring[cluster, hash]
			S_RINGCHK:
				if (!ring_q[8]) begin
					punt(`R_NO_ENDPOINT);
				end else if (!free_found) begin
					punt(`R_CONN_FULL);
				end else begin
					ct_we <= 1'b1;
					ct_waddr <= free_slot;
					ct_wctl <= {1'b1, ring_q[7:0]};
					meta[`M_ENDPOINT] <= ring_q[7:0];
					meta[`M_QUEUE] <= {6'd0, free_slot};
					meta[480 + `F_NEW_CONN] <= 1'b1;
					meta[`M_DECISION] <= `D_FORWARD;
					st <= S_OUT;
				end
			S_OUT:
				if (!m_valid || m_ready) begin
					m_valid <= 1'b1;
					m_meta <= meta;
					m_slot <= slot;
					st <= S_IDLE;
				end
			default: st <= S_IDLE;
			endcase
		end
	end
endmodule
