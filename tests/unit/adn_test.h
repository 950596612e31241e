/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test harness shared by the CUnit suites: EAL without hugepages or PCI,
 * a packet pool, pipelines built from config text, a TestSource element
 * fed from the test and a TestSink element that keeps what reaches it.
 */
#ifndef _ADN_TEST_H_
#define _ADN_TEST_H_

#include <stdbool.h>
#include <stdint.h>

#include <CUnit/Basic.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "adn_errs.h"
#include "adn_pipeline.h"

struct rte_ring;

#define ADN_TEST_SINK_MAX 4096

/* Per-sink capture, the priv of a TestSink. */
struct adn_test_sink {
	unsigned int n;
	struct rte_mbuf *pkts[ADN_TEST_SINK_MAX];
};

/* Init EAL once per process (unique --file-prefix from `name` + pid),
 * lcore 0 not pinned: free to run on any CPU the process may use. */
int adn_test_eal_init(const char *name);
/* The same on lcores `lcores` (e.g. "0-1" for suites that launch
 * workers). */
int adn_test_eal_init_lcores(const char *name, const char *lcores);
struct rte_mempool *adn_test_pool(void);

/* Init EAL, the CUnit registry and one suite, all named `name`: the start
 * of every suite's main(). Returns the suite to add cases to, or NULL when
 * any step failed (main then returns non-zero). */
CU_pSuite adn_test_suite(const char *name);
/* The same with EAL on lcores `lcores` (adn_test_eal_init_lcores). */
CU_pSuite adn_test_suite_lcores(const char *name, const char *lcores);

/* Write `text` to a temp file named after `tag`, parse it, parse ports and
 * build; the config stays alive until adn_test_main() returns. Returns NULL
 * on error with messages in `errs`; with `errs` NULL (a case that expects
 * the build to succeed) they are printed to stdout instead, so the failing
 * case shows why, and dropped. */
struct adn_pipeline *adn_test_build(const char *tag, const char *text,
				    struct adn_errs *errs);
/* The temp file path of the last adn_test_build (for message checks). */
const char *adn_test_last_path(void);

/*
 * The one-element chain around the element under test:
 *
 *   TestSource "src" -> `type` "x" (config `keys`) -> TestSink "out"
 *
 * `keys` is the rest of x's setting ("" for none, else "key = value; ...").
 * adn_test_chain_outputs links x's outputs 0 .. n_outputs-1 all to "out"
 * (x[0] as "src -> x -> out"); adn_test_chain is the single-output case.
 * Build and errors as adn_test_build (`errs` NULL: print and drop); a
 * config text over 2 KiB fails the case.
 */
struct adn_pipeline *adn_test_chain(const char *tag, const char *type,
				    const char *keys, struct adn_errs *errs);
struct adn_pipeline *adn_test_chain_outputs(const char *tag, const char *type,
					    const char *keys,
					    unsigned int n_outputs,
					    struct adn_errs *errs);

/* The same chain built on state registry `reg` (adn_state.h) and
 * committed, as a plan swap or a reload builds its new version beside the
 * live one: elements that keep their name, type and shape get the live
 * state. Errors are printed; NULL on any. */
struct adn_state_reg;
struct adn_pipeline *adn_test_chain_on(struct adn_state_reg *reg,
				       const char *tag, const char *type,
				       const char *keys,
				       unsigned int n_outputs);

/* The chain of adn_test_chain_outputs with `keys` must fail to build,
 * with an error that contains `want` (printed when not) and names the
 * config file and line. */
void adn_test_config_error(const char *type, const char *keys,
			   unsigned int n_outputs, const char *want);

/* Push `n` packets into source element `src` and run the pipeline. */
void adn_test_run(struct adn_pipeline *p, const char *src,
		  struct rte_mbuf **pkts, unsigned int n);

struct adn_test_sink *adn_test_sink(struct adn_pipeline *p,
				    const char *name);
/* Free what a sink captured. */
void adn_test_sink_clear(struct adn_test_sink *s);

void adn_test_free(struct adn_pipeline *p);

/* Packets element `elem` of `p` dropped with the reason named `reason` (its
 * own reasons or the core's), summed over workers. A missing element fails
 * the case; an unknown reason is a CU_FAIL and counts 0. */
/* e's counters for comparing runs: adn_elem_totals without the
 * profiler's timings (cycles, timed_in), which differ run to run. */
void adn_test_counters(const struct adn_elem *e, struct adn_elem_totals *t);
/* Write `text` to `path` (a failure fails the test). */
void adn_test_write_file(const char *path, const char *text);
/* Clear the profiler's timings of `t` (from adn_runtime_elem_totals). */
void adn_test_untimed(struct adn_elem_totals *t);

uint64_t adn_test_drops(struct adn_pipeline *p, const char *elem,
			const char *reason);

/* The value of element `elem`'s xstat `name`. A missing element fails the
 * case; an unknown name is a CU_FAIL and reads UINT64_MAX. */
uint64_t adn_test_xstat(struct adn_pipeline *p, const char *elem,
			const char *name);

/* The IPv4 header of an untagged Ethernet frame such as adn_test_ipv4
 * builds (right after the 14-byte Ethernet header). */
struct rte_ipv4_hdr *adn_test_ipv4_hdr(struct rte_mbuf *m);

/* A valid Ethernet/IPv4 frame of `len` bytes: proto 6/17 get TCP/UDP
 * headers with the given ports, anything else raw payload. */
struct rte_mbuf *adn_test_ipv4(uint8_t proto, uint16_t sport, uint16_t dport,
			       uint8_t ttl, uint16_t len);

/* adn_test_ipv4 from src:sport to dst:dport (host order), `len` bytes;
 * fails the case when the pool is empty. */
struct rte_mbuf *adn_test_ipv4_flow(uint8_t proto, uint32_t src,
				    uint16_t sport, uint32_t dst,
				    uint16_t dport, uint16_t len);

/* A TCP segment 10.0.0.1:sport -> 10.0.0.2:80 with sequence number `seq`,
 * TCP flags `fl` and `len` bytes of payload `pl` (L7 tests). */
struct rte_mbuf *adn_test_tcp(uint16_t sport, uint32_t seq, uint8_t fl,
			      const void *pl, size_t len);

/*
 * The trace the template and swap tests share: half its packets in 48
 * heavy flows, the rest in flows seen about once; TCP, UDP and ICMP; 2 %
 * bad IP checksums, 2 % ARP, 1 % truncated after 10 bytes of IP; aimed at
 * the prefixes of the route file adn_test_trace_routes writes (next hops
 * 1-4, a default route). adn_test_trace_pkt(i) is the same packet on every
 * call (allocated from the test pool).
 */
int adn_test_trace_routes(const char *path);
struct rte_mbuf *adn_test_trace_pkt(unsigned int i);

/* Rings TestRing elements poll, by queue (set by the test). TestDigest
 * sinks keep a digest of what they took (xstats count, bytes, sum, xor),
 * as state that survives pipeline swaps. */
#define ADN_TEST_RINGS 4
extern struct rte_ring *adn_test_rings[ADN_TEST_RINGS];

/* Run the CUnit registry built by the caller; returns the exit status. */
int adn_test_main(void);

#endif /* _ADN_TEST_H_ */
