/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Observability of a running adn-nf: one-line periodic stats, the final
 * per-element table, a JSON dump, and rte_telemetry commands under /adn/.
 * All readers run on the main lcore or the telemetry thread and read the
 * workers' counters without locks (64-bit loads; exact once stopped).
 */
#ifndef _ADN_STATS_H_
#define _ADN_STATS_H_

#include <stdio.h>

#include "adn_runtime.h"

struct adn_stats_prev {
	uint64_t tsc;
	uint64_t rx[ADN_MAX_PORTS], tx[ADN_MAX_PORTS];
	uint64_t received, transmitted, dropped;
};

/* "[  2.0s] wire: rx N (R pps) tx N (R pps) drop N | pipeline: ...". */
void adn_stats_print_line(struct adn_runtime *rt, struct adn_stats_prev *prev,
			  FILE *f);

/* Final totals, per-port counters, and a per-element table with every
 * non-zero drop reason; rates are over `elapsed` seconds of traffic (0:
 * no rates). */
void adn_stats_print_table(struct adn_runtime *rt, double elapsed, FILE *f);

/* The same as JSON (for scripts and tests). Returns 0 or -errno. */
int adn_stats_write_json(struct adn_runtime *rt, double elapsed,
			 const char *path);

/* The live pipeline as a Graphviz digraph: elements with their type,
 * template and packets in, an edge per output with its packets, chains
 * as clusters. Returns 0 or -errno. */
int adn_stats_write_dot(struct adn_runtime *rt, const char *path);

/* Point the /adn/ telemetry commands at `rt` (registering them with DPDK
 * the first time). Commands run with the runtime held: */
int adn_telemetry_register(struct adn_runtime *rt);
/* ... until this returns (adn_runtime_free calls it first): it waits for
 * the commands in progress; later ones answer -ENODEV. */
void adn_telemetry_unregister(struct adn_runtime *rt);

/* Telemetry 22.11 writes strings into JSON as they are: replace what
 * would break the answer ('"', '\\', control characters) in place. */
void adn_tel_safe_string(char *s);

#endif /* _ADN_STATS_H_ */
