/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A pcapng writer (IETF draft-ietf-opsawg-pcapng): one section, with
 * interfaces added at any time, Enhanced Packet Blocks with nanosecond
 * timestamps and Interface Statistics Blocks. Plain fd writes, no DPDK.
 *
 * Why not rte_pcapng: DPDK 22.11's rte_pcapng_fdopen writes one Interface
 * Description Block per ethdev port and has no call to add another
 * (rte_pcapng_add_interface came in 23.11), so a capture point inside the
 * element graph ("route:1") could not be named in the file.
 *
 * Blocks are written in host byte order (the Section Header's magic tells
 * readers which). Writes go through a buffer; the first write error
 * (ENOSPC, EFBIG, EIO for a write that made no progress) is kept and
 * returned by every later call, so a caller may check once. One thread at
 * a time per writer.
 */
#ifndef _ADN_PCAPNG_H_
#define _ADN_PCAPNG_H_

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define ADN_PCAPNG_LINKTYPE_ETHERNET 1

struct adn_pcapng;

/* Start a section on `fd` (the writer owns it from here, also on failure)
 * with options shb_os `os` and shb_userappl `appl` (either may be NULL).
 * Returns 0 and *out, or a negative errno. */
int adn_pcapng_open(int fd, const char *os, const char *appl,
		    struct adn_pcapng **out);

/* Add an Ethernet interface: if_name `name`, if_description `desc` (NULL:
 * none), if_tsresol 9 (nanoseconds), `snaplen`. Returns its interface id
 * (0, 1, ... in order) or a negative errno. */
int adn_pcapng_add_interface(struct adn_pcapng *w, const char *name,
			     const char *desc, uint32_t snaplen);

/* An Enhanced Packet Block on interface `ifid`: the captured bytes are
 * the `iovcnt` pieces of `iov` (their sum is the captured length),
 * `orig_len` the length on the wire, `ts_ns` nanoseconds since the epoch,
 * `comment` an opt_comment or NULL. 0 or a negative errno. */
int adn_pcapng_packet(struct adn_pcapng *w, uint32_t ifid, uint64_t ts_ns,
		      const struct iovec *iov, unsigned int iovcnt,
		      uint32_t orig_len, const char *comment);
/* Bytes adn_pcapng_packet adds to the file for `caplen` captured bytes. */
size_t adn_pcapng_packet_size(uint32_t caplen, const char *comment);

/* What an Interface Statistics Block reports of one interface. */
struct adn_pcapng_if_stats {
	uint64_t start_ns, end_ns;	/* isb_starttime, isb_endtime */
	uint64_t received;		/* isb_ifrecv: packets seen */
	uint64_t dropped;		/* isb_ifdrop: lost for lack of room */
	uint64_t delivered;		/* isb_usrdeliv: written to the file */
};

/* An Interface Statistics Block for `ifid` at `ts_ns`. 0 or -errno. */
int adn_pcapng_if_stats(struct adn_pcapng *w, uint32_t ifid, uint64_t ts_ns,
			const struct adn_pcapng_if_stats *st);
/* Bytes adn_pcapng_if_stats adds to the file. */
size_t adn_pcapng_if_stats_size(void);

/* Bytes of the file so far, buffered ones included. */
uint64_t adn_pcapng_bytes(const struct adn_pcapng *w);

/* Write out the buffer. 0 or the (first) negative errno. */
int adn_pcapng_flush(struct adn_pcapng *w);

/* Flush, close the fd and free the writer (NULL: nothing). Returns 0 or
 * the first error any call on this writer met. */
int adn_pcapng_close(struct adn_pcapng *w);

#endif /* _ADN_PCAPNG_H_ */
