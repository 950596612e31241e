/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "adn_config.h"
#include "adn_elem.h"
#include "adn_rand.h"
#include "adn_test.h"

static struct rte_mempool *pool;
static char last_path[256];
/* Configs stay parsed while their pipelines live (settings are read). */
static config_t *configs[64];
static unsigned int n_configs;

/*
 * "0@(0-1)": lcore 0 on every CPU the process may run on. EAL pins an
 * lcore to its CPUs: with "-l 0" every suite and fuzz harness would run on
 * CPU 0, and the ones run side by side (meson's parallel tests, a fuzz
 * campaign) would share it while the other CPUs idle.
 */
static const char *
lcore0_anywhere(char *map, size_t len)
{
	size_t off = (size_t)snprintf(map, len, "0@(");
	cpu_set_t set;
	int first = -1;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return "0";
	for (int c = 0; c <= CPU_SETSIZE && off < len; c++) {
		bool in = c < CPU_SETSIZE && CPU_ISSET(c, &set);

		if (in && first < 0)
			first = c;
		else if (!in && first >= 0) {
			off += (size_t)snprintf(map + off, len - off, "%s%d-%d",
						map[off - 1] == '(' ? "" : ",",
						first, c - 1);
			first = -1;
		}
	}
	if (off + 2 > len || map[off - 1] == '(')
		return "0";
	snprintf(map + off, len - off, ")");
	return map;
}

int
adn_test_eal_init(const char *name)
{
	char map[512];

	return adn_test_eal_init_lcores(name, lcore0_anywhere(map, sizeof(map)));
}

static void
runtime_dir_remove(void)
{
	rmdir(rte_eal_get_runtime_dir());
}

int
adn_test_eal_init_lcores(const char *name, const char *lcores)
{
	char prefix[64];
	/* --no-shconf: no memseg arrays in files under DPDK's runtime
	 * directory, which no one removes (megabytes a run, gigabytes over
	 * a few hundred suite runs); the directory, left empty, goes at
	 * exit. */
	char *argv[] = {
		(char *)(uintptr_t)name, "--no-huge", "-m", "256", "--no-pci",
		"--no-shconf", "--no-telemetry",
		/* "0-2@0-1"-style maps take --lcores (more lcores than CPUs). */
		strchr(lcores, '@') ? "--lcores" : "-l",
		(char *)(uintptr_t)lcores, "--log-level", "*:error",
		"--file-prefix", prefix, NULL,
	};

	snprintf(prefix, sizeof(prefix), "adn-%s-%d", name, (int)getpid());
	if (rte_eal_init(RTE_DIM(argv) - 1, argv) < 0)
		return -1;
	atexit(runtime_dir_remove);
	pool = rte_pktmbuf_pool_create("adn_test", 8191, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	return pool ? 0 : -1;
}

CU_pSuite
adn_test_suite(const char *name)
{
	char map[512];

	return adn_test_suite_lcores(name, lcore0_anywhere(map, sizeof(map)));
}

CU_pSuite
adn_test_suite_lcores(const char *name, const char *lcores)
{
	if (adn_test_eal_init_lcores(name, lcores) < 0 ||
	    CU_initialize_registry() != CUE_SUCCESS)
		return NULL;
	return CU_add_suite(name, NULL, NULL);
}

struct rte_mempool *
adn_test_pool(void)
{
	return pool;
}

const char *
adn_test_last_path(void)
{
	return last_path;
}

/* Build `text` (file named after `tag`) on registry `reg`, or on one of
 * its own when NULL. */
static struct adn_pipeline *
build(const char *tag, const char *text, struct adn_errs *errs,
      struct adn_state_reg *reg)
{
	static struct adn_ports ports[RTE_DIM(configs)];
	struct adn_pipeline *p = NULL;
	unsigned int before;
	config_t *cfg;
	FILE *f;

	snprintf(last_path, sizeof(last_path), "/tmp/adn-test-%d-%s.cfg",
		 (int)getpid(), tag);
	f = fopen(last_path, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		return NULL;
	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL || n_configs == RTE_DIM(configs))
		return NULL;
	config_init(cfg);
	if (config_read_file(cfg, last_path) != CONFIG_TRUE) {
		adn_errs_add(errs, NULL, NULL, NULL, "%s:%d: syntax error: %s",
			     last_path, config_error_line(cfg),
			     config_error_text(cfg));
		config_destroy(cfg);
		free(cfg);
		unlink(last_path);
		return NULL;
	}
	configs[n_configs] = cfg;
	before = errs->n;
	/* As the runtime's loader: a config it refuses is not built. */
	if (adn_config_check_ints(cfg, errs) == 0) {
		adn_ports_parse(cfg, 1, &ports[n_configs], errs);
		if (reg == NULL) {
			adn_pipeline_build(cfg, &ports[n_configs], 1, errs,
					   &p);
		} else {
			struct adn_build_env env = { .cfg = cfg,
				.ports = &ports[n_configs], .n_workers = 1,
				.reg = reg };

			if (adn_pipeline_build_env(&env, errs, &p) == 0)
				adn_pipeline_commit(p);
		}
	}
	n_configs++;
	if (errs->n != before) {	/* as adn_runtime_build: any error fails */
		adn_pipeline_free(p);
		p = NULL;
	}
	unlink(last_path);
	return p;
}

static struct adn_pipeline *
build_printing(const char *tag, const char *text, struct adn_errs *errs,
	       struct adn_state_reg *reg)
{
	struct adn_errs printed = { 0 };
	struct adn_pipeline *p;

	if (errs != NULL)
		return build(tag, text, errs, reg);
	p = build(tag, text, &printed, reg);
	adn_errs_print(&printed, stdout);
	adn_errs_clear(&printed);
	return p;
}

struct adn_pipeline *
adn_test_build(const char *tag, const char *text, struct adn_errs *errs)
{
	return build_printing(tag, text, errs, NULL);
}

static struct adn_pipeline *
chain(const char *tag, const char *type, const char *keys,
      unsigned int n_outputs, struct adn_errs *errs, struct adn_state_reg *reg)
{
	char cfg[2048];
	size_t len;

	len = (size_t)snprintf(cfg, sizeof(cfg),
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"x\"; type = \"%s\"; %s },\n"
		"  { name = \"out\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"src -> x -> out\"", type, keys);
	for (unsigned int o = 1; o < n_outputs && len < sizeof(cfg); o++)
		len += (size_t)snprintf(cfg + len, sizeof(cfg) - len,
					", \"x[%u] -> out\"", o);
	if (len < sizeof(cfg))
		len += (size_t)snprintf(cfg + len, sizeof(cfg) - len, " );\n");
	CU_ASSERT_FATAL(len < sizeof(cfg));
	return build_printing(tag, cfg, errs, reg);
}

struct adn_pipeline *
adn_test_chain_outputs(const char *tag, const char *type, const char *keys,
		       unsigned int n_outputs, struct adn_errs *errs)
{
	return chain(tag, type, keys, n_outputs, errs, NULL);
}

void
adn_test_config_error(const char *type, const char *keys,
		      unsigned int n_outputs, const char *want)
{
	struct adn_errs errs = { 0 };
	struct adn_pipeline *p;

	p = chain("cfgerr", type, keys, n_outputs, &errs, NULL);
	CU_ASSERT_PTR_NULL(p);
	if (adn_errs_find(&errs, want) < 0) {
		printf("\n%s { %s }: no '%s' in:\n", type, keys, want);
		adn_errs_print(&errs, stdout);
		CU_FAIL("the error does not say what is wrong");
	}
	CU_ASSERT(adn_errs_find(&errs, ".cfg:") >= 0);
	adn_test_free(p);
	adn_errs_clear(&errs);
}

struct adn_pipeline *
adn_test_chain_on(struct adn_state_reg *reg, const char *tag,
		  const char *type, const char *keys, unsigned int n_outputs)
{
	return chain(tag, type, keys, n_outputs, NULL, reg);
}

struct adn_pipeline *
adn_test_chain(const char *tag, const char *type, const char *keys,
	       struct adn_errs *errs)
{
	return adn_test_chain_outputs(tag, type, keys, 1, errs);
}

void
adn_test_run(struct adn_pipeline *p, const char *src, struct rte_mbuf **pkts,
	     unsigned int n)
{
	struct adn_elem *e = adn_pipeline_find(p, src);
	struct adn_exec *x = adn_exec_create(p, 0);
	struct adn_batch *b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	while (n > 0) {
		unsigned int k = n < ADN_BATCH_MAX ? n : ADN_BATCH_MAX;

		b = adn_exec_source_batch(x, e);
		memcpy(b->pkts, pkts, k * sizeof(*pkts));
		b->n = (uint16_t)k;
		adn_exec_run(x, e->index);
		CU_ASSERT_EQUAL(adn_exec_in_flight(x), 0);
		pkts += k;
		n -= k;
	}
	adn_exec_free(x);
}

struct adn_test_sink *
adn_test_sink(struct adn_pipeline *p, const char *name)
{
	struct adn_elem *e = adn_pipeline_find(p, name);

	return e ? adn_elem_priv(e) : NULL;
}

void
adn_test_sink_clear(struct adn_test_sink *s)
{
	rte_pktmbuf_free_bulk(s->pkts, s->n);
	s->n = 0;
}

void
adn_test_free(struct adn_pipeline *p)
{
	for (unsigned int i = 0; p && i < adn_pipeline_n_elems(p); i++) {
		struct adn_elem *e = adn_pipeline_elem(p, i);

		if (strcmp(e->desc->name, "TestSink") == 0)
			adn_test_sink_clear(adn_elem_priv(e));
	}
	adn_pipeline_free(p);
}

uint64_t
adn_test_drops(struct adn_pipeline *p, const char *elem, const char *reason)
{
	struct adn_elem *e = adn_pipeline_find(p, elem);
	struct adn_elem_totals t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	adn_elem_totals(e, &t);
	for (unsigned int r = 0; r < ADN_N_DROP_SLOTS; r++)
		if (strcmp(adn_elem_drop_name(e, r), reason) == 0)
			return t.drop[r];
	CU_FAIL("no such drop reason");
	return 0;
}

uint64_t
adn_test_xstat(struct adn_pipeline *p, const char *elem, const char *name)
{
	struct adn_elem *e = adn_pipeline_find(p, elem);
	struct adn_xstat xs[64];
	unsigned int n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	n = e->desc->xstats(e, xs, RTE_DIM(xs));
	for (unsigned int i = 0; i < n; i++)
		if (strcmp(xs[i].name, name) == 0)
			return xs[i].value;
	CU_FAIL("no such xstat");
	return UINT64_MAX;
}

struct rte_ipv4_hdr *
adn_test_ipv4_hdr(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
				       sizeof(struct rte_ether_hdr));
}

struct rte_mbuf *
adn_test_ipv4_flow(uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst,
		   uint16_t dport, uint16_t len)
{
	struct rte_mbuf *m = adn_test_ipv4(proto, sport, dport, 64, len);
	struct rte_ipv4_hdr *ip;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	ip = adn_test_ipv4_hdr(m);
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	return m;
}

struct rte_mbuf *
adn_test_ipv4(uint8_t proto, uint16_t sport, uint16_t dport, uint8_t ttl,
	      uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0, len);
	eth = (struct rte_ether_hdr *)p;
	memcpy(&eth->dst_addr, "\x02\0\0\0\0\x02", 6);
	memcpy(&eth->src_addr, "\x02\0\0\0\0\x01", 6);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len - sizeof(*eth));
	ip->time_to_live = ttl;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(UINT32_C(0x0a000001));	/* 10.0.0.1 */
	ip->dst_addr = rte_cpu_to_be_32(UINT32_C(0xc0a80102));	/* 192.168.1.2 */
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		struct rte_udp_hdr *l4 = (struct rte_udp_hdr *)(ip + 1);

		l4->src_port = rte_cpu_to_be_16(sport);
		l4->dst_port = rte_cpu_to_be_16(dport);
	}
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return m;
}

struct rte_mbuf *
adn_test_tcp(uint16_t sport, uint32_t seq, uint8_t fl, const void *pl,
	     size_t len)
{
	size_t hdr = sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) +
		sizeof(struct rte_tcp_hdr);
	struct rte_mbuf *m = adn_test_ipv4_flow(IPPROTO_TCP, 0x0a000001, sport,
						0x0a000002, 80,
						(uint16_t)(hdr + len));
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(adn_test_ipv4_hdr(m) +
							1);

	th->sent_seq = rte_cpu_to_be_32(seq);
	th->data_off = 5 << 4;
	th->tcp_flags = fl;
	memcpy(th + 1, pl, len);
	return m;
}

/* --- the shared trace ------------------------------------------------- */

#define N_HEAVY 48

/* Prefixes the trace aims at; routes[0] is the default route. */
static const struct {
	uint32_t prefix;
	unsigned int len;
	unsigned int hop;
} routes[] = {
	{ 0, 0, 1 },
	{ UINT32_C(0x0a000000), 8, 2 },
	{ UINT32_C(0x0a010000), 16, 3 },
	{ UINT32_C(0x0a010200), 24, 4 },
	{ UINT32_C(0x0a010203), 32, 1 },
	{ UINT32_C(0xc0a80000), 16, 2 },
	{ UINT32_C(0xc0a88000), 17, 3 },
	{ UINT32_C(0xac100000), 12, 4 },
	{ UINT32_C(0x64400000), 10, 3 },
};

int
adn_test_trace_routes(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -errno;
	for (unsigned int i = 0; i < RTE_DIM(routes); i++)
		fprintf(f, "%u.%u.%u.%u/%u %u\n", routes[i].prefix >> 24,
			(routes[i].prefix >> 16) & 255,
			(routes[i].prefix >> 8) & 255, routes[i].prefix & 255,
			routes[i].len, routes[i].hop);
	return fclose(f) == 0 ? 0 : -errno;
}

/* The trace's i-th packet, the same on every call. */
struct rte_mbuf *
adn_test_trace_pkt(unsigned int i)
{
	struct adn_rand r;
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ip;
	uint64_t flow;
	uint8_t proto;
	uint32_t dst;
	unsigned int kind;

	adn_rand_seed(&r, 1000 + i);
	kind = (unsigned int)adn_rand_below(&r, 100);
	/* Half the packets belong to N_HEAVY flows (fastpath hits), the rest
	 * to flows seen about once. */
	flow = adn_rand_below(&r, 2) ? adn_rand_below(&r, N_HEAVY) :
		N_HEAVY + adn_rand_u64(&r) % 100000;
	adn_rand_seed(&r, flow * 7919 + 1);
	proto = (flow % 10) < 6 ? IPPROTO_TCP :
		(flow % 10) < 9 ? IPPROTO_UDP : IPPROTO_ICMP;
	dst = routes[1 + adn_rand_below(&r, RTE_DIM(routes) - 1)].prefix |
		((uint32_t)adn_rand_u64(&r) & 0x1ff);
	if (flow % 13 == 0)
		dst = (uint32_t)adn_rand_u64(&r);	/* default route only */
	m = adn_test_ipv4(proto, (uint16_t)(1024 + flow % 50000),
			  (uint16_t)(80 + flow % 7), 64,
			  (uint16_t)(64 + (flow % 5) * 100));
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
				     sizeof(struct rte_ether_hdr));
	ip->src_addr = rte_cpu_to_be_32(UINT32_C(0x0b000000) |
					(uint32_t)(flow & 0xffffff));
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (kind < 2) {
		ip->hdr_checksum ^= 0x1234;	/* CheckIPv4: bad-checksum */
	} else if (kind < 4) {
		struct rte_ether_hdr *eth =
			rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	} else if (kind < 5) {
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) -
					       sizeof(struct rte_ether_hdr) -
					       10));	/* truncated */
	}
	return m;
}

/* --- test elements ----------------------------------------------------- */

static uint16_t
test_source_rx(struct adn_elem *e, uint16_t q, struct rte_mbuf **pkts,
	       uint16_t max)
{
	return 0;	/* tests fill the source batch directly */
}

static int
test_source_configure(struct adn_elem *e, struct adn_build *b)
{
	return adn_build_add_rx(b, e, 0);
}

static int
test_pass(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	return 0;
}

static const struct adn_elem_desc test_source_desc = {
	.name = "TestSource",
	.flags = ADN_ELEM_SOURCE,
	.n_outputs = 1,
	.configure = test_source_configure,
	.rx = test_source_rx,
	.exec = test_pass,
};
ADN_ELEM_REGISTER(test_source_desc);

static void
test_sink_process(struct adn_elem *e, struct adn_batch *b)
{
	struct adn_test_sink *s = adn_elem_priv(e);

	for (uint16_t i = 0; i < b->n; i++) {
		if (s->n < ADN_TEST_SINK_MAX) {
			s->pkts[s->n++] = b->pkts[i];
			b->out[i] = ADN_CONSUMED;
		} else {
			b->out[i] = (int16_t)adn_drop(0);
		}
	}
}

static const char *const test_sink_drops[] = { "sink-full", NULL };

static const struct adn_elem_desc test_sink_desc = {
	.name = "TestSink",
	.priv_size = sizeof(struct adn_test_sink),
	.n_outputs = 0,
	.drop_reasons = test_sink_drops,
	.process = test_sink_process,
};
ADN_ELEM_REGISTER(test_sink_desc);

/* TestRing: a source that polls adn_test_rings[queue], one rx point per
 * ring the key `queues` asks for. */
struct rte_ring *adn_test_rings[ADN_TEST_RINGS];

static const struct adn_arg_spec test_ring_args[] = {
	{ .name = "queues", .type = ADN_ARG_INT, .min = 1,
	  .max = ADN_TEST_RINGS, .def_int = 1 },
	{ .name = NULL },
};

static int
test_ring_configure(struct adn_elem *e, struct adn_build *b)
{
	for (int64_t q = 0; q < adn_elem_arg_int(e, "queues"); q++)
		if (adn_build_add_rx(b, e, (uint16_t)q) < 0)
			return -ENOSPC;
	return 0;
}

static uint16_t
test_ring_rx(struct adn_elem *e, uint16_t q, struct rte_mbuf **pkts,
	     uint16_t max)
{
	struct rte_ring *r = adn_test_rings[q];

	return r ? (uint16_t)rte_ring_sc_dequeue_burst(r, (void **)pkts, max,
						       NULL) : 0;
}

static const struct adn_elem_desc test_ring_desc = {
	.name = "TestRing",
	.flags = ADN_ELEM_SOURCE,
	.n_outputs = 1,
	.args = test_ring_args,
	.configure = test_ring_configure,
	.rx = test_ring_rx,
	.exec = test_pass,
};
ADN_ELEM_REGISTER(test_ring_desc);

/* TestDigest: a sink that keeps, as state (it survives swaps), a digest
 * of the multiset of packets it took: count, bytes, and the sum and xor
 * of a 64-bit hash of each packet's bytes. */
struct test_digest_slot {
	uint64_t count, bytes, sum, xor;
} __rte_cache_aligned;

struct test_digest {
	struct test_digest_slot *slot;	/* [ADN_MAX_WORKERS] */
};

static int
test_digest_configure(struct adn_elem *e, struct adn_build *b)
{
	struct test_digest *d = adn_elem_priv(e);
	struct adn_state_ref ref;
	int rc = adn_elem_state(e, b, "digest",
				sizeof(*d->slot) * ADN_MAX_WORKERS, NULL, 0,
				&ref);

	d->slot = ref.data;
	return rc;
}

static void
test_digest_process(struct adn_elem *e, struct adn_batch *b)
{
	struct test_digest *d = adn_elem_priv(e);
	struct test_digest_slot *s = &d->slot[adn_worker_index()];

	for (uint16_t i = 0; i < b->n; i++) {
		const struct rte_mbuf *m = b->pkts[i];
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
		uint64_t h = 0xcbf29ce484222325ULL;

		for (uint16_t k = 0; k < rte_pktmbuf_data_len(m); k++)
			h = (h ^ p[k]) * 0x100000001b3ULL;
		s->count++;
		s->bytes += rte_pktmbuf_pkt_len(m);
		s->sum += h;
		s->xor ^= h;
		b->out[i] = ADN_CONSUMED;
	}
	rte_pktmbuf_free_bulk(b->pkts, b->n);
}

static unsigned int
test_digest_xstats(const struct adn_elem *e, struct adn_xstat *out,
		   unsigned int max)
{
	const struct test_digest *d = adn_elem_priv(e);
	static const char *const names[] = { "count", "bytes", "sum", "xor" };
	uint64_t v[4] = { 0 };

	for (unsigned int w = 0; w < ADN_MAX_WORKERS; w++) {
		v[0] += d->slot[w].count;
		v[1] += d->slot[w].bytes;
		v[2] += d->slot[w].sum;
		v[3] ^= d->slot[w].xor;
	}
	for (unsigned int i = 0; i < RTE_MIN(max, 4u); i++) {
		snprintf(out[i].name, sizeof(out[i].name), "%s", names[i]);
		out[i].value = v[i];
	}
	return RTE_MIN(max, 4u);
}

static const struct adn_elem_desc test_digest_desc = {
	.name = "TestDigest",
	.priv_size = sizeof(struct test_digest),
	.n_outputs = 0,
	.configure = test_digest_configure,
	.process = test_digest_process,
	.xstats = test_digest_xstats,
};
ADN_ELEM_REGISTER(test_digest_desc);

void
adn_test_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

void
adn_test_untimed(struct adn_elem_totals *t)
{
	t->cycles = 0;
	t->timed_in = 0;
}

void
adn_test_counters(const struct adn_elem *e, struct adn_elem_totals *t)
{
	adn_elem_totals(e, t);
	adn_test_untimed(t);
}

int
adn_test_main(void)
{
	unsigned int failed;

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() +
		CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	for (unsigned int i = 0; i < n_configs; i++) {
		config_destroy(configs[i]);
		free(configs[i]);
	}
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return failed ? 1 : 0;
}
