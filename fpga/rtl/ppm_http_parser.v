// SPDX-License-Identifier: BSD-3-Clause
// HTTP/1.x parser PPM. One byte per clock on an 8-bit AXI-Stream; one
// segment (tlast-delimited) may carry several pipelined requests, and s_tuser
// (the TOE's 4-tuple {sip, dip, sport, dport}) is sampled on a segment's
// first byte. Each request is written to one of two buffer slots for the
// deparser and described by a 512-bit metadata record (ppm_defs.vh).
//
// The state machine is lib/ppm/ppm_http.c's, state for state: the golden
// vectors compare every field. A malformed request drains to tlast and is
// reported as one ERROR record covering the rest of the segment.
//
// Back-pressure: s_tready drops while a record waits on m_ready or while the
// next of the four buffer slots is still owned by the deparser (slot_free returns it).
`include "ppm_defs.vh"

module ppm_http_parser (
	input  wire         clk,
	input  wire         rst_n,
	input  wire [7:0]   s_tdata,
	input  wire         s_tvalid,
	output wire         s_tready,
	input  wire         s_tlast,
	input  wire [95:0]  s_tuser,
	output wire         buf_we,
	output wire [12:0]  buf_waddr,
	output wire [7:0]   buf_wdata,
	output reg          m_valid,
	input  wire         m_ready,
	output reg  [511:0] m_meta,
	output reg  [1:0]   m_slot,
	input  wire [3:0]   slot_free
);
`include "ppm_hash.vh"

	localparam [3:0] HP_METHOD = 4'd0, HP_TARGET = 4'd1, HP_PATH = 4'd2,
		HP_QUERY = 4'd3, HP_VERSION = 4'd4, HP_HNAME_START = 4'd5,
		HP_HNAME = 4'd6, HP_HVAL_OWS = 4'd7, HP_HVAL = 4'd8,
		HP_HVAL_LF = 4'd9, HP_EOH_LF = 4'd10, HP_BODY = 4'd11,
		HP_DONE = 4'd12, HP_ERROR = 4'd13;

	// parse state (one request)
	reg [3:0]  st;
	reg [15:0] pos;
	reg [2:0]  mlen;
	reg [55:0] mbuf;
	reg [3:0]  vidx, nidx;
	reg        host_m, cl_m, in_host, in_cl, cl_ws;
	reg [15:0] cl_val, body_left;
	reg [31:0] hrun;
	reg [7:0]  reason, method, flags;
	reg [31:0] path_hash, host_hash, seg0, seg1, seg2, seg3;
	reg [2:0]  n_segs;
	reg [15:0] path_len, target_off, hdr_off, host_off, eoh, body_len;
	// segment / slot state
	reg        seg_start;
	reg [95:0] tuple_q;
	reg [1:0]  slot;
	reg [3:0]  slot_busy;

	wire accept = s_tvalid && s_tready;
	wire [7:0] c = s_tdata;
	wire [95:0] tuple = seg_start ? s_tuser : tuple_q;

	// the record register frees in the clock it is taken: no bubble
	assign s_tready = (!m_valid || m_ready) && !slot_busy[slot];
	assign buf_we = accept && st != HP_ERROR;
	assign buf_waddr = {slot, pos[10:0]};
	assign buf_wdata = c;

	function is_ctl;
		input [7:0] b;
		begin
			is_ctl = b < 8'h20 || b == 8'h7f;
		end
	endfunction

	function is_ows;
		input [7:0] b;
		begin
			is_ows = b == 8'h20 || b == 8'h09;
		end
	endfunction

	function [7:0] host_chr;
		input [3:0] i;
		begin
			case (i)
			4'd0: host_chr = "h";
			4'd1: host_chr = "o";
			4'd2: host_chr = "s";
			default: host_chr = "t";
			endcase
		end
	endfunction

	function [7:0] cl_chr;
		input [3:0] i;
		begin
			case (i)
			4'd0: cl_chr = "c";  4'd1: cl_chr = "o";
			4'd2: cl_chr = "n";  4'd3: cl_chr = "t";
			4'd4: cl_chr = "e";  4'd5: cl_chr = "n";
			4'd6: cl_chr = "t";  4'd7: cl_chr = "-";
			4'd8: cl_chr = "l";  4'd9: cl_chr = "e";
			4'd10: cl_chr = "n"; 4'd11: cl_chr = "g";
			4'd12: cl_chr = "t"; default: cl_chr = "h";
			endcase
		end
	endfunction

	function [7:0] ver_chr;
		input [3:0] i;
		begin
			case (i)
			4'd0: ver_chr = "H"; 4'd1: ver_chr = "T";
			4'd2: ver_chr = "T"; 4'd3: ver_chr = "P";
			4'd4: ver_chr = "/"; 4'd5: ver_chr = "1";
			default: ver_chr = ".";
			endcase
		end
	endfunction

	// enum adn_ppm_method; mbuf holds the method right-aligned, zero-filled
	function [7:0] method_code;
		input [55:0] m;
		begin
			case (m)
			56'h00000000474554:   method_code = 8'd1; // GET
			56'h00000048454144:   method_code = 8'd2; // HEAD
			56'h000000504f5354:   method_code = 8'd3; // POST
			56'h00000000505554:   method_code = 8'd4; // PUT
			56'h0044454c455445:   method_code = 8'd5; // DELETE
			56'h434f4e4e454354:   method_code = 8'd6; // CONNECT
			56'h4f5054494f4e53:   method_code = 8'd7; // OPTIONS
			56'h00005452414345:   method_code = 8'd8; // TRACE
			56'h00005041544348:   method_code = 8'd9; // PATCH
			default:              method_code = 8'd0;
			endcase
		end
	endfunction

	// ---- next-state of one byte (ppm_http.c: hp_step) ----
	reg [3:0]  n_st;
	reg [2:0]  n_mlen;
	reg [55:0] n_mbuf;
	reg [3:0]  n_vidx, n_nidx;
	reg        n_host_m, n_cl_m, n_in_host, n_in_cl, n_cl_ws;
	reg [15:0] n_cl_val, n_body_left;
	reg [31:0] n_hrun;
	reg [7:0]  n_reason, n_method, n_flags;
	reg [31:0] n_path_hash, n_host_hash, n_seg0, n_seg1, n_seg2, n_seg3;
	reg [2:0]  n_n_segs;
	reg [15:0] n_path_len, n_target_off, n_hdr_off, n_host_off, n_eoh;
	reg [15:0] n_body_len;
	reg        fail;
	reg [7:0]  fail_reason;
	reg [7:0]  lc;
	reg [31:0] ph;

	// value byte of a recognised header (hp_value_byte)
	task value_byte;
		begin
			if (in_host) begin
				n_hrun = fnv_step(hrun, lower(c));
				if (!is_ows(c))
					n_host_hash = n_hrun;
			end
			if (in_cl) begin
				if (is_ows(c)) begin
					n_cl_ws = 1'b1;
				end else if (c >= "0" && c <= "9" && !cl_ws) begin
					n_cl_val = cl_val * 16'd10 + {8'd0, c - 8'h30};
					if (n_cl_val > `MAX_BODY) begin
						fail = 1'b1;
						fail_reason = `R_BODY_TOO_LONG;
					end
				end else begin
					fail = 1'b1;
					fail_reason = `R_BAD_CL;
				end
			end
		end
	endtask

	always @* begin
		n_st = st; n_mlen = mlen; n_mbuf = mbuf; n_vidx = vidx;
		n_nidx = nidx; n_host_m = host_m; n_cl_m = cl_m;
		n_in_host = in_host; n_in_cl = in_cl; n_cl_ws = cl_ws;
		n_cl_val = cl_val; n_body_left = body_left; n_hrun = hrun;
		n_reason = reason; n_method = method; n_flags = flags;
		n_path_hash = path_hash; n_host_hash = host_hash;
		n_seg0 = seg0; n_seg1 = seg1; n_seg2 = seg2; n_seg3 = seg3;
		n_n_segs = n_segs; n_path_len = path_len;
		n_target_off = target_off; n_hdr_off = hdr_off;
		n_host_off = host_off; n_eoh = eoh; n_body_len = body_len;
		fail = 1'b0;
		fail_reason = `R_NONE;
		lc = lower(c);
		ph = fnv_step(path_hash, c);

		if (st < HP_BODY && pos >= `MAX_HDR) begin
			fail = 1'b1;
			fail_reason = `R_HDR_TOO_LONG;
		end else begin
			case (st)
			HP_METHOD:
				if (c == " ") begin
					n_method = method_code(mbuf);
					if (n_method == 8'd0) begin
						fail = 1'b1;
						fail_reason = `R_BAD_METHOD;
					end else begin
						n_st = HP_TARGET;
					end
				end else if (mlen == 3'd7 || c < "A" || c > "Z") begin
					fail = 1'b1;
					fail_reason = `R_BAD_METHOD;
				end else begin
					n_mbuf = {mbuf[47:0], c};
					n_mlen = mlen + 3'd1;
				end
			HP_TARGET:
				if (c != "/") begin
					fail = 1'b1;
					fail_reason = `R_BAD_TARGET;
				end else begin
					n_target_off = pos;
					n_path_hash = fnv_step(32'h811c9dc5, c);
					n_path_len = 16'd1;
					n_seg0 = n_path_hash;
					n_n_segs = 3'd1;
					n_st = HP_PATH;
				end
			HP_PATH, HP_QUERY:
				if (c == " ") begin
					n_vidx = 4'd0;
					n_st = HP_VERSION;
				end else if (is_ctl(c)) begin
					fail = 1'b1;
					fail_reason = `R_BAD_TARGET;
				end else if (st == HP_QUERY) begin
					n_st = HP_QUERY;
				end else if (c == "?") begin
					n_flags[`F_QUERY] = 1'b1;
					n_st = HP_QUERY;
				end else begin
					n_path_hash = ph;
					n_path_len = path_len + 16'd1;
					if (c == "/" && n_segs < 3'd4) begin
						case (n_segs)
						3'd1: n_seg1 = ph;
						3'd2: n_seg2 = ph;
						default: n_seg3 = ph;
						endcase
						n_n_segs = n_segs + 3'd1;
					end
				end
			HP_VERSION: begin
				if (vidx < 4'd7) begin
					if (c != ver_chr(vidx)) begin
						fail = 1'b1;
						fail_reason = `R_BAD_VERSION;
					end
				end else if (vidx == 4'd7) begin
					if (c == "1")
						n_flags[`F_HTTP11] = 1'b1;
					else if (c != "0") begin
						fail = 1'b1;
						fail_reason = `R_BAD_VERSION;
					end
				end else if (vidx == 4'd8) begin
					if (c != 8'h0d) begin
						fail = 1'b1;
						fail_reason = `R_BAD_VERSION;
					end
				end else begin
					if (c != 8'h0a) begin
						fail = 1'b1;
						fail_reason = `R_BAD_LINE;
					end else begin
						n_hdr_off = pos + 16'd1;
						n_st = HP_HNAME_START;
					end
				end
				n_vidx = vidx + 4'd1;
			end
			HP_HNAME_START:
				if (c == 8'h0d) begin
					n_st = HP_EOH_LF;
				end else if (c == 8'h0a) begin
					fail = 1'b1;
					fail_reason = `R_BAD_LINE;
				end else if (c == ":" || is_ows(c) || is_ctl(c)) begin
					fail = 1'b1;
					fail_reason = `R_BAD_HEADER;
				end else begin
					n_host_m = lc == "h";
					n_cl_m = lc == "c";
					n_nidx = 4'd1;
					n_st = HP_HNAME;
				end
			HP_HNAME:
				if (c == ":") begin
					n_in_host = host_m && nidx == 4'd4;
					n_in_cl = cl_m && nidx == 4'd14;
					n_st = HP_HVAL_OWS;
					if (n_in_host) begin
						if (flags[`F_HAS_HOST]) begin
							fail = 1'b1;
							fail_reason = `R_DUP_HOST;
						end
						n_flags[`F_HAS_HOST] = 1'b1;
						n_hrun = 32'h811c9dc5;
						n_host_hash = 32'h811c9dc5;
					end
					if (n_in_cl) begin
						if (flags[`F_HAS_BODY]) begin
							fail = 1'b1;
							fail_reason = `R_BAD_CL;
						end
						n_flags[`F_HAS_BODY] = 1'b1;
						n_cl_val = 16'd0;
						n_cl_ws = 1'b0;
					end
				end else if (is_ows(c) || is_ctl(c)) begin
					fail = 1'b1;
					fail_reason = `R_BAD_HEADER;
				end else begin
					n_host_m = host_m && nidx < 4'd4 &&
						lc == host_chr(nidx);
					n_cl_m = cl_m && nidx < 4'd14 &&
						lc == cl_chr(nidx);
					if (nidx != 4'd15)
						n_nidx = nidx + 4'd1;
				end
			HP_HVAL_OWS:
				if (!is_ows(c)) begin
					if (in_host)
						n_host_off = pos;
					if (c == 8'h0d) begin
						if (in_cl) begin
							fail = 1'b1;
							fail_reason = `R_BAD_CL;
						end else begin
							n_st = HP_HVAL_LF;
						end
					end else if (c == 8'h0a) begin
						fail = 1'b1;
						fail_reason = `R_BAD_LINE;
					end else if (is_ctl(c)) begin
						fail = 1'b1;
						fail_reason = `R_BAD_HEADER;
					end else begin
						n_st = HP_HVAL;
						value_byte;
					end
				end
			HP_HVAL:
				if (c == 8'h0d) begin
					if (in_cl)
						n_body_len = cl_val;
					n_st = HP_HVAL_LF;
				end else if (c == 8'h0a) begin
					fail = 1'b1;
					fail_reason = `R_BAD_LINE;
				end else if (is_ctl(c) && c != 8'h09) begin
					fail = 1'b1;
					fail_reason = `R_BAD_HEADER;
				end else begin
					value_byte;
				end
			HP_HVAL_LF:
				if (c != 8'h0a) begin
					fail = 1'b1;
					fail_reason = `R_BAD_LINE;
				end else begin
					n_st = HP_HNAME_START;
				end
			HP_EOH_LF:
				if (c != 8'h0a) begin
					fail = 1'b1;
					fail_reason = `R_BAD_LINE;
				end else if (flags[`F_HTTP11] && !flags[`F_HAS_HOST]) begin
					fail = 1'b1;
					fail_reason = `R_NO_HOST;
				end else begin
					n_eoh = pos + 16'd1;
					n_body_left = body_len;
					n_st = (body_len != 16'd0) ? HP_BODY : HP_DONE;
				end
			HP_BODY: begin
				n_body_left = body_left - 16'd1;
				if (n_body_left == 16'd0)
					n_st = HP_DONE;
			end
			default: ;
			endcase
		end
		if (fail) begin
			n_st = HP_ERROR;
			n_reason = fail_reason;
		end
	end

	// ---- records ----
	wire [511:0] ok_meta = {
		`D_CONTINUE, `R_NONE, method, n_flags,
		n_path_hash, n_host_hash, seg0, seg1, seg2, seg3,
		5'd0, n_segs, 8'hff, path_len,
		target_off, hdr_off,
		host_off, n_eoh,
		body_len, pos + 16'd1,
		32'hffffffff,
		16'hffff, 16'd0,
		tuple };

	function [511:0] err_meta;
		input [7:0] r;
		input [15:0] len;
		input [95:0] t;
		begin
			err_meta = {`D_ERROR, r, 16'd0, 32'd0, 32'd0, 128'd0,
				8'd0, 8'hff, 16'd0, 32'd0, 32'd0, 16'd0, len,
				32'hffffffff, 16'hffff, 16'd0, t};
		end
	endfunction

	task reset_request;
		begin
			st <= HP_METHOD; pos <= 16'd0; mlen <= 3'd0;
			mbuf <= 56'd0; vidx <= 4'd0; nidx <= 4'd0;
			host_m <= 1'b0; cl_m <= 1'b0; in_host <= 1'b0;
			in_cl <= 1'b0; cl_ws <= 1'b0; cl_val <= 16'd0;
			body_left <= 16'd0; hrun <= 32'd0; reason <= `R_NONE;
			method <= 8'd0; flags <= 8'd0; path_hash <= 32'd0;
			host_hash <= 32'd0; seg0 <= 32'd0; seg1 <= 32'd0;
			seg2 <= 32'd0; seg3 <= 32'd0; n_segs <= 3'd0;
			path_len <= 16'd0; target_off <= 16'd0;
			hdr_off <= 16'd0; host_off <= 16'd0; eoh <= 16'd0;
			body_len <= 16'd0;
		end
	endtask

	task emit;
		input [511:0] rec;
		begin
			m_valid <= 1'b1;
			m_meta <= rec;
			m_slot <= slot;
			slot <= slot + 2'd1;
			reset_request;
		end
	endtask

	always @(posedge clk) begin
		if (!rst_n) begin
			reset_request;
			m_valid <= 1'b0;
			m_meta <= 512'd0;
			m_slot <= 2'd0;
			seg_start <= 1'b1;
			tuple_q <= 96'd0;
			slot <= 2'd0;
			slot_busy <= 4'd0;
		end else begin
			if (m_valid && m_ready)
				m_valid <= 1'b0;
			// a slot is busy from its record's emission until the
			// deparser has emitted its bytes
			slot_busy <= (slot_busy & ~slot_free) |
				((accept && (s_tlast || n_st == HP_DONE ||
				  (st != HP_ERROR && n_st == HP_ERROR && s_tlast)))
				 ? (4'd1 << slot) : 4'd0);
			if (accept) begin
				seg_start <= s_tlast;
				if (seg_start)
					tuple_q <= s_tuser;
				if (st == HP_ERROR) begin
					pos <= pos + 16'd1;
					if (s_tlast)
						emit(err_meta(reason, pos + 16'd1, tuple));
				end else if (n_st == HP_DONE) begin
					emit(ok_meta);
				end else if (n_st == HP_ERROR || s_tlast) begin
					if (s_tlast)
						emit(err_meta(n_st == HP_ERROR ?
							n_reason : `R_TRUNCATED,
							pos + 16'd1, tuple));
					else begin
						st <= HP_ERROR;
						reason <= n_reason;
						pos <= pos + 16'd1;
					end
				end else begin
					st <= n_st; pos <= pos + 16'd1;
					mlen <= n_mlen; mbuf <= n_mbuf;
					vidx <= n_vidx; nidx <= n_nidx;
					host_m <= n_host_m; cl_m <= n_cl_m;
					in_host <= n_in_host; in_cl <= n_in_cl;
					cl_ws <= n_cl_ws; cl_val <= n_cl_val;
					body_left <= n_body_left; hrun <= n_hrun;
					method <= n_method; flags <= n_flags;
					path_hash <= n_path_hash;
					host_hash <= n_host_hash;
					seg0 <= n_seg0; seg1 <= n_seg1;
					seg2 <= n_seg2; seg3 <= n_seg3;
					n_segs <= n_n_segs; path_len <= n_path_len;
					target_off <= n_target_off;
					hdr_off <= n_hdr_off; host_off <= n_host_off;
					eoh <= n_eoh; body_len <= n_body_len;
				end
			end
		end
	end
endmodule
