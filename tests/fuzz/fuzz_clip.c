/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLIP (lib/clip): the header codec and the switch model with its server
 * handlers. Byte 0 picks the operation, the rest is the bytes:
 *   0  header decode; a header that decodes must encode to the same bytes
 *      and decode again to the same fields;
 *   1  frame decap; a frame that decaps must encap back to itself
 *      (unused param and result bytes zeroed);
 *   2  the switch (SNAT app, BF groups) on a frame; a flight goes to the
 *      server's handler and its response back through the switch;
 *   3  the same with the TRD app under ECMP;
 *   4  a group change (servers from the bytes), then case 2 on a fixed
 *      frame;
 *   5  a server answers the bytes as a request (adn_clip_respond).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adn_clip_hdr.h"
#include "adn_clip_snat.h"
#include "adn_nat.h"
#include "adn_clip_switch.h"
#include "adn_clip_table.h"
#include "adn_clip_trd.h"
#include "adn_fuzz.h"

#define HEADROOM 128
#define FRAME_MAX 4096
#define N_SERVERS 4

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct adn_clip_switch *sw_snat, *sw_trd;
static struct adn_clip_table *mirror[N_SERVERS];
static struct adn_nat_pool pool[N_SERVERS];
static struct adn_clip_trd *trd[N_SERVERS];

static struct adn_clip_switch *
make_switch(const struct adn_clip_app *app, enum adn_clip_lb_mode mode)
{
	static const uint16_t servers[] = { 0, 1, 2 };
	struct adn_clip_switch_conf c;
	struct adn_clip_switch *sw;

	adn_clip_switch_conf_default(&c);
	c.app = app;
	c.lb_mode = mode;
	c.table_capacity = 64;
	c.pin_capacity = 64;
	c.topn = 8;
	c.digest_threshold = 1;
	if (adn_clip_switch_create(&c, &sw, NULL) != 0 ||
	    adn_clip_switch_change(sw, servers,
				   sizeof(servers) / sizeof(servers[0])) != 0)
		abort();
	return sw;
}

static void
release(void)
{
	adn_clip_switch_free(sw_snat);
	adn_clip_switch_free(sw_trd);
	for (unsigned int i = 0; i < N_SERVERS; i++) {
		adn_clip_table_free(mirror[i]);
		adn_clip_trd_free(trd[i]);
		adn_nat_pool_fini(&pool[i]);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sw_snat = make_switch(&adn_clip_app_snat, ADN_CLIP_LB_BF);
	sw_trd = make_switch(&adn_clip_app_trd, ADN_CLIP_LB_ECMP);
	for (unsigned int i = 0; i < N_SERVERS; i++)
		if (adn_clip_table_create(256, i, &mirror[i]) != 0 ||
		    adn_nat_pool_init(&pool[i], 0xcb007100u + i, 1, 1000,
				      1100) != 0 ||
		    adn_clip_trd_create(64, i, &trd[i]) != 0)
			abort();
	atexit(release);
	return 0;
}

static void
codec(const uint8_t *data, size_t size)
{
	struct adn_clip_hdr h, h2;
	uint8_t buf[ADN_CLIP_HDR_LEN];

	if (adn_clip_hdr_decode(data, size, &h, NULL) != 0)
		return;
	if (adn_clip_hdr_encode(&h, buf, sizeof(buf), NULL) != 0 ||
	    adn_clip_hdr_decode(buf, size < sizeof(buf) ? sizeof(buf) : size,
				&h2, NULL) != 0 ||
	    memcmp(&h, &h2, sizeof(h)) != 0) {
		fprintf(stderr, "CLIP header does not survive encode\n");
		abort();
	}
}

/* Decap then encap gives back the frame: its Ethernet header, the same
 * header fields (unused param and result bytes are written as zero, by
 * design) and the payload after it. */
static void
decap(const uint8_t *data, size_t size)
{
	const size_t payload = ADN_ETHER_HDR_LEN + ADN_CLIP_HDR_LEN;
	uint8_t a[FRAME_MAX], b[FRAME_MAX];
	struct adn_clip_hdr h, h2;

	memcpy(a, data, size);
	memcpy(b, data, size);
	if (adn_clip_decap(a, size, &h, NULL) != 0)
		return;
	if (adn_clip_encap(a, size, &h, NULL) != 0 ||
	    adn_clip_frame_decode(a, size, &h2, NULL) != 0 ||
	    memcmp(&h, &h2, sizeof(h)) != 0 ||
	    memcmp(a, b, ADN_ETHER_HDR_LEN) != 0 ||
	    memcmp(a + payload, b + payload, size - payload) != 0) {
		fprintf(stderr, "CLIP decap then encap changed the frame\n");
		abort();
	}
}

/* One frame through the switch, a flight through its server and back. */
static void
through(struct adn_clip_switch *sw, bool snat, const uint8_t *data,
	size_t size)
{
	uint8_t buf[HEADROOM + FRAME_MAX];
	uint8_t *f = buf + HEADROOM;
	struct adn_clip_out o;
	int rc;

	memcpy(f, data, size);
	if (adn_clip_switch_process(sw, f, size, HEADROOM, &o) != 0)
		abort();
	if (o.verdict == ADN_CLIP_V_PASS || o.verdict == ADN_CLIP_V_DROP)
		return;
	if ((o.data_off < 0 && -o.data_off > HEADROOM) ||
	    (size_t)(HEADROOM + o.data_off) + o.len > sizeof(buf)) {
		fprintf(stderr, "switch output outside the buffer\n");
		abort();
	}
	if (o.verdict != ADN_CLIP_V_FLIGHT)
		return;
	f += o.data_off;
	if (o.server >= N_SERVERS)
		abort();
	rc = snat ? adn_clip_snat_handle(mirror[o.server], o.server,
					 &pool[o.server], f, o.len, NULL) :
		adn_clip_trd_handle(trd[o.server], f, o.len, NULL);
	if (rc == 0)
		adn_clip_switch_process(sw, f, o.len, (size_t)(f - buf), &o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t tcp[64] = {
		2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
		0x45, 0, 0, 50, 0, 0, 0, 0, 64, 6, 0, 0,
		10, 1, 0, 1, 198, 51, 100, 1, 0x04, 0, 0, 80,
	};
	uint8_t op;

	if (size < 1 || size > FRAME_MAX + 1)
		return -1;
	op = data[0] % 6;
	data++;
	size--;
	switch (op) {
	case 0:
		codec(data, size);
		break;
	case 1:
		decap(data, size);
		break;
	case 2:
	case 3:
		through(op == 2 ? sw_snat : sw_trd, op == 2, data, size);
		break;
	case 4: {
		uint16_t servers[8];
		unsigned int n = size < 8 ? (unsigned int)size : 8;

		for (unsigned int i = 0; i < n; i++)
			servers[i] = data[i] % N_SERVERS;
		adn_clip_switch_change(sw_snat, servers, n);
		through(sw_snat, true, tcp, sizeof(tcp));
		break;
	}
	case 5: {
		uint8_t f[FRAME_MAX];

		memcpy(f, data, size);
		adn_clip_respond(f, size, size ? data[0] & 3 : 0, data,
				 size > 16 ? 16 : (uint8_t)size, NULL);
		break;
	}
	}
	return 0;
}
