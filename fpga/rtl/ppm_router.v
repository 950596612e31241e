// SPDX-License-Identifier: BSD-3-Clause
// Router PPM: FlatProxy Algorithm 1 (lib/ppm/ppm_chain.c: ppm_router).
//   1. listener = Listener[idx2(dip, dport)]            (64 entries)
//   2. route    = Route[idx2(path_hash, lid<<1|0)]      exact
//                 else Route[idx2(seg_hash[k], lid<<1|1)] for k = n_segs-1..0
//   3. queue    = Conn[idx2(idx2(sip, dip), sport<<16|dport)] (1024 entries)
//      on a miss: endpoint = Ring[cluster][hash >> 26], insert at the first
//      free slot of the probe window.
// Every table is open addressing with 4 linear probes and full-key compare.
// Each table is split into 4 block-RAM banks by index mod 4, so the 4 probes
// of a window (consecutive indexes) fall in 4 different banks and are read in
// one clock: a lookup is 1 clock of address, 1 of read, 1 of compare.
// Listener/route/ring tables are loaded through the register bus; the
// connection table is filled here and cleared by the bus.
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

	wire [3:0]  cfg_tbl = cfg_addr[19:16];
	wire [11:0] cfg_idx = cfg_addr[15:4];
	wire [3:0]  cfg_w   = cfg_addr[3:0];

	// ---- FSM state used by the tables ----
	localparam [3:0] S_IDLE = 4'd0, S_LHASH = 4'd1, S_LRD = 4'd2,
		S_LCHK = 4'd3, S_RHASH = 4'd4, S_RRD = 4'd5, S_RCHK = 4'd6,
		S_CHASH1 = 4'd7, S_CHASH2 = 4'd8, S_CRD = 4'd9, S_CCHK = 4'd10,
		S_RING = 4'd11, S_RINGCHK = 4'd12, S_OUT = 4'd13;

	reg [3:0]   st;
	reg [511:0] meta;
	reg [1:0]   slot;
	reg [31:0]  base;   // listener / route window start
	reg [7:0]   lid;
	reg         kind;
	reg [31:0]  rkey;
	reg [2:0]   segk;
	reg [31:0]  h1, ch; // ch: connection hash (window start, ring slot)

	wire [31:0] sip = meta[`M_SIP];
	wire [31:0] dip = meta[`M_DIP];
	wire [15:0] dport = meta[`M_DPORT];
	wire [31:0] ports = {meta[`M_SPORT], meta[`M_DPORT]};

	// conn table write port (data-path insert)
	reg        ct_we;
	reg [9:0]  ct_waddr;
	reg [7:0]  ct_wep;

	// ---- banked tables: entry e lives in bank e[1:0], row e >> 2 ----
	reg [31:0] lt_q_ip  [0:3];
	reg [31:0] lt_q_ctl [0:3];
	reg [31:0] rt_q_hash[0:3];
	reg [31:0] rt_q_ctl [0:3];
	reg [31:0] ct_q_sip [0:3];
	reg [31:0] ct_q_dip [0:3];
	reg [31:0] ct_q_port[0:3];
	reg [8:0]  ct_q_ctl [0:3];

	genvar k;
	generate
	for (k = 0; k < 4; k = k + 1) begin : bank
		reg [31:0] lt_ip  [0:15];
		reg [31:0] lt_ctl [0:15];  // valid[31] id[23:16] port[15:0]
		reg [31:0] rt_hash[0:63];
		reg [31:0] rt_ctl [0:63];  // valid[31] kind[24] lid[23:16] id[15:8] cl[7:0]
		reg [31:0] ct_sip [0:255];
		reg [31:0] ct_dip [0:255];
		reg [31:0] ct_port[0:255];
		reg [8:0]  ct_ctl [0:255]; // valid[8] endpoint[7:0]

		// row of this bank's member of the window starting at b
		wire [1:0] lo = k[1:0] - base[1:0];
		wire [1:0] co = k[1:0] - ch[1:0];
		wire [5:0] l_ent = base[5:0] + {4'd0, lo};
		wire [7:0] r_ent = base[7:0] + {6'd0, lo};
		wire [9:0] c_ent = ch[9:0] + {8'd0, co};

		always @(posedge clk) begin
			if (cfg_we && cfg_idx[1:0] == k[1:0]) begin
				if (cfg_tbl == `T_LISTENER && cfg_w == 4'd0)
					lt_ip[cfg_idx[5:2]] <= cfg_wdata;
				if (cfg_tbl == `T_LISTENER && cfg_w == 4'd1)
					lt_ctl[cfg_idx[5:2]] <= cfg_wdata;
				if (cfg_tbl == `T_ROUTE && cfg_w == 4'd0)
					rt_hash[cfg_idx[7:2]] <= cfg_wdata;
				if (cfg_tbl == `T_ROUTE && cfg_w == 4'd1)
					rt_ctl[cfg_idx[7:2]] <= cfg_wdata;
			end
			if (cfg_we && cfg_tbl == `T_CONN_CLR &&
			    cfg_idx[1:0] == k[1:0]) begin
				ct_ctl[cfg_idx[9:2]] <= 9'd0;
			end else if (ct_we && ct_waddr[1:0] == k[1:0]) begin
				ct_ctl[ct_waddr[9:2]] <= {1'b1, ct_wep};
				ct_sip[ct_waddr[9:2]] <= sip;
				ct_dip[ct_waddr[9:2]] <= dip;
				ct_port[ct_waddr[9:2]] <= ports;
			end
			lt_q_ip[k] <= lt_ip[l_ent[5:2]];
			lt_q_ctl[k] <= lt_ctl[l_ent[5:2]];
			rt_q_hash[k] <= rt_hash[r_ent[7:2]];
			rt_q_ctl[k] <= rt_ctl[r_ent[7:2]];
			ct_q_sip[k] <= ct_sip[c_ent[9:2]];
			ct_q_dip[k] <= ct_dip[c_ent[9:2]];
			ct_q_port[k] <= ct_port[c_ent[9:2]];
			ct_q_ctl[k] <= ct_ctl[c_ent[9:2]];
		end
	end
	endgenerate

	reg [8:0] ring [0:1023]; // valid[8] endpoint[7:0]
	reg [8:0] ring_q;
	always @(posedge clk) begin
		if (cfg_we && cfg_tbl == `T_RING)
			ring[cfg_idx[9:0]] <= {cfg_wdata[31], cfg_wdata[7:0]};
		ring_q <= ring[{meta[139:136], ch[31:26]}];
	end

	// ---- compare the 4 entries of a window ----
	reg       l_hit, r_hit, c_hit, c_free;
	reg [7:0] l_id, r_id, r_cl, c_ep;
	reg [1:0] c_hit_bank;
	reg [9:0] c_free_ent;
	integer   i;
	reg [1:0] b;

	always @* begin
		l_hit = 1'b0; l_id = 8'd0;
		r_hit = 1'b0; r_id = 8'd0; r_cl = 8'd0;
		c_hit = 1'b0; c_ep = 8'd0; c_hit_bank = 2'd0;
		c_free = 1'b0; c_free_ent = 10'd0;
		for (i = 0; i < 4; i = i + 1) begin
			// keys are unique per table, so at most one bank hits
			if (lt_q_ctl[i][31] && lt_q_ip[i] == dip &&
			    lt_q_ctl[i][15:0] == dport) begin
				l_hit = 1'b1;
				l_id = lt_q_ctl[i][23:16];
			end
			if (rt_q_ctl[i][31] && rt_q_hash[i] == rkey &&
			    rt_q_ctl[i][23:16] == lid && rt_q_ctl[i][24] == kind) begin
				r_hit = 1'b1;
				r_id = rt_q_ctl[i][15:8];
				r_cl = rt_q_ctl[i][7:0];
			end
			if (ct_q_ctl[i][8] && ct_q_sip[i] == sip &&
			    ct_q_dip[i] == dip && ct_q_port[i] == ports) begin
				c_hit = 1'b1;
				c_ep = ct_q_ctl[i][7:0];
				c_hit_bank = i[1:0];
			end
		end
		// first free slot in probe order ch, ch+1, ...
		for (i = 3; i >= 0; i = i - 1) begin
			b = ch[1:0] + i[1:0];
			if (!ct_q_ctl[b][8]) begin
				c_free = 1'b1;
				c_free_ent = ch[9:0] + i[9:0];
			end
		end
	end

	// the hit's entry index: bank c_hit_bank of the window at ch
	wire [9:0] c_hit_ent = ch[9:0] + {8'd0, c_hit_bank - ch[1:0]};

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
				st <= S_LRD;
			end
			S_LRD: st <= S_LCHK;
			S_LCHK:
				if (l_hit) begin
					lid <= l_id;
					meta[`M_LISTENER] <= l_id;
					kind <= 1'b0;
					rkey <= meta[`M_PATH_HASH];
					segk <= meta[282:280];
					st <= S_RHASH;
				end else begin
					punt(`R_NO_LISTENER);
				end
			S_RHASH: begin
				base <= idx2(rkey, {23'd0, lid, kind});
				st <= S_RRD;
			end
			S_RRD: st <= S_RCHK;
			S_RCHK:
				if (r_hit) begin
					meta[`M_ROUTE] <= r_id;
					meta[`M_CLUSTER] <= r_cl;
					if (kind)
						meta[480 + `F_PREFIX_HIT] <= 1'b1;
					st <= S_CHASH1;
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
				st <= S_CRD;
			end
			S_CRD: st <= S_CCHK;
			S_CCHK:
				if (c_hit) begin
					meta[`M_ENDPOINT] <= c_ep;
					meta[`M_QUEUE] <= {6'd0, c_hit_ent};
					meta[`M_DECISION] <= `D_FORWARD;
					st <= S_OUT;
				end else begin
					st <= S_RINGCHK; // ring_q reads during this clock
				end
			S_RINGCHK:
				if (!ring_q[8]) begin
					punt(`R_NO_ENDPOINT);
				end else if (!c_free) begin
					punt(`R_CONN_FULL);
				end else begin
					ct_we <= 1'b1;
					ct_waddr <= c_free_ent;
					ct_wep <= ring_q[7:0];
					meta[`M_ENDPOINT] <= ring_q[7:0];
					meta[`M_QUEUE] <= {6'd0, c_free_ent};
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
