/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adn_pcapng.h"

/* Block types and option codes of the pcapng draft. */
#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_ISB 0x00000005u
#define BT_EPB 0x00000006u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du

#define OPT_ENDOFOPT 0
#define OPT_COMMENT 1
#define SHB_OS 3
#define SHB_USERAPPL 4
#define IF_NAME 2
#define IF_DESCRIPTION 3
#define IF_TSRESOL 9
#define ISB_STARTTIME 2
#define ISB_ENDTIME 3
#define ISB_IFRECV 4
#define ISB_IFDROP 5
#define ISB_USRDELIV 8

#define BUF_SIZE 65536
#define PAD4(n) (((n) + 3u) & ~(size_t)3)
/* An option: code and length, then the value padded to 4 bytes. */
#define OPT_SIZE(len) (4 + PAD4(len))

struct adn_pcapng {
	int fd;
	int err;		/* first negative errno, or 0 */
	uint32_t n_if;
	uint64_t bytes;		/* written + buffered */
	size_t used;
	uint8_t buf[BUF_SIZE];
};

static int
write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
adn_pcapng_flush(struct adn_pcapng *w)
{
	if (w->err == 0 && w->used > 0)
		w->err = write_all(w->fd, w->buf, w->used);
	w->used = 0;
	return w->err;
}

static void
put(struct adn_pcapng *w, const void *data, size_t len)
{
	const uint8_t *p = data;

	w->bytes += len;
	while (len > 0 && w->err == 0) {
		size_t k = BUF_SIZE - w->used;

		if (k == 0) {
			adn_pcapng_flush(w);
			continue;
		}
		if (k > len)
			k = len;
		memcpy(w->buf + w->used, p, k);
		w->used += k;
		p += k;
		len -= k;
	}
}

static void
put_u16(struct adn_pcapng *w, uint16_t v)
{
	put(w, &v, sizeof(v));
}

static void
put_u32(struct adn_pcapng *w, uint32_t v)
{
	put(w, &v, sizeof(v));
}

static void
put_pad(struct adn_pcapng *w, size_t len)
{
	static const uint8_t zero[4];

	put(w, zero, PAD4(len) - len);
}

static void
put_opt(struct adn_pcapng *w, uint16_t code, const void *val, size_t len)
{
	put_u16(w, code);
	put_u16(w, (uint16_t)len);
	put(w, val, len);
	put_pad(w, len);
}

/* A timestamp value as the draft stores it: high then low 32 bits. */
static void
ts_words(uint64_t ts, uint32_t out[2])
{
	out[0] = (uint32_t)(ts >> 32);
	out[1] = (uint32_t)ts;
}

/* Strings longer than an option can hold are cut (names are short). */
static size_t
str_len(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > UINT16_MAX - 3 ? UINT16_MAX - 3 : n;
}

int
adn_pcapng_open(int fd, const char *os, const char *appl,
		struct adn_pcapng **out)
{
	struct adn_pcapng *w = calloc(1, sizeof(*w));
	const uint64_t section_len = UINT64_MAX;	/* not given */
	size_t n_os = str_len(os), n_appl = str_len(appl);
	uint32_t len = (uint32_t)(28 + (os ? OPT_SIZE(n_os) : 0) +
				  (appl ? OPT_SIZE(n_appl) : 0) + 4);

	*out = NULL;
	if (w == NULL) {
		close(fd);
		return -ENOMEM;
	}
	w->fd = fd;
	put_u32(w, BT_SHB);
	put_u32(w, len);
	put_u32(w, BYTE_ORDER_MAGIC);
	put_u16(w, 1);		/* major */
	put_u16(w, 0);		/* minor */
	put(w, &section_len, sizeof(section_len));
	if (os != NULL)
		put_opt(w, SHB_OS, os, n_os);
	if (appl != NULL)
		put_opt(w, SHB_USERAPPL, appl, n_appl);
	put_u32(w, OPT_ENDOFOPT);
	put_u32(w, len);
	*out = w;
	return w->err;
}

int
adn_pcapng_add_interface(struct adn_pcapng *w, const char *name,
			 const char *desc, uint32_t snaplen)
{
	const uint8_t tsresol = 9;	/* 10^-9 s */
	size_t n_name = str_len(name), n_desc = str_len(desc);
	uint32_t len = (uint32_t)(16 + OPT_SIZE(n_name) +
				  (desc ? OPT_SIZE(n_desc) : 0) +
				  OPT_SIZE(1) + 4 + 4);

	put_u32(w, BT_IDB);
	put_u32(w, len);
	put_u16(w, ADN_PCAPNG_LINKTYPE_ETHERNET);
	put_u16(w, 0);		/* reserved */
	put_u32(w, snaplen);
	put_opt(w, IF_NAME, name, n_name);
	if (desc != NULL)
		put_opt(w, IF_DESCRIPTION, desc, n_desc);
	put_opt(w, IF_TSRESOL, &tsresol, 1);
	put_u32(w, OPT_ENDOFOPT);
	put_u32(w, len);
	return w->err < 0 ? w->err : (int)w->n_if++;
}

size_t
adn_pcapng_packet_size(uint32_t caplen, const char *comment)
{
	return 28 + PAD4(caplen) +
		(comment ? OPT_SIZE(str_len(comment)) + 4 : 0) + 4;
}

int
adn_pcapng_packet(struct adn_pcapng *w, uint32_t ifid, uint64_t ts_ns,
		  const struct iovec *iov, unsigned int iovcnt,
		  uint32_t orig_len, const char *comment)
{
	uint32_t caplen = 0, ts[2], len;

	if (ifid >= w->n_if)
		return -EINVAL;
	for (unsigned int i = 0; i < iovcnt; i++)
		caplen += (uint32_t)iov[i].iov_len;
	len = (uint32_t)adn_pcapng_packet_size(caplen, comment);
	ts_words(ts_ns, ts);
	put_u32(w, BT_EPB);
	put_u32(w, len);
	put_u32(w, ifid);
	put(w, ts, sizeof(ts));
	put_u32(w, caplen);
	put_u32(w, orig_len);
	for (unsigned int i = 0; i < iovcnt; i++)
		put(w, iov[i].iov_base, iov[i].iov_len);
	put_pad(w, caplen);
	if (comment != NULL) {
		put_opt(w, OPT_COMMENT, comment, str_len(comment));
		put_u32(w, OPT_ENDOFOPT);
	}
	put_u32(w, len);
	return w->err;
}

size_t
adn_pcapng_if_stats_size(void)
{
	return 20 + 2 * OPT_SIZE(8) + 3 * OPT_SIZE(8) + 4 + 4;
}

int
adn_pcapng_if_stats(struct adn_pcapng *w, uint32_t ifid, uint64_t ts_ns,
		    const struct adn_pcapng_if_stats *st)
{
	uint32_t len = (uint32_t)adn_pcapng_if_stats_size(), ts[2];

	if (ifid >= w->n_if)
		return -EINVAL;
	put_u32(w, BT_ISB);
	put_u32(w, len);
	put_u32(w, ifid);
	ts_words(ts_ns, ts);
	put(w, ts, sizeof(ts));
	ts_words(st->start_ns, ts);
	put_opt(w, ISB_STARTTIME, ts, sizeof(ts));
	ts_words(st->end_ns, ts);
	put_opt(w, ISB_ENDTIME, ts, sizeof(ts));
	put_opt(w, ISB_IFRECV, &st->received, 8);
	put_opt(w, ISB_IFDROP, &st->dropped, 8);
	put_opt(w, ISB_USRDELIV, &st->delivered, 8);
	put_u32(w, OPT_ENDOFOPT);
	put_u32(w, len);
	return w->err;
}

uint64_t
adn_pcapng_bytes(const struct adn_pcapng *w)
{
	return w->bytes;
}

int
adn_pcapng_close(struct adn_pcapng *w)
{
	int rc;

	if (w == NULL)
		return 0;
	rc = adn_pcapng_flush(w);
	if (close(w->fd) < 0 && rc == 0)
		rc = -errno;
	free(w);
	return rc;
}
