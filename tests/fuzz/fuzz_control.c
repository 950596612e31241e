/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control commands of every element: an input is lines "ELEMENT COMMAND"
 * (the element by name, or by its index as a digit 0-9 for the fuzzer's
 * convenience) sent to the reference pipeline (adn_fuzz_pipeline_cfg),
 * as `/adn/control` and adn-ctl send them. After the commands, a fixed
 * set of packets runs under a plain and a fastpath plan, so state a
 * command left half-changed (a route table, Snat's mappings, a stale
 * fastpath cache) shows on the data path; every mbuf must come back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mempool.h>

#include "adn_fuzz.h"
#include "adn_test.h"

#define LINE_MAX_ 1024
#define MAX_LINES 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct adn_pipeline *pipe;
static struct adn_exec *execs[2];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const plans[] = { "batch", "fastpath16" };

	adn_fuzz_eal("fuzz_control");
	pipe = adn_fuzz_pipeline("fuzz_control", plans, RTE_DIM(plans), execs,
				 NULL);
	return 0;
}

/* TCP, UDP and ICMP packets to addresses the commands may route, and a
 * CLIP-less non-IPv4 frame. */
static void
run_packets(struct adn_exec *x)
{
	static const uint16_t dports[] = { 80, 53, 0 };
	static const uint8_t protos[] = { 6, 17, 1 };
	struct rte_mempool *pool = adn_test_pool();
	unsigned int in_use = rte_mempool_in_use_count(pool);
	struct adn_elem *src = adn_pipeline_find(pipe, "src");
	struct adn_batch *b = adn_exec_source_batch(x, src);

	b->n = 0;
	for (unsigned int i = 0; i < 24; i++) {
		struct rte_mbuf *m = adn_test_ipv4(protos[i % 3],
						   (uint16_t)(1000 + i),
						   dports[i % 3], 64, 80);

		if (m == NULL)
			abort();
		adn_test_ipv4_hdr(m)->dst_addr =
			rte_cpu_to_be_32(UINT32_C(0x0a000000) * (i & 1) +
					 (i << 20));
		adn_test_ipv4_hdr(m)->hdr_checksum = 0;
		adn_test_ipv4_hdr(m)->hdr_checksum =
			rte_ipv4_cksum(adn_test_ipv4_hdr(m));
		b->pkts[b->n++] = m;
	}
	adn_exec_run(x, src->index);
	adn_fuzz_release_all(pipe, x);
	if (adn_exec_in_flight(x) != 0 ||
	    rte_mempool_in_use_count(pool) != in_use) {
		fprintf(stderr, "packets lost after control commands\n");
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	unsigned int lines = 0;

	while (p < end && lines++ < MAX_LINES) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[LINE_MAX_], reply[4096], *cmd;
		struct adn_elem *e;

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl != NULL);
		cmd = strchr(line, ' ');
		if (cmd == NULL)
			continue;
		*cmd++ = '\0';
		if (line[0] >= '0' && line[0] <= '9' && line[1] == '\0')
			e = (unsigned int)(line[0] - '0') <
				adn_pipeline_n_elems(pipe) ?
				adn_pipeline_elem(pipe, line[0] - '0') : NULL;
		else
			e = adn_pipeline_find(pipe, line);
		if (e != NULL)
			adn_elem_control(e, cmd, reply, sizeof(reply));
	}
	for (unsigned int i = 0; i < RTE_DIM(execs); i++)
		run_packets(execs[i]);
	return 0;
}
