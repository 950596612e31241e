/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MaglevLb and its tables. Maglev: equal weights give the table of the
 * paper's Algorithm 1 (a reference written here from the paper, with the
 * permutation of adn_maglev.h) entry for entry; any N balances within 1 %;
 * weights give their proportions; removing one of N backends moves its
 * entries and few others. The element: every new flow goes to the backend
 * the reference table names, DNAT rewrites and reply translation, IP-in-IP
 * headers; established flows keep their backend through add, drain and
 * weight, and through remove unless they were on the removed backend;
 * bad frames are counted drops with no mbuf lost; config errors name the
 * key; flows and control changes survive a rebuild that keeps the
 * state's shape. Flow expiry on a virtual clock frees every slot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "adn_elem.h"
#include "adn_hash.h"
#include "adn_lb.h"
#include "adn_maglev.h"
#include "adn_state.h"
#include "adn_test.h"

#define M 65537

/* --- reference Maglev (NSDI'16 Algorithm 1) ---------------------------- */

/* keys[i] with active[i]: table[] of backend indices. */
static void
ref_populate(int *table, uint32_t m, const uint64_t *keys, const bool *active,
	     unsigned int n)
{
	uint32_t offset[64], skip[64], next[64] = { 0 };
	uint32_t filled = 0;
	bool any = false;

	for (uint32_t c = 0; c < m; c++)
		table[c] = -1;
	for (unsigned int i = 0; i < n; i++) {
		offset[i] = (uint32_t)(adn_mix64(keys[i]) % m);
		skip[i] = (uint32_t)(adn_mix64(keys[i] ^ 0x9e3779b97f4a7c15ull) %
				     (m - 1)) + 1;
		any |= active[i];
	}
	while (any) {
		for (unsigned int i = 0; i < n; i++) {
			uint32_t c;

			if (!active[i])
				continue;
			c = (uint32_t)((offset[i] + (uint64_t)next[i] * skip[i]) % m);
			while (table[c] >= 0) {
				next[i]++;
				c = (uint32_t)((offset[i] +
						(uint64_t)next[i] * skip[i]) % m);
			}
			table[c] = (int)i;
			next[i]++;
			if (++filled == m)
				return;
		}
	}
}

static int ref[M], ref2[M];
static uint16_t tab[M];

static void
keys_for(uint64_t *keys, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)	/* 192.168.0.(i+1):8080 */
		keys[i] = (uint64_t)rte_cpu_to_be_32(0xc0a80001u + i) << 16 |
			rte_cpu_to_be_16(8080);
}

static void
test_maglev_equals_reference_and_balances(void)
{
	static const unsigned int ns[] = { 1, 3, 7, 10, 33 };
	uint64_t keys[64];
	uint32_t w[64], next[64];
	bool active[64];

	for (unsigned int t = 0; t < RTE_DIM(ns); t++) {
		const unsigned int n = ns[t];
		uint32_t cnt[64] = { 0 }, lo = M, hi = 0;

		keys_for(keys, n);
		for (unsigned int i = 0; i < n; i++) {
			w[i] = 5;
			active[i] = true;
		}
		CU_ASSERT_EQUAL_FATAL(adn_maglev_populate(tab, M, keys, w, n,
							  next), 0);
		ref_populate(ref, M, keys, active, n);
		for (uint32_t c = 0; c < M; c++) {
			CU_ASSERT_EQUAL_FATAL((int)tab[c], ref[c]);
			cnt[tab[c]]++;
		}
		for (unsigned int i = 0; i < n; i++) {
			lo = RTE_MIN(lo, cnt[i]);
			hi = RTE_MAX(hi, cnt[i]);
		}
		/* imbalance: (max - min) / mean <= 1 % */
		CU_ASSERT((double)(hi - lo) * n / M <= 0.01);
	}
	CU_ASSERT_EQUAL(adn_maglev_populate(tab, 65536, keys, w, 3, next),
			-EINVAL);
}

static void
test_maglev_weights_give_proportions(void)
{
	uint64_t keys[3];
	const uint32_t w[3] = { 1, 2, 5 };
	uint32_t next[3], cnt[3] = { 0 };

	keys_for(keys, 3);
	CU_ASSERT_EQUAL_FATAL(adn_maglev_populate(tab, M, keys, w, 3, next),
			      0);
	for (uint32_t c = 0; c < M; c++)
		cnt[tab[c]]++;
	for (unsigned int i = 0; i < 3; i++) {
		double want = (double)M * w[i] / 8;

		CU_ASSERT(cnt[i] > want * 0.99 && cnt[i] < want * 1.01);
	}
}

static void
test_maglev_removal_moves_few_entries(void)
{
	const unsigned int n = 10, gone = 3;
	uint64_t keys[10];
	bool active[10];
	uint32_t moved_own = 0, moved_other = 0, on_gone = 0;

	keys_for(keys, n);
	for (unsigned int i = 0; i < n; i++)
		active[i] = true;
	ref_populate(ref, M, keys, active, n);
	active[gone] = false;
	ref_populate(ref2, M, keys, active, n);
	for (uint32_t c = 0; c < M; c++) {
		if (ref[c] == (int)gone) {
			on_gone++;
			moved_own += ref2[c] != (int)gone;
		} else {
			moved_other += ref2[c] != ref[c];
		}
	}
	CU_ASSERT_EQUAL(moved_own, on_gone);	/* all of the removed's */
	CU_ASSERT((double)on_gone / M > 0.099 && (double)on_gone / M < 0.101);
	/* Maglev is not minimal, but close (the paper's Fig. 13): */
	printf("\n  removal: %.2f %% of entries moved beyond the removed backend's %.2f %%\n",
	       100.0 * moved_other / M, 100.0 * on_gone / M);
	CU_ASSERT((double)moved_other / M < 0.02);
}

/* --- the element ------------------------------------------------------- */

#define VIP 0x0a010001u		/* 10.1.0.1 */
#define BE(i) (0xc0a80001u + (i))	/* 192.168.0.(i+1) */
#define LB_KEYS(mode) "mode = \"" mode "\"; encap_src = \"10.9.9.9\"; " \
	"max_flows = 4096; " \
	"vips = ( { vip = \"tcp 10.1.0.1:80\"; backends = ( " \
	"\"192.168.0.1:8080\", \"192.168.0.2:8080\", \"192.168.0.3:8080\", " \
	"\"192.168.0.4:8080\" ); } );"
#define N_FLOWS 400

/* An 80-byte TCP packet. */
static struct rte_mbuf *
tcp80(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	return adn_test_ipv4_flow(IPPROTO_TCP, src, sport, dst, dport, 80);
}

static uint32_t
client(unsigned int f)
{
	return 0x0b000000u + f * 7919u;
}

/* The backend (0-based) the reference table gives flow f. */
static int
ref_choice(const int *table, unsigned int f)
{
	struct adn_flow_key k = {
		.src_ip = rte_cpu_to_be_32(client(f)),
		.dst_ip = rte_cpu_to_be_32(VIP),
		.src_port = rte_cpu_to_be_16((uint16_t)(1024 + f)),
		.dst_port = rte_cpu_to_be_16(80), .proto = IPPROTO_TCP,
	};

	return table[adn_flow_hash(&k, 0) % M];
}

/* Send flows [f0, f0 + n) once; got[f] = backend index by destination
 * (-1: not to a backend). */
static void
send_flows(struct adn_pipeline *p, unsigned int f0, unsigned int n, int *got)
{
	struct rte_mbuf *m[N_FLOWS];
	struct adn_test_sink *s = adn_test_sink(p, "out");

	for (unsigned int i = 0; i < n; i++)
		m[i] = tcp80(client(f0 + i), (uint16_t)(1024 + f0 + i), VIP, 80);
	adn_test_run(p, "src", m, n);
	CU_ASSERT_EQUAL_FATAL(s->n, n);
	for (unsigned int i = 0; i < n; i++) {
		struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(s->pkts[i]);
		uint32_t d = rte_be_to_cpu_32(ip->dst_addr);

		got[i] = d >= BE(0) && d < BE(8) ? (int)(d - BE(0)) : -1;
	}
	adn_test_sink_clear(s);
}

static void
ctl(struct adn_pipeline *p, const char *cmd, int want_rc)
{
	char reply[4096];
	int rc = adn_elem_control(adn_pipeline_find(p, "x"), cmd, reply,
				  sizeof(reply));

	if (rc != want_rc)
		printf("\n'%s' -> %d: %s\n", cmd, rc, reply);
	CU_ASSERT_EQUAL(rc, want_rc);
}

static void
test_lb_follows_maglev_and_keeps_established_flows(void)
{
	struct adn_pipeline *p = adn_test_chain_outputs("lb", "MaglevLb",
							LB_KEYS("dnat"), 3,
							NULL);
	static int got[N_FLOWS], before[N_FLOWS];
	uint64_t keys[8];
	bool active[8] = { true, true, true, true };
	unsigned int bad = 0, moved = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	keys_for(keys, 8);
	ref_populate(ref, M, keys, active, 4);
	send_flows(p, 0, N_FLOWS, before);
	for (unsigned int f = 0; f < N_FLOWS; f++)
		bad += before[f] != ref_choice(ref, f);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "flows"), N_FLOWS);

	/* A fifth backend: old flows stay, new ones follow the new table. */
	ctl(p, "add tcp 10.1.0.1:80 192.168.0.5:8080", 0);
	active[4] = true;
	ref_populate(ref, M, keys, active, 5);
	send_flows(p, 0, N_FLOWS, got);
	for (unsigned int f = 0; f < N_FLOWS; f++)
		bad += got[f] != before[f];
	send_flows(p, N_FLOWS, N_FLOWS, got);
	for (unsigned int f = 0; f < N_FLOWS; f++)
		bad += got[f] != ref_choice(ref, N_FLOWS + f);
	CU_ASSERT_EQUAL(bad, 0);

	/* Drain backend 1 and reweight 0: flows stay, no new flow on 1. */
	ctl(p, "drain tcp 10.1.0.1:80 192.168.0.2:8080", 0);
	ctl(p, "weight tcp 10.1.0.1:80 192.168.0.1:8080 3", 0);
	send_flows(p, 0, N_FLOWS, got);
	for (unsigned int f = 0; f < N_FLOWS; f++)
		bad += got[f] != before[f];
	send_flows(p, 2 * N_FLOWS, N_FLOWS, got);
	for (unsigned int f = 0; f < N_FLOWS; f++)
		bad += got[f] == 1 || got[f] < 0;
	CU_ASSERT_EQUAL(bad, 0);

	/* Remove backend 2: only its flows move. */
	ctl(p, "remove tcp 10.1.0.1:80 192.168.0.3:8080", 0);
	send_flows(p, 0, N_FLOWS, got);
	for (unsigned int f = 0; f < N_FLOWS; f++) {
		if (before[f] == 2)
			moved += got[f] != 2 && got[f] >= 0;
		else
			bad += got[f] != before[f];
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(moved > 0);
	for (unsigned int f = 0; f < N_FLOWS; f++)
		moved -= before[f] == 2;
	CU_ASSERT_EQUAL(moved, 0);	/* every one of them */

	ctl(p, "remove tcp 10.1.0.1:80 192.168.0.3:8080", -ENOENT);
	ctl(p, "add tcp 10.1.0.1:80 192.168.0.1:8080", -EEXIST);
	ctl(p, "drain tcp 10.1.0.1:80 192.168.0.1:8080 2", -EINVAL);
	ctl(p, "add udp 10.1.0.1:80 192.168.0.1:8080", -ENOENT);
	ctl(p, "stats", 0);
	adn_test_free(p);
}

static void
test_lb_dnat_rewrites_and_translates_replies(void)
{
	struct adn_pipeline *p = adn_test_chain_outputs("lbd", "MaglevLb",
							LB_KEYS("dnat"), 3,
							NULL);
	struct adn_test_sink *s;
	struct rte_mbuf *m[3];
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *t;
	struct adn_elem_totals tot;
	uint32_t be;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	s = adn_test_sink(p, "out");
	m[0] = tcp80(0x0b000001, 5555, VIP, 80);
	adn_test_run(p, "src", m, 1);
	CU_ASSERT_EQUAL_FATAL(s->n, 1);
	ip = adn_test_ipv4_hdr(s->pkts[0]);
	t = (struct rte_tcp_hdr *)(ip + 1);
	be = rte_be_to_cpu_32(ip->dst_addr);
	CU_ASSERT(be >= BE(0) && be <= BE(3));
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(t->dst_port), 8080);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(t->src_port), 5555);
	adn_test_sink_clear(s);
	/* the backend's reply, and a packet for nobody */
	m[0] = tcp80(be, 8080, 0x0b000001, 5555);
	m[1] = tcp80(0x0b000001, 5555, 0x0a010002, 80);
	m[2] = tcp80(be, 8080, 0x0b000002, 5555);	/* another client */
	adn_test_run(p, "src", m, 3);
	CU_ASSERT_EQUAL_FATAL(s->n, 3);
	ip = adn_test_ipv4_hdr(s->pkts[0]);
	t = (struct rte_tcp_hdr *)(ip + 1);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(ip->src_addr), VIP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(t->src_port), 80);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(adn_test_ipv4_hdr(s->pkts[2])->src_addr),
			be);
	adn_elem_totals(adn_pipeline_find(p, "x"), &tot);
	CU_ASSERT_EQUAL(tot.out[0], 1);
	CU_ASSERT_EQUAL(tot.out[1], 1);
	CU_ASSERT_EQUAL(tot.out[2], 2);
	adn_test_free(p);
}

static void
test_lb_ipip_encapsulates(void)
{
	struct adn_pipeline *p = adn_test_chain_outputs("lbi", "MaglevLb",
							LB_KEYS("ipip"), 3,
							NULL);
	struct adn_test_sink *s;
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *out, *in;
	struct rte_ether_hdr *eth;
	uint32_t be;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	s = adn_test_sink(p, "out");
	m = tcp80(0x0b000001, 5555, VIP, 80);
	adn_test_run(p, "src", &m, 1);
	CU_ASSERT_EQUAL_FATAL(s->n, 1);
	CU_ASSERT_EQUAL(rte_pktmbuf_data_len(s->pkts[0]), 80 + 20);
	eth = rte_pktmbuf_mtod(s->pkts[0], struct rte_ether_hdr *);
	CU_ASSERT_EQUAL(eth->ether_type, rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4));
	out = adn_test_ipv4_hdr(s->pkts[0]);
	in = out + 1;
	be = rte_be_to_cpu_32(out->dst_addr);
	CU_ASSERT(be >= BE(0) && be <= BE(3));
	CU_ASSERT_EQUAL(out->next_proto_id, IPPROTO_IPIP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(out->src_addr), 0x0a090909);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(out->total_length),
			rte_be_to_cpu_16(in->total_length) + 20);
	CU_ASSERT_EQUAL(rte_ipv4_cksum(out), 0);
	/* the inner packet is untouched */
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(in->dst_addr), VIP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(in->src_addr), 0x0b000001);
	/* The parsed fields describe the new outer header, not the TCP
	 * packet MaglevLb parsed (adn_pkt.h): IP-in-IP, no L4 header. */
	CU_ASSERT_EQUAL(s->pkts[0]->l2_len, sizeof(*eth));
	CU_ASSERT_EQUAL(s->pkts[0]->l3_len, sizeof(*out));
	CU_ASSERT_EQUAL(s->pkts[0]->packet_type,
			RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 |
			RTE_PTYPE_L4_NONFRAG);
	CU_ASSERT_EQUAL(s->pkts[0]->l4_len, 0);
	adn_test_free(p);
}

static void
test_lb_drops_bad_frames_without_leaks(void)
{
	struct rte_mempool *mp = adn_test_pool();
	unsigned int avail = rte_mempool_avail_count(mp);
	struct adn_pipeline *p = adn_test_chain_outputs("lbbad", "MaglevLb",
		"max_flows = 64; vips = ( { vip = \"tcp 10.1.0.1:80\"; backends = ( \"192.168.0.1\" ); } );",
		3, NULL);
	struct rte_mbuf *m[6];

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	m[0] = tcp80(0x0b000001, 1, VIP, 80);
	rte_pktmbuf_mtod(m[0], struct rte_ether_hdr *)->ether_type =
		rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	m[1] = adn_test_ipv4(IPPROTO_TCP, 1, 80, 64, 14 + 20 + 6);
	adn_test_ipv4_hdr(m[1])->dst_addr = rte_cpu_to_be_32(VIP);
	m[2] = adn_test_ipv4(IPPROTO_ICMP, 0, 0, 64, 64);
	adn_test_ipv4_hdr(m[2])->dst_addr = rte_cpu_to_be_32(VIP);
	m[3] = tcp80(0x0b000001, 1, VIP, 80);
	adn_test_ipv4_hdr(m[3])->fragment_offset = rte_cpu_to_be_16(4);
	m[4] = tcp80(0x0b000001, 1, VIP, 80);
	adn_test_ipv4_hdr(m[4])->version_ihl = 0x4f;
	m[5] = tcp80(0x0b000001, 1, VIP, 80);	/* fine */
	adn_test_run(p, "src", m, 6);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "not-ipv4"), 1);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "malformed"), 2);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "unsupported"), 2);
	CU_ASSERT_EQUAL(adn_test_sink(p, "out")->n, 1);
	/* the backend drained: no backend for new flows, the old one stays */
	ctl(p, "drain tcp 10.1.0.1:80 192.168.0.1", 0);
	m[0] = tcp80(0x0b000002, 1, VIP, 80);
	m[1] = tcp80(0x0b000001, 1, VIP, 80);
	adn_test_run(p, "src", m, 2);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "no-backend"), 1);
	CU_ASSERT_EQUAL(adn_test_sink(p, "out")->n, 2);
	adn_test_free(p);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), avail);
}

static void
test_lb_config_errors_name_the_key(void)
{
	static const struct { const char *keys, *want; } bad[] = {
		{ "table_size = 65536; vips = ( { vip = \"tcp 1.1.1.1:80\"; backends = ( \"2.2.2.2\" ); } );",
		  "'table_size'" },
		{ "vips = ( { vip = \"sctp 1.1.1.1:80\"; backends = ( \"2.2.2.2\" ); } );",
		  "'vips'" },
		{ "vips = ( { vip = \"tcp 1.1.1.1:80\"; backends = ( \"2.2.2\" ); } );",
		  "'backends'" },
		{ "vips = ( { vip = \"tcp 1.1.1.1:80\"; backends = ( \"2.2.2.2 0\" ); } );",
		  "WEIGHT" },
		{ "vips = ( { vip = \"tcp 1.1.1.1:80\"; } );", "'backends'" },
		{ "mode = \"ipip\"; vips = ( { vip = \"tcp 1.1.1.1:80\"; backends = ( \"2.2.2.2\" ); } );",
		  "'encap_src'" },
		{ "vips = ( { vip = \"tcp 1.1.1.1:80\"; backends = ( \"2.2.2.2\" ); }, { vip = \"tcp 1.1.1.1:80\"; backends = ( \"2.2.2.2\" ); } );",
		  "twice" },
	};

	for (unsigned int i = 0; i < RTE_DIM(bad); i++) {
		char keys[512];

		snprintf(keys, sizeof(keys), "max_flows = 64; %s", bad[i].keys);
		adn_test_config_error("MaglevLb", keys, 3, bad[i].want);
	}
}

/* An all-port VIP takes every port; replies get the client's port back. */
static void
test_lb_all_port_vip(void)
{
	struct adn_pipeline *p = adn_test_chain_outputs("lbany", "MaglevLb",
		"max_flows = 64; vips = ( { vip = \"udp 10.1.0.1:0\"; "
		"backends = ( \"192.168.0.1\" ); } );", 3, NULL);
	struct adn_test_sink *s;
	struct rte_mbuf *m[2];
	struct rte_udp_hdr *u;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	s = adn_test_sink(p, "out");
	m[0] = adn_test_ipv4(IPPROTO_UDP, 5555, 4242, 64, 80);
	adn_test_ipv4_hdr(m[0])->dst_addr = rte_cpu_to_be_32(VIP);
	adn_test_run(p, "src", m, 1);
	CU_ASSERT_EQUAL_FATAL(s->n, 1);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(adn_test_ipv4_hdr(s->pkts[0])->dst_addr),
			BE(0));
	adn_test_sink_clear(s);
	m[1] = adn_test_ipv4(IPPROTO_UDP, 4242, 5555, 64, 80);
	adn_test_ipv4_hdr(m[1])->src_addr = rte_cpu_to_be_32(BE(0));
	adn_test_ipv4_hdr(m[1])->dst_addr = rte_cpu_to_be_32(0x0a000001);
	adn_test_run(p, "src", &m[1], 1);
	CU_ASSERT_EQUAL_FATAL(s->n, 1);
	u = (struct rte_udp_hdr *)(adn_test_ipv4_hdr(s->pkts[0]) + 1);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(adn_test_ipv4_hdr(s->pkts[0])->src_addr),
			VIP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(u->src_port), 4242);
	adn_test_free(p);
}

/* A plan swap or reload keeps flows and control changes unless a key
 * that shapes the state changes. */
static void
test_lb_state_survives_rebuild(void)
{
	static int got[N_FLOWS], before[N_FLOWS];
	struct adn_state_reg *reg;
	struct adn_pipeline *p1, *p2, *p3;
	unsigned int bad = 0;

	CU_ASSERT_EQUAL_FATAL(adn_state_reg_create(&reg), 0);
	p1 = adn_test_chain_on(reg, "lb1", "MaglevLb", LB_KEYS("dnat"), 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p1);
	send_flows(p1, 0, N_FLOWS, before);
	ctl(p1, "drain tcp 10.1.0.1:80 192.168.0.1:8080", 0);
	p2 = adn_test_chain_on(reg, "lb2", "MaglevLb",
			       LB_KEYS("dnat") " flow_timeout = 60;", 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p2);
	adn_test_free(p1);
	send_flows(p2, 0, N_FLOWS, got);	/* the same backends */
	for (unsigned int f = 0; f < N_FLOWS; f++)
		bad += got[f] != before[f];
	send_flows(p2, N_FLOWS, N_FLOWS, got);	/* still drained */
	for (unsigned int f = 0; f < N_FLOWS; f++)
		bad += got[f] == 0;
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(adn_test_xstat(p2, "x", "flows"), 2 * N_FLOWS);
	p3 = adn_test_chain_on(reg, "lb3", "MaglevLb",
			       LB_KEYS("dnat") " table_size = 251;", 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p3);
	adn_test_free(p2);
	CU_ASSERT_EQUAL(adn_test_xstat(p3, "x", "flows"), 0);
	adn_test_free(p3);
	adn_state_reg_free(reg);
}

/* Flows idle past the timeout go on the virtual clock; busy ones stay. */
static void
test_lb_flows_expire_on_virtual_clock(void)
{
	const struct adn_lb_conf c = { .name = "t_exp", .mode = ADN_LB_DNAT,
		.table_size = 251, .max_flows = 64, .timeout_ms = 1000 };
	uint8_t buf[40];
	uint32_t idx[64], be;
	struct adn_lb_stats st;
	struct adn_lb *lb;
	void *old;
	unsigned int n;

	CU_ASSERT_EQUAL_FATAL(adn_lb_create(&c, &lb), 0);
	CU_ASSERT_EQUAL_FATAL(adn_lb_vip_add(lb, 6, VIP, 80), 0);
	CU_ASSERT_EQUAL_FATAL(adn_lb_backend_add(lb, 0, BE(0), 0, 1, &old),
			      0);
	adn_lb_table_free(old);
	for (unsigned int f = 0; f < 100; f++) {	/* 36 over the cap */
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;

		memset(buf, 0, sizeof(buf));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->next_proto_id = IPPROTO_TCP;
		ip->src_addr = rte_cpu_to_be_32(client(f));
		ip->dst_addr = rte_cpu_to_be_32(VIP);
		buf[20] = 4;		/* sport 1024 + f */
		buf[21] = (uint8_t)f;
		buf[23] = 80;
		CU_ASSERT_EQUAL(adn_lb_process(lb, buf, sizeof(buf),
					       f < 32 ? 100 : 900, &be),
				ADN_LB_FORWARD);
	}
	adn_lb_stats(lb, &st);
	CU_ASSERT_EQUAL(st.flows, 64);
	CU_ASSERT_EQUAL(st.untracked, 36);
	n = adn_lb_sweep(lb, 1500, adn_lb_slots(lb), idx, 64);
	CU_ASSERT_EQUAL(n, 32);		/* seen at 100 */
	adn_lb_release(lb, idx, n);
	n = adn_lb_sweep(lb, 1900, adn_lb_slots(lb), idx, 64);
	CU_ASSERT_EQUAL(n, 32);		/* seen at 900 */
	adn_lb_release(lb, idx, n);
	adn_lb_stats(lb, &st);
	CU_ASSERT_EQUAL(st.flows, 0);
	CU_ASSERT_EQUAL(st.slots, 0);
	adn_lb_free(lb);
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("maglev_lb");

	if (s == NULL)
		return 1;
	CU_ADD_TEST(s, test_maglev_equals_reference_and_balances);
	CU_ADD_TEST(s, test_maglev_weights_give_proportions);
	CU_ADD_TEST(s, test_maglev_removal_moves_few_entries);
	CU_ADD_TEST(s, test_lb_follows_maglev_and_keeps_established_flows);
	CU_ADD_TEST(s, test_lb_dnat_rewrites_and_translates_replies);
	CU_ADD_TEST(s, test_lb_ipip_encapsulates);
	CU_ADD_TEST(s, test_lb_drops_bad_frames_without_leaks);
	CU_ADD_TEST(s, test_lb_config_errors_name_the_key);
	CU_ADD_TEST(s, test_lb_all_port_vip);
	CU_ADD_TEST(s, test_lb_state_survives_rebuild);
	CU_ADD_TEST(s, test_lb_flows_expire_on_virtual_clock);
	return adn_test_main();
}
