/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLIP switch pipeline for Tofino-1 (TNA), SNAT application.
 *
 * Field-for-field the behavioral model lib/clip/adn_clip_switch.c; the
 * mapping of every table, register and digest to the C function it mirrors
 * is in p4/README.md. Target: bf-p4c --target tofino --arch tna.
 *
 *   CLIP response        -> post-processing: strip header, apply result
 *   IPv4 TCP/UDP          -> count-min (2 x 1024) + top-N digest
 *                            nat_table hit  -> fast path (rewrite on switch)
 *                            miss           -> flight: pin_table, else
 *                                              BF0/BF1 + cur -> G_cur/G_prev
 *                                              ECMP, add CLIP request header
 *   anything else         -> l2_fwd
 */
#include <core.p4>
#include <tna.p4>

/* ---------------- constants (== lib/clip) ---------------- */
const bit<16> ETHERTYPE_IPV4 = 0x0800;
const bit<16> ETHERTYPE_CLIP = 0x88B5;	/* ADN_CLIP_ETHERTYPE */
const bit<8>  CLIP_VERSION = 1;
const bit<8>  CLIP_MSG_REQUEST = 1;
const bit<8>  CLIP_MSG_RESPONSE = 2;
const bit<16> CLIP_APP_SNAT = 1;
const bit<8>  SNAT_PARAM_LEN = 13;
const bit<8>  IP_PROTO_TCP = 6;
const bit<8>  IP_PROTO_UDP = 17;

const bit<32> DIGEST_THRESHOLD = 8;	/* digest_threshold, power of two */
const bit<32> DIGEST_MASK = DIGEST_THRESHOLD - 1;

const DigestType_t DIGEST_TOPN = 1;

typedef bit<16> server_id_t;

/* ---------------- headers ---------------- */
header ethernet_h {
	bit<48> dst_addr;
	bit<48> src_addr;
	bit<16> ether_type;
}

/* 56 bytes, docs/clip.md; adn_clip_hdr.c OFF_* */
header clip_h {
	bit<8>   version;
	bit<8>   type;
	bit<16>  app_id;
	bit<16>  group_version;
	bit<16>  load_type;
	bit<16>  parsed_len;
	bit<16>  server_id;
	bit<8>   status;
	bit<8>   param_len;
	bit<8>   result_len;
	bit<8>   reserved;
	bit<64>  flow_id;
	bit<128> params;	/* SNAT: sip dip sport dport proto, 0 pad */
	bit<128> result;	/* SNAT: new sip(32) new sport(16), 0 pad */
}

header ipv4_h {
	bit<4>  version;
	bit<4>  ihl;
	bit<8>  diffserv;
	bit<16> total_len;
	bit<16> identification;
	bit<3>  flags;
	bit<13> frag_offset;
	bit<8>  ttl;
	bit<8>  protocol;
	bit<16> hdr_checksum;
	bit<32> src_addr;
	bit<32> dst_addr;
}

header tcp_h {
	bit<16> src_port;
	bit<16> dst_port;
	bit<32> seq_no;
	bit<32> ack_no;
	bit<4>  data_offset;
	bit<4>  res;
	bit<8>  flags;
	bit<16> window;
	bit<16> checksum;
	bit<16> urgent_ptr;
}

header udp_h {
	bit<16> src_port;
	bit<16> dst_port;
	bit<16> length;
	bit<16> checksum;
}

struct headers_t {
	ethernet_h ethernet;
	clip_h     clip;
	ipv4_h     ipv4;
	tcp_h      tcp;
	udp_h      udp;
}

/* adn_clip_pkt_info + the per-packet state of adn_clip_switch_process */
struct ig_meta_t {
	bit<32> src_ip;		/* key (adn_flow_key) */
	bit<32> dst_ip;
	bit<16> src_port;
	bit<16> dst_port;
	bit<8>  proto;
	bit<1>  keyed;		/* IPv4 TCP/UDP, not a fragment */
	bit<16> l4_residual;	/* L4 checksum minus the rewritten fields */
	bit<1>  udp_csum_on;	/* UDP checksum present (non-zero) */

	bit<32> cms_h0;		/* count-min row hashes */
	bit<32> cms_h1;
	bit<32> cms_c0;
	bit<32> cms_c1;
	bit<32> cms_est;
	bit<32> cms_est_low;

	bit<32> bf_h0;		/* Bloom partition hashes (shared BF0/BF1) */
	bit<32> bf_h1;
	bit<32> bf_h2;
	bit<1>  prev_b0;	/* BF[1-cur] lookup bits */
	bit<1>  prev_b1;
	bit<1>  prev_b2;

	bit<16> ecmp_hash;	/* h_ecmp: CRC-16 */
	bit<8>  ecmp_bucket;
	bit<1>  cur;		/* `cur` register */
	bit<1>  slot;		/* group slot chosen: cur or 1-cur */
	bit<1>  prev_nonempty;
	bit<16> cur_version;
	bit<16> prev_version;
	bit<1>  pinned;
	server_id_t server;

	bit<32> fid_hi;		/* flow_id halves */
	bit<32> fid_lo;
	bit<16> parsed_len;
}

/* top-N digest: adn_cms_topn_offer(key, estimate) on the controller */
struct topn_digest_t {
	bit<32> src_ip;
	bit<32> dst_ip;
	bit<16> src_port;
	bit<16> dst_port;
	bit<8>  proto;
	bit<32> estimate;
}

/* ---------------- ingress parser (adn_clip_parse) ---------------- */
parser IgParser(packet_in pkt, out headers_t hdr, out ig_meta_t md,
		out ingress_intrinsic_metadata_t ig_intr_md)
{
	Checksum() l4_csum;

	state start {
		pkt.extract(ig_intr_md);
		pkt.advance(PORT_METADATA_SIZE);
		/* flags read before any write on some paths */
		md.keyed = 0;
		md.pinned = 0;
		md.udp_csum_on = 0;
		md.prev_nonempty = 0;
		md.l4_residual = 0;
		transition parse_ethernet;
	}

	state parse_ethernet {
		pkt.extract(hdr.ethernet);
		transition select(hdr.ethernet.ether_type) {
			ETHERTYPE_CLIP: parse_clip;
			ETHERTYPE_IPV4: parse_ipv4;
			default: accept;
		}
	}

	/* A response: the original frame follows, typed by load_type. */
	state parse_clip {
		pkt.extract(hdr.clip);
		transition select(hdr.clip.load_type) {
			ETHERTYPE_IPV4: parse_ipv4;
			default: accept;
		}
	}

	state parse_ipv4 {
		pkt.extract(hdr.ipv4);
		/* the source address leaves the L4 sum; re-added in the
		 * deparser with its new value (RFC 1624, like snat_apply) */
		l4_csum.subtract({hdr.ipv4.src_addr});
		transition select(hdr.ipv4.ihl, hdr.ipv4.flags,
				  hdr.ipv4.frag_offset, hdr.ipv4.protocol) {
			(5, 3w0 &&& 3w1, 0, IP_PROTO_TCP): parse_tcp;
			(5, 3w0 &&& 3w1, 0, IP_PROTO_UDP): parse_udp;
			default: accept;	/* options, fragments, others */
		}
	}

	state parse_tcp {
		pkt.extract(hdr.tcp);
		l4_csum.subtract({hdr.tcp.src_port, hdr.tcp.checksum});
		md.l4_residual = l4_csum.get();
		transition accept;
	}

	state parse_udp {
		pkt.extract(hdr.udp);
		l4_csum.subtract({hdr.udp.src_port, hdr.udp.checksum});
		md.l4_residual = l4_csum.get();
		transition select(hdr.udp.checksum) {
			0: accept;
			default: udp_csum_on;
		}
	}

	state udp_csum_on {
		md.udp_csum_on = 1;
		transition accept;
	}
}

/* ---------------- ingress ---------------- */
control Ingress(inout headers_t hdr, inout ig_meta_t md,
		in ingress_intrinsic_metadata_t ig_intr_md,
		in ingress_intrinsic_metadata_from_parser_t ig_prsr_md,
		inout ingress_intrinsic_metadata_for_deparser_t ig_dprsr_md,
		inout ingress_intrinsic_metadata_for_tm_t ig_tm_md)
{
	/* --- hashes (p4/README.md, "Hashes"): each is the CRC named in
	 * enum adn_clip_hash of lib/clip/adn_clip_switch.h, over the field
	 * list {src_ip, dst_ip, src_port, dst_port, proto} (13 bytes,
	 * network order). Every polynomial is declared with all its
	 * parameters; init and xor are 0 or all-ones only, where the
	 * driver's and the RevEng conventions for a reflected init agree.
	 * CRCPolynomial(coeff without x^32, reversed = refin = refout,
	 * msb, extended, init, xor); msb/extended do not matter when the
	 * Hash width equals the polynomial's. --- */

	/* CRC-32/ISO-HDLC (= HashAlgorithm_t.CRC32): count-min row 0 */
	CRCPolynomial<bit<32>>(32w0x04C11DB7, true, false, false,
			       32w0xFFFFFFFF, 32w0xFFFFFFFF) crc32;
	Hash<bit<32>>(HashAlgorithm_t.CUSTOM, crc32) h_cms0;
	/* CRC-32/ISCSI (CRC-32C): count-min row 1 */
	CRCPolynomial<bit<32>>(32w0x1EDC6F41, true, false, false,
			       32w0xFFFFFFFF, 32w0xFFFFFFFF) crc32c;
	Hash<bit<32>>(HashAlgorithm_t.CUSTOM, crc32c) h_cms1;
	/* CRC-32/BASE91-D (CRC-32D): Bloom partition 0 */
	CRCPolynomial<bit<32>>(32w0xA833982B, true, false, false,
			       32w0xFFFFFFFF, 32w0xFFFFFFFF) crc32d;
	Hash<bit<32>>(HashAlgorithm_t.CUSTOM, crc32d) h_bf0;
	/* CRC-32/AUTOSAR: Bloom partition 1 */
	CRCPolynomial<bit<32>>(32w0xF4ACFB13, true, false, false,
			       32w0xFFFFFFFF, 32w0xFFFFFFFF) crc32_autosar;
	Hash<bit<32>>(HashAlgorithm_t.CUSTOM, crc32_autosar) h_bf1;
	/* CRC-32/AIXM (CRC-32Q): Bloom partition 2; not reflected */
	CRCPolynomial<bit<32>>(32w0x814141AB, false, false, false,
			       32w0x00000000, 32w0x00000000) crc32q;
	Hash<bit<32>>(HashAlgorithm_t.CUSTOM, crc32q) h_bf2;
	/* CRC-16/ARC (= HashAlgorithm_t.CRC16): ECMP bucket */
	CRCPolynomial<bit<16>>(16w0x8005, true, false, false,
			       16w0x0000, 16w0x0000) crc16;
	Hash<bit<16>>(HashAlgorithm_t.CUSTOM, crc16) h_ecmp;
	/* CRC-32/BZIP2: flow_id[63:32]; not reflected */
	CRCPolynomial<bit<32>>(32w0x04C11DB7, false, false, false,
			       32w0xFFFFFFFF, 32w0xFFFFFFFF) crc32_bzip2;
	Hash<bit<32>>(HashAlgorithm_t.CUSTOM, crc32_bzip2) h_fid_hi;
	/* CRC-32/MEF (Koopman 0x741B8CD7): flow_id[31:0] */
	CRCPolynomial<bit<32>>(32w0x741B8CD7, true, false, false,
			       32w0xFFFFFFFF, 32w0x00000000) crc32_mef;
	Hash<bit<32>>(HashAlgorithm_t.CUSTOM, crc32_mef) h_fid_lo;

	/* --- count-min sketch, 2 x 1024 (adn_cms_update) --- */
	Register<bit<32>, bit<10>>(1024, 0) cms_row0;
	Register<bit<32>, bit<10>>(1024, 0) cms_row1;
	RegisterAction<bit<32>, bit<10>, bit<32>>(cms_row0) cms_inc0 = {
		void apply(inout bit<32> v, out bit<32> rv) {
			v = v |+| 1;
			rv = v;
		}
	};
	RegisterAction<bit<32>, bit<10>, bit<32>>(cms_row1) cms_inc1 = {
		void apply(inout bit<32> v, out bit<32> rv) {
			v = v |+| 1;
			rv = v;
		}
	};

	/* --- `cur` register (adn_clip_switch.cur) --- */
	Register<bit<1>, bit<1>>(1, 0) cur_reg;
	RegisterAction<bit<1>, bit<1>, bit<1>>(cur_reg) cur_read = {
		void apply(inout bit<1> v, out bit<1> rv) {
			rv = v;
		}
	};

	/* --- Bloom filters BF0/BF1, 3 partitions of 2^16 bits each
	 * (adn_bloom, partitioned; one Register per hash) --- */
	Register<bit<1>, bit<16>>(65536, 0) bf0_p0;
	Register<bit<1>, bit<16>>(65536, 0) bf0_p1;
	Register<bit<1>, bit<16>>(65536, 0) bf0_p2;
	Register<bit<1>, bit<16>>(65536, 0) bf1_p0;
	Register<bit<1>, bit<16>>(65536, 0) bf1_p1;
	Register<bit<1>, bit<16>>(65536, 0) bf1_p2;

#define BF_ACTIONS(R)							\
	RegisterAction<bit<1>, bit<16>, bit<1>>(R) R##_set = {		\
		void apply(inout bit<1> v) { v = 1; }			\
	};								\
	RegisterAction<bit<1>, bit<16>, bit<1>>(R) R##_get = {		\
		void apply(inout bit<1> v, out bit<1> rv) { rv = v; }	\
	};
	BF_ACTIONS(bf0_p0)
	BF_ACTIONS(bf0_p1)
	BF_ACTIONS(bf0_p2)
	BF_ACTIONS(bf1_p0)
	BF_ACTIONS(bf1_p1)
	BF_ACTIONS(bf1_p2)

	/* ---------- actions ---------- */
	action drop() {
		ig_dprsr_md.drop_ctl = 1;
	}

	action fwd(PortId_t port) {
		ig_tm_md.ucast_egress_port = port;
	}

	/* regular forwarding of everything CLIP does not own */
	table l2_fwd {
		key = { hdr.ethernet.dst_addr : exact; }
		actions = { fwd; drop; }
		default_action = drop();
		size = 4096;
	}

	/* post-processing == snat_apply: the L4 / IPv4 checksums follow in
	 * the deparser */
	action snat_rewrite(bit<32> new_src, bit<16> new_port) {
		hdr.ipv4.src_addr = new_src;
		hdr.tcp.src_port = new_port;
		hdr.udp.src_port = new_port;
	}

	/* pre-processing table (sw->table; Appendix A nat_table) */
	table nat_table {
		key = {
			md.src_ip   : exact;
			md.dst_ip   : exact;
			md.src_port : exact;
			md.dst_port : exact;
			md.proto    : exact;
		}
		actions = { snat_rewrite; @defaultonly NoAction; }
		const default_action = NoAction();
		size = 1024;		/* table_capacity */
		idle_timeout = true;	/* aging: adn_clip_table_age */
	}

	action set_pin(server_id_t server) {
		md.server = server;
		md.pinned = 1;
	}

	/* <flow, server> table (sw->pins) */
	table pin_table {
		key = {
			md.src_ip   : exact;
			md.dst_ip   : exact;
			md.src_port : exact;
			md.dst_port : exact;
			md.proto    : exact;
		}
		actions = { set_pin; @defaultonly NoAction; }
		const default_action = NoAction();
		size = 4096;		/* pin_capacity */
	}

	/* per cur value: versions and whether G_prev has members
	 * (clip_group.n > 0 / sw->version); rewritten at each change */
	action set_group_info(bit<16> cur_version, bit<16> prev_version,
			      bit<1> prev_nonempty) {
		md.cur_version = cur_version;
		md.prev_version = prev_version;
		md.prev_nonempty = prev_nonempty;
	}

	table group_info {
		key = { md.cur : exact; }
		actions = { set_group_info; @defaultonly NoAction; }
		const default_action = NoAction();
		size = 2;
	}

	action set_server(server_id_t server, PortId_t port,
			  bit<48> server_mac) {
		md.server = server;
		ig_tm_md.ucast_egress_port = port;
		hdr.ethernet.dst_addr = server_mac;
	}

	/* ECMP (clip_group.bucket[]: bucket b -> member[b % n]) */
	table ecmp_select {
		key = {
			md.slot        : exact;
			md.ecmp_bucket : exact;
		}
		actions = { set_server; @defaultonly drop; }
		const default_action = drop();	/* ADN_CLIP_R_NO_SERVER */
		size = 512;		/* 2 slots x ADN_CLIP_ECMP_BUCKETS */
	}

	/* pinned flows need the server's port and MAC too */
	table server_port {
		key = { md.server : exact; }
		actions = { set_server; @defaultonly drop; }
		const default_action = drop();
		size = 64;		/* ADN_CLIP_GROUP_MAX */
	}

	/* request encapsulation (adn_clip_encap + snat_make_params) */
	action encap_request(bit<16> group_version) {
		hdr.clip.setValid();
		hdr.clip.version = CLIP_VERSION;
		hdr.clip.type = CLIP_MSG_REQUEST;
		hdr.clip.app_id = CLIP_APP_SNAT;
		hdr.clip.group_version = group_version;
		hdr.clip.load_type = hdr.ethernet.ether_type;
		hdr.clip.parsed_len = md.parsed_len;
		hdr.clip.server_id = md.server;
		hdr.clip.status = 0;
		hdr.clip.param_len = SNAT_PARAM_LEN;
		hdr.clip.result_len = 0;
		hdr.clip.reserved = 0;
		hdr.clip.flow_id = md.fid_hi ++ md.fid_lo;
		hdr.clip.params = md.src_ip ++ md.dst_ip ++ md.src_port ++
				  md.dst_port ++ md.proto ++ 24w0;
		hdr.clip.result = 0;
		hdr.ethernet.ether_type = ETHERTYPE_CLIP;
	}

	/* strip the header (adn_clip_decap) */
	action decap_response() {
		hdr.ethernet.ether_type = hdr.clip.load_type;
		hdr.clip.setInvalid();
	}

	apply {
		/* ===== post-processing of a response ===== */
		if (hdr.clip.isValid()) {
			if (hdr.clip.version != CLIP_VERSION ||
			    hdr.clip.type != CLIP_MSG_RESPONSE ||
			    hdr.clip.app_id != CLIP_APP_SNAT ||
			    hdr.clip.status != 0 ||
			    hdr.clip.result_len != 6 ||
			    !hdr.ipv4.isValid()) {
				drop();
			} else {
				snat_rewrite(hdr.clip.result[127:96],
					     hdr.clip.result[95:80]);
				decap_response();
				l2_fwd.apply();
			}
			exit;
		}

		if (hdr.tcp.isValid()) {
			md.src_port = hdr.tcp.src_port;
			md.dst_port = hdr.tcp.dst_port;
			md.parsed_len = 20 + ((bit<16>)hdr.tcp.data_offset << 2);
			md.keyed = 1;
		} else if (hdr.udp.isValid()) {
			md.src_port = hdr.udp.src_port;
			md.dst_port = hdr.udp.dst_port;
			md.parsed_len = 28;
			md.keyed = 1;
		}
		if (md.keyed == 0) {
			l2_fwd.apply();		/* ADN_CLIP_V_PASS */
			exit;
		}
		md.src_ip = hdr.ipv4.src_addr;
		md.dst_ip = hdr.ipv4.dst_addr;
		md.proto = hdr.ipv4.protocol;

		/* ===== count-min + top-N digest ===== */
		md.cms_h0 = h_cms0.get({md.src_ip, md.dst_ip, md.src_port,
					md.dst_port, md.proto});
		md.cms_h1 = h_cms1.get({md.src_ip, md.dst_ip, md.src_port,
					md.dst_port, md.proto});
		/* width 1024: index = top 10 bits (adn_crc_reduce in C) */
		md.cms_c0 = cms_inc0.execute(md.cms_h0[31:22]);
		md.cms_c1 = cms_inc1.execute(md.cms_h1[31:22]);
		if (md.cms_c0 < md.cms_c1)
			md.cms_est = md.cms_c0;
		else
			md.cms_est = md.cms_c1;
		md.cms_est_low = md.cms_est & DIGEST_MASK;
		if (md.cms_est >= DIGEST_THRESHOLD && md.cms_est_low == 0)
			ig_dprsr_md.digest_type = DIGEST_TOPN;

		/* ===== pre-processing: fast path ===== */
		if (nat_table.apply().hit) {
			l2_fwd.apply();		/* ADN_CLIP_V_FAST */
			exit;
		}

		/* ===== flight ===== */
		md.fid_hi = h_fid_hi.get({md.src_ip, md.dst_ip, md.src_port,
					  md.dst_port, md.proto});
		md.fid_lo = h_fid_lo.get({md.src_ip, md.dst_ip, md.src_port,
					  md.dst_port, md.proto});
		md.cur = cur_read.execute(0);
		group_info.apply();
		pin_table.apply();
		if (md.pinned == 1) {
			server_port.apply();
			encap_request(md.cur_version);
			exit;
		}

		/* versioned groups (CLIP §III-D): update BF[cur], look up
		 * BF[1-cur]. Each register is touched once per packet. */
		md.bf_h0 = h_bf0.get({md.src_ip, md.dst_ip, md.src_port,
				      md.dst_port, md.proto});
		md.bf_h1 = h_bf1.get({md.src_ip, md.dst_ip, md.src_port,
				      md.dst_port, md.proto});
		md.bf_h2 = h_bf2.get({md.src_ip, md.dst_ip, md.src_port,
				      md.dst_port, md.proto});
		if (md.cur == 0) {
			bf0_p0_set.execute(md.bf_h0[31:16]);
			bf0_p1_set.execute(md.bf_h1[31:16]);
			bf0_p2_set.execute(md.bf_h2[31:16]);
			md.prev_b0 = bf1_p0_get.execute(md.bf_h0[31:16]);
			md.prev_b1 = bf1_p1_get.execute(md.bf_h1[31:16]);
			md.prev_b2 = bf1_p2_get.execute(md.bf_h2[31:16]);
		} else {
			bf1_p0_set.execute(md.bf_h0[31:16]);
			bf1_p1_set.execute(md.bf_h1[31:16]);
			bf1_p2_set.execute(md.bf_h2[31:16]);
			md.prev_b0 = bf0_p0_get.execute(md.bf_h0[31:16]);
			md.prev_b1 = bf0_p1_get.execute(md.bf_h1[31:16]);
			md.prev_b2 = bf0_p2_get.execute(md.bf_h2[31:16]);
		}
		md.ecmp_hash = h_ecmp.get({md.src_ip, md.dst_ip, md.src_port,
					   md.dst_port, md.proto});
		md.ecmp_bucket = md.ecmp_hash[7:0];	/* ecmp_bucket() */
		if (md.prev_b0 == 1 && md.prev_b1 == 1 && md.prev_b2 == 1 &&
		    md.prev_nonempty == 1) {
			md.slot = ~md.cur;		/* G_prev */
			ecmp_select.apply();
			encap_request(md.prev_version);
		} else {
			md.slot = md.cur;		/* G_cur */
			ecmp_select.apply();
			encap_request(md.cur_version);
		}
	}
}

control IgDeparser(packet_out pkt, inout headers_t hdr, in ig_meta_t md,
		   in ingress_intrinsic_metadata_for_deparser_t ig_dprsr_md)
{
	Checksum() ipv4_csum;
	Checksum() tcp_csum;
	Checksum() udp_csum;
	Digest<topn_digest_t>() topn_digest;

	apply {
		if (ig_dprsr_md.digest_type == DIGEST_TOPN) {
			topn_digest.pack({md.src_ip, md.dst_ip, md.src_port,
					  md.dst_port, md.proto, md.cms_est});
		}
		hdr.ipv4.hdr_checksum = ipv4_csum.update({
			hdr.ipv4.version, hdr.ipv4.ihl, hdr.ipv4.diffserv,
			hdr.ipv4.total_len, hdr.ipv4.identification,
			hdr.ipv4.flags, hdr.ipv4.frag_offset, hdr.ipv4.ttl,
			hdr.ipv4.protocol, hdr.ipv4.src_addr,
			hdr.ipv4.dst_addr });
		if (hdr.tcp.isValid()) {
			hdr.tcp.checksum = tcp_csum.update({
				hdr.ipv4.src_addr, hdr.tcp.src_port,
				md.l4_residual });
		}
		if (md.udp_csum_on == 1) {
			hdr.udp.checksum = udp_csum.update({
				hdr.ipv4.src_addr, hdr.udp.src_port,
				md.l4_residual });
		}
		pkt.emit(hdr);
	}
}

/* ---------------- egress: nothing CLIP-specific ---------------- */
struct eg_meta_t {}

parser EgParser(packet_in pkt, out headers_t hdr, out eg_meta_t md,
		out egress_intrinsic_metadata_t eg_intr_md)
{
	state start {
		pkt.extract(eg_intr_md);
		transition accept;
	}
}

control Egress(inout headers_t hdr, inout eg_meta_t md,
	       in egress_intrinsic_metadata_t eg_intr_md,
	       in egress_intrinsic_metadata_from_parser_t eg_prsr_md,
	       inout egress_intrinsic_metadata_for_deparser_t eg_dprsr_md,
	       inout egress_intrinsic_metadata_for_output_port_t eg_oport_md)
{
	apply { }
}

control EgDeparser(packet_out pkt, inout headers_t hdr, in eg_meta_t md,
		   in egress_intrinsic_metadata_for_deparser_t eg_dprsr_md)
{
	apply {
		pkt.emit(hdr);
	}
}

Pipeline(IgParser(), Ingress(), IgDeparser(),
	 EgParser(), Egress(), EgDeparser()) pipe;

Switch(pipe) main;
