/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the fuzz harnesses share: EAL once per process, a private directory
 * for the files an input brings along, and the split of an input into
 * parts. A harness defines LLVMFuzzerTestOneInput (and usually
 * LLVMFuzzerInitialize); it is linked with libFuzzer in a clang build
 * (-Dfuzz=true) or with replay.c, which runs given inputs once (the seed
 * corpus and the crash regressions in every build). With
 * ADN_FUZZ_VERBOSE set, harnesses print the errors an input gets.
 */
#ifndef _ADN_FUZZ_H_
#define _ADN_FUZZ_H_

#include <stddef.h>
#include <stdint.h>

/* Parts of an input are separated by this line. */
#define ADN_FUZZ_SEP "\n%%\n"

struct adn_fuzz_part {
	const uint8_t *data;
	size_t len;
};

/* EAL (no hugepages, no PCI, one lcore, a private --file-prefix) and the
 * test mbuf pool, and jit plans fall back to `fused` (a compiler per input
 * would bury the fuzzer): call from LLVMFuzzerInitialize. Aborts on
 * failure: a harness without EAL tests nothing. */
void adn_fuzz_eal(const char *name);

/* A directory private to this process, removed at exit. */
const char *adn_fuzz_dir(void);

/* Write `len` bytes to `name` in adn_fuzz_dir(); its path in `path`.
 * Aborts on failure (the harness, not the input, is broken then). */
void adn_fuzz_file(const char *name, const void *data, size_t len,
		   char *path, size_t plen);

/* Split data at ADN_FUZZ_SEP into at most `max` parts (the last one takes
 * the rest); returns how many. */
unsigned int adn_fuzz_split(const uint8_t *data, size_t size,
			    struct adn_fuzz_part *parts, unsigned int max);

/* A NUL-terminated copy of at most `max` bytes of a part (caller frees);
 * aborts when out of memory. */
char *adn_fuzz_str(const struct adn_fuzz_part *p, size_t max);

/* A rule set for PpmChain and lib/ppm: listeners, clusters, routes,
 * filters. */
extern const char adn_fuzz_ppm_rules[];

/*
 * Write the files of the reference pipeline (routes.txt, rules.cfg) and
 * its config (pipeline.cfg) to adn_fuzz_dir(); the config's path in
 * `path`. The pipeline holds every stage-form element of nfs/:
 *
 *   src -> chk -> ttl -> cls;  chk[1] (non-IPv4) -> clip (CLIP requests)
 *   clip[0] -> nat -> swap -> out;  clip[1] -> trd -> out
 *   cls[0] (tcp) -> ppm -> csum -> route;  ppm[1], ppm[2] -> out
 *   cls[1] (udp) -> route8;  cls[2] -> cnt -> out
 *   route[0] (no route) -> out
 *   route[1] -> flow -> sched -> acl -> meter -> nat44 -> lb -> out
 *   route[2] -> http -> dpi -> url -> rpcp -> prio -> racl -> rlb -> comp
 *     -> dec -> out  (their other outputs -> out)
 *   route8[0] -> out;  route8[1], route8[2] -> cnt
 *
 * route is LpmRoute's radix trie (walked in exec), route8 its dir24_8
 * table (looked up in its bulk stage), so both table kinds see every
 * template's packets; route8's successor is shared, so plans that name
 * route+flow stay valid.
 *
 * with `src` a TestSource and `out` a Discard, so every packet ends freed
 * once `sched` (PrioSched, a queue element shaped to 100 kpps with a burst
 * of 4: it holds packets) has released them or been flushed:
 * adn_fuzz_release_all.
 */
void adn_fuzz_pipeline_cfg(char *path, size_t len);

struct adn_pipeline;
struct adn_exec;

/* After a run: what x's queue elements release now (as a worker's poll
 * round does), then the rest of what they hold freed and counted as
 * dropped (adn_pipeline_flush), so no mbuf stays held past an input.
 * Control thread, with no other executor of `p` running. */
void adn_fuzz_release_all(struct adn_pipeline *p, struct adn_exec *x);

/* The reference pipeline built (adn_test_build), and one executor for
 * each of the n `plans` in execs[] with its batch size in bursts[] (may
 * be NULL). Aborts when any of it fails: the harness is broken then. At
 * exit it is all freed: it lives partly in DPDK memory, which
 * LeakSanitizer does not scan, so it would be reported as leaked. */
struct adn_pipeline *adn_fuzz_pipeline(const char *tag,
				       const char *const *plans,
				       unsigned int n, struct adn_exec **execs,
				       uint16_t *bursts);

#endif /* _ADN_FUZZ_H_ */
