/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adn-priobench: the service mesh paper's experiment (§4), scaled down to
 * one process and no NIC (docs/benchmarking.md). A latency-sensitive
 * stream of small ADN RPC requests (user "ls") and a bulk stream with
 * `-x` times its bytes (user "bulk", 1400-byte frames) share an output
 * whose rate PrioSched holds at `-u` of the offered load:
 *
 *   BenchIn -> RpcParse -> Prioritize -> PrioSched -> LatSink
 *
 * Prioritize gives the ls requests class 0 (DSCP 46) and bulk class 1
 * (DSCP 0) in both runs; the runs differ only in PrioSched's classes:
 *   fifo  one class: every packet in one queue of `-q` packets;
 *   prio  two classes, 0 strict: a queue of `-q` packets each.
 * Same rate, same token bucket. Each packet carries the TSC time it was
 * due at the generator in its last 8 bytes; LatSink reads it when the
 * packet leaves PrioSched: the latency is the queueing delay in the
 * scheduler plus the pipeline, generator lag included. The generator and
 * the worker loop are one thread (the main lcore): it injects what is due
 * and polls PrioSched, as a worker's round does. The first second is
 * warm-up.
 *
 *   adn-priobench [-d SECONDS] [-l LS_PER_S] [-s LS_BYTES] [-x BULK_RATIO]
 *                 [-u OUTPUT_SHARE] [-q QUEUE] [-b BURST_BYTES]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libconfig.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "adn_elem.h"
#include "adn_errs.h"
#include "adn_pipeline.h"
#include "adn_port.h"
#include "adn_rpc_wire.h"

#define BULK_FRAME 1400
#define HDR_OFF (14 + 20 + 8)
#define MAX_SAMPLES (1u << 22)

/* --- the bench's own elements ----------------------------------------- */

/* BenchIn: a source the bench injects into; it passes what it gets. */
static int
bench_in_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	return 0;
}

static const struct adn_elem_desc bench_in_desc = {
	.name = "BenchIn",
	.help = "adn-priobench's source (packets injected by the bench)",
	.flags = ADN_ELEM_SOURCE,
	.n_outputs = 1,
	.exec = bench_in_exec,
};
ADN_ELEM_REGISTER(bench_in_desc);

/* What LatSink saw, after the warm-up. */
static struct {
	uint64_t warm_until;
	uint64_t *ls_lat;	/* TSC cycles */
	uint64_t n_ls, bulk_bytes, n_bulk;
} seen;

static void
lat_sink_process(struct adn_elem *e, struct adn_batch *b)
{
	const uint64_t now = rte_rdtsc();

	for (uint16_t i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			const struct rte_ipv4_hdr *, 14);
		uint64_t t;

		memcpy(&t, rte_pktmbuf_mtod_offset(m, uint8_t *,
			rte_pktmbuf_pkt_len(m) - 8), 8);
		if (t >= seen.warm_until) {
			if (ip->type_of_service >> 2 == 46) {
				if (seen.n_ls < MAX_SAMPLES)
					seen.ls_lat[seen.n_ls++] = now - t;
			} else {
				seen.n_bulk++;
				seen.bulk_bytes += rte_pktmbuf_pkt_len(m);
			}
		}
		rte_pktmbuf_free(m);
		b->out[i] = ADN_CONSUMED;
	}
}

static const struct adn_elem_desc lat_sink_desc = {
	.name = "LatSink",
	.help = "adn-priobench's sink: latency of class-0 packets, bulk bytes",
	.n_outputs = 0,
	.process = lat_sink_process,
};
ADN_ELEM_REGISTER(lat_sink_desc);

/* --- traffic ------------------------------------------------------------ */

static struct rte_mempool *pool;

/* An ADN RPC request of `len` frame bytes from `user`, stamped with
 * `due` in its last 8 bytes. */
static struct rte_mbuf *
make(const char *user, uint16_t sport, uint32_t id, uint16_t len,
     uint64_t due)
{
	const struct adn_rpc_field_val f = { .id = 1,
		.type = ADN_RPC_FT_STRING, .val = user,
		.len = (uint16_t)strlen(user) };
	const size_t hl = adn_rpc_hdr_size(&f, 1);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *u;
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	memset(p, 0, HDR_OFF);
	eth = (struct rte_ether_hdr *)p;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len - 14);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(0x0a000001);
	ip->dst_addr = rte_cpu_to_be_32(0x0a000002);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	u = (struct rte_udp_hdr *)(ip + 1);
	u->src_port = rte_cpu_to_be_16(sport);
	u->dst_port = rte_cpu_to_be_16(9000);
	u->dgram_len = rte_cpu_to_be_16(len - 34);
	adn_rpc_encode(p + HDR_OFF, hl, ADN_RPC_T_REQUEST, 0, id, 1, 1,
		       (uint32_t)(len - HDR_OFF - hl), &f, 1);
	memset(p + HDR_OFF + hl, 'a', len - HDR_OFF - hl);
	memcpy(p + len - 8, &due, 8);
	return m;
}

struct run_conf {
	double secs, ls_pps, ratio, share;
	unsigned int ls_bytes, queue, burst;
};

struct run_result {
	double p50_us, p99_us, p999_us, bulk_mbps;
	uint64_t ls_out, ls_in, bulk_in, bulk_out, drops;
};

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
run(const struct run_conf *c, bool prio, struct run_result *r)
{
	const uint64_t hz = rte_get_tsc_hz();
	const double ls_Bps = c->ls_pps * c->ls_bytes;
	const double bulk_pps = ls_Bps * c->ratio / BULK_FRAME;
	const double out_bps = (ls_Bps + ls_Bps * c->ratio) * 8 * c->share;
	const uint64_t ls_gap = (uint64_t)(hz / c->ls_pps);
	const uint64_t bulk_gap = (uint64_t)(hz / bulk_pps);
	struct adn_errs errs = { 0 };
	struct adn_elem *in, *ps;
	struct adn_pipeline *p;
	struct adn_exec *x;
	uint64_t start, end, next_ls, next_bulk, warm_ls = 0, warm_bulk = 0;
	uint32_t id = 0;
	char text[2048];
	config_t cfg;

	snprintf(text, sizeof(text),
		 "elements = (\n"
		 " { name = \"in\"; type = \"BenchIn\"; },\n"
		 " { name = \"rp\"; type = \"RpcParse\"; udp_ports = [ 9000 ]; },\n"
		 " { name = \"pr\"; type = \"Prioritize\"; view = { user = \"rpc:1\"; };\n"
		 "   rules = ( { field = \"user\"; value = \"ls\"; class = 0; } );\n"
		 "   dscp = [ 46, 0 ]; },\n"
		 " { name = \"ps\"; type = \"PrioSched\"; classes = %s;\n"
		 "   rate = %" PRIu64 "; burst = %u; queue = %u; },\n"
		 " { name = \"sink\"; type = \"LatSink\"; },\n"
		 " { name = \"drop\"; type = \"Discard\"; }\n"
		 ");\n"
		 "links = ( \"in -> rp -> pr -> ps -> sink\", \"rp[1] -> drop\" );\n",
		 prio ? "( [ 46 ], [ 0 ] )" : "( [ ] )", (uint64_t)out_bps,
		 c->burst, c->queue);
	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		fprintf(stderr, "config: %s\n", config_error_text(&cfg));
		return -EINVAL;
	}
	if (adn_pipeline_build(&cfg, NULL, 1, &errs, &p) < 0) {
		adn_errs_print(&errs, stderr);
		adn_errs_clear(&errs);
		return -EINVAL;
	}
	x = adn_exec_create(p, 0);
	in = adn_pipeline_find(p, "in");
	ps = adn_pipeline_find(p, "ps");
	memset(r, 0, sizeof(*r));
	seen.n_ls = seen.n_bulk = seen.bulk_bytes = 0;
	start = rte_rdtsc();
	seen.warm_until = start + hz;
	end = start + (uint64_t)(c->secs * (double)hz);
	next_ls = next_bulk = start;
	for (uint64_t now = start; now < end; now = rte_rdtsc()) {
		struct adn_batch *b = adn_exec_source_batch(x, in);
		uint16_t n = 0;

		while (n < 64 && (next_ls <= now || next_bulk <= now)) {
			const bool ls = next_ls <= next_bulk;
			const uint64_t due = ls ? next_ls : next_bulk;
			struct rte_mbuf *m = ls ?
				make("ls", 4000, ++id, (uint16_t)c->ls_bytes,
				     due) :
				make("bulk", 5000, ++id, BULK_FRAME, due);

			if (m == NULL)
				break;
			if (due >= seen.warm_until)
				*(ls ? &warm_ls : &warm_bulk) += 1;
			b->pkts[n++] = m;
			if (ls)
				next_ls += ls_gap;
			else
				next_bulk += bulk_gap;
		}
		if (n) {
			b->n = n;
			adn_exec_run(x, in->index);
		}
		adn_exec_release(x, ps);
	}
	r->ls_in = warm_ls;
	r->bulk_in = warm_bulk;
	r->ls_out = seen.n_ls;
	r->bulk_out = seen.n_bulk;
	r->bulk_mbps = (double)seen.bulk_bytes * 8 / (c->secs - 1) / 1e6;
	for (unsigned int w = 0; w < 1; w++)
		for (unsigned int d = 0; d < ADN_N_DROP_SLOTS; d++)
			r->drops += ps->stats[w].drop[d];
	qsort(seen.ls_lat, seen.n_ls, sizeof(uint64_t), cmp_u64);
	if (seen.n_ls) {
		const double us = 1e6 / (double)hz;

		r->p50_us = (double)seen.ls_lat[seen.n_ls / 2] * us;
		r->p99_us = (double)seen.ls_lat[seen.n_ls * 99 / 100] * us;
		r->p999_us = (double)seen.ls_lat[seen.n_ls * 999 / 1000] * us;
	}
	adn_exec_free(x);
	adn_pipeline_free(p);
	config_destroy(&cfg);
	return 0;
}

int
main(int argc, char **argv)
{
	struct run_conf c = { .secs = 6, .ls_pps = 1000, .ratio = 200,
			      .share = 0.9, .ls_bytes = 200, .queue = 512,
			      .burst = 16384 };
	char prefix[64];
	char *eargv[] = { argv[0], "--no-huge", "-m", "512", "--no-pci", "-l",
			  "0", "--log-level", "*:error", "--file-prefix",
			  prefix, NULL };
	struct run_result res[2];
	int opt;

	while ((opt = getopt(argc, argv, "d:l:s:x:u:q:b:h")) != -1) {
		switch (opt) {
		case 'd': c.secs = atof(optarg); break;
		case 'l': c.ls_pps = atof(optarg); break;
		case 's': c.ls_bytes = (unsigned int)atoi(optarg); break;
		case 'x': c.ratio = atof(optarg); break;
		case 'u': c.share = atof(optarg); break;
		case 'q': c.queue = (unsigned int)atoi(optarg); break;
		case 'b': c.burst = (unsigned int)atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-d SECONDS] [-l LS_PER_S] [-s LS_BYTES] [-x BULK_RATIO] [-u OUTPUT_SHARE] [-q QUEUE] [-b BURST]\n",
				argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (c.secs <= 1.5 || c.ls_pps <= 0 || c.ls_bytes < 64 ||
	    c.ls_bytes > 1500 || c.ratio <= 0 || c.share <= 0 ||
	    c.queue < 1 || c.burst < BULK_FRAME) {
		fprintf(stderr, "bad arguments (-d > 1.5, -s 64-1500)\n");
		return 2;
	}
	snprintf(prefix, sizeof(prefix), "adn-priobench-%d", (int)getpid());
	if (rte_eal_init(RTE_DIM(eargv) - 1, eargv) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	pool = adn_pktmbuf_pool_create("priobench", 16383, 256,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id(), false);
	seen.ls_lat = malloc(sizeof(uint64_t) * MAX_SAMPLES);
	if (pool == NULL || seen.ls_lat == NULL) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	for (int k = 0; k < 2; k++)
		if (run(&c, k == 1, &res[k]) < 0)
			return 1;
	printf("ls %.0f req/s x %u B, bulk x%.0f bytes (%u B frames), output %.0f%% of offered = %.1f Mbit/s, burst %u B, queue %u, %.0f s (1 s warm-up)\n\n",
	       c.ls_pps, c.ls_bytes, c.ratio, BULK_FRAME, c.share * 100,
	       c.ls_pps * c.ls_bytes * (1 + c.ratio) * 8 * c.share / 1e6,
	       c.burst, c.queue, c.secs);
	printf("| scheduler | ls p50 us | ls p99 us | ls p99.9 us | ls delivered | bulk Mbit/s | bulk delivered | sched drops |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (int k = 0; k < 2; k++)
		printf("| %s | %.1f | %.1f | %.1f | %" PRIu64 "/%" PRIu64
		       " | %.1f | %" PRIu64 "/%" PRIu64 " | %" PRIu64 " |\n",
		       k ? "prio (strict class 0)" : "fifo (one class)",
		       res[k].p50_us, res[k].p99_us, res[k].p999_us,
		       res[k].ls_out, res[k].ls_in, res[k].bulk_mbps,
		       res[k].bulk_out, res[k].bulk_in, res[k].drops);
	printf("\np99 ratio fifo/prio: %.1fx; bulk throughput cost: %.2f%%\n",
	       res[1].p99_us > 0 ? res[0].p99_us / res[1].p99_us : 0.0,
	       res[0].bulk_mbps > 0 ? 100.0 * (res[0].bulk_mbps -
					       res[1].bulk_mbps) /
	       res[0].bulk_mbps : 0.0);
	rte_eal_cleanup();
	return 0;
}
