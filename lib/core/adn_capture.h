/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture at an element output (VPP's `pcap trace`, dpdk-dumpcap
 * inside the graph): the packets element E sends on output P (or on every
 * output) are copied into a pcapng file, one Interface Description Block
 * named "E:P" (or "E"), nanosecond timestamps, bounded in packets and
 * bytes.
 *
 * Data path. Each executor has a tap pointer, NULL unless a capture runs:
 * the executor tests it once per element batch it routes (and per packet
 * and element under `scalar`). When set, matching packets are copied (the
 * first `snaplen` bytes, any number of segments) into mbufs of the
 * capture's own pool with their original length and TSC, and enqueued on
 * a multi-producer ring; no room is a counted capture drop, never a wait.
 * The worker never frees or changes the packet. A writer thread
 * ("adn-capture") drains the ring into the file.
 *
 * Edges inside a fused chain (templates fused, jit) are crossed without
 * the executor, so a capture there is refused, naming the chain.
 *
 * Versions. The capture follows swaps: a version published while it runs
 * gets a tap resolved by name in its pipeline; when the new version has
 * no such output (element removed, output gone, edge now fused) the
 * capture ends with that reason. Ending clears the tap of every alive
 * version's executors and waits a grace period (rt->qsbr) before the ring
 * and pool go.
 *
 * Threads: these functions are for the control or telemetry thread; they
 * serialize on the runtime's control lock. adn_runtime_stop and
 * adn_runtime_free end a running capture with its file closed and valid.
 */
#ifndef _ADN_CAPTURE_H_
#define _ADN_CAPTURE_H_

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "adn_errs.h"
#include "adn_pipeline.h"

struct adn_runtime;

#define ADN_CAPTURE_COUNT 1000			/* default packets */
#define ADN_CAPTURE_SNAPLEN 262144		/* default: whole frames */
#define ADN_CAPTURE_MAX_BYTES (64ull << 20)	/* default file size */

/* Bounds of a capture; 0 in a field: its default. */
struct adn_capture_limits {
	uint64_t count;		/* packets in the file */
	uint32_t snaplen;	/* bytes kept of each packet, 1-262144 */
	uint64_t max_bytes;	/* file size, headers included */
};

#define ADN_CAPTURE_REASON_MAX 160

struct adn_capture_status {
	bool active;		/* the writer still takes packets */
	char target[ADN_NAME_MAX + 8];	/* "E:P" or "E"; "" when none ran */
	char file[PATH_MAX];
	uint64_t captured;	/* copied off the data path */
	uint64_t written;	/* in the file */
	uint64_t bytes;		/* of the file */
	uint64_t dropped;	/* matched, but the ring or pool was full */
	uint64_t count, max_bytes;
	uint32_t snaplen;
	/* Why it ended: "count", "bytes", "stopped", "element removed",
	 * "output N removed", "output N fused ...", "error: ..."; "" while
	 * it runs. */
	char reason[ADN_CAPTURE_REASON_MAX];
};

/* /adn/capture's parameters, cut into words. */
struct adn_capture_args {
	const char *target, *file;	/* into buf; NULL when missing */
	struct adn_capture_limits lim;
	char buf[PATH_MAX + 256];
};

/*
 * Parse `params` of /adn/capture, "TARGET FILE [COUNT [SNAPLEN
 * [MAX_BYTES]]]" (words separated by blanks; numbers whole, COUNT and
 * MAX_BYTES at least 1, SNAPLEN 1-ADN_CAPTURE_SNAPLEN), into *a. Returns
 * 0, or -EINVAL with the usage or the bad number in `errs`. The target
 * and the file are checked by adn_runtime_capture_start. Any thread; `a`
 * is the caller's.
 */
int adn_capture_args_parse(const char *params, struct adn_capture_args *a,
			   struct adn_errs *errs);

/*
 * Start capturing the packets that leave `target` ("ELEMENT" or
 * "ELEMENT:OUTPUT", output by number) of the live version into a new
 * pcapng file at absolute path `path`, created 0600 with O_EXCL and
 * O_NOFOLLOW (an existing file or symlink is never written). `lim` may be
 * NULL (defaults). Returns 0, or a negative errno with every reason in
 * `errs`: no such element or output, an output inside a fused chain, a
 * capture already running, a bad path or limit, no memory.
 */
int adn_runtime_capture_start(struct adn_runtime *rt, const char *target,
			      const char *path,
			      const struct adn_capture_limits *lim,
			      struct adn_errs *errs);

/* End the running capture ("stopped"): every packet copied so far is
 * written, the file closed. 0, or -ENOENT when none runs. */
int adn_runtime_capture_stop(struct adn_runtime *rt);

/* The running capture's status, or the last one's; all zero and empty
 * when none ran. */
void adn_runtime_capture_status(struct adn_runtime *rt,
				struct adn_capture_status *out);

#endif /* _ADN_CAPTURE_H_ */
