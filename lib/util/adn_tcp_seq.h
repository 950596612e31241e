/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP sequence-space arithmetic shared by everything that follows a
 * stream: CLIP's retransmission detection (lib/clip/adn_clip_trd.c) and
 * the L7 stream tracker (lib/l7/adn_tcp_stream.c), so both call the same
 * segment a retransmission.
 */
#ifndef _ADN_TCP_SEQ_H_
#define _ADN_TCP_SEQ_H_

#include <stdbool.h>
#include <stdint.h>

#define ADN_TCP_FIN 0x01
#define ADN_TCP_SYN 0x02
#define ADN_TCP_RST 0x04
#define ADN_TCP_ACK 0x10

/* Serial-number arithmetic (RFC 1982): a before b. */
static inline bool
adn_tcp_seq_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

/* Sequence numbers a segment takes: its payload, SYN and FIN one each. */
static inline uint32_t
adn_tcp_seg_len(uint32_t payload, uint8_t tcp_flags)
{
	return payload + !!(tcp_flags & ADN_TCP_SYN) +
		!!(tcp_flags & ADN_TCP_FIN);
}

#endif /* _ADN_TCP_SEQ_H_ */
