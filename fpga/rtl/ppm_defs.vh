// SPDX-License-Identifier: BSD-3-Clause
// Shared definitions of the PPM chain RTL. Mirrors lib/ppm/adn_ppm.h and
// lib/ppm/adn_ppm_hash.h: table sizes, metadata record layout, hashes.
// Include inside a module body (functions are module-local in Verilog-2001).

`ifndef PPM_DEFS_VH
`define PPM_DEFS_VH

// metadata record: 16 x 32-bit words, word 0 in the top bits (adn_ppm_meta_pack)
`define M_DECISION   511:504
`define M_REASON     503:496
`define M_METHOD     495:488
`define M_FLAGS      487:480
`define M_PATH_HASH  479:448
`define M_HOST_HASH  447:416
`define M_SEG0       415:384
`define M_SEG1       383:352
`define M_SEG2       351:320
`define M_SEG3       319:288
`define M_NSEGS      287:280
`define M_FRULE      279:272
`define M_PATH_LEN   271:256
`define M_TARGET_OFF 255:240
`define M_HDR_OFF    239:224
`define M_HOST_OFF   223:208
`define M_EOH        207:192
`define M_BODY_LEN   191:176
`define M_MSG_LEN    175:160
`define M_LISTENER   159:152
`define M_ROUTE      151:144
`define M_CLUSTER    143:136
`define M_ENDPOINT   135:128
`define M_QUEUE      127:112
`define M_OUT_LEN    111:96
`define M_SIP        95:64
`define M_DIP        63:32
`define M_SPORT      31:16
`define M_DPORT      15:0

// decisions (enum adn_ppm_decision)
`define D_CONTINUE 8'd0
`define D_FORWARD  8'd1
`define D_DROP     8'd2
`define D_PUNT     8'd3
`define D_ERROR    8'd4

// reasons (enum adn_ppm_reason)
`define R_NONE          8'd0
`define R_BAD_METHOD    8'd1
`define R_BAD_TARGET    8'd2
`define R_BAD_VERSION   8'd3
`define R_BAD_LINE      8'd4
`define R_BAD_HEADER    8'd5
`define R_HDR_TOO_LONG  8'd6
`define R_NO_HOST       8'd7
`define R_DUP_HOST      8'd8
`define R_BAD_CL        8'd9
`define R_BODY_TOO_LONG 8'd10
`define R_TRUNCATED     8'd11
`define R_FILTER_DENY   8'd12
`define R_FILTER_PUNT   8'd13
`define R_NO_LISTENER   8'd14
`define R_NO_ROUTE      8'd15
`define R_NO_ENDPOINT   8'd16
`define R_CONN_FULL     8'd17

// meta flags
`define F_HTTP11     0
`define F_HAS_HOST   1
`define F_HAS_BODY   2
`define F_QUERY      3
`define F_PREFIX_HIT 4
`define F_NEW_CONN   5

// geometry: 4 message-buffer slots of 2 KiB (MAX_HDR + MAX_BODY)
`define SLOTS     4
`define MAX_HDR   16'd1024
`define MAX_BODY  16'd1024

// register bus: addr = table << 16 | index << 4 | word
`define T_GLOBAL   4'd0
`define T_FILTER   4'd1
`define T_LISTENER 4'd2
`define T_ROUTE    4'd3
`define T_RING     4'd4
`define T_EP_LEN   4'd5
`define T_EP_TMPL  4'd6
`define T_CONN_CLR 4'd7

`endif
