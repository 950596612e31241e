// SPDX-License-Identifier: BSD-3-Clause
// Golden-vector testbench of ppm_chain_top, for Icarus Verilog and Verilator.
// Reads the vectors written by fpga/tools/ppm_vectors.c from the current
// directory, loads the rule tables over the register bus, then runs the
// traffic twice:
//   pass 0: full rate (tvalid and both readies held high) -> performance
//   pass 1: pseudo-random input gaps and output back-pressure
//   pass 2: one segment in flight (the next enters once every record and
//           byte of the previous one is out) -> unloaded latency
// (the connection table is cleared between passes, as the model started
// empty). Every metadata record and every output byte (with tlast) must match
// bit for bit. Prints "TB PASS" or "TB FAIL" and the cycle figures.
`timescale 1ns/1ps

module tb_ppm_chain;
	localparam MAX_CFG = 8192, MAX_SEG = 8192, MAX_BYTES = 524288,
		MAX_REQ = 8192, MAX_OUT = 524288;

	reg clk = 1'b0;
	reg rst_n = 1'b0;
	always #5 clk = !clk;

	reg [31:0]  counts  [0:4];
	reg [51:0]  cfg_mem [0:MAX_CFG-1];
	reg [127:0] seg_mem [0:MAX_SEG-1];
	reg [7:0]   byte_mem[0:MAX_BYTES-1];
	reg [511:0] exp_meta[0:MAX_REQ-1];
	reg [8:0]   exp_out [0:MAX_OUT-1];
	integer n_cfg, n_seg, n_bytes, n_req, n_out;

	// ---- DUT ----
	reg          cfg_we = 1'b0;
	reg  [19:0]  cfg_addr = 20'd0;
	reg  [31:0]  cfg_wdata = 32'd0;
	wire [7:0]   s_tdata;
	wire         s_tvalid, s_tready, s_tlast;
	wire [95:0]  s_tuser;
	wire         m_meta_valid;
	wire         m_meta_ready;
	wire [511:0] m_meta;
	wire [7:0]   m_tdata;
	wire         m_tvalid, m_tlast;
	wire         m_tready;

	ppm_chain_top dut (
		.clk(clk), .rst_n(rst_n),
		.cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_wdata(cfg_wdata),
		.s_axis_tdata(s_tdata), .s_axis_tvalid(s_tvalid),
		.s_axis_tready(s_tready), .s_axis_tlast(s_tlast),
		.s_axis_tuser(s_tuser),
		.m_meta_valid(m_meta_valid), .m_meta_ready(m_meta_ready),
		.m_meta(m_meta),
		.m_axis_tdata(m_tdata), .m_axis_tvalid(m_tvalid),
		.m_axis_tready(m_tready), .m_axis_tlast(m_tlast));

	// ---- stimulus ----
	reg         running = 1'b0;
	reg         stall = 1'b0;   // pass 1: random gaps / back-pressure
	reg [31:0]  lfsr = 32'h1;
	integer     bi, si, seg_left;
	reg         present;
	reg         iso = 1'b0;      // pass 2: one segment at a time
	reg         at_seg_start;
	reg         iso_block = 1'b0;

	always @(posedge clk)
		lfsr <= {lfsr[30:0], lfsr[31] ^ lfsr[21] ^ lfsr[1] ^ lfsr[0]};

	assign s_tvalid = running && bi < n_bytes && present && !iso_block;
	assign s_tdata = byte_mem[bi];
	assign s_tlast = seg_left == 1;
	assign s_tuser = seg_mem[si][95:0];
	assign m_meta_ready = !stall || lfsr[3] || lfsr[7];
	assign m_tready = !stall || lfsr[5] || lfsr[11];

	wire in_acc = s_tvalid && s_tready;

	// changes only at negedge, so DUT and bench agree on every handshake
	always @(negedge clk)
		iso_block <= iso && at_seg_start && (mi != ri || oi != out_total);

	// ---- request bookkeeping for latency ----
	integer     ri;           // request whose first byte is next to enter
	integer     req_left;     // bytes of request ri still to enter
	integer     t_first [0:MAX_REQ-1];
	integer     t_last  [0:MAX_REQ-1];
	integer     cycle;
	integer     mi, oi, errors;
	integer     out_total;    // output bytes announced by the records so far
	integer     lat_sum, lat_max, tail_sum, tail_max;
	integer     t_start, t_end;
	integer     last_evt = 0; // cycle of the latest output handshake

	always @(posedge clk)
		if (running && ((m_meta_valid && m_meta_ready) ||
				(m_tvalid && m_tready)))
			last_evt <= cycle;

	always @(posedge clk) begin
		cycle <= cycle + 1;
		if (running) begin
			// AXI-Stream: once valid, hold until accepted
			if (!stall)
				present <= 1'b1;
			else if (in_acc || !present)
				present <= lfsr[2] || lfsr[9];
			if (in_acc) begin
				at_seg_start <= seg_left == 1;
				bi <= bi + 1;
				if (seg_left == 1) begin
					si <= si + 1;
					seg_left <= seg_mem[si + 1][127:96];
				end else begin
					seg_left <= seg_left - 1;
				end
			end
		end
	end

	// first/last byte cycle of each request, from expected msg_len
	always @(posedge clk) begin
		if (running && in_acc && ri < n_req) begin
			if (req_left == {16'd0, exp_meta[ri][175:160]})
				t_first[ri] = cycle;
			if (req_left == 1) begin
				t_last[ri] = cycle;
				ri = ri + 1;
				if (ri < n_req)
					req_left = {16'd0, exp_meta[ri][175:160]};
			end else begin
				req_left = req_left - 1;
			end
		end
	end

	// ---- checking ----
	always @(posedge clk) begin
		if (running && m_meta_valid && m_meta_ready) begin
			if (mi >= n_req) begin
				errors = errors + 1;
				$display("FAIL: extra metadata record %0d: %h", mi, m_meta);
			end else if (m_meta !== exp_meta[mi]) begin
				errors = errors + 1;
				if (errors < 10) begin
					$display("FAIL: metadata %0d", mi);
					$display("  got  %h", m_meta);
					$display("  want %h", exp_meta[mi]);
				end
			end
			out_total = out_total + {16'd0, m_meta[111:96]};
			if (mi < n_req) begin
				lat_sum = lat_sum + (cycle - t_first[mi]);
				tail_sum = tail_sum + (cycle - t_last[mi]);
				if (cycle - t_first[mi] > lat_max)
					lat_max = cycle - t_first[mi];
				if (cycle - t_last[mi] > tail_max)
					tail_max = cycle - t_last[mi];
			end
			mi = mi + 1;
		end
		if (running && m_tvalid && m_tready) begin
			if (oi >= n_out || {m_tlast, m_tdata} !== exp_out[oi]) begin
				errors = errors + 1;
				if (errors < 10)
					$display("FAIL: output byte %0d: got %h want %h",
						oi, {m_tlast, m_tdata},
						oi < n_out ? exp_out[oi] : 9'h0);
			end
			oi = oi + 1;
		end
	end

	task cfg_load;
		integer k;
		begin
			for (k = 0; k < n_cfg; k = k + 1) begin
				@(negedge clk);
				cfg_we = 1'b1;
				cfg_addr = cfg_mem[k][51:32];
				cfg_wdata = cfg_mem[k][31:0];
			end
			@(negedge clk);
			cfg_we = 1'b0;
		end
	endtask

	task run_pass;
		input integer pass;
		integer guard;
		begin
			t_first[0] = 0;
			@(negedge clk);
			bi = 0; si = 0; seg_left = seg_mem[0][127:96];
			ri = 0; req_left = {16'd0, exp_meta[0][175:160]};
			mi = 0; oi = 0; out_total = 0; lat_sum = 0; lat_max = 0;
			tail_sum = 0; tail_max = 0; t_start = -1; t_end = 0;
			present = 1'b0;
			at_seg_start = 1'b1;
			stall = pass == 1;
			iso = pass == 2;
			running = 1'b1;
			guard = 0;
			while ((mi < n_req || oi < n_out) && guard < 50 * n_bytes + 100000) begin
				@(negedge clk);
				guard = guard + 1;
			end
			running = 1'b0;
			t_start = t_first[0];
			t_end = last_evt;
			if (mi != n_req || oi != n_out) begin
				errors = errors + 1;
				$display("FAIL: pass %0d timed out: %0d/%0d records, %0d/%0d bytes",
					pass, mi, n_req, oi, n_out);
			end
			$display("pass %0d (%s): %0d requests, %0d bytes in, %0d bytes out, %0d cycles",
				pass, pass == 1 ? "random stalls" : pass == 2 ?
				"one segment in flight" : "full rate", n_req,
				n_bytes, n_out, t_end - t_start + 1);
			if (pass == 0) begin
				$display("PERF cycles_per_request %0d.%02d",
					(t_end - t_start + 1) / n_req,
					((t_end - t_start + 1) * 100 / n_req) % 100);
				$display("PERF bytes_in_per_request %0d.%02d",
					n_bytes / n_req, (n_bytes * 100 / n_req) % 100);
				$display("PERF input_bytes_per_cycle 0.%03d",
					n_bytes * 1000 / (t_end - t_start + 1));
				$display("PERF output_bytes_per_cycle 0.%03d",
					n_out * 1000 / (t_end - t_start + 1));
				$display("PERF loaded_latency_first_byte_to_meta avg %0d max %0d cycles",
					lat_sum / n_req, lat_max);
			end
			if (pass == 2) begin
				$display("PERF latency_first_byte_to_meta avg %0d max %0d cycles",
					lat_sum / n_req, lat_max);
				$display("PERF latency_last_byte_to_meta avg %0d.%02d max %0d cycles",
					tail_sum / n_req, (tail_sum * 100 / n_req) % 100,
					tail_max);
			end
		end
	endtask

	task clear_conns;
		integer k;
		begin
			for (k = 0; k < 1024; k = k + 1) begin
				@(negedge clk);
				cfg_we = 1'b1;
				cfg_addr = {4'd7, k[11:0], 4'd0};
				cfg_wdata = 32'd0;
			end
			@(negedge clk);
			cfg_we = 1'b0;
		end
	endtask

	initial begin
		$readmemh("counts.hex", counts);
		n_cfg = counts[0]; n_seg = counts[1]; n_bytes = counts[2];
		n_req = counts[3]; n_out = counts[4];
		if (n_cfg > MAX_CFG || n_seg > MAX_SEG || n_bytes > MAX_BYTES ||
		    n_req > MAX_REQ || n_out > MAX_OUT || n_req == 0) begin
			$display("TB FAIL: vectors too large or empty");
			$finish;
		end
		$readmemh("cfg.hex", cfg_mem, 0, n_cfg - 1);
		$readmemh("seg.hex", seg_mem, 0, n_seg - 1);
		$readmemh("bytes.hex", byte_mem, 0, n_bytes - 1);
		$readmemh("exp_meta.hex", exp_meta, 0, n_req - 1);
		if (n_out > 0)
			$readmemh("exp_out.hex", exp_out, 0, n_out - 1);
		errors = 0;
		cycle = 0;
		bi = 0; si = 0; seg_left = 0; ri = 0; req_left = 0;
		mi = 0; oi = 0;
		present = 1'b0;
		repeat (4) @(negedge clk);
		rst_n = 1'b1;
		cfg_load;
		run_pass(0);
		clear_conns;
		run_pass(1);
		clear_conns;
		run_pass(2);
		if (errors == 0)
			$display("TB PASS: %0d requests x 3 passes, metadata and bytes bit-exact",
				n_req);
		else
			$display("TB FAIL: %0d mismatches", errors);
		$finish;
	end
endmodule
