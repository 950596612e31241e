/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Token-bucket meters on rte_meter: srTCM (RFC 2697) or trTCM (RFC 2698),
 * colour-blind, over an array of buckets that share one profile (a class:
 * one bucket; flows: buckets indexed by a hash). Each bucket has its own
 * lock, so any worker may meter any bucket (uncontended when flows are
 * pinned to workers).
 */
#ifndef _ADN_METER_H_
#define _ADN_METER_H_

#include <stdint.h>

enum adn_meter_kind { ADN_METER_SRTCM, ADN_METER_TRTCM };

enum adn_meter_color { ADN_METER_GREEN, ADN_METER_YELLOW, ADN_METER_RED };

struct adn_meter_conf {
	enum adn_meter_kind kind;
	uint64_t cir;		/* bytes/s */
	uint64_t cbs;		/* bytes */
	uint64_t ebs;		/* srTCM: excess burst, bytes */
	uint64_t pir;		/* trTCM: peak rate (>= cir), bytes/s */
	uint64_t pbs;		/* trTCM: peak burst, bytes */
	uint32_t n_buckets;	/* power of two */
	int socket;
};

struct adn_meter;

/* 0, -EINVAL (rte_meter refuses the profile: a zero rate or burst, pir <
 * cir; n_buckets not a power of two) or -ENOMEM. Control thread. Buckets
 * start full. */
int adn_meter_create(const struct adn_meter_conf *c, struct adn_meter **out);
void adn_meter_free(struct adn_meter *m);
uint32_t adn_meter_mask(const struct adn_meter *m);

/* The colour of a packet of `len` bytes in bucket `b` (masked) at TSC time
 * `tsc` (not before the previous call's on that bucket), and count it.
 * Any worker. */
enum adn_meter_color adn_meter_color(struct adn_meter *m, uint32_t b,
				     uint32_t len, uint64_t tsc);

/* Packets and bytes by colour, summed over buckets; any thread. */
void adn_meter_counts(const struct adn_meter *m, uint64_t pkts[3],
		      uint64_t bytes[3]);

#endif /* _ADN_METER_H_ */
