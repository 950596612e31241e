/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control commands of every element: an input is lines "ELEMENT COMMAND"
 * (the element by name, or by its index as a digit 0-9 for the fuzzer's
 * convenience) sent to the reference pipeline (adn_fuzz_pipeline_cfg),
 * as `/adn/control` and adn-ctl send them. After the commands, a fixed
 * set of packets runs under a plain and a fastpath plan, so state a
 * command left half-changed (a route table, Snat's mappings, a stale
 * fastpath cache) shows on the data path; every mbuf must come back.
 *
 * Packet capture, as `/adn/capture` takes it: a line "capture TARGET FILE
 * [COUNT [SNAPLEN [MAX_BYTES]]]" goes through the parser the telemetry
 * command uses (adn_capture_args_parse) and adn_runtime_capture_start on
 * a runtime built from the same config (its plan fuses ppm+csum, so a
 * target inside a chain is refused); "capture" alone asks the status,
 * "capture/stop" stops. FILE is confined to the harness's directory: an
 * absolute one becomes DIR/cap with its slashes turned into '_'
 * (relative ones are passed as given: they must be refused). A capture
 * that starts sees the packets above through the runtime's executor; at
 * the end of the input it is stopped and its file removed (two starts an
 * input at most: later requests are parsed, not started). Checked: a
 * started capture writes where it was told, and its final status keeps
 * its bounds (written <= count and captured, bytes <= max_bytes).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_mempool.h>

#include "adn_capture.h"
#include "adn_fuzz.h"
#include "adn_runtime.h"
#include "adn_test.h"

#define LINE_MAX_ 1024
#define MAX_LINES 64
/* Captures started per input, at most: each costs ~30 ms (its 9 MiB
 * buffer pool, its writer thread); more would bury the other commands. */
#define MAX_CAPTURES 2

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct adn_pipeline *ref_pipe;
static struct adn_exec *execs[2];
/* The captures' runtime: built, not started (this thread runs its live
 * executor). */
static struct adn_runtime *rt;

/* At exit: it lives partly in DPDK memory (as adn_fuzz_pipeline's). */
static void
release(void)
{
	adn_runtime_free(rt);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const plans[] = { "batch", "fastpath16" };
	struct adn_errs errs = { 0 };
	char path[PATH_MAX];

	adn_fuzz_eal("fuzz_control");
	ref_pipe = adn_fuzz_pipeline("fuzz_control", plans, RTE_DIM(plans),
				     execs, NULL);
	adn_fuzz_pipeline_cfg(path, sizeof(path));
	if (adn_runtime_load(path, &errs, &rt) < 0 ||
	    adn_runtime_override_plan(rt, "batch,ppm+csum=fused2", &errs) < 0 ||
	    adn_runtime_build(rt, &errs) < 0) {
		adn_errs_print(&errs, stderr);
		abort();
	}
	atexit(release);
	return 0;
}

/* TCP, UDP and ICMP packets to addresses the commands may route, and a
 * CLIP-less non-IPv4 frame. */
static void
run_packets(struct adn_pipeline *p, struct adn_exec *x)
{
	static const uint16_t dports[] = { 80, 53, 0 };
	static const uint8_t protos[] = { 6, 17, 1 };
	struct rte_mempool *pool = adn_test_pool();
	unsigned int in_use = rte_mempool_in_use_count(pool);
	struct adn_elem *src = adn_pipeline_find(p, "src");
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
	adn_fuzz_release_all(p, x);
	if (adn_exec_in_flight(x) != 0 ||
	    rte_mempool_in_use_count(pool) != in_use) {
		fprintf(stderr, "packets lost after control commands\n");
		abort();
	}
}

/* The capture's status, as /adn/capture answers it, within its bounds. */
static void
capture_status(void)
{
	struct adn_capture_status st;

	adn_runtime_capture_status(rt, &st);
	if (st.target[0] != '\0' &&
	    (st.written > st.captured || st.written > st.count ||
	     st.bytes > st.max_bytes)) {
		fprintf(stderr, "capture %s: written %lu captured %lu count %lu, bytes %lu max %lu\n",
			st.target, (unsigned long)st.written,
			(unsigned long)st.captured, (unsigned long)st.count,
			(unsigned long)st.bytes, (unsigned long)st.max_bytes);
		abort();
	}
}

/* Files of the captures this input started, removed at its end. */
static char cap_files[MAX_CAPTURES][PATH_MAX];
static unsigned int n_cap_files;

/* "capture[/stop| PARAMS]" (`rest` after "capture"). */
static void
capture_line(const char *rest)
{
	struct adn_errs errs = { 0 };
	struct adn_capture_args a;
	char file[PATH_MAX];
	int rc;

	if (strcmp(rest, "/stop") == 0) {
		adn_runtime_capture_stop(rt);
		capture_status();
		return;
	}
	if (rest[0] != ' ' || rest[1 + strspn(rest + 1, " \t")] == '\0') {
		capture_status();
		return;
	}
	if (adn_capture_args_parse(rest + 1, &a, &errs) == 0 &&
	    n_cap_files < MAX_CAPTURES) {
		if (a.file[0] == '/') {
			size_t n = (size_t)snprintf(file, sizeof(file),
						    "%s/cap", adn_fuzz_dir());

			for (const char *c = a.file; *c && n + 1 < sizeof(file);
			     c++)
				file[n++] = *c == '/' ? '_' : *c;
			file[n] = '\0';
		} else {
			snprintf(file, sizeof(file), "%s", a.file);
		}
		rc = adn_runtime_capture_start(rt, a.target, file, &a.lim,
					       &errs);
		if (rc == 0) {
			struct adn_version *v = adn_runtime_live(rt);

			if (file[0] != '/' ||
			    strncmp(file, adn_fuzz_dir(),
				    strlen(adn_fuzz_dir())) != 0) {
				fprintf(stderr, "capture to '%s' started\n", file);
				abort();
			}
			snprintf(cap_files[n_cap_files++], PATH_MAX, "%s",
				 file);
			run_packets(adn_version_pipeline(v),
				    adn_version_exec(v, 0));
		}
	}
	capture_status();
	if (getenv("ADN_FUZZ_VERBOSE") != NULL)
		adn_errs_print(&errs, stderr);
	adn_errs_clear(&errs);
}

/* The input's capture stopped, its files gone. */
static void
capture_end(void)
{
	struct adn_capture_status st;

	adn_runtime_capture_stop(rt);
	adn_runtime_capture_status(rt, &st);
	if (st.active) {
		fprintf(stderr, "capture %s still active after stop\n",
			st.target);
		abort();
	}
	capture_status();
	for (unsigned int i = 0; i < n_cap_files; i++)
		unlink(cap_files[i]);
	n_cap_files = 0;
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
		if (strncmp(line, "capture", 7) == 0) {
			capture_line(line + 7);
			continue;
		}
		cmd = strchr(line, ' ');
		if (cmd == NULL)
			continue;
		*cmd++ = '\0';
		if (line[0] >= '0' && line[0] <= '9' && line[1] == '\0')
			e = (unsigned int)(line[0] - '0') <
				adn_pipeline_n_elems(ref_pipe) ?
				adn_pipeline_elem(ref_pipe, line[0] - '0') : NULL;
		else
			e = adn_pipeline_find(ref_pipe, line);
		if (e != NULL)
			adn_elem_control(e, cmd, reply, sizeof(reply));
	}
	for (unsigned int i = 0; i < RTE_DIM(execs); i++)
		run_packets(ref_pipe, execs[i]);
	capture_end();
	return 0;
}
