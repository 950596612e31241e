// SPDX-License-Identifier: BSD-3-Clause
// Hash functions of lib/ppm/adn_ppm_hash.h, bit for bit. Include inside a
// module body.

function [31:0] fnv_step;
	input [31:0] h;
	input [7:0] c;
	begin
		fnv_step = (h ^ {24'd0, c}) * 32'h01000193;
	end
endfunction

function [31:0] idx2;
	input [31:0] a;
	input [31:0] b;
	reg [31:0] x;
	begin
		x = a ^ (b * 32'h9e3779b1);
		x = x ^ (x >> 15);
		x = x * 32'h85ebca6b;
		idx2 = x ^ (x >> 13);
	end
endfunction

function [7:0] lower;
	input [7:0] c;
	begin
		lower = (c >= 8'h41 && c <= 8'h5a) ? (c | 8'h20) : c;
	end
endfunction
