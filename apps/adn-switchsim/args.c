/* SPDX-License-Identifier: BSD-3-Clause */
/* adn-switchsim: the command line. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adn_opts.h"
#include "adn_parse.h"
#include "sim.h"

/* "0,1,3" (or '.'-separated, for telemetry) -> ids < n_servers. */
int
parse_list(const char *s, unsigned int n_servers, uint16_t *out,
	   unsigned int *n)
{
	char buf[256], *tok, *save = NULL;
	uint64_t v;

	*n = 0;
	if (s == NULL || *s == '\0')
		return 0;
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",.", &save); tok != NULL;
	     tok = strtok_r(NULL, ",.", &save)) {
		if (*n >= SIM_MAX_SERVERS ||
		    adn_parse_u64(tok, 0, n_servers - 1, &v) < 0)
			return -EINVAL;
		for (unsigned int i = 0; i < *n; i++)
			if (out[i] == v)
				return -EINVAL;
		out[(*n)++] = (uint16_t)v;
	}
	return 0;
}

static int
set_mode(const char *arg, void *ctx)
{
	struct sim *s = ctx;

	if (strcmp(arg, "bf") == 0) {
		s->mode = ADN_CLIP_LB_BF;
	} else if (strcmp(arg, "ecmp") == 0) {
		s->mode = ADN_CLIP_LB_ECMP;
	} else {
		fprintf(stderr, "adn-switchsim: --mode '%s': bf or ecmp\n", arg);
		return -1;
	}
	return 0;
}

static int
set_snat_element(const char *arg, void *ctx)
{
	struct sim *s = ctx;

	if (*arg == '\0' || strpbrk(arg, " \t,") != NULL) {
		fprintf(stderr, "adn-switchsim: --snat-element '%s': not an element name\n",
			arg);
		return -1;
	}
	s->snat_elem = arg;
	return 0;
}

static int
set_apps(const char *arg, void *ctx)
{
	struct sim *s = ctx;
	const bool both = strcmp(arg, "snat,trd") == 0 ||
		strcmp(arg, "trd,snat") == 0;

	s->snat_on = both || strcmp(arg, "snat") == 0;
	s->trd_on = both || strcmp(arg, "trd") == 0;
	if (!s->snat_on && !s->trd_on) {
		fprintf(stderr, "adn-switchsim: --apps '%s': snat, trd or snat,trd\n",
			arg);
		return -1;
	}
	return 0;
}

/* --change-at N:LIST, in order of N. */
static int
parse_changes(struct sim *s, const char *const *changes, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct sim_change *ch = &s->change[i];
		const char *colon = strchr(changes[i], ':');
		char num[32];

		if (colon == NULL || (size_t)(colon - changes[i]) >= sizeof(num))
			goto bad;
		memcpy(num, changes[i], colon - changes[i]);
		num[colon - changes[i]] = '\0';
		if (adn_parse_u64(num, 0, UINT64_MAX, &ch->at) < 0 ||
		    parse_list(colon + 1, s->n_servers, ch->servers, &ch->n))
			goto bad;
		if (i > 0 && ch->at < s->change[i - 1].at)
			goto bad;
	}
	s->n_changes = n;
	return 0;
bad:
	fprintf(stderr, "adn-switchsim: --change-at: want N:LIST with ids 0-%u, N not decreasing\n",
		s->n_servers - 1);
	return -1;
}

/* --server-telemetry IDX=PATH, once per server id. */
static int
parse_tels(struct sim *s, const char *const *tels, unsigned int n)
{
	uint64_t v;

	for (unsigned int i = 0; i < n; i++) {
		const char *eq = strchr(tels[i], '=');
		char num[8];

		if (eq == NULL || eq == tels[i] || eq[1] == '\0' ||
		    (size_t)(eq - tels[i]) >= sizeof(num)) {
			fprintf(stderr, "adn-switchsim: --server-telemetry '%s': want IDX=PATH\n",
				tels[i]);
			return -1;
		}
		memcpy(num, tels[i], eq - tels[i]);
		num[eq - tels[i]] = '\0';
		if (adn_parse_u64(num, 0, s->n_servers - 1, &v) < 0) {
			fprintf(stderr, "adn-switchsim: --server-telemetry '%s': IDX is a server id 0-%u\n",
				tels[i], s->n_servers - 1);
			return -1;
		}
		if (s->tel_path[v] != NULL) {
			fprintf(stderr, "adn-switchsim: --server-telemetry: server %" PRIu64
				" given twice\n", v);
			return -1;
		}
		s->tel_path[v] = eq + 1;
	}
	return 0;
}

/* Returns 0 to run, 1 when done (help), -1 on a usage error. */
int
parse_args(struct sim *s, int argc, char **argv)
{
	const char *group = NULL, *changes[SIM_MAX_CHANGES];
	const char *tels[SIM_MAX_SERVERS];
	unsigned int n_ch = 0, n_tel = 0;
	uint64_t table = 1024, topn = 32, tel_timeout = 1000;
	bool no_push = false;
	int rest_argc, rc;
	char **rest_argv;
	const struct adn_opt opts[] = {
		{ "client", 'c', ADN_OPT_STR, &s->client_name, .arg = "PORT",
		  .help = "client-side ethdev name (e.g. net_pcap0)" },
		{ "server", 's', ADN_OPT_STRS, s->server_name,
		  .max = SIM_MAX_SERVERS, .n = &s->n_servers, .arg = "PORT",
		  .help = "a server's ethdev name; i-th is server id i" },
		{ "group", 'g', ADN_OPT_STR, &group, .arg = "LIST",
		  .help = "initial group, e.g. 0,1 (default: all servers)" },
		{ "change-at", 'C', ADN_OPT_STRS, changes,
		  .max = SIM_MAX_CHANGES, .n = &n_ch, .arg = "N:LIST",
		  .help = "after N client packets set the group to LIST\n"
			  "(LIST may be empty: drain); repeat for more" },
		{ "apps", 'a', ADN_OPT_CALL, .call = set_apps, .ctx = s,
		  .arg = "LIST",
		  .help = "applications on: snat, trd or snat,trd (default snat);\n"
			  "with trd, TCP segments get a TRD request first" },
		{ "mode", 'm', ADN_OPT_CALL, .call = set_mode, .ctx = s,
		  .arg = "bf|ecmp",
		  .help = "server choice: CLIP Bloom filters (default) or plain ECMP" },
		{ "no-push", 'P', ADN_OPT_FLAG, &no_push,
		  .help = "do not pin flows that would lose their server" },
		{ "table", 't', ADN_OPT_U64, &table, 1, 1 << 24, .arg = "N",
		  .help = "switch pre-processing table entries (default 1024)" },
		{ "topn", 'n', ADN_OPT_U64, &topn, 1, 64, .arg = "N",
		  .help = "top-N candidates per period (default 32)" },
		{ "period", 'p', ADN_OPT_U64, &s->period, 0, 1 << 24,
		  .arg = "N",
		  .help = "controller period (promotion) every N client packets" },
		{ "idle-exit", 'i', ADN_OPT_DOUBLE, &s->idle_exit, 0, 1e9,
		  .arg = "S",
		  .help = "stop once no packet moved for S seconds and every\n"
			  "request sent to a server was answered" },
		{ "drain-wait", 'D', ADN_OPT_DOUBLE, &s->drain_wait, 0, 1e9,
		  .arg = "S",
		  .help = "with requests unanswered, stop after S idle seconds\n"
			  "anyway (a server lost them; default 30)" },
		{ "duration", 'd', ADN_OPT_DOUBLE, &s->duration, 0, 1e9,
		  .arg = "S", .help = "stop after S seconds" },
		{ "link-wait", 'w', ADN_OPT_DOUBLE, &s->link_wait, 0, 1e9,
		  .arg = "S",
		  .help = "wait up to S seconds for server links (default 10)" },
		{ "stats-json", 'j', ADN_OPT_STR, &s->stats_json, .arg = "FILE",
		  .help = "write the final counters as JSON" },
		{ "server-telemetry", 'T', ADN_OPT_STRS, tels,
		  .max = SIM_MAX_SERVERS, .n = &n_tel, .arg = "IDX=PATH",
		  .help = "server IDX's DPDK telemetry socket: promotion\n"
			  "takes entries from its Snat export (default:\n"
			  "from the responses seen)" },
		{ "snat-element", 'E', ADN_OPT_CALL, .call = set_snat_element,
		  .ctx = s, .arg = "NAME",
		  .help = "the servers' Snat element (default snat)" },
		{ "telemetry-timeout", 'W', ADN_OPT_U64, &tel_timeout, 1, 60000,
		  .arg = "MS",
		  .help = "per step of a telemetry query (default 1000)" },
		{ .name = NULL },
	};
	const struct adn_opts_spec spec = {
		.prog = "adn-switchsim",
		.synopsis = "--client PORT --server PORT [--server PORT ...] [options] -- EAL args",
		.summary = "Run the CLIP switch model between a client port and server ports.",
		.footer =
		"Telemetry: /adn/clip/groups, /adn/clip/stats, /adn/clip/top,\n"
		"/adn/clip/set_group,LIST (ids separated by '.'), /adn/clip/add_server,ID,\n"
		"/adn/clip/remove_server,ID, /adn/clip/promote.\n",
		.opts = opts,
	};

	s->link_wait = 10;
	s->drain_wait = 30;
	s->snat_elem = "snat";
	s->snat_on = true;
	rc = adn_opts_parse(&spec, argc, argv, &rest_argc, &rest_argv);
	if (rc != 0)
		return rc;
	if (rest_argc > 0) {
		fprintf(stderr, "adn-switchsim: unexpected argument '%s'\n",
			rest_argv[0]);
		return -1;
	}
	s->push = !no_push;
	s->table = (uint32_t)table;
	s->topn = (uint32_t)topn;
	s->tel_timeout_ms = (unsigned int)tel_timeout;
	if (s->client_name == NULL || s->n_servers == 0) {
		fprintf(stderr, "adn-switchsim: need --client and at least one --server\n");
		return -1;
	}
	if (group == NULL) {
		for (unsigned int i = 0; i < s->n_servers; i++)
			s->group[i] = (uint16_t)i;
		s->n_group = s->n_servers;
	} else if (parse_list(group, s->n_servers, s->group, &s->n_group)) {
		fprintf(stderr, "adn-switchsim: --group '%s': server ids 0-%u, no repeats\n",
			group, s->n_servers - 1);
		return -1;
	}
	/* Ids are checked against the --server count, known only now. */
	if (parse_changes(s, changes, n_ch) < 0 ||
	    parse_tels(s, tels, n_tel) < 0)
		return -1;
	return 0;
}
