/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLIP SNAT (CLIP §IV, Appendix A): the switch keys on the 5-tuple, a miss
 * flies to a server that allocates a public <address, port> and remembers
 * it in its mirrored table; post-processing on the switch rewrites the
 * source address and port and fixes the IPv4 and L4 checksums.
 *
 *   params (13 bytes): src_ip(4) dst_ip(4) src_port(2) dst_port(2) proto(1)
 *   result  (6 bytes): new_src_ip(4) new_src_port(2)
 * all in network byte order.
 *
 * The server-side part here (adn_clip_snat_handle) is the handler logic
 * the ClipServer/Snat elements call; it is DPDK-free so the simulator and
 * tests drive the whole loop. Pairs come from lib/nf's pool and packets
 * are rewritten by lib/nf (adn_nat.h), the code Nat44 uses.
 */
#ifndef _ADN_CLIP_SNAT_H_
#define _ADN_CLIP_SNAT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adn_clip_switch.h"
#include "adn_clip_table.h"
#include "adn_nat.h"

#define ADN_CLIP_SNAT_PARAM_LEN		13
#define ADN_CLIP_SNAT_RESULT_LEN	6

/* The SNAT application for adn_clip_switch_conf.app. */
extern const struct adn_clip_app adn_clip_app_snat;

/* Encode a translation as a result blob (ip and port in host order). */
void adn_clip_snat_result(uint8_t result[ADN_CLIP_SNAT_RESULT_LEN],
			  uint32_t ip, uint16_t port);

/*
 * The remote handler: turn the SNAT request in frame into its response in
 * place. The flow's mapping is looked up in `mirror` (entries' server =
 * owner) and allocated from `pool` on a miss (*created = true), in pair
 * order (no port preference). Handler
 * failures are answered with a status (NO_RESOURCE, BAD_REQUEST,
 * NO_HANDLER) and return 0: the response still goes back. Returns a
 * negative errno only when frame is not a valid CLIP request (drop it).
 */
int adn_clip_snat_handle(struct adn_clip_table *mirror, uint16_t server_id,
			 struct adn_nat_pool *pool, uint8_t *frame,
			 size_t len, bool *created);

/*
 * Text form of a flow and of its mapping, the one the Snat element's
 * control commands print and adn-switchsim parses from a server's
 * telemetry reply (one format, one place):
 *
 *   flow:     SRC_IP:SRC_PORT DST_IP:DST_PORT PROTO     (PROTO tcp, udp,
 *             6 or 17; printed as tcp/udp)
 *   mapping:  FLOW -> NEW_IP:NEW_PORT server ID
 *
 * A mapping line is at most ADN_CLIP_SNAT_LINE_MAX bytes with its NUL,
 * short enough for one DPDK telemetry string (127 bytes).
 */
#define ADN_CLIP_SNAT_LINE_MAX 96

/* Parse a flow at s into key (network order fields). *end (may be NULL)
 * points past it. Returns 0 or -EINVAL, with the reason in why (may be
 * NULL). */
int adn_clip_snat_flow_parse(const char *s, struct adn_flow_key *key,
			     const char **end, char *why, size_t why_len);
/* Print flow key into buf; snprintf's return. */
int adn_clip_snat_flow_format(const struct adn_flow_key *key, char *buf,
			      size_t len);
/* Print SNAT entry e as a mapping line; snprintf's return. -EINVAL when
 * e's result is not a SNAT result. */
int adn_clip_snat_entry_format(const struct adn_clip_entry *e, char *buf,
			       size_t len);
/* Parse a mapping line (trailing text ignored) into e: key, server,
 * result. Returns 0 or -EINVAL. */
int adn_clip_snat_entry_parse(const char *s, struct adn_clip_entry *e);

#endif /* _ADN_CLIP_SNAT_H_ */
