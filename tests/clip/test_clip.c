/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suite for lib/clip: header codec, switch model (SNAT
 * post-processing, BF-versioned server choice vs plain ECMP), controller
 * (membership change push, top-N promotion), TCP retransmission
 * detection through the switch.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "adn_clip_ctrl.h"
#include "adn_clip_hdr.h"
#include "adn_clip_snat.h"
#include "adn_clip_switch.h"
#include "adn_clip_trd.h"

#define HEADROOM 128

/* ---- helpers ---- */

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Reference one's-complement sum, written independently of the library. */
static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += rd16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Checksums of a frame verify: IPv4 header sums to 0, L4 with pseudo
 * header sums to 0 (UDP: or checksum field is 0 = none). */
static bool
csums_ok(const uint8_t *f)
{
	const uint8_t *ip = f + 14, *l4 = f + 34;
	uint16_t tot = rd16(ip + 2), l4len = (uint16_t)(tot - 20);
	uint32_t s;

	if (fold(sum16(ip, 20, 0)) != 0)
		return false;
	if (ip[9] == 17 && rd16(l4 + 6) == 0)
		return true;
	s = sum16(ip + 12, 8, 0) + ip[9] + l4len;
	return fold(sum16(l4, l4len, s)) == 0;
}

static void
fill_csums(uint8_t *f)
{
	uint8_t *ip = f + 14, *l4 = f + 34;
	uint16_t tot = rd16(ip + 2), l4len = (uint16_t)(tot - 20);
	uint8_t *c = ip[9] == 6 ? l4 + 16 : l4 + 6;
	uint16_t v;

	wr16(ip + 10, 0);
	wr16(ip + 10, fold(sum16(ip, 20, 0)));
	wr16(c, 0);
	v = fold(sum16(l4, l4len, sum16(ip + 12, 8, 0) + ip[9] + l4len));
	wr16(c, ip[9] == 17 && v == 0 ? 0xffff : v);
}

/* 64-byte TCP (or UDP) frame with a payload and valid checksums. */
static size_t
make_frame(uint8_t *f, uint32_t sip, uint32_t dip, uint16_t sp, uint16_t dp,
	   uint8_t proto)
{
	uint8_t *ip = f + 14, *l4 = f + 34;
	size_t l4hdr = proto == 6 ? 20 : 8, i;

	memset(f, 0, 64);
	f[0] = 0x02;
	f[6] = 0x02;
	f[11] = 1;
	wr16(f + 12, 0x0800);
	ip[0] = 0x45;
	wr16(ip + 2, 50);
	ip[8] = 64;
	ip[9] = proto;
	wr16(ip + 12, (uint16_t)(sip >> 16));
	wr16(ip + 14, (uint16_t)sip);
	wr16(ip + 16, (uint16_t)(dip >> 16));
	wr16(ip + 18, (uint16_t)dip);
	wr16(l4, sp);
	wr16(l4 + 2, dp);
	if (proto == 6) {
		l4[12] = 0x50;
		l4[13] = 0x18;
	} else {
		wr16(l4 + 4, (uint16_t)(50 - 20));
	}
	for (i = 34 + l4hdr; i < 64; i++)
		f[i] = (uint8_t)(i * 7);
	fill_csums(f);
	return 64;
}

static struct adn_flow_key
key_of(uint32_t sip, uint32_t dip, uint16_t sp, uint16_t dp, uint8_t proto)
{
	uint8_t f[64];
	struct adn_clip_pkt_info pi;

	make_frame(f, sip, dip, sp, dp, proto);
	CU_ASSERT_FATAL(adn_clip_parse(f, 64, &pi, NULL) == 0);
	return pi.key;
}

/* A switch, a controller and SNAT servers 0..7 with mirrored tables. */
struct rig {
	struct adn_clip_switch *sw;
	struct adn_clip_ctrl *ctrl;
	struct adn_clip_table *mirror[8];
	struct adn_nat_pool pool[8];
};

static void
rig_init(struct rig *r, enum adn_clip_lb_mode mode, bool push,
	 uint32_t table_cap)
{
	struct adn_clip_switch_conf c;
	struct adn_clip_ctrl_conf cc = { .push_on_change = push, .topn = 8 };
	unsigned int i;

	memset(r, 0, sizeof(*r));
	adn_clip_switch_conf_default(&c);
	c.app = &adn_clip_app_snat;
	c.lb_mode = mode;
	c.table_capacity = table_cap;
	c.topn = 8;
	c.digest_threshold = 1;
	CU_ASSERT_FATAL(adn_clip_switch_create(&c, &r->sw, NULL) == 0);
	CU_ASSERT_FATAL(adn_clip_ctrl_create(r->sw, &cc, &r->ctrl) == 0);
	for (i = 0; i < 8; i++) {
		CU_ASSERT_FATAL(adn_clip_table_create(4096, i, &r->mirror[i])
				== 0);
		CU_ASSERT_FATAL(adn_nat_pool_init(&r->pool[i],
				0xcb007100u + i, 1, 1000, 60000) == 0);
		CU_ASSERT_FATAL(adn_clip_ctrl_add_mirror(r->ctrl, (uint16_t)i,
				&adn_clip_mirror_table_ops, r->mirror[i]) == 0);
	}
}

static void
rig_fini(struct rig *r)
{
	unsigned int i;

	adn_clip_ctrl_free(r->ctrl);
	adn_clip_switch_free(r->sw);
	for (i = 0; i < 8; i++) {
		adn_clip_table_free(r->mirror[i]);
		adn_nat_pool_fini(&r->pool[i]);
	}
}

/* Send one packet of flow i (TCP 10.1.x.y:i -> 198.51.100.1:80) through
 * switch -> server -> switch. Returns the verdict of the first pass; the
 * server (FLIGHT) in *srv; the final frame in out (64 bytes). */
static enum adn_clip_verdict
rig_send(struct rig *r, uint32_t i, int *srv, uint8_t *final)
{
	uint8_t buf[HEADROOM + 128];
	uint8_t *f = buf + HEADROOM;
	struct adn_clip_out o, o2;
	enum adn_clip_verdict v;

	make_frame(f, 0x0a010000u + i, 0xc6336401u, (uint16_t)(1024 + i), 80,
		   6);
	CU_ASSERT_FATAL(adn_clip_switch_process(r->sw, f, 64, HEADROOM, &o)
			== 0);
	v = o.verdict;
	*srv = -1;
	if (v == ADN_CLIP_V_FLIGHT) {
		*srv = o.server;
		CU_ASSERT_FATAL(o.server < 8);
		f += o.data_off;
		CU_ASSERT_FATAL(adn_clip_snat_handle(r->mirror[o.server],
				o.server, &r->pool[o.server], f, o.len, NULL)
				== 0);
		CU_ASSERT_FATAL(adn_clip_switch_process(r->sw, f, o.len,
				(size_t)(f - buf), &o2) == 0);
		CU_ASSERT(o2.verdict == ADN_CLIP_V_RESPONSE);
		f += o2.data_off;
		CU_ASSERT(o2.len == 64);
	}
	if (final != NULL)
		memcpy(final, f, 64);
	return v;
}

static bool
in_set(int s, const uint16_t *g, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (g[i] == s)
			return true;
	return false;
}

/* ---- header codec ---- */

static struct adn_clip_hdr
sample_hdr(void)
{
	struct adn_clip_hdr h = {
		.version = ADN_CLIP_VERSION, .type = ADN_CLIP_MSG_REQUEST,
		.app_id = ADN_CLIP_APP_SNAT, .group_version = 0x1235,
		.load_type = 0x0800, .parsed_len = 40, .server_id = 0x0203,
		.param_len = 13, .result_len = 0,
		.flow_id = 0x0102030405060708ULL,
	};
	unsigned int i;

	for (i = 0; i < 13; i++)
		h.params[i] = (uint8_t)(0xa0 + i);
	return h;
}

static void
test_hdr_round_trip_and_wire_order(void)
{
	struct adn_clip_hdr h = sample_hdr(), d;
	uint8_t buf[ADN_CLIP_HDR_LEN + 40];
	enum adn_clip_hdr_err why = ADN_CLIP_HDR_ERR_MAX;

	CU_ASSERT_FATAL(adn_clip_hdr_encode(&h, buf, sizeof(buf), &why) == 0);
	CU_ASSERT(why == ADN_CLIP_HDR_OK);
	/* explicit network byte order at the documented offsets */
	CU_ASSERT(buf[0] == 1 && buf[1] == 1);
	CU_ASSERT(buf[2] == 0 && buf[3] == 1);
	CU_ASSERT(buf[4] == 0x12 && buf[5] == 0x35);
	CU_ASSERT(buf[6] == 0x08 && buf[7] == 0x00);
	CU_ASSERT(buf[8] == 0 && buf[9] == 40);
	CU_ASSERT(buf[10] == 0x02 && buf[11] == 0x03);
	CU_ASSERT(buf[13] == 13 && buf[14] == 0 && buf[15] == 0);
	CU_ASSERT(buf[16] == 0x01 && buf[23] == 0x08);
	CU_ASSERT(buf[24] == 0xa0 && buf[36] == 0xac && buf[37] == 0);
	CU_ASSERT_FATAL(adn_clip_hdr_decode(buf, sizeof(buf), &d, &why) == 0);
	CU_ASSERT(memcmp(&h, &d, sizeof(h)) == 0);
}

static void
test_hdr_rejects_malformed(void)
{
	static const struct {
		size_t off;
		uint8_t val;
		enum adn_clip_hdr_err why;
		int err;
	} cases[] = {
		{ 0, 2, ADN_CLIP_HDR_BAD_VERSION, -EPROTONOSUPPORT },
		{ 1, 0, ADN_CLIP_HDR_BAD_TYPE, -EINVAL },
		{ 1, 3, ADN_CLIP_HDR_BAD_TYPE, -EINVAL },
		{ 13, 17, ADN_CLIP_HDR_BAD_PARAM_LEN, -EINVAL },
		{ 14, 17, ADN_CLIP_HDR_BAD_RESULT_LEN, -EINVAL },
		{ 15, 1, ADN_CLIP_HDR_RESERVED, -EINVAL },
		{ 12, 1, ADN_CLIP_HDR_BAD_STATUS, -EINVAL },
		{ 9, 41, ADN_CLIP_HDR_BAD_PARSED_LEN, -EINVAL },
	};
	struct adn_clip_hdr h = sample_hdr(), d;
	uint8_t good[ADN_CLIP_HDR_LEN + 40], buf[sizeof(good)];
	enum adn_clip_hdr_err why;
	unsigned int i;

	CU_ASSERT_FATAL(adn_clip_hdr_encode(&h, good, sizeof(good), NULL) ==
			0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(buf, good, sizeof(buf));
		buf[cases[i].off] = cases[i].val;
		why = ADN_CLIP_HDR_OK;
		CU_ASSERT(adn_clip_hdr_decode(buf, sizeof(buf), &d, &why) ==
			  cases[i].err);
		CU_ASSERT(why == cases[i].why);
		CU_ASSERT(strcmp(adn_clip_hdr_strerror(why), "ok") != 0);
	}
	CU_ASSERT(adn_clip_hdr_decode(good, ADN_CLIP_HDR_LEN - 1, &d, &why) ==
		  -EMSGSIZE);
	CU_ASSERT(why == ADN_CLIP_HDR_TRUNCATED);
	/* encode refuses what decode refuses */
	h.param_len = 17;
	CU_ASSERT(adn_clip_hdr_encode(&h, buf, sizeof(buf), &why) == -EINVAL);
	CU_ASSERT(why == ADN_CLIP_HDR_BAD_PARAM_LEN);
	h = sample_hdr();
	CU_ASSERT(adn_clip_hdr_encode(&h, buf, 10, &why) == -EMSGSIZE);
	/* frame level: wrong EtherType */
	memset(buf, 0, 14);
	wr16(buf + 12, 0x0800);
	CU_ASSERT(adn_clip_frame_decode(buf, sizeof(buf), &d, &why) ==
		  -EPROTO);
	CU_ASSERT(why == ADN_CLIP_HDR_BAD_ETHERTYPE);
}

static void
test_encap_decap_restore_frame_and_respond_in_place(void)
{
	uint8_t buf[ADN_CLIP_HDR_LEN + 64], orig[64];
	struct adn_clip_hdr h = sample_hdr(), d;
	const uint8_t res[6] = { 1, 2, 3, 4, 5, 6 };

	make_frame(buf + ADN_CLIP_HDR_LEN, 0x0a000001, 0x0a000002, 1, 2, 6);
	memcpy(orig, buf + ADN_CLIP_HDR_LEN, 64);
	h.load_type = 0;	/* must be taken from the frame */
	CU_ASSERT_FATAL(adn_clip_encap(buf, sizeof(buf), &h, NULL) == 0);
	CU_ASSERT(rd16(buf + 12) == ADN_CLIP_ETHERTYPE);
	CU_ASSERT(memcmp(buf, orig, 12) == 0);
	CU_ASSERT(memcmp(buf + 14 + ADN_CLIP_HDR_LEN, orig + 14, 50) == 0);
	/* server: response in place, same length */
	CU_ASSERT_FATAL(adn_clip_respond(buf, sizeof(buf), ADN_CLIP_ST_OK,
					 res, 6, NULL) == 0);
	CU_ASSERT_FATAL(adn_clip_frame_decode(buf, sizeof(buf), &d, NULL) == 0);
	CU_ASSERT(d.type == ADN_CLIP_MSG_RESPONSE && d.result_len == 6);
	CU_ASSERT(memcmp(d.result, res, 6) == 0);
	CU_ASSERT(d.flow_id == h.flow_id && d.param_len == 13);
	/* a response cannot be answered again */
	CU_ASSERT(adn_clip_respond(buf, sizeof(buf), 0, res, 6, NULL) ==
		  -EINVAL);
	CU_ASSERT_FATAL(adn_clip_decap(buf, sizeof(buf), &d, NULL) == 0);
	CU_ASSERT(d.load_type == 0x0800);
	CU_ASSERT(memcmp(buf + ADN_CLIP_HDR_LEN, orig, 64) == 0);
}

/* ---- switch: parsing and post-processing ---- */

static void
test_snat_fast_path_rewrites_tcp_with_valid_checksums(void)
{
	struct rig r;
	uint8_t out[64], ref[64];
	struct adn_clip_entry e = { 0 };
	int srv;

	rig_init(&r, ADN_CLIP_LB_BF, true, 16);
	make_frame(ref, 0x0a010000u + 7, 0xc6336401u, 1024 + 7, 80, 6);
	e.key = key_of(0x0a010000u + 7, 0xc6336401u, 1024 + 7, 80, 6);
	e.result_len = 6;
	adn_clip_snat_result(e.result, 0xcb0071feu, 40001);
	CU_ASSERT_FATAL(adn_clip_table_add(adn_clip_switch_table(r.sw), &e)
			== 0);
	CU_ASSERT(rig_send(&r, 7, &srv, out) == ADN_CLIP_V_FAST);
	CU_ASSERT(rd16(out + 26) == 0xcb00 && rd16(out + 28) == 0x71fe);
	CU_ASSERT(rd16(out + 34) == 40001);
	CU_ASSERT(csums_ok(out));
	/* everything else untouched: MACs, IP header but for source and
	 * checksum, TCP header but for source port and checksum, payload */
	CU_ASSERT(memcmp(out, ref, 24) == 0);
	CU_ASSERT(memcmp(out + 30, ref + 30, 4) == 0);
	CU_ASSERT(memcmp(out + 36, ref + 36, 14) == 0);
	CU_ASSERT(memcmp(out + 52, ref + 52, 12) == 0);
	rig_fini(&r);
}

static void
test_snat_response_rewrites_udp_with_valid_checksums(void)
{
	uint8_t buf[HEADROOM + 128], *f = buf + HEADROOM;
	struct adn_clip_switch_conf c;
	struct adn_clip_switch *sw;
	struct adn_clip_out o;
	uint16_t grp[1] = { 3 };
	const uint8_t res[6] = { 203, 0, 113, 9, 0x9c, 0x41 };
	int zero;

	adn_clip_switch_conf_default(&c);
	c.app = &adn_clip_app_snat;
	CU_ASSERT_FATAL(adn_clip_switch_create(&c, &sw, NULL) == 0);
	CU_ASSERT_FATAL(adn_clip_switch_change(sw, grp, 1) == 0);
	for (zero = 0; zero < 2; zero++) {
		make_frame(f, 0x0a000005, 0x08080808, 5353, 53, 17);
		if (zero)	/* UDP without checksum must stay without */
			wr16(f + 40, 0);
		CU_ASSERT_FATAL(adn_clip_switch_process(sw, f, 64, HEADROOM,
							&o) == 0);
		CU_ASSERT_FATAL(o.verdict == ADN_CLIP_V_FLIGHT);
		CU_ASSERT(o.server == 3 && o.data_off == -ADN_CLIP_HDR_LEN);
		CU_ASSERT_FATAL(adn_clip_respond(f + o.data_off, o.len,
				ADN_CLIP_ST_OK, res, 6, NULL) == 0);
		CU_ASSERT_FATAL(adn_clip_switch_process(sw, f + o.data_off,
				o.len, HEADROOM + o.data_off, &o) == 0);
		CU_ASSERT_FATAL(o.verdict == ADN_CLIP_V_RESPONSE);
		CU_ASSERT(o.data_off == ADN_CLIP_HDR_LEN && o.len == 64);
		CU_ASSERT(rd16(f + 12) == 0x0800);
		CU_ASSERT(memcmp(f + 26, res, 4) == 0);
		CU_ASSERT(rd16(f + 34) == 0x9c41);
		CU_ASSERT(csums_ok(f));
		if (zero) {
			CU_ASSERT(rd16(f + 40) == 0);
		} else {
			CU_ASSERT(rd16(f + 40) != 0);
		}
	}
	adn_clip_switch_free(sw);
}

static void
test_switch_passes_and_drops_with_reasons(void)
{
	uint8_t buf[HEADROOM + 128], *f = buf + HEADROOM;
	struct adn_clip_switch_conf c;
	struct adn_clip_switch *sw;
	struct adn_clip_out o;
	struct adn_clip_hdr h = sample_hdr();
	uint16_t grp[1] = { 0 };

	adn_clip_switch_conf_default(&c);
	c.app = &adn_clip_app_snat;
	CU_ASSERT_FATAL(adn_clip_switch_create(&c, &sw, NULL) == 0);
	/* empty group: a flight has nowhere to go */
	make_frame(f, 1, 2, 3, 4, 6);
	adn_clip_switch_process(sw, f, 64, HEADROOM, &o);
	CU_ASSERT(o.verdict == ADN_CLIP_V_DROP &&
		  o.reason == ADN_CLIP_R_NO_SERVER);
	CU_ASSERT_FATAL(adn_clip_switch_change(sw, grp, 1) == 0);
	adn_clip_switch_process(sw, f, 64, 10, &o);
	CU_ASSERT(o.verdict == ADN_CLIP_V_DROP &&
		  o.reason == ADN_CLIP_R_NO_HEADROOM);
	/* ARP */
	wr16(f + 12, 0x0806);
	adn_clip_switch_process(sw, f, 64, HEADROOM, &o);
	CU_ASSERT(o.verdict == ADN_CLIP_V_PASS &&
		  o.reason == ADN_CLIP_R_NOT_IPV4);
	/* fragment */
	make_frame(f, 1, 2, 3, 4, 6);
	wr16(f + 20, 0x2000);
	adn_clip_switch_process(sw, f, 64, HEADROOM, &o);
	CU_ASSERT(o.verdict == ADN_CLIP_V_PASS &&
		  o.reason == ADN_CLIP_R_FRAGMENT);
	/* ICMP */
	make_frame(f, 1, 2, 3, 4, 1);
	adn_clip_switch_process(sw, f, 64, HEADROOM, &o);
	CU_ASSERT(o.verdict == ADN_CLIP_V_PASS &&
		  o.reason == ADN_CLIP_R_NOT_TCP_UDP);
	/* IPv4 total length beyond the frame */
	make_frame(f, 1, 2, 3, 4, 6);
	adn_clip_switch_process(sw, f, 40, HEADROOM, &o);
	CU_ASSERT(o.verdict == ADN_CLIP_V_DROP &&
		  o.reason == ADN_CLIP_R_TRUNCATED);
	/* IHL < 5 */
	f[14] = 0x44;
	adn_clip_switch_process(sw, f, 64, HEADROOM, &o);
	CU_ASSERT(o.verdict == ADN_CLIP_V_DROP &&
		  o.reason == ADN_CLIP_R_BAD_IPV4);
	/* a request arriving at the switch is a loop, not a response */
	make_frame(buf + ADN_CLIP_HDR_LEN, 1, 2, 3, 4, 6);
	CU_ASSERT_FATAL(adn_clip_encap(buf, 64 + ADN_CLIP_HDR_LEN, &h, NULL)
			== 0);
	adn_clip_switch_process(sw, buf, 64 + ADN_CLIP_HDR_LEN, 0, &o);
	CU_ASSERT(o.verdict == ADN_CLIP_V_DROP &&
		  o.reason == ADN_CLIP_R_UNEXPECTED_REQUEST);
	/* corrupt CLIP header */
	buf[14] = 9;
	adn_clip_switch_process(sw, buf, 64 + ADN_CLIP_HDR_LEN, 0, &o);
	CU_ASSERT(o.verdict == ADN_CLIP_V_DROP &&
		  o.reason == ADN_CLIP_R_BAD_CLIP_HDR &&
		  o.hdr_err == ADN_CLIP_HDR_BAD_VERSION);
	/* error status from the handler */
	buf[14] = ADN_CLIP_VERSION;
	CU_ASSERT_FATAL(adn_clip_respond(buf, 64 + ADN_CLIP_HDR_LEN,
			ADN_CLIP_ST_NO_RESOURCE, NULL, 0, NULL) == 0);
	adn_clip_switch_process(sw, buf, 64 + ADN_CLIP_HDR_LEN, 0, &o);
	CU_ASSERT(o.verdict == ADN_CLIP_V_DROP &&
		  o.reason == ADN_CLIP_R_HANDLER_STATUS);
	adn_clip_switch_free(sw);
}

static void
test_switch_conf_rejects_bad_values(void)
{
	struct adn_clip_switch_conf c;
	struct adn_clip_switch *sw = (void *)1;
	const char *field = NULL;

	adn_clip_switch_conf_default(&c);
	CU_ASSERT(adn_clip_switch_create(&c, &sw, &field) == -EINVAL);
	CU_ASSERT(sw == NULL && field && strcmp(field, "app") == 0);
	c.app = &adn_clip_app_snat;
	c.digest_threshold = 3;
	CU_ASSERT(adn_clip_switch_create(&c, &sw, &field) == -EINVAL);
	CU_ASSERT(field && strcmp(field, "digest_threshold") == 0);
	c.digest_threshold = 8;
	c.cms_depth = 99;
	CU_ASSERT(adn_clip_switch_create(&c, &sw, &field) == -EINVAL);
	CU_ASSERT(field && strcmp(field, "cms_depth") == 0);
	/* one Hash<> per row / partition in p4/: no twin for a third row or
	 * a fourth partition */
	c.cms_depth = ADN_CLIP_CMS_DEPTH_MAX + 1;
	CU_ASSERT(adn_clip_switch_create(&c, &sw, &field) == -EINVAL);
	CU_ASSERT(field && strcmp(field, "cms_depth") == 0);
	c.cms_depth = 2;
	c.bf_hashes = ADN_CLIP_BF_HASH_MAX + 1;
	CU_ASSERT(adn_clip_switch_create(&c, &sw, &field) == -EINVAL);
	CU_ASSERT(field && strcmp(field, "bf_hashes") == 0);
}

/* ---- hashes: bit for bit what p4/clip.p4 computes ---- */

/*
 * Expected values come from an independent bitwise CRC over the 13 bytes
 * src_ip dst_ip src_port dst_port proto (network order), the P4 field list
 * of every Hash<> in p4/clip.p4. A change of field order, byte order,
 * algorithm or slicing in the model fails here.
 */
static const struct {
	uint32_t sip, dip;
	uint16_t sp, dp;
	uint8_t proto;
	uint32_t hash[ADN_CLIP_H_MAX];
	uint32_t index[ADN_CLIP_H_MAX];
} pinned[] = {
	{ 0x0a000001, 0xc0a80102, 1234, 80, 6,
	  { 0xda3c31e7, 0x83f836a1, 0x65e643e8, 0x7999e45a, 0xa289ee0b,
	    0x8c77, 0x3047570a, 0x40f9c16e },
	  { 872, 527, 26086, 31129, 41609, 119, 0x3047570a, 0x40f9c16e } },
	{ 0xc0000207, 0xc6336409, 40000, 53, 17,
	  { 0x7729378c, 0x13602077, 0xe0ed38ca, 0xd93230d1, 0x603a7501,
	    0x18b4, 0xa58488b2, 0xd8b622c4 },
	  { 476, 77, 57581, 55602, 24634, 180, 0xa58488b2, 0xd8b622c4 } },
	{ 0xac100504, 0x0a010203, 443, 51515, 6,
	  { 0x064d9e31, 0x3f6ea28e, 0x546ecbfc, 0x19c9e05f, 0xdf261ad0,
	    0x3cc6, 0xb1226cc4, 0x68aa4ad2 },
	  { 25, 253, 21614, 6601, 57126, 198, 0xb1226cc4, 0x68aa4ad2 } },
};

static struct adn_clip_switch *
default_switch(enum adn_clip_lb_mode mode)
{
	struct adn_clip_switch_conf c;
	struct adn_clip_switch *sw = NULL;

	adn_clip_switch_conf_default(&c);
	c.app = &adn_clip_app_snat;
	c.lb_mode = mode;
	CU_ASSERT_FATAL(adn_clip_switch_create(&c, &sw, NULL) == 0);
	return sw;
}

static void
test_hashes_match_p4_crcs_for_pinned_tuples(void)
{
	struct adn_clip_switch *sw = default_switch(ADN_CLIP_LB_BF);
	unsigned int t, h;

	for (t = 0; t < sizeof(pinned) / sizeof(pinned[0]); t++) {
		struct adn_flow_key k = key_of(pinned[t].sip, pinned[t].dip,
					       pinned[t].sp, pinned[t].dp,
					       pinned[t].proto);

		for (h = 0; h < ADN_CLIP_H_MAX; h++) {
			uint32_t v = 0, idx = 0;

			CU_ASSERT(adn_clip_switch_hash(sw, h, &k, &v, &idx)
				  == 0);
			if (v != pinned[t].hash[h] ||
			    idx != pinned[t].index[h])
				fprintf(stderr, "tuple %u %s: 0x%08x/%u, "
					"expected 0x%08x/%u\n", t,
					adn_clip_hash_name(h), v, idx,
					pinned[t].hash[h], pinned[t].index[h]);
			CU_ASSERT(v == pinned[t].hash[h]);
			CU_ASSERT(idx == pinned[t].index[h]);
		}
		CU_ASSERT(adn_clip_flow_id(sw, &k) ==
			  ((uint64_t)pinned[t].hash[ADN_CLIP_H_FID_HI] << 32 |
			   pinned[t].hash[ADN_CLIP_H_FID_LO]));
	}
	CU_ASSERT(adn_clip_switch_hash(sw, ADN_CLIP_H_MAX,
				       &(struct adn_flow_key){0}, NULL,
				       NULL) == -EINVAL);
	adn_clip_switch_free(sw);
	/* ECMP mode has no filters, so no Bloom hash to report */
	sw = default_switch(ADN_CLIP_LB_ECMP);
	CU_ASSERT(adn_clip_switch_hash(sw, ADN_CLIP_H_BF0,
				       &(struct adn_flow_key){0}, NULL,
				       NULL) == -EINVAL);
	adn_clip_switch_free(sw);
}

static void
test_hash_names_and_crcs_follow_p4(void)
{
	static const char *const names[ADN_CLIP_H_MAX] = {
		"h_cms0", "h_cms1", "h_bf0", "h_bf1", "h_bf2", "h_ecmp",
		"h_fid_hi", "h_fid_lo",
	};
	unsigned int h;

	for (h = 0; h < ADN_CLIP_H_MAX; h++) {
		CU_ASSERT_FATAL(adn_clip_hash_name(h) != NULL);
		CU_ASSERT(strcmp(adn_clip_hash_name(h), names[h]) == 0);
	}
	/* TNA's HashAlgorithm_t.CRC32 and CRC16 */
	CU_ASSERT(adn_clip_hash_crc(ADN_CLIP_H_CMS0) == &adn_crc32_iso_hdlc);
	CU_ASSERT(adn_clip_hash_crc(ADN_CLIP_H_ECMP) == &adn_crc16_arc);
	CU_ASSERT(adn_clip_hash_crc(ADN_CLIP_H_MAX) == NULL);
	CU_ASSERT(adn_clip_hash_name(ADN_CLIP_H_MAX) == NULL);
}

/* The pinned values are what the data path uses, not a side computation:
 * the request carries the pinned flow id, ECMP over 64 members 0..63 picks
 * bucket % 64, the count-min rows count the flow, and the flow's Bloom bits
 * are set (a change makes BF[cur] the BF_prev that steers it to G_prev). */
static void
test_data_path_uses_pinned_hashes(void)
{
	struct adn_clip_switch *sw = default_switch(ADN_CLIP_LB_BF);
	uint8_t buf[HEADROOM + 64], *f = buf + HEADROOM;
	uint16_t members[64], other[1] = { 99 }, server;
	struct adn_clip_out out;
	enum adn_clip_path path;
	unsigned int t;

	for (t = 0; t < 64; t++)
		members[t] = (uint16_t)t;
	CU_ASSERT_FATAL(adn_clip_switch_change(sw, members, 64) == 0);
	for (t = 0; t < sizeof(pinned) / sizeof(pinned[0]); t++) {
		struct adn_flow_key k = key_of(pinned[t].sip, pinned[t].dip,
					       pinned[t].sp, pinned[t].dp,
					       pinned[t].proto);
		uint8_t bucket = (uint8_t)pinned[t].hash[ADN_CLIP_H_ECMP];

		make_frame(f, pinned[t].sip, pinned[t].dip, pinned[t].sp,
			   pinned[t].dp, pinned[t].proto);
		CU_ASSERT_FATAL(adn_clip_switch_process(sw, f, 64, HEADROOM,
							&out) == 0);
		CU_ASSERT_FATAL(out.verdict == ADN_CLIP_V_FLIGHT);
		CU_ASSERT(out.flow_id ==
			  ((uint64_t)pinned[t].hash[ADN_CLIP_H_FID_HI] << 32 |
			   pinned[t].hash[ADN_CLIP_H_FID_LO]));
		CU_ASSERT(out.server == bucket % 64);
		CU_ASSERT(adn_clip_switch_choose(sw, &k, &server, &path) == 0);
		CU_ASSERT(server == bucket % 64 && path == ADN_CLIP_P_CUR);
		CU_ASSERT(adn_clip_switch_estimate(sw, &k) == 1);
	}
	/* after a change the flows are in BF_prev: all keep their server */
	CU_ASSERT_FATAL(adn_clip_switch_change(sw, other, 1) == 0);
	for (t = 0; t < sizeof(pinned) / sizeof(pinned[0]); t++) {
		struct adn_flow_key k = key_of(pinned[t].sip, pinned[t].dip,
					       pinned[t].sp, pinned[t].dp,
					       pinned[t].proto);

		CU_ASSERT(adn_clip_switch_choose(sw, &k, &server, &path) == 0);
		CU_ASSERT(path == ADN_CLIP_P_PREV);
		CU_ASSERT(server == (uint8_t)pinned[t].hash[ADN_CLIP_H_ECMP] %
			  64);
	}
	adn_clip_switch_free(sw);
}

/* ---- server choice across membership changes ---- */

#define NFLOWS 300

static void
test_bf_keeps_server_across_one_change_and_new_flows_use_new_group(void)
{
	static const uint16_t g0[] = { 0, 1 }, g1[] = { 2, 3 };
	struct adn_clip_change_report rep;
	int first[NFLOWS], s;
	struct rig r;
	uint32_t i;

	/* no push: versioning alone must carry a flow over one change */
	rig_init(&r, ADN_CLIP_LB_BF, false, 16);
	CU_ASSERT_FATAL(adn_clip_ctrl_set_group(r.ctrl, g0, 2, NULL) == 0);
	for (i = 0; i < NFLOWS; i++) {
		CU_ASSERT(rig_send(&r, i, &first[i], NULL) ==
			  ADN_CLIP_V_FLIGHT);
		CU_ASSERT(in_set(first[i], g0, 2));
	}
	CU_ASSERT_FATAL(adn_clip_ctrl_set_group(r.ctrl, g1, 2, &rep) == 0);
	CU_ASSERT(adn_clip_switch_cur(r.sw) == 0 &&
		  adn_clip_switch_version(r.sw) == 2);
	for (i = 0; i < NFLOWS; i++) {
		rig_send(&r, i, &s, NULL);
		CU_ASSERT(s == first[i]);
	}
	/* new flows: only the new group (disjoint, so no luck involved) */
	for (i = NFLOWS; i < 2 * NFLOWS; i++) {
		rig_send(&r, i, &s, NULL);
		CU_ASSERT(in_set(s, g1, 2));
	}
	rig_fini(&r);
}

/* Flows of interval 0 that stay active keep their server across a second
 * change only through the controller's push; flows of interval 1 keep
 * theirs through BF versioning. Without push, old flows are lost. */
static unsigned int
two_changes(bool push, unsigned int *pinned)
{
	static const uint16_t g0[] = { 0, 1 }, g1[] = { 2, 3 },
		g2[] = { 4, 5 };
	struct adn_clip_change_report rep;
	int first[2 * NFLOWS], s;
	unsigned int lost = 0;
	struct rig r;
	uint32_t i;

	rig_init(&r, ADN_CLIP_LB_BF, push, 16);
	CU_ASSERT_FATAL(adn_clip_ctrl_set_group(r.ctrl, g0, 2, NULL) == 0);
	for (i = 0; i < NFLOWS; i++)
		rig_send(&r, i, &first[i], NULL);
	CU_ASSERT_FATAL(adn_clip_ctrl_set_group(r.ctrl, g1, 2, NULL) == 0);
	for (i = 0; i < 2 * NFLOWS; i++) {	/* old ones stay active */
		rig_send(&r, i, &s, NULL);
		if (i >= NFLOWS)
			first[i] = s;
		CU_ASSERT(s == first[i]);
	}
	CU_ASSERT_FATAL(adn_clip_ctrl_set_group(r.ctrl, g2, 2, &rep) == 0);
	*pinned = rep.pinned;
	if (push) {
		CU_ASSERT(rep.checked == 2 * NFLOWS);
		/* every interval-0 flow needs a pin (G_prev = {2,3} does
		 * not hold their server); no interval-1 flow does */
		CU_ASSERT(rep.pinned == NFLOWS && rep.kept == NFLOWS);
		CU_ASSERT(rep.pin_failed == 0);
	}
	for (i = 0; i < 2 * NFLOWS; i++) {
		rig_send(&r, i, &s, NULL);
		if (s != first[i])
			lost++;
	}
	for (i = 2 * NFLOWS; i < 3 * NFLOWS; i++) {
		rig_send(&r, i, &s, NULL);
		CU_ASSERT(in_set(s, g2, 2));
	}
	rig_fini(&r);
	return lost;
}

static void
test_bf_with_push_keeps_server_across_two_changes(void)
{
	unsigned int pinned;

	CU_ASSERT(two_changes(true, &pinned) == 0);
	CU_ASSERT(pinned == NFLOWS);
}

static void
test_bf_without_push_loses_flows_at_second_change(void)
{
	unsigned int pinned;

	/* all interval-0 flows now hash into {2,3}, never their server */
	CU_ASSERT(two_changes(false, &pinned) == NFLOWS);
	CU_ASSERT(pinned == 0);
}

static void
test_plain_ecmp_rehash_moves_flows_bf_does_not(void)
{
	static const uint16_t g0[] = { 0, 1 }, g1[] = { 0, 1, 2 };
	enum adn_clip_lb_mode m;
	int first[NFLOWS], s;
	unsigned int moved[2];
	struct rig r;
	uint32_t i;

	for (m = ADN_CLIP_LB_BF; m <= ADN_CLIP_LB_ECMP; m++) {
		rig_init(&r, m, false, 16);
		CU_ASSERT_FATAL(adn_clip_ctrl_set_group(r.ctrl, g0, 2, NULL)
				== 0);
		for (i = 0; i < NFLOWS; i++)
			rig_send(&r, i, &first[i], NULL);
		CU_ASSERT_FATAL(adn_clip_ctrl_set_group(r.ctrl, g1, 3, NULL)
				== 0);
		moved[m] = 0;
		for (i = 0; i < NFLOWS; i++) {
			rig_send(&r, i, &s, NULL);
			moved[m] += s != first[i];
		}
		rig_fini(&r);
	}
	CU_ASSERT(moved[ADN_CLIP_LB_BF] == 0);
	/* buckets b%2 vs b%3 differ for 2/3 of them */
	CU_ASSERT(moved[ADN_CLIP_LB_ECMP] > NFLOWS / 2);
	CU_ASSERT(moved[ADN_CLIP_LB_ECMP] < NFLOWS * 9 / 10);
}

/* ---- promotion ---- */

static struct adn_flow_key
flow_key(uint32_t i)
{
	return key_of(0x0a010000u + i, 0xc6336401u, (uint16_t)(1024 + i), 80,
		      6);
}

static void
test_promotion_moves_hottest_entries_and_evicts_coldest(void)
{
	static const uint16_t g[] = { 1 };
	static const uint32_t e_id[4] = { 101, 102, 103, 104 };
	static const int e_hits[4] = { 5, 1, 0, 3 };
	struct adn_clip_promote_report rep;
	struct adn_clip_hitter cand[4];
	struct adn_clip_entry e;
	const struct adn_clip_entry *m;
	struct adn_clip_table *t;
	enum adn_clip_path path;
	uint8_t out[64];
	uint16_t s;
	struct rig r;
	int srv, k;
	unsigned int i;

	rig_init(&r, ADN_CLIP_LB_BF, true, 4);
	t = adn_clip_switch_table(r.sw);
	CU_ASSERT_FATAL(adn_clip_ctrl_set_group(r.ctrl, g, 1, NULL) == 0);
	/* switch table full with flows owned by server 0 (not in the
	 * group any more), with 5, 1, 0 and 3 hits this period */
	for (i = 0; i < 4; i++) {
		memset(&e, 0, sizeof(e));
		e.key = flow_key(e_id[i]);
		e.server = 0;
		e.result_len = 6;
		adn_clip_snat_result(e.result, 0xcb007100u, (uint16_t)(100 + i));
		CU_ASSERT_FATAL(adn_clip_table_add(t, &e) == 0);
		for (k = 0; k < e_hits[i]; k++)
			CU_ASSERT(rig_send(&r, e_id[i], &srv, NULL) ==
				  ADN_CLIP_V_FAST);
	}
	/* server 2 holds H1..H3 */
	for (i = 0; i < 3; i++) {
		memset(&e, 0, sizeof(e));
		e.key = flow_key(201 + i);
		e.server = 2;
		e.result_len = 6;
		adn_clip_snat_result(e.result, 0xcb0071aau, (uint16_t)(700 + i));
		CU_ASSERT_FATAL(adn_clip_table_add(r.mirror[2], &e) == 0);
	}
	cand[0] = (struct adn_clip_hitter){ flow_key(999), 50 };	/* nowhere */
	cand[1] = (struct adn_clip_hitter){ flow_key(201), 10 };
	cand[2] = (struct adn_clip_hitter){ flow_key(202), 2 };
	cand[3] = (struct adn_clip_hitter){ flow_key(203), 2 };
	CU_ASSERT_FATAL(adn_clip_ctrl_promote(r.ctrl, cand, 4, &rep) == 0);
	CU_ASSERT(rep.candidates == 4 && rep.not_found == 1);
	CU_ASSERT(rep.promoted == 2 && rep.evicted == 2 && rep.refused == 1);
	CU_ASSERT(rep.repinned == 2);
	/* H1 took E3's slot (0 hits), H2 took E2's (1 < 2); E4 (3 hits) is
	 * hotter than H3 (2) and stays */
	CU_ASSERT(adn_clip_table_count(t) == 4);
	CU_ASSERT(adn_clip_table_find(t, &cand[1].key) != NULL);
	CU_ASSERT(adn_clip_table_find(t, &cand[2].key) != NULL);
	CU_ASSERT(adn_clip_table_find(t, &cand[3].key) == NULL);
	e.key = flow_key(101);
	CU_ASSERT(adn_clip_table_find(t, &e.key) != NULL);
	e.key = flow_key(104);
	CU_ASSERT(adn_clip_table_find(t, &e.key) != NULL);
	/* evicted flows fly again, to their owner 0 through a pin */
	for (i = 102; i <= 103; i++) {
		e.key = flow_key(i);
		CU_ASSERT(adn_clip_table_find(t, &e.key) == NULL);
		CU_ASSERT(adn_clip_switch_choose(r.sw, &e.key, &s, &path) == 0);
		CU_ASSERT(s == 0 && path == ADN_CLIP_P_PIN);
	}
	/* the promoted entry is the owner's: H1 now translates on the
	 * switch to server 2's mapping */
	CU_ASSERT(rig_send(&r, 201, &srv, out) == ADN_CLIP_V_FAST);
	m = adn_clip_table_find(r.mirror[2], &cand[1].key);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT(memcmp(out + 26, m->result, 4) == 0);
	CU_ASSERT(memcmp(out + 34, m->result + 4, 2) == 0);
	CU_ASSERT(csums_ok(out));
	rig_fini(&r);
}

/* A table entry that is itself among the round's candidates is never the
 * victim: evicting it would only promote it again in the same round (the
 * churn adn-switchsim's promotion accounting once caught). */
static void
test_promotion_never_evicts_a_candidate(void)
{
	static const uint16_t g[] = { 1 };
	struct adn_clip_promote_report rep;
	struct adn_clip_hitter cand[2];
	struct adn_clip_entry e;
	struct adn_clip_table *t;
	struct rig r;
	unsigned int i;

	rig_init(&r, ADN_CLIP_LB_BF, true, 2);
	t = adn_clip_switch_table(r.sw);
	CU_ASSERT_FATAL(adn_clip_ctrl_set_group(r.ctrl, g, 1, NULL) == 0);
	/* table full: E1 (0 hits, the coldest) and E2 (0 hits) */
	for (i = 0; i < 2; i++) {
		memset(&e, 0, sizeof(e));
		e.key = flow_key(301 + i);
		e.server = 1;
		e.result_len = 6;
		adn_clip_snat_result(e.result, 0xcb007100u, (uint16_t)(300 + i));
		CU_ASSERT_FATAL(adn_clip_table_add(t, &e) == 0);
	}
	memset(&e, 0, sizeof(e));
	e.key = flow_key(401);
	e.server = 1;
	e.result_len = 6;
	adn_clip_snat_result(e.result, 0xcb0071aau, 400);
	CU_ASSERT_FATAL(adn_clip_table_add(r.mirror[1], &e) == 0);
	memset(&e, 0, sizeof(e));
	e.key = flow_key(301);
	CU_ASSERT_FATAL(adn_clip_table_add(r.mirror[1], &e) == 0);
	/* New H (hot) first, then E1, already on the switch */
	cand[0] = (struct adn_clip_hitter){ flow_key(401), 9 };
	cand[1] = (struct adn_clip_hitter){ flow_key(301), 5 };
	CU_ASSERT_FATAL(adn_clip_ctrl_promote(r.ctrl, cand, 2, &rep) == 0);
	CU_ASSERT(rep.promoted == 1 && rep.evicted == 1 && rep.already == 1);
	CU_ASSERT(adn_clip_table_find(t, &cand[0].key) != NULL);
	CU_ASSERT(adn_clip_table_find(t, &cand[1].key) != NULL);
	e.key = flow_key(302);
	CU_ASSERT(adn_clip_table_find(t, &e.key) == NULL);
	rig_fini(&r);
}

static void
test_period_promotes_heavy_flow_with_its_server_state(void)
{
	static const uint16_t g[] = { 0, 1 };
	struct adn_clip_promote_report rep;
	uint8_t before[64], after[64];
	struct adn_clip_hitter hh[8];
	struct adn_flow_key heavy = flow_key(7);
	struct rig r;
	int srv, i, n;

	rig_init(&r, ADN_CLIP_LB_BF, true, 2);
	CU_ASSERT_FATAL(adn_clip_ctrl_set_group(r.ctrl, g, 2, NULL) == 0);
	for (i = 0; i < 40; i++)
		CU_ASSERT(rig_send(&r, 7, &srv, before) == ADN_CLIP_V_FLIGHT);
	for (i = 100; i < 160; i++)
		rig_send(&r, (uint32_t)i, &srv, NULL);
	CU_ASSERT(adn_clip_switch_estimate(r.sw, &heavy) >= 40);
	CU_ASSERT_FATAL(adn_clip_ctrl_period(r.ctrl, &rep) == 0);
	/* two slots: the two hottest candidates, nothing evicted among
	 * this round's own promotions */
	CU_ASSERT(rep.promoted == 2 && rep.evicted == 0);
	CU_ASSERT(rep.refused == rep.candidates - 2);
	CU_ASSERT(adn_clip_table_find(adn_clip_switch_table(r.sw), &heavy)
		  != NULL);
	/* the report reset the sketch */
	CU_ASSERT(adn_clip_switch_estimate(r.sw, &heavy) == 0);
	n = adn_clip_switch_report(r.sw, hh, 8);
	CU_ASSERT(n == 0);
	/* same translation on the switch as the server gave */
	CU_ASSERT(rig_send(&r, 7, &srv, after) == ADN_CLIP_V_FAST);
	CU_ASSERT(memcmp(before, after, 64) == 0);
	rig_fini(&r);
}

static void
test_table_capacity_and_delete_keep_lookups_right(void)
{
	struct adn_clip_table *t;
	struct adn_clip_entry e;
	uint32_t i;

	CU_ASSERT_FATAL(adn_clip_table_create(100, 1, &t) == 0);
	for (i = 0; i < 100; i++) {
		memset(&e, 0, sizeof(e));
		e.key = flow_key(i);
		e.server = (uint16_t)i;
		CU_ASSERT(adn_clip_table_add(t, &e) == 0);
	}
	e.key = flow_key(1000);
	CU_ASSERT(adn_clip_table_add(t, &e) == -ENOSPC);
	for (i = 0; i < 100; i += 2) {
		e.key = flow_key(i);
		CU_ASSERT(adn_clip_table_del(t, &e.key) == 0);
	}
	CU_ASSERT(adn_clip_table_del(t, &e.key) == -ENOENT);
	for (i = 0; i < 100; i++) {
		const struct adn_clip_entry *f;

		e.key = flow_key(i);
		f = adn_clip_table_find(t, &e.key);
		if (i % 2 == 0) {
			CU_ASSERT(f == NULL);
		} else {
			CU_ASSERT(f != NULL && f->server == i);
		}
	}
	CU_ASSERT(adn_clip_table_count(t) == 50);
	adn_clip_table_free(t);
}


/* TRD through the switch model and the server handler: every TCP segment
 * flies, the response comes back with the packet unchanged and the
 * result says which segment was a retransmission; UDP is refused. */
static void
test_trd_through_switch_flags_planted_retransmission(void)
{
	/* seq offsets from the ISN; 10 payload bytes each (make_frame) */
	static const struct { uint32_t seq; uint8_t flags; bool retrans; } seg[] = {
		{ 0, 0x02, false },	/* SYN: next = 11 */
		{ 11, 0x18, false },	/* next = 21 */
		{ 21, 0x18, false },	/* next = 31 */
		{ 11, 0x18, true },	/* resent */
		{ 31, 0x18, false },
		{ 21, 0x18, true },	/* resent */
		{ 41, 0x11, false },	/* FIN: released */
	};
	uint8_t buf[HEADROOM + 128], *f = buf + HEADROOM, orig[64];
	const uint32_t isn = 0xfffffff0u;	/* wraps: serial arithmetic */
	struct adn_clip_trd_result r;
	struct adn_clip_switch_conf c;
	struct adn_clip_trd_stats st;
	struct adn_clip_switch *sw;
	struct adn_clip_trd *t;
	struct adn_clip_hdr h;
	struct adn_clip_out o;
	uint16_t grp[1] = { 1 };

	adn_clip_switch_conf_default(&c);
	c.app = &adn_clip_app_trd;
	CU_ASSERT_FATAL(adn_clip_switch_create(&c, &sw, NULL) == 0);
	CU_ASSERT_FATAL(adn_clip_switch_change(sw, grp, 1) == 0);
	CU_ASSERT_FATAL(adn_clip_trd_create(16, 1, &t) == 0);
	for (unsigned int i = 0; i < sizeof(seg) / sizeof(seg[0]); i++) {
		uint32_t seq = isn + seg[i].seq;

		make_frame(f, 0x0a000001, 0x0a000002, 40000, 80, 6);
		wr16(f + 38, (uint16_t)(seq >> 16));
		wr16(f + 40, (uint16_t)seq);
		f[47] = seg[i].flags;
		fill_csums(f);
		memcpy(orig, f, 64);
		CU_ASSERT_FATAL(adn_clip_switch_process(sw, f, 64, HEADROOM,
							&o) == 0);
		CU_ASSERT_FATAL(o.verdict == ADN_CLIP_V_FLIGHT);
		CU_ASSERT(o.server == 1);
		CU_ASSERT_FATAL(adn_clip_trd_handle(t, f + o.data_off, o.len,
						    NULL) == 0);
		CU_ASSERT_FATAL(adn_clip_frame_decode(f + o.data_off, o.len,
						      &h, NULL) == 0);
		CU_ASSERT(h.status == ADN_CLIP_ST_OK);
		CU_ASSERT_FATAL(adn_clip_trd_result_decode(h.result,
				h.result_len, &r) == 0);
		CU_ASSERT(!!(r.flags & ADN_CLIP_TRD_F_RETRANS) ==
			  seg[i].retrans);
		CU_ASSERT(r.index == 0);
		CU_ASSERT_FATAL(adn_clip_switch_process(sw, f + o.data_off,
				o.len, HEADROOM + o.data_off, &o) == 0);
		CU_ASSERT_FATAL(o.verdict == ADN_CLIP_V_RESPONSE);
		CU_ASSERT(o.len == 64 && memcmp(f, orig, 64) == 0);
	}
	CU_ASSERT(r.retrans == 2 && (r.flags & ADN_CLIP_TRD_F_RELEASED));
	adn_clip_trd_stats_get(t, &st);
	CU_ASSERT(st.retrans == 2 && st.allocated == 1 && st.released == 1);
	CU_ASSERT(adn_clip_trd_in_use(t) == 0);

	/* Not TCP: no request, a counted drop. */
	make_frame(f, 0x0a000001, 0x0a000002, 40000, 53, 17);
	CU_ASSERT_FATAL(adn_clip_switch_process(sw, f, 64, HEADROOM, &o) == 0);
	CU_ASSERT(o.verdict == ADN_CLIP_V_DROP &&
		  o.reason == ADN_CLIP_R_APPLY_FAILED);
	/* A result of the wrong length does not decode. */
	CU_ASSERT(adn_clip_trd_result_decode(h.result, 6, &r) == -EINVAL);
	adn_clip_trd_free(t);
	adn_clip_switch_free(sw);
}

int
main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "hdr_round_trip_and_wire_order",
		  test_hdr_round_trip_and_wire_order },
		{ "hdr_rejects_malformed", test_hdr_rejects_malformed },
		{ "encap_decap_restore_frame_and_respond_in_place",
		  test_encap_decap_restore_frame_and_respond_in_place },
		{ "snat_fast_path_rewrites_tcp_with_valid_checksums",
		  test_snat_fast_path_rewrites_tcp_with_valid_checksums },
		{ "snat_response_rewrites_udp_with_valid_checksums",
		  test_snat_response_rewrites_udp_with_valid_checksums },
		{ "switch_passes_and_drops_with_reasons",
		  test_switch_passes_and_drops_with_reasons },
		{ "switch_conf_rejects_bad_values",
		  test_switch_conf_rejects_bad_values },
		{ "hashes_match_p4_crcs_for_pinned_tuples",
		  test_hashes_match_p4_crcs_for_pinned_tuples },
		{ "hash_names_and_crcs_follow_p4",
		  test_hash_names_and_crcs_follow_p4 },
		{ "data_path_uses_pinned_hashes",
		  test_data_path_uses_pinned_hashes },
		{ "bf_keeps_server_across_one_change_and_new_flows_use_new_group",
		  test_bf_keeps_server_across_one_change_and_new_flows_use_new_group },
		{ "bf_with_push_keeps_server_across_two_changes",
		  test_bf_with_push_keeps_server_across_two_changes },
		{ "bf_without_push_loses_flows_at_second_change",
		  test_bf_without_push_loses_flows_at_second_change },
		{ "plain_ecmp_rehash_moves_flows_bf_does_not",
		  test_plain_ecmp_rehash_moves_flows_bf_does_not },
		{ "promotion_moves_hottest_entries_and_evicts_coldest",
		  test_promotion_moves_hottest_entries_and_evicts_coldest },
		{ "promotion_never_evicts_a_candidate",
		  test_promotion_never_evicts_a_candidate },
		{ "trd_through_switch_flags_planted_retransmission",
		  test_trd_through_switch_flags_planted_retransmission },
		{ "period_promotes_heavy_flow_with_its_server_state",
		  test_period_promotes_heavy_flow_with_its_server_state },
		{ "table_capacity_and_delete_keep_lookups_right",
		  test_table_capacity_and_delete_keep_lookups_right },
	};
	CU_pSuite s;
	unsigned int i, failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("clip", NULL, NULL);
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		CU_add_test(s, tests[i].name, tests[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed == 0 ? 0 : 1;
}
