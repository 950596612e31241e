/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GenSource — an in-memory traffic source for benchmarks. At configure
 * time it draws a sequence of `seq` packets from a flow-popularity model
 * (Zipf over `flows` flows) and stores each one's addresses, ports and IP
 * checksum (16 bytes); rx() allocates a burst from its own pool, writes the
 * 54-byte Ethernet/IPv4/TCP header of the next sequence entries into the
 * mbufs and returns them. Payload bytes are written once per mbuf when the
 * pool is made, so emitting costs one header copy per packet; pair it with
 * Recycle so mbufs return to the pool and no I/O is measured.
 *
 * Memory is seq x 16 bytes whatever the flow count (10M flows need no
 * per-flow table: a flow's 5-tuple is a hash of its popularity rank).
 * Packets are TCP, TTL 64, valid IPv4 checksum, TCP checksum 0.
 *
 * Keys:
 *   workload (string, default "heavy-tailed")
 *       "heavy-tailed"  10,000,000 flows, Zipf alpha 0.5: the top 1% of
 *                       flows carry ~10% of packets (NFMorph §2)
 *       "skewed"        100,000 flows, Zipf alpha 1.61: the top 1% carry
 *                       ~99% (98.99% exactly; NFMorph §2.2)
 *       "phased"        heavy-tailed, then skewed, then heavy-tailed
 *                       again, ... every `phase` seconds: a workload that
 *                       changes under a running pipeline (Morph's test);
 *                       twice the memory (one sequence per workload)
 *   flows  (int, 1 - 2^32-1)   overrides the workload's flow count
 *   alpha  (float, 0 - 10)     overrides its Zipf exponent; 0: uniform
 *   size   (int, default 64, 54-1514)  frame bytes (no FCS)
 *   routes (string)   route file (`a.b.c.d/len hop` lines): destinations
 *                     are drawn from its prefixes, so lookups hit real
 *                     entries; relative to the config file's directory.
 *                     Absent: uniformly random destinations.
 *   seq    (int, default 4194304, 1024 - 2^28)  sequence length (packets
 *                     before it repeats)
 *   seed   (int, default 1)      everything is deterministic given it
 *   queues (int, default 1, 1-16)  rx points (one per worker)
 *   pool   (int, default 8191, 1023 - 1048575)  mbufs in the pool
 *   phase  (float, default 10, 0.1 - 3600)  seconds per phase ("phased")
 * Outputs: 0 — every generated packet.
 * Control: "restart": every queue back to the start of its sequence, and
 *   of the first phase at its next burst (benchmarks align runs with it).
 * Extra counters: flows, alpha_milli, seq, top1pct_share_ppm (share of the
 *   sequence drawn from the top 1% of flows, in parts per million; all of
 *   the current phase's when phased), alloc_failed (bursts lost to an
 *   empty pool), phase (queue 0's: 0 heavy-tailed, 1 skewed),
 *   phase_changes.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "adn_elem.h"
#include "adn_hash.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"
#include "adn_port.h"
#include "adn_rand.h"
#include "adn_route.h"
#include "adn_zipf.h"

enum { GEN_SOURCE_OUT, GEN_SOURCE_N_OUT };

#define GEN_MAX_QUEUES 16
#define GEN_HDR_LEN (sizeof(struct rte_ether_hdr) + \
		     sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_tcp_hdr))

struct gen_workload {
	const char *name;
	uint64_t flows;
	double alpha;
};

static const struct gen_workload gen_workloads[] = {
	{ "heavy-tailed", 10000000, 0.5 },
	/* adn_zipf_top_share(100000, 1.61, 1000) = 0.98991 */
	{ "skewed", 100000, 1.61 },
};

static const char *const gen_workload_names[] = {
	"heavy-tailed", "skewed", "phased", NULL,
};
#define GEN_PHASED "phased"	/* gen_workloads[0], then [1], ... */

/* One precomputed packet: what differs between packets. */
struct gen_pkt {
	rte_be32_t src, dst;
	rte_be16_t sport, dport;
	rte_be16_t ip_cksum;
	uint16_t pad;
};

struct gen_cursor {
	uint64_t pos;			/* in the current part */
	uint64_t alloc_failed;
	unsigned int part;		/* phased: 0 or 1 */
	uint64_t phase_end;		/* TSC; 0: starts at the next burst */
	uint64_t phase_changes;
	uint32_t restarts;		/* the last "restart" it applied */
} __rte_cache_aligned;

struct gen_source {
	struct rte_mempool *pool;
	struct gen_pkt *seq;		/* [parts][n_seq] */
	uint64_t n_seq;
	unsigned int parts;		/* 2 when phased, else 1 */
	uint64_t phase_tsc;
	uint32_t restarts;		/* "restart" commands */
	uint64_t flows;
	double alpha;
	uint64_t top1_ppm[2];
	uint16_t size;
	uint16_t ip_sum;		/* of hdr's IPv4 header, addresses 0 */
	unsigned int queues;
	uint8_t hdr[GEN_HDR_LEN] __rte_aligned(16);
	struct gen_cursor cur[GEN_MAX_QUEUES];
};

static void
gen_state_destroy(void *data)
{
	struct gen_source *g = data;

	rte_mempool_free(g->pool);
	rte_free(g->seq);
}

static const struct adn_arg_spec gen_source_args[] = {
	{ .name = "workload", .type = ADN_ARG_STRING,
	  .choices = gen_workload_names, .def_str = "heavy-tailed",
	  .help = "named flow-popularity model",
	  .shapes_state = true },
	{ .name = "flows", .type = ADN_ARG_INT, .min = 1, .max = UINT32_MAX,
	  .help = "number of flows (overrides the workload)",
	  .shapes_state = true },
	{ .name = "alpha", .type = ADN_ARG_FLOAT,
	  .help = "Zipf exponent, 0 for uniform (overrides the workload)",
	  .shapes_state = true },
	{ .name = "size", .type = ADN_ARG_INT, .min = GEN_HDR_LEN,
	  .max = RTE_ETHER_MAX_LEN - RTE_ETHER_CRC_LEN, .def_int = 64,
	  .help = "frame bytes without FCS",
	  .shapes_state = true },
	{ .name = "routes", .type = ADN_ARG_STRING,
	  .help = "route file whose prefixes the destinations are drawn from",
	  .shapes_state = true },
	{ .name = "seq", .type = ADN_ARG_INT, .min = 1024, .max = 1 << 28,
	  .def_int = 1 << 22, .help = "precomputed packets before repeating",
	  .shapes_state = true },
	{ .name = "seed", .type = ADN_ARG_INT, .min = 0, .max = INT64_MAX,
	  .def_int = 1, .help = "random seed",
	  .shapes_state = true },
	{ .name = "queues", .type = ADN_ARG_INT, .min = 1,
	  .max = GEN_MAX_QUEUES, .def_int = 1, .help = "rx points",
	  .shapes_state = true },
	{ .name = "pool", .type = ADN_ARG_INT, .min = 1023, .max = 1048575,
	  .def_int = 8191, .help = "mbufs in the pool",
	  .shapes_state = true },
	{ .name = "phase", .type = ADN_ARG_FLOAT, .def_float = 10,
	  .help = "seconds per phase of the phased workload",
	  .shapes_state = true },
	{ .name = NULL },
};

/* The header every packet starts from; addresses, ports and the IP
 * checksum are filled per packet. */
static void
build_header(struct gen_source *g)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)g->hdr;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);

	memset(g->hdr, 0, sizeof(g->hdr));
	memcpy(&eth->dst_addr, "\x02\0\0\0\0\x02", RTE_ETHER_ADDR_LEN);
	memcpy(&eth->src_addr, "\x02\0\0\0\0\x01", RTE_ETHER_ADDR_LEN);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(g->size - sizeof(*eth));
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	tcp->sent_seq = rte_cpu_to_be_32(1);
	tcp->data_off = (sizeof(*tcp) / 4) << 4;
	tcp->tcp_flags = RTE_TCP_ACK_FLAG;
	tcp->rx_win = rte_cpu_to_be_16(65535);
	g->ip_sum = adn_pkt_cksum(ip, sizeof(*ip));
}

/* Flow `rank`'s 5-tuple: a hash of the rank, so popular flows land at
 * random places in every hashed table, and no per-flow state is kept. */
static void
flow_of(const struct gen_source *g, uint64_t seed, uint64_t rank,
	const struct adn_route_table *rt, struct gen_pkt *p)
{
	uint64_t h1 = adn_mix64(seed ^ (rank * 0x9e3779b97f4a7c15ULL));
	uint64_t h2 = adn_mix64(h1);
	uint32_t dst = (uint32_t)(h2 >> 32);

	if (rt != NULL && rt->n > 0) {
		const struct adn_route *r = &rt->r[(uint32_t)h2 % rt->n];

		dst = r->prefix | (dst & ~adn_route_mask(r->len));
	}
	p->src = rte_cpu_to_be_32((uint32_t)h1);
	p->dst = rte_cpu_to_be_32(dst);
	p->sport = rte_cpu_to_be_16((uint16_t)(h1 >> 32));
	p->dport = rte_cpu_to_be_16((uint16_t)(h1 >> 48));
	/* The header's sum with the addresses added, not summed again: one
	 * fold per flow instead of a pass over the header. */
	p->ip_cksum = (uint16_t)~adn_pkt_cksum_fold((uint64_t)g->ip_sum +
						    p->src + p->dst);
	p->pad = 0;
}

/* Every mbuf gets the header and a zero payload once; rx() rewrites the
 * header only. */
static void
init_mbuf(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	const struct gen_source *g = arg;
	struct rte_mbuf *m = obj;
	uint8_t *d = (uint8_t *)m->buf_addr + RTE_PKTMBUF_HEADROOM;

	memcpy(d, g->hdr, GEN_HDR_LEN);
	memset(d + GEN_HDR_LEN, 0, g->size - GEN_HDR_LEN);
}

/* Sequence `part`: n_seq draws from Zipf(flows, alpha) (uniform for
 * alpha 0); 0 or -EINVAL for a bad model. */
static int
draw(struct gen_source *g, unsigned int part, uint64_t flows, double alpha,
     uint64_t seed, const struct adn_route_table *rt)
{
	struct gen_pkt *seq = g->seq + part * g->n_seq;
	const uint64_t top = RTE_MAX(flows / 100, (uint64_t)1);
	uint64_t in_top = 0;
	struct adn_zipf z;
	struct adn_rand r;

	if (alpha > 0 && adn_zipf_init(&z, flows, alpha) < 0)
		return -EINVAL;
	adn_rand_seed(&r, seed + part);
	for (uint64_t i = 0; i < g->n_seq; i++) {
		uint64_t rank = alpha > 0 ? adn_zipf_next(&z, &r) :
			adn_rand_below(&r, flows);

		in_top += rank < top;
		/* Parts share flow identities: the heavy flows of one are
		 * flows of the other too. */
		flow_of(g, seed, rank, rt->n ? rt : NULL, &seq[i]);
	}
	g->top1_ppm[part] = in_top * 1000000 / g->n_seq;
	return 0;
}

static int
gen_source_configure(struct adn_elem *e, struct adn_build *b)
{
	struct gen_source *g = adn_elem_priv(e);
	const char *wl = adn_elem_arg_str(e, "workload");
	uint64_t seed = (uint64_t)adn_elem_arg_int(e, "seed");
	struct adn_route_table rt = { 0 };
	char name[RTE_MEMPOOL_NAMESIZE];
	double phase;
	int rc;

	/* The trace and the pool are state: a swap that keeps every key
	 * keeps them (and each queue's position in the trace). */
	if (adn_elem_priv_reused(e))
		goto rx;

	g->parts = strcmp(wl, GEN_PHASED) == 0 ? 2 : 1;
	for (unsigned int i = 0; i < RTE_DIM(gen_workloads); i++)
		if (strcmp(gen_workloads[i].name, wl) == 0) {
			g->flows = gen_workloads[i].flows;
			g->alpha = gen_workloads[i].alpha;
		}
	if (g->parts > 1 && (adn_elem_arg(e, "flows") != NULL ||
			     adn_elem_arg(e, "alpha") != NULL))
		return adn_build_error(b, e, adn_elem_arg(e, "flows") ?
				       "flows" : "alpha",
				       "the phased workload alternates the named ones: no flows or alpha");
	if (adn_elem_arg(e, "flows") != NULL)
		g->flows = (uint64_t)adn_elem_arg_int(e, "flows");
	if (adn_elem_arg(e, "alpha") != NULL) {
		g->alpha = adn_elem_arg_float(e, "alpha");
		if (!(g->alpha >= 0 && g->alpha <= 10))
			return adn_build_error(b, e, "alpha",
					       "%g out of range [0, 10] (0: uniform)",
					       g->alpha);
	}
	phase = adn_elem_arg_float(e, "phase");
	if (!(phase >= 0.1 && phase <= 3600))
		return adn_build_error(b, e, "phase",
				       "%g s out of range [0.1, 3600]", phase);
	g->phase_tsc = (uint64_t)(phase * (double)rte_get_tsc_hz());
	g->size = (uint16_t)adn_elem_arg_int(e, "size");
	g->n_seq = (uint64_t)adn_elem_arg_int(e, "seq");
	g->queues = (unsigned int)adn_elem_arg_int(e, "queues");
	build_header(g);

	if (adn_elem_arg(e, "routes") != NULL) {
		char path[PATH_MAX], err[PATH_MAX + 128];

		adn_elem_arg_path(e, "routes", path, sizeof(path));
		rc = adn_route_file_read(path, 0, UINT32_MAX - 1, &rt, err,
					 sizeof(err));
		if (rc < 0)
			return adn_build_error(b, e, "routes", "%s", err);
	}
	g->seq = rte_malloc("gen_seq", sizeof(*g->seq) * g->n_seq * g->parts,
			    RTE_CACHE_LINE_SIZE);
	if (g->seq == NULL) {
		adn_route_table_free(&rt);
		return adn_build_error(b, e, "seq",
				       "cannot allocate %u x %" PRIu64 " x %zu bytes (lower `seq` or give EAL more memory)",
				       g->parts, g->n_seq, sizeof(*g->seq));
	}
	for (unsigned int part = 0; part < g->parts; part++) {
		const uint64_t flows = g->parts > 1 ?
			gen_workloads[part].flows : g->flows;
		const double alpha = g->parts > 1 ?
			gen_workloads[part].alpha : g->alpha;

		rc = draw(g, part, flows, alpha, seed, &rt);
		if (rc < 0) {
			adn_route_table_free(&rt);
			return adn_build_error(b, e, "alpha",
					       "bad Zipf model (%" PRIu64 " flows, alpha %g)",
					       flows, alpha);
		}
	}
	adn_route_table_free(&rt);
	for (unsigned int q = 0; q < g->queues; q++)
		g->cur[q].pos = g->n_seq * q / g->queues;

	snprintf(name, sizeof(name), "gen_%p", (void *)g);
	g->pool = adn_pktmbuf_pool_create(name,
			(unsigned int)adn_elem_arg_int(e, "pool"),
			RTE_MEMPOOL_CACHE_MAX_SIZE, RTE_MBUF_DEFAULT_BUF_SIZE,
			(int)rte_socket_id(), false);
	if (g->pool == NULL)
		return adn_build_error(b, e, "pool",
				       "cannot create a pool of %" PRId64 " mbufs: %s",
				       adn_elem_arg_int(e, "pool"),
				       rte_strerror(rte_errno));
	rte_mempool_obj_iter(g->pool, init_mbuf, g);
rx:
	for (unsigned int q = 0; q < g->queues; q++)
		if (adn_build_add_rx(b, e, (uint16_t)q) < 0)
			return -ENOSPC;
	return 0;
}


static void
restart(struct gen_source *g, struct gen_cursor *c, uint16_t queue)
{
	c->restarts = __atomic_load_n(&g->restarts, __ATOMIC_RELAXED);
	c->pos = g->n_seq * queue / g->queues;
	c->part = 0;
	c->phase_end = 0;
}

static inline void
next_phase(struct gen_source *g, struct gen_cursor *c)
{
	const uint64_t now = rte_rdtsc();

	if (c->phase_end == 0) {
		c->phase_end = now + g->phase_tsc;
	} else if (now >= c->phase_end) {
		c->part ^= 1;
		c->phase_end += g->phase_tsc;
		c->phase_changes++;
	}
}

static uint16_t
gen_source_rx(struct adn_elem *e, uint16_t queue, struct rte_mbuf **pkts,
	      uint16_t max)
{
	struct gen_source *g = adn_elem_priv(e);
	struct gen_cursor *c = &g->cur[queue];
	const struct gen_pkt *seq;
	uint64_t pos;

	if (unlikely(c->restarts != __atomic_load_n(&g->restarts,
						    __ATOMIC_RELAXED)))
		restart(g, c, queue);
	if (unlikely(g->parts > 1))
		next_phase(g, c);
	if (unlikely(rte_pktmbuf_alloc_bulk(g->pool, pkts, max) != 0)) {
		c->alloc_failed++;
		return 0;
	}
	pos = c->pos;
	seq = g->seq + c->part * g->n_seq;
	for (uint16_t i = 0; i < max; i++) {
		struct rte_mbuf *m = pkts[i];
		uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)
			(d + sizeof(struct rte_ether_hdr));
		struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);
		const struct gen_pkt *p = &seq[pos];

		if (++pos == g->n_seq)
			pos = 0;
		memcpy(d, g->hdr, GEN_HDR_LEN);
		ip->src_addr = p->src;
		ip->dst_addr = p->dst;
		ip->hdr_checksum = p->ip_cksum;
		tcp->src_port = p->sport;
		tcp->dst_port = p->dport;
		m->data_len = g->size;
		m->pkt_len = g->size;
	}
	c->pos = pos;
	return max;
}

static int
gen_source_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	return GEN_SOURCE_OUT;
}

static unsigned int
gen_source_xstats(const struct adn_elem *e, struct adn_xstat *out,
		  unsigned int max)
{
	const struct gen_source *g = adn_elem_priv(e);
	const unsigned int part = g->cur[0].part;
	uint64_t failed = 0;
	const char *names[] = { "flows", "alpha_milli", "seq",
				"top1pct_share_ppm", "alloc_failed", "phase",
				"phase_changes" };
	uint64_t vals[RTE_DIM(names)];
	unsigned int n = RTE_MIN(max, RTE_DIM(names));

	for (unsigned int q = 0; q < g->queues; q++)
		failed += g->cur[q].alloc_failed;

	vals[0] = g->parts > 1 ? gen_workloads[part].flows : g->flows;
	vals[1] = (uint64_t)((g->parts > 1 ? gen_workloads[part].alpha :
			      g->alpha) * 1000 + 0.5);
	vals[2] = g->n_seq;
	vals[3] = g->top1_ppm[part];
	vals[4] = failed;
	vals[5] = part;
	vals[6] = g->cur[0].phase_changes;
	for (unsigned int i = 0; i < n; i++) {
		snprintf(out[i].name, sizeof(out[i].name), "%s", names[i]);
		out[i].value = vals[i];
	}
	return n;
}

static int
gen_source_control(struct adn_elem *e, const char *cmd, char *reply,
		   size_t len)
{
	struct gen_source *g = adn_elem_priv(e);

	if (strcmp(cmd, "restart") != 0) {
		snprintf(reply, len, "unknown command '%s' (try help)", cmd);
		return -EINVAL;
	}
	/* Each worker applies it to its queues at its next burst. */
	__atomic_fetch_add(&g->restarts, 1, __ATOMIC_RELAXED);
	snprintf(reply, len, "restarted");
	return 1;
}

static const char *const gen_source_control_help[] = {
	"restart   every queue to the start of its sequence and first phase",
	NULL,
};

static const struct adn_elem_desc gen_source_desc = {
	.name = "GenSource",
	.help = "in-memory traffic source: precomputed Zipf flow sequence, recycled mbufs",
	.flags = ADN_ELEM_SOURCE,
	.priv_size = sizeof(struct gen_source),
	.priv_is_state = true,
	.priv_free = gen_state_destroy,
	.n_outputs = GEN_SOURCE_N_OUT,
	.args = gen_source_args,
	.configure = gen_source_configure,
	.rx = gen_source_rx,
	ADN_ELEM_EXEC_STAGE(gen_source),
	.xstats = gen_source_xstats,
	.control = gen_source_control,
	.control_help = gen_source_control_help,
};

ADN_ELEM_REGISTER(gen_source_desc);
