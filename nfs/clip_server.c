/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ClipServer — the server end of CLIP (CLIP §III-C): validates the CLIP
 * request header a switch put after the Ethernet header and dispatches the
 * request by application id to one output per handled application. The
 * handler elements behind the outputs (Snat, TcpRetransDetect, ...) turn
 * the request into its response in place (same length) and pass it on to
 * the ToPort that sends it back to the switch.
 *
 * Keys:
 *   apps      (list of strings or ints, required, 1-16 entries): entry i
 *             feeds output i. Names: "snat" (app 1), "trd" (app 2); a
 *             number 1-65535 names any other app id.
 *   server_id (int -1..65535, default -1): when >= 0, requests the switch
 *             addressed to another server id are dropped (wrong-server);
 *             -1 serves any.
 * Outputs: one per entry of `apps`.
 * Drops:
 *   not-clip      EtherType is not CLIP (0x88B5), or frame < Ethernet
 *   truncated     shorter than Ethernet + CLIP header
 *   bad-version   unsupported CLIP version
 *   bad-header    any other invalid header field (type, lengths,
 *                 reserved, status in a request)
 *   not-request   a response (servers only answer requests)
 *   unknown-app   app id not listed in `apps`
 *   wrong-server  server_id set and the request names another server
 */
#include <errno.h>
#include <string.h>

#include "adn_clip_hdr.h"
#include "adn_elem.h"
#include "adn_pipeline.h"

enum {
	CLIP_SERVER_DROP_NOT_CLIP,
	CLIP_SERVER_DROP_TRUNCATED,
	CLIP_SERVER_DROP_BAD_VERSION,
	CLIP_SERVER_DROP_BAD_HEADER,
	CLIP_SERVER_DROP_NOT_REQUEST,
	CLIP_SERVER_DROP_UNKNOWN_APP,
	CLIP_SERVER_DROP_WRONG_SERVER,
};

static const char *const clip_server_drops[] = {
	[CLIP_SERVER_DROP_NOT_CLIP] = "not-clip",
	[CLIP_SERVER_DROP_TRUNCATED] = "truncated",
	[CLIP_SERVER_DROP_BAD_VERSION] = "bad-version",
	[CLIP_SERVER_DROP_BAD_HEADER] = "bad-header",
	[CLIP_SERVER_DROP_NOT_REQUEST] = "not-request",
	[CLIP_SERVER_DROP_UNKNOWN_APP] = "unknown-app",
	[CLIP_SERVER_DROP_WRONG_SERVER] = "wrong-server",
	NULL,
};

struct clip_server {
	unsigned int n_apps;
	uint16_t app_id[ADN_MAX_OUTPUTS];	/* output i handles app_id[i] */
	int32_t server_id;			/* -1: any */
};

static const struct adn_arg_spec clip_server_args[] = {
	{ .name = "apps", .type = ADN_ARG_LIST, .required = true,
	  .help = "application per output: \"snat\", \"trd\" or an app id" },
	{ .name = "server_id", .type = ADN_ARG_INT, .min = -1, .max = 65535,
	  .def_int = -1, .help = "serve only requests for this server id" },
	{ .name = NULL },
};

static const struct adn_name_value clip_apps[] = {
	{ "snat", ADN_CLIP_APP_SNAT }, { "trd", ADN_CLIP_APP_TRD },
	{ NULL, 0 },
};

static int
clip_server_configure(struct adn_elem *e, struct adn_build *b)
{
	struct clip_server *c = adn_elem_priv(e);
	const config_setting_t *apps = adn_elem_arg(e, "apps");
	int n = config_setting_length(apps), rc = 0;

	if (n < 1 || n > ADN_MAX_OUTPUTS)
		return adn_build_error(b, e, "apps", "%d entries: need 1 to %d",
				       n, ADN_MAX_OUTPUTS);
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(apps, i);
		int64_t id;

		if (adn_build_name_or_int(b, e, s, "apps", clip_apps, 1,
					  UINT16_MAX, &id) < 0) {
			rc = -EINVAL;
			continue;
		}
		c->app_id[i] = (uint16_t)id;
		for (int j = 0; j < i; j++)
			if (c->app_id[j] == c->app_id[i])
				rc = adn_build_error_at(b, e, s, "apps",
							"app id %u listed twice (entries %d and %d)",
							c->app_id[i], j, i);
	}
	c->n_apps = (unsigned int)n;
	c->server_id = (int32_t)adn_elem_arg_int(e, "server_id");
	e->n_outputs = (uint16_t)n;
	return rc;
}

static int
clip_server_exec(struct adn_elem *e, struct rte_mbuf *m,
		 union adn_pkt_ctx *ctx)
{
	const struct clip_server *c = adn_elem_priv(e);
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	size_t len = rte_pktmbuf_data_len(m);
	enum adn_clip_hdr_err why = ADN_CLIP_HDR_OK;
	struct adn_clip_hdr h;

	if (!adn_clip_frame_is_clip(frame, len))
		return adn_drop(CLIP_SERVER_DROP_NOT_CLIP);
	if (adn_clip_frame_decode(frame, len, &h, &why) < 0) {
		switch (why) {
		case ADN_CLIP_HDR_TRUNCATED:
			return adn_drop(CLIP_SERVER_DROP_TRUNCATED);
		case ADN_CLIP_HDR_BAD_VERSION:
			return adn_drop(CLIP_SERVER_DROP_BAD_VERSION);
		case ADN_CLIP_HDR_BAD_ETHERTYPE:
			return adn_drop(CLIP_SERVER_DROP_NOT_CLIP);
		default:
			return adn_drop(CLIP_SERVER_DROP_BAD_HEADER);
		}
	}
	if (h.type != ADN_CLIP_MSG_REQUEST)
		return adn_drop(CLIP_SERVER_DROP_NOT_REQUEST);
	if (c->server_id >= 0 && h.server_id != (uint16_t)c->server_id)
		return adn_drop(CLIP_SERVER_DROP_WRONG_SERVER);
	for (unsigned int i = 0; i < c->n_apps; i++)
		if (c->app_id[i] == h.app_id)
			return (int)i;
	return adn_drop(CLIP_SERVER_DROP_UNKNOWN_APP);
}

static const struct adn_elem_desc clip_server_desc = {
	.name = "ClipServer",
	.help = "validate CLIP requests and dispatch them by app id",
	.priv_size = sizeof(struct clip_server),
	.n_outputs = 1,
	.drop_reasons = clip_server_drops,
	.args = clip_server_args,
	.configure = clip_server_configure,
	ADN_ELEM_EXEC_STAGE(clip_server),
};

ADN_ELEM_REGISTER(clip_server_desc);
