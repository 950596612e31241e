/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Nat44 and its tables (lib/nf/adn_nat_table.h): a random trace with
 * return traffic, ICMP echo, static mappings, TCP flags, malformed and
 * unsupported packets and sweeps on a virtual clock, checked packet by
 * packet against an independent model (plain arrays and linear search,
 * packets built from scratch with full checksums): the verdict, every
 * byte of the translated packet but the checksums, and checksums that
 * verify. Pool exhaustion and the session cap are reached and counted;
 * after the last sweep memory is back where it started. Then the element:
 * both directions and counters, drops of bad frames without a leaked
 * mbuf, config errors naming the key, the tick's sweep freeing a session
 * and its pair, and state kept across a rebuild (plan swap, reload)
 * unless a key that shapes it changed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "adn_elem.h"
#include "adn_nat_table.h"
#include "adn_rand.h"
#include "adn_state.h"
#include "adn_test.h"

/* --- the model --------------------------------------------------------- */

#define M_MAPS 4096
#define M_PAIRS 4096

struct m_map {
	bool live, stat;
	uint8_t proto;
	uint32_t in_ip, ext_ip;		/* host order */
	uint16_t in_port, ext_port;
	uint64_t last;
	bool seen_in, seen_out, closing;
};

struct model {
	uint32_t ip_base, n_ips;
	uint16_t lo, hi;
	uint32_t cap;
	uint32_t to[ADN_NAT_N_TO];
	bool taken[M_PAIRS];
	uint64_t cursor;
	unsigned int n_maps, n_dyn;
	struct m_map maps[M_MAPS];
	uint64_t created, expired;
};

/* A packet as the trace describes it (host order). */
struct ev {
	uint8_t proto;		/* 1, 6, 17, or another */
	uint32_t src, dst;
	uint16_t sport, dport;	/* ICMP: sport is the identifier */
	uint8_t icmp_type;
	uint8_t tcp_flags;
	bool udp_nocsum;
	bool frag;
	bool truncated;		/* L4 header cut short */
};

static uint64_t
m_size(const struct model *m)
{
	return (uint64_t)m->n_ips * (m->hi - m->lo + 1u);
}

static bool
m_public(const struct model *m, uint32_t ip)
{
	if (ip >= m->ip_base && ip < m->ip_base + m->n_ips)
		return true;
	for (unsigned int i = 0; i < m->n_maps; i++)
		if (m->maps[i].stat && m->maps[i].ext_ip == ip)
			return true;
	return false;
}

static int
m_pair(const struct model *m, uint32_t ip, uint16_t port)
{
	if (ip < m->ip_base || ip >= m->ip_base + m->n_ips || port < m->lo ||
	    port > m->hi)
		return -1;
	return (int)((ip - m->ip_base) * (m->hi - m->lo + 1u) +
		     (port - m->lo));
}

static struct m_map *
m_find(struct model *m, uint8_t proto, bool outside, uint32_t ip,
       uint16_t port)
{
	for (unsigned int i = 0; i < m->n_maps; i++) {
		struct m_map *x = &m->maps[i];

		if (!x->live || x->proto != proto)
			continue;
		if (outside ? (x->ext_ip == ip && x->ext_port == port) :
		    (x->in_ip == ip && x->in_port == port))
			return x;
	}
	return NULL;
}

static struct m_map *
m_new(struct model *m)
{
	for (unsigned int i = 0; i < m->n_maps; i++)
		if (!m->maps[i].live && !m->maps[i].stat) {
			memset(&m->maps[i], 0, sizeof(m->maps[i]));
			return &m->maps[i];
		}
	CU_ASSERT_FATAL(m->n_maps < M_MAPS);
	return &m->maps[m->n_maps++];
}

/* Pool allocation as documented: the wanted port on the lowest address
 * that has it free, else the first free pair from the cursor. */
static bool
m_alloc(struct model *m, uint16_t want, uint32_t *ip, uint16_t *port)
{
	const uint64_t size = m_size(m), np = m->hi - m->lo + 1u;

	if (want >= m->lo && want <= m->hi)
		for (uint32_t a = 0; a < m->n_ips; a++)
			if (!m->taken[a * np + want - m->lo]) {
				m->taken[a * np + want - m->lo] = true;
				*ip = m->ip_base + a;
				*port = want;
				return true;
			}
	for (uint64_t n = 0; n < size; n++) {
		uint64_t i = (m->cursor + n) % size;

		if (!m->taken[i]) {
			m->taken[i] = true;
			m->cursor = (i + 1) % size;
			*ip = m->ip_base + (uint32_t)(i / np);
			*port = (uint16_t)(m->lo + i % np);
			return true;
		}
	}
	return false;
}

static void
m_static(struct model *m, uint8_t proto, uint32_t eip, uint16_t eport,
	 uint32_t iip, uint16_t iport)
{
	struct m_map *x = m_new(m);
	int i = m_pair(m, eip, eport);

	*x = (struct m_map){ .live = true, .stat = true, .proto = proto,
		.in_ip = iip, .in_port = iport, .ext_ip = eip,
		.ext_port = eport };
	if (i >= 0)
		m->taken[i] = true;
}

/* The verdict, and in *out the packet as it should leave. */
static enum adn_nat_verdict
m_process(struct model *m, const struct ev *e, uint64_t now, struct ev *out)
{
	struct m_map *x;
	bool tcp_close = e->proto == 6 && (e->tcp_flags & 0x05);

	*out = *e;
	if (e->frag)
		return ADN_NAT_UNSUPPORTED;
	if (e->proto != 1 && e->proto != 6 && e->proto != 17)
		return ADN_NAT_UNSUPPORTED;
	if (e->truncated)
		return ADN_NAT_MALFORMED;
	if (e->proto == 1 && e->icmp_type != 0 && e->icmp_type != 8)
		return ADN_NAT_UNSUPPORTED;
	if (m_public(m, e->dst)) {
		x = m_find(m, e->proto, true, e->dst,
			   e->proto == 1 ? e->sport : e->dport);
		if (x == NULL)
			return ADN_NAT_NO_SESSION;
		out->dst = x->in_ip;
		if (e->proto == 1)
			out->sport = x->in_port;
		else
			out->dport = x->in_port;
		x->last = now;
		x->seen_out = true;
		x->closing |= tcp_close;
		return ADN_NAT_OUT2IN;
	}
	x = m_find(m, e->proto, false, e->src, e->sport);
	if (x == NULL) {
		uint32_t ip;
		uint16_t port;

		if (e->proto == 1 && e->icmp_type != 8)
			return ADN_NAT_NO_SESSION;
		if (m->n_dyn >= m->cap)
			return ADN_NAT_SESSION_CAP;
		if (!m_alloc(m, e->sport, &ip, &port))
			return ADN_NAT_POOL_EXHAUSTED;
		x = m_new(m);
		*x = (struct m_map){ .live = true, .proto = e->proto,
			.in_ip = e->src, .in_port = e->sport, .ext_ip = ip,
			.ext_port = port };
		m->n_dyn++;
		m->created++;
	}
	out->src = x->ext_ip;
	out->sport = x->ext_port;
	x->last = now;
	x->seen_in = true;
	x->closing |= tcp_close;
	return ADN_NAT_IN2OUT;
}

static void
m_sweep(struct model *m, uint64_t now)
{
	for (unsigned int i = 0; i < m->n_maps; i++) {
		struct m_map *x = &m->maps[i];
		uint32_t to;

		if (!x->live || x->stat)
			continue;
		if (x->proto == 17)
			to = m->to[ADN_NAT_TO_UDP];
		else if (x->proto == 1)
			to = m->to[ADN_NAT_TO_ICMP];
		else if (x->seen_in && x->seen_out && !x->closing)
			to = m->to[ADN_NAT_TO_TCP_EST];
		else
			to = m->to[ADN_NAT_TO_TCP_TRANS];
		if (now - x->last < to)
			continue;
		x->live = false;
		m->taken[m_pair(m, x->ext_ip, x->ext_port)] = false;
		m->n_dyn--;
		m->expired++;
	}
}

/* --- packets, built from scratch with full checksums ------------------- */

#define PKT_LEN 48	/* 20 IP + up to 20 L4 + payload */

static uint16_t
sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint32_t
pseudo(const uint8_t *ip, size_t l4len)
{
	return (uint32_t)sum16(ip + 12, 8, 0) + ip[9] + (uint32_t)l4len;
}

/* Build e into buf; returns the bytes readable (short when truncated). */
static size_t
build(const struct ev *e, uint8_t *buf)
{
	uint8_t *l4 = buf + 20;
	const size_t l4len = PKT_LEN - 20;

	memset(buf, 0, PKT_LEN);
	buf[0] = 0x45;
	put16(buf + 2, PKT_LEN);
	put16(buf + 4, 0x1234);
	if (e->frag)
		put16(buf + 6, 0x2000);	/* MF */
	buf[8] = 64;
	buf[9] = e->proto;
	put32(buf + 12, e->src);
	put32(buf + 16, e->dst);
	put16(buf + 10, (uint16_t)~sum16(buf, 20, 0));
	for (size_t i = 28; i < PKT_LEN; i++)
		buf[i] = (uint8_t)(i * 7);
	if (e->proto == 6) {
		put16(l4, e->sport);
		put16(l4 + 2, e->dport);
		put32(l4 + 4, 1000);
		l4[12] = 0x50;
		l4[13] = e->tcp_flags;
		put16(l4 + 14, 512);
		put16(l4 + 16, 0);	/* payload bytes were there */
		put16(l4 + 16, (uint16_t)~sum16(l4, l4len,
						  pseudo(buf, l4len)));
	} else if (e->proto == 17) {
		uint16_t c;

		put16(l4, e->sport);
		put16(l4 + 2, e->dport);
		put16(l4 + 4, (uint16_t)l4len);
		c = (uint16_t)~sum16(l4, l4len, pseudo(buf, l4len));
		put16(l4 + 6, e->udp_nocsum ? 0 : (c == 0 ? 0xffff : c));
	} else if (e->proto == 1) {
		l4[0] = e->icmp_type;
		put16(l4 + 4, e->sport);
		put16(l4 + 6, 7);
		put16(l4 + 2, (uint16_t)~sum16(l4, l4len, 0));
	}
	if (e->truncated)
		return 20 + 4;
	return PKT_LEN;
}

/* The checksums of a translated packet verify. */
static bool
csums_ok(const uint8_t *buf)
{
	const uint8_t *l4 = buf + 20;
	const size_t l4len = PKT_LEN - 20;

	if (sum16(buf, 20, 0) != 0xffff)
		return false;
	if (buf[9] == 6)
		return sum16(l4, l4len, pseudo(buf, l4len)) == 0xffff;
	if (buf[9] == 17)
		return (l4[6] == 0 && l4[7] == 0) ||
			sum16(l4, l4len, pseudo(buf, l4len)) == 0xffff;
	return sum16(l4, l4len, 0) == 0xffff;
}

/* Bytes equal but the checksum fields. */
static bool
same_but_csums(const uint8_t *a, const uint8_t *b, uint8_t proto,
	       bool udp_nocsum)
{
	uint8_t x[PKT_LEN], y[PKT_LEN];
	size_t c = proto == 6 ? 36 : proto == 17 ? 26 : 22;

	memcpy(x, a, PKT_LEN);
	memcpy(y, b, PKT_LEN);
	x[10] = x[11] = y[10] = y[11] = 0;
	/* A UDP packet without checksum keeps none. */
	if (!(proto == 17 && udp_nocsum))
		x[c] = x[c + 1] = y[c] = y[c + 1] = 0;
	return memcmp(x, y, PKT_LEN) == 0;
}

/* --- the trace against the model -------------------------------------- */

struct trace_conf {
	const char *name;
	uint32_t n_ips;
	uint16_t lo, hi;
	uint32_t cap;
	unsigned int events;
	uint64_t seed;
};

static const uint32_t test_to_ms[ADN_NAT_N_TO] = {
	[ADN_NAT_TO_UDP] = 30000, [ADN_NAT_TO_TCP_EST] = 120000,
	[ADN_NAT_TO_TCP_TRANS] = 20000, [ADN_NAT_TO_ICMP] = 10000,
};

#define PUB_BASE 0x64400001u	/* 100.64.0.1 */

static void
random_event(struct model *m, struct adn_rand *rng, struct ev *e)
{
	static const uint8_t flags[] = { 0x02, 0x10, 0x10, 0x18, 0x11, 0x04 };
	unsigned int r = (unsigned int)(adn_rand_u64(rng) % 100);
	const uint8_t protos[] = { 6, 6, 17, 17, 1 };

	memset(e, 0, sizeof(*e));
	e->proto = protos[adn_rand_u64(rng) % RTE_DIM(protos)];
	e->tcp_flags = flags[adn_rand_u64(rng) % RTE_DIM(flags)];
	e->icmp_type = adn_rand_u64(rng) % 10 == 0 ? 0 : 8;
	e->udp_nocsum = adn_rand_u64(rng) % 8 == 0;
	if (r < 50) {		/* outbound from an inside host */
		e->src = 0x0a000001u + (uint32_t)(adn_rand_u64(rng) % 6);
		e->dst = 0xc6336401u + (uint32_t)(adn_rand_u64(rng) % 3);
		e->sport = (uint16_t)(1000 + adn_rand_u64(rng) % 40);
		e->dport = 80;
	} else if (r < 85 && m->n_maps > 0) {	/* return to a mapping */
		const struct m_map *x =
			&m->maps[adn_rand_u64(rng) % m->n_maps];

		e->proto = x->proto;
		e->src = 0xc6336401u + (uint32_t)(adn_rand_u64(rng) % 3);
		e->dst = x->ext_ip;
		e->dport = x->ext_port;
		e->sport = x->proto == 1 ? x->ext_port : 80;
		e->icmp_type = 0;
	} else if (r < 92) {	/* to a public pair, mapped or not */
		e->src = 0xc6336409u;
		e->dst = PUB_BASE + (uint32_t)(adn_rand_u64(rng) % m->n_ips);
		e->dport = (uint16_t)(m->lo + adn_rand_u64(rng) % 8);
		e->sport = e->proto == 1 ? e->dport : 80;
	} else {		/* bad: unsupported, fragment, truncated */
		e->src = 0x0a000002u;
		e->dst = 0xc6336401u;
		e->sport = 1001;
		e->dport = 80;
		switch (adn_rand_u64(rng) % 4) {
		case 0: e->proto = 47; break;
		case 1: e->frag = true; break;
		case 2: e->truncated = true; break;
		default: e->proto = 1; e->icmp_type = 3; break;
		}
	}
}

/* Runs the trace; counts of verdicts in seen[]. */
static void
run_trace(const struct trace_conf *tc, uint64_t seen[ADN_NAT_NO_SESSION + 1])
{
	static struct model m;
	struct adn_nat_conf c = {
		.name = tc->name, .socket = 0, .ip_base = PUB_BASE,
		.n_ips = tc->n_ips, .port_lo = tc->lo, .port_hi = tc->hi,
		.max_sessions = tc->cap,
	};
	uint8_t got[PKT_LEN], want[PKT_LEN];
	struct adn_nat_stats st;
	uint32_t idx[4096];
	struct adn_rand rng;
	uint64_t now = 1000;
	struct adn_nat *n;
	unsigned int cnt, bad = 0;

	adn_rand_seed(&rng, tc->seed);
	memcpy(c.timeout_ms, test_to_ms, sizeof(c.timeout_ms));
	memset(&m, 0, sizeof(m));
	m.ip_base = PUB_BASE;
	m.n_ips = tc->n_ips;
	m.lo = tc->lo;
	m.hi = tc->hi;
	m.cap = tc->cap;
	memcpy(m.to, test_to_ms, sizeof(m.to));
	CU_ASSERT_FATAL(m_size(&m) <= M_PAIRS);
	CU_ASSERT_EQUAL_FATAL(adn_nat_create(&c, &n), 0);
	/* A static mapping in the pool, one on an address of its own. */
	CU_ASSERT_EQUAL(adn_nat_static_add(n, 6, PUB_BASE, tc->lo + 1,
					   0x0a000063u, 8080), 0);
	m_static(&m, 6, PUB_BASE, tc->lo + 1, 0x0a000063u, 8080);
	CU_ASSERT_EQUAL(adn_nat_static_add(n, 17, 0x64400101u, 53,
					   0x0a000064u, 5353), 0);
	m_static(&m, 17, 0x64400101u, 53, 0x0a000064u, 5353);
	CU_ASSERT_EQUAL(adn_nat_static_add(n, 17, 0x64400101u, 53,
					   0x0a000065u, 53), -EEXIST);

	for (unsigned int i = 0; i < tc->events; i++) {
		struct ev e, out;
		enum adn_nat_verdict v, mv;
		size_t len;

		if (i % 64 == 63) {	/* a sweep on the virtual clock */
			cnt = adn_nat_sweep(n, now, adn_nat_slots(n), idx,
					    RTE_DIM(idx));
			adn_nat_release(n, idx, cnt);
			m_sweep(&m, now);
			adn_nat_stats(n, &st);
			CU_ASSERT_EQUAL(st.created, m.created);
			CU_ASSERT_EQUAL(st.expired, m.expired);
			CU_ASSERT_EQUAL(st.active, m.n_dyn);
		}
		now += adn_rand_u64(&rng) % 3000;
		random_event(&m, &rng, &e);
		len = build(&e, got);
		v = adn_nat_process(n, got, len, now);
		mv = m_process(&m, &e, now, &out);
		seen[mv]++;
		if (v != mv) {
			if (bad++ < 5)
				printf("\nevent %u: verdict %d, model %d\n", i,
				       v, mv);
			continue;
		}
		if (v != ADN_NAT_IN2OUT && v != ADN_NAT_OUT2IN)
			continue;
		build(&out, want);
		if (!same_but_csums(got, want, e.proto, e.udp_nocsum) ||
		    !csums_ok(got)) {
			if (bad++ < 5)
				printf("\nevent %u: translation differs\n", i);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	adn_nat_stats(n, &st);
	CU_ASSERT_EQUAL(st.created, m.created);
	CU_ASSERT_EQUAL(st.pool_used, m.n_dyn + 1);	/* + the static one */

	/* Everything idle past the longest timeout: memory as at start. */
	now += 10 * test_to_ms[ADN_NAT_TO_TCP_EST];
	cnt = adn_nat_sweep(n, now, adn_nat_slots(n), idx, RTE_DIM(idx));
	adn_nat_release(n, idx, cnt);
	m_sweep(&m, now);
	adn_nat_stats(n, &st);
	CU_ASSERT_EQUAL(st.expired, m.expired);
	CU_ASSERT_EQUAL(st.active, 0);
	CU_ASSERT_EQUAL(st.slots, 0);
	CU_ASSERT_EQUAL(st.statics, 2);
	CU_ASSERT_EQUAL(st.pool_used, 1);
	adn_nat_free(n);
}

static void
test_nat_table_matches_model_to_pool_exhaustion(void)
{
	/* 2 x 12 pairs, one static: exhausted long before 500 sessions. */
	const struct trace_conf tc = { .name = "t_pool", .n_ips = 2,
		.lo = 1000, .hi = 1011, .cap = 500, .events = 20000,
		.seed = 11 };
	uint64_t seen[ADN_NAT_NO_SESSION + 1] = { 0 };

	run_trace(&tc, seen);
	CU_ASSERT(seen[ADN_NAT_POOL_EXHAUSTED] > 0);
	CU_ASSERT(seen[ADN_NAT_OUT2IN] > 100);
	CU_ASSERT(seen[ADN_NAT_NO_SESSION] > 0);
	CU_ASSERT(seen[ADN_NAT_MALFORMED] > 0);
	CU_ASSERT(seen[ADN_NAT_UNSUPPORTED] > 0);
}

static void
test_nat_table_matches_model_to_session_cap(void)
{
	/* 4 x 64 pairs, 12 sessions: the cap comes first. */
	const struct trace_conf tc = { .name = "t_cap", .n_ips = 4,
		.lo = 1020, .hi = 1083, .cap = 12, .events = 20000,
		.seed = 12 };
	uint64_t seen[ADN_NAT_NO_SESSION + 1] = { 0 };

	run_trace(&tc, seen);
	CU_ASSERT(seen[ADN_NAT_SESSION_CAP] > 0);
	CU_ASSERT(seen[ADN_NAT_POOL_EXHAUSTED] == 0);
	CU_ASSERT(seen[ADN_NAT_OUT2IN] > 100);
}

/* --- the element ------------------------------------------------------- */

#define NAT_KEYS "ip_base = \"100.64.0.1\"; n_ips = 2; " \
	"static = ( \"tcp 100.64.0.9:80 -> 10.0.0.9:8080\" );"

static void
endpoints(struct rte_mbuf *m, uint32_t *src, uint16_t *sport, uint32_t *dst,
	  uint16_t *dport)
{
	struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(m);
	struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)(ip + 1);

	*src = rte_be_to_cpu_32(ip->src_addr);
	*dst = rte_be_to_cpu_32(ip->dst_addr);
	*sport = rte_be_to_cpu_16(t->src_port);
	*dport = rte_be_to_cpu_16(t->dst_port);
}

static void
test_nat44_translates_both_directions(void)
{
	struct adn_pipeline *p = adn_test_chain_outputs("nat", "Nat44",
							NAT_KEYS, 2, NULL);
	struct rte_mbuf *m[3];
	struct adn_test_sink *s;
	struct adn_elem_totals t;
	uint32_t src, dst;
	uint16_t sport, dport;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	s = adn_test_sink(p, "out");
	/* out: 10.0.0.1:5000 -> 192.168.1.2:80, port kept */
	m[0] = adn_test_ipv4_flow(IPPROTO_TCP, 0x0a000001, 5000,
				  0xc0a80102, 80, 80);
	/* back: 192.168.1.2:80 -> 100.64.0.1:5000 */
	m[1] = adn_test_ipv4_flow(IPPROTO_TCP, 0xc0a80102, 80,
				  PUB_BASE, 5000, 80);
	/* to the static mapping: -> 100.64.0.9:80 */
	m[2] = adn_test_ipv4_flow(IPPROTO_TCP, 0xc0a80102, 4444,
				  0x64400009, 80, 80);
	adn_test_run(p, "src", m, 3);
	CU_ASSERT_EQUAL_FATAL(s->n, 3);
	endpoints(s->pkts[0], &src, &sport, &dst, &dport);
	CU_ASSERT(src == PUB_BASE && sport == 5000 && dst == 0xc0a80102 &&
		  dport == 80);
	endpoints(s->pkts[1], &src, &sport, &dst, &dport);
	CU_ASSERT(src == 0xc0a80102 && dst == 0x0a000001 && dport == 5000);
	endpoints(s->pkts[2], &src, &sport, &dst, &dport);
	CU_ASSERT(dst == 0x0a000009 && dport == 8080 && sport == 4444);
	adn_elem_totals(adn_pipeline_find(p, "x"), &t);
	CU_ASSERT_EQUAL(t.out[0], 1);
	CU_ASSERT_EQUAL(t.out[1], 2);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "sessions-created"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "sessions-active"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "sessions-static"), 1);
	/* the static mapping's address is not the pool's */
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "pool-used"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "pool-size"), 2 * 64512);
	adn_test_free(p);
}

static void
test_nat44_drops_bad_frames_without_leaks(void)
{
	struct rte_mempool *mp = adn_test_pool();
	unsigned int avail = rte_mempool_avail_count(mp);
	struct adn_pipeline *p = adn_test_chain_outputs("natbad", "Nat44",
							NAT_KEYS, 2, NULL);
	struct rte_mbuf *m[6];
	struct rte_ether_hdr *eth;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	/* ARP */
	m[0] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 80);
	eth = rte_pktmbuf_mtod(m[0], struct rte_ether_hdr *);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	/* TCP cut after 10 bytes of its header */
	m[1] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 14 + 20 + 10);
	/* GRE */
	m[2] = adn_test_ipv4(47, 0, 0, 64, 80);
	/* a non-first fragment */
	m[3] = adn_test_ipv4(IPPROTO_UDP, 1, 2, 64, 80);
	adn_test_ipv4_hdr(m[3])->fragment_offset = rte_cpu_to_be_16(8);
	/* to a public pair nobody holds */
	m[4] = adn_test_ipv4_flow(IPPROTO_TCP, 0xc0a80102, 80,
				  PUB_BASE + 1, 7777, 80);
	/* IHL beyond the frame */
	m[5] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 14 + 20 + 8);
	adn_test_ipv4_hdr(m[5])->version_ihl = 0x4f;
	adn_test_run(p, "src", m, 6);
	CU_ASSERT_EQUAL(adn_test_sink(p, "out")->n, 0);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "not-ipv4"), 1);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "malformed"), 2);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "unsupported"), 2);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "no-session"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "sessions-created"), 0);
	adn_test_free(p);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), avail);
}

static void
test_nat44_config_errors_name_the_key(void)
{
	static const struct { const char *keys, *want; } bad[] = {
		{ "ip_base = \"100.64.0\";", "'ip_base'" },
		{ "ip_base = \"100.64.0.1\"; port_lo = 2000; port_hi = 1000;",
		  "'port_hi'" },
		{ "ip_base = \"255.255.255.255\"; n_ips = 2;", "'n_ips'" },
		{ "ip_base = \"100.64.0.1\"; static = ( \"tcp 1.2.3.4 5\" );",
		  "PROTO PUBLIC_IP:PORT" },
		{ "ip_base = \"100.64.0.1\"; static = ( \"sctp 1.2.3.4:1 -> 10.0.0.1:1\" );",
		  "'sctp'" },
		{ "ip_base = \"100.64.0.1\"; static = ( \"udp 1.2.3.4:1 -> 10.0.0.1:1\", \"udp 1.2.3.4:1 -> 10.0.0.2:1\" );",
		  "mapped already" },
		{ "ip_base = \"100.64.0.1\"; udp_timeout = 0;",
		  "udp_timeout" },
	};

	for (unsigned int i = 0; i < RTE_DIM(bad); i++)
		adn_test_config_error("Nat44", bad[i].keys, 2, bad[i].want);
}

/* The element's tick sweeps on the real clock: wait (no assertion on how
 * long) until the 1 s ICMP session is gone, then its pair is free. */
static void
test_nat44_tick_expires_and_frees(void)
{
	struct adn_pipeline *p = adn_test_chain_outputs("nattick", "Nat44",
		"ip_base = \"100.64.0.1\"; icmp_timeout = 1;", 2, NULL);
	struct rte_mbuf *m;
	struct adn_elem *e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	e = adn_pipeline_find(p, "x");
	m = adn_test_ipv4(IPPROTO_ICMP, 0, 0, 64, 64);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	((uint8_t *)(adn_test_ipv4_hdr(m) + 1))[0] = 8;	/* echo request */
	adn_test_run(p, "src", &m, 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "sessions-active"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "pool-used"), 1);
	e->desc->tick(e);	/* too early: nothing goes */
	for (int i = 0; i < 600 &&
	     adn_test_xstat(p, "x", "sessions-expired") == 0; i++) {
		rte_delay_ms(50);
		e->desc->tick(e);
	}
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "sessions-expired"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "sessions-active"), 0);
	/* No workers: the release ran at once. */
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "pool-used"), 0);
	adn_test_free(p);
}

static void
test_nat44_state_survives_rebuild(void)
{
	struct adn_state_reg *reg;
	struct adn_pipeline *p1, *p2, *p3;
	struct rte_mbuf *m;

	CU_ASSERT_EQUAL_FATAL(adn_state_reg_create(&reg), 0);
	p1 = adn_test_chain_on(reg, "nat1", "Nat44", NAT_KEYS, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p1);
	m = adn_test_ipv4_flow(IPPROTO_TCP, 0x0a000001, 6000,
			       0xc0a80102, 80, 80);
	adn_test_run(p1, "src", &m, 1);
	/* A new version, a timeout changed (not a shape): same sessions. */
	p2 = adn_test_chain_on(reg, "nat2", "Nat44",
			       NAT_KEYS " udp_timeout = 100;", 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p2);
	adn_test_free(p1);
	m = adn_test_ipv4_flow(IPPROTO_TCP, 0xc0a80102, 80, PUB_BASE, 6000, 80);
	adn_test_run(p2, "src", &m, 1);
	CU_ASSERT_EQUAL(adn_test_sink(p2, "out")->n, 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p2, "x", "sessions-created"), 1);
	/* The cap changed: a new table, the mapping is gone. */
	p3 = adn_test_chain_on(reg, "nat3", "Nat44",
			       NAT_KEYS " max_sessions = 100;", 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p3);
	adn_test_free(p2);
	m = adn_test_ipv4_flow(IPPROTO_TCP, 0xc0a80102, 80, PUB_BASE, 6000, 80);
	adn_test_run(p3, "src", &m, 1);
	CU_ASSERT_EQUAL(adn_test_drops(p3, "x", "no-session"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p3, "x", "sessions-created"), 0);
	adn_test_free(p3);
	adn_state_reg_free(reg);
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("nat44");

	if (s == NULL)
		return 1;
	CU_ADD_TEST(s, test_nat_table_matches_model_to_pool_exhaustion);
	CU_ADD_TEST(s, test_nat_table_matches_model_to_session_cap);
	CU_ADD_TEST(s, test_nat44_translates_both_directions);
	CU_ADD_TEST(s, test_nat44_drops_bad_frames_without_leaks);
	CU_ADD_TEST(s, test_nat44_config_errors_name_the_key);
	CU_ADD_TEST(s, test_nat44_tick_expires_and_frees);
	CU_ADD_TEST(s, test_nat44_state_survives_rebuild);
	return adn_test_main();
}
