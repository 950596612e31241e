/* SPDX-License-Identifier: BSD-3-Clause */
/* adn-switchsim: control actions and telemetry commands, run on the
 * loop's thread; the servers' telemetry for promotion. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "sim.h"

static struct sim *tel_sim;

/* ---- control actions, on the loop's thread ---- */

int
act_set_group(struct sim *s, const uint16_t *servers, unsigned int n)
{
	int rc = adn_clip_ctrl_set_group(s->ctrl, servers, n,
					 &s->last_change);

	/* TRD follows the same membership, without push (see the top). */
	if (rc == 0 && s->sw_trd != NULL)
		rc = adn_clip_switch_change(s->sw_trd, servers, n);
	if (rc == 0) {
		memcpy(s->group, servers, n * sizeof(*servers));
		s->n_group = n;
	}
	return rc;
}

/* Ask the servers with a telemetry socket for key's entry (one owns
 * it) and put the answer into that server's copy. Returns true when a
 * server exported it. A server that fails is marked in skip[] for the
 * rest of the period. */
static bool
export_entry(struct sim *s, const struct adn_flow_key *key, bool *skip)
{
	char cmd[96], reply[256];
	struct adn_clip_entry e;
	const struct adn_clip_entry *known;
	int rc, erc;

	memcpy(cmd, "lookup ", 7);
	adn_clip_snat_flow_format(key, cmd + 7, sizeof(cmd) - 7);
	for (unsigned int j = 0; j < s->n_servers; j++) {
		if (s->tel[j] == NULL || skip[j])
			continue;
		s->exp.lookups++;
		rc = adn_clip_tel_control(s->tel[j], s->snat_elem, cmd, &erc,
					  reply, sizeof(reply));
		if (rc == 0 && erc == 0 && strncmp(reply, "no entry", 8) == 0) {
			s->exp.not_found++;
			continue;
		}
		if (rc < 0 || erc < 0 ||
		    adn_clip_snat_entry_parse(reply, &e) < 0 ||
		    memcmp(&e.key, key, sizeof(*key)) != 0 || e.server != j) {
			if (s->exp.failures++ == 0)
				fprintf(stderr, "warning: export from server %u: %s%s%s (counted; the learned copy serves until the next period)\n",
					j, rc < 0 ? strerror(-rc) : "",
					rc < 0 ? "" : "answered: ",
					rc < 0 ? "" : reply);
			skip[j] = true;
			continue;
		}
		s->exp.found++;
		known = adn_clip_table_find(s->mirror[j], key);
		if (known == NULL)
			s->exp.fresher++;
		else if (known->result_len != e.result_len ||
			 memcmp(known->result, e.result, e.result_len) != 0)
			s->exp.mismatches++;
		/* The owner's word wins; a full copy leaves the candidate
		 * unpromoted (counted like a learned overflow). */
		if (adn_clip_table_add(s->mirror[j], &e) < 0) {
			s->mirror_full++;
			return false;
		}
		return true;
	}
	return false;
}

int
act_promote(struct sim *s)
{
	struct adn_clip_table *t = adn_clip_switch_table(s->sw);
	struct adn_clip_promote_report r;
	struct adn_clip_hitter top[64];
	unsigned int n = RTE_MIN(s->topn, RTE_DIM(top));
	bool before[64], by_export[64], skip[SIM_MAX_SERVERS] = { false };
	int rc;

	/* adn_clip_ctrl_period() in its three steps, so the candidates stay
	 * visible to /adn/clip/top. */
	rc = adn_clip_switch_report(s->sw, top, n);
	if (rc < 0)
		return rc;
	s->n_top = (unsigned int)rc;
	memcpy(s->top, top, s->n_top * sizeof(top[0]));
	/* A candidate is promoted this period iff it is in the table after
	 * and was not before: promotion never evicts an entry it added in
	 * the same round. */
	for (unsigned int i = 0; i < s->n_top; i++) {
		before[i] = adn_clip_table_find(t, &top[i].key) != NULL;
		by_export[i] = !before[i] &&
			export_entry(s, &top[i].key, skip);
	}
	rc = adn_clip_ctrl_promote(s->ctrl, top, s->n_top, &r);
	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < s->n_top; i++) {
		if (before[i] || adn_clip_table_find(t, &top[i].key) == NULL)
			continue;
		if (by_export[i])
			s->promoted_export++;
		else
			s->promoted_learned++;
	}
	adn_clip_table_age(t);
	s->periods++;
	s->promoted += r.promoted;
	return 0;
}

static void
tel_groups(struct sim *s, struct rte_tel_data *d)
{
	struct rte_tel_data *g = rte_tel_data_alloc();
	uint16_t m[ADN_CLIP_GROUP_MAX];
	unsigned int n = adn_clip_switch_group(s->sw, m, RTE_DIM(m));

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "mode",
		adn_clip_switch_mode(s->sw) == ADN_CLIP_LB_BF ? "bf" : "ecmp");
	rte_tel_data_add_dict_u64(d, "version", adn_clip_switch_version(s->sw));
	rte_tel_data_add_dict_u64(d, "cur", adn_clip_switch_cur(s->sw));
	if (g != NULL) {
		rte_tel_data_start_array(g, RTE_TEL_U64_VAL);
		for (unsigned int i = 0; i < n; i++)
			rte_tel_data_add_array_u64(g, m[i]);
		rte_tel_data_add_dict_container(d, "group", g, 0);
	}
	rte_tel_data_add_dict_u64(d, "pins",
		adn_clip_table_count(adn_clip_switch_pins(s->sw)));
	rte_tel_data_add_dict_u64(d, "last_change_pinned",
				  s->last_change.pinned);
	rte_tel_data_add_dict_u64(d, "last_change_kept", s->last_change.kept);
	rte_tel_data_add_dict_u64(d, "last_change_pin_failed",
				  s->last_change.pin_failed);
}

static void
tel_stats(struct sim *s, struct rte_tel_data *d)
{
	struct adn_clip_switch_stats st;

	adn_clip_switch_stats_get(s->sw, &st);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "client_rx", s->client.rx);
	rte_tel_data_add_dict_u64(d, "client_tx", s->client.tx);
	rte_tel_data_add_dict_u64(d, "pass", st.pass);
	rte_tel_data_add_dict_u64(d, "fast", st.fast);
	rte_tel_data_add_dict_u64(d, "flight", st.flight);
	rte_tel_data_add_dict_u64(d, "response", st.response);
	rte_tel_data_add_dict_u64(d, "model_drop", st.drop);
	rte_tel_data_add_dict_u64(d, "table",
		adn_clip_table_count(adn_clip_switch_table(s->sw)));
	rte_tel_data_add_dict_u64(d, "promoted", s->promoted);
	rte_tel_data_add_dict_u64(d, "promoted_by_export", s->promoted_export);
	rte_tel_data_add_dict_u64(d, "promoted_by_learned",
				  s->promoted_learned);
	rte_tel_data_add_dict_u64(d, "export_failures", s->exp.failures);
}

static void
tel_top(struct sim *s, struct rte_tel_data *d)
{
	char name[64];

	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < s->n_top; i++) {
		const struct adn_flow_key *k = &s->top[i].key;
		const uint8_t *a = (const uint8_t *)&k->src_ip;
		const uint8_t *b = (const uint8_t *)&k->dst_ip;

		snprintf(name, sizeof(name), "%u.%u.%u.%u:%u>%u.%u.%u.%u:%u/%u",
			 a[0], a[1], a[2], a[3], rte_be_to_cpu_16(k->src_port),
			 b[0], b[1], b[2], b[3], rte_be_to_cpu_16(k->dst_port),
			 k->proto);
		rte_tel_data_add_dict_u64(d, name, s->top[i].estimate);
	}
}

/* Run the posted command; the telemetry thread waits for it. */
static int
run_command(struct sim *s, const char *cmd, const char *params,
	    struct rte_tel_data *d)
{
	uint16_t list[SIM_MAX_SERVERS];
	unsigned int n = 0;
	uint64_t id;
	int rc = 0;

	if (strcmp(cmd, "/adn/clip/groups") == 0) {
		tel_groups(s, d);
		return 0;
	}
	if (strcmp(cmd, "/adn/clip/stats") == 0) {
		tel_stats(s, d);
		return 0;
	}
	if (strcmp(cmd, "/adn/clip/top") == 0) {
		tel_top(s, d);
		return 0;
	}
	if (strcmp(cmd, "/adn/clip/promote") == 0) {
		rc = act_promote(s);
	} else if (strcmp(cmd, "/adn/clip/set_group") == 0) {
		if (parse_list(params, s->n_servers, list, &n) < 0)
			return -EINVAL;
		rc = act_set_group(s, list, n);
	} else if (strcmp(cmd, "/adn/clip/add_server") == 0 ||
		   strcmp(cmd, "/adn/clip/remove_server") == 0) {
		bool add = cmd[10] == 'a';
		bool member = false;

		if (params == NULL ||
		    adn_parse_u64(params, 0, s->n_servers - 1, &id) < 0)
			return -EINVAL;
		for (unsigned int i = 0; i < s->n_group; i++) {
			if (s->group[i] == id)
				member = true;
			else
				list[n++] = s->group[i];
		}
		if (add == member)
			return add ? -EEXIST : -ENOENT;
		if (add)
			list[n++] = (uint16_t)id;
		rc = act_set_group(s, list, n);
	} else {
		return -ENOENT;
	}
	if (rc == 0)
		tel_groups(s, d);
	return rc;
}

static int
tel_post(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sim_mailbox *mb = &tel_sim->mb;
	int rc;

	pthread_mutex_lock(&mb->lock);
	/* one command at a time: wait for a previous one to finish */
	while (mb->pending)
		pthread_cond_wait(&mb->done_cv, &mb->lock);
	mb->cmd = cmd;
	mb->params = params;
	mb->d = d;
	mb->done = false;
	__atomic_store_n(&mb->pending, 1, __ATOMIC_RELEASE);
	while (!mb->done)
		pthread_cond_wait(&mb->done_cv, &mb->lock);
	rc = mb->rc;
	mb->pending = 0;
	pthread_cond_broadcast(&mb->done_cv);
	pthread_mutex_unlock(&mb->lock);
	return rc;
}

void
mailbox_serve(struct sim *s)
{
	struct sim_mailbox *mb = &s->mb;

	if (!__atomic_load_n(&mb->pending, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&mb->lock);
	if (mb->pending && !mb->done) {
		mb->rc = run_command(s, mb->cmd, mb->params, mb->d);
		mb->done = true;
		pthread_cond_broadcast(&mb->done_cv);
	}
	pthread_mutex_unlock(&mb->lock);
}

int
register_telemetry(struct sim *s)
{
	static const struct { const char *cmd, *help; } cmds[] = {
		{ "/adn/clip/groups", "Mode, version, cur, current group, pins" },
		{ "/adn/clip/stats", "Switch counters: pass, fast, flight, response, drops" },
		{ "/adn/clip/top", "Top-N candidates of the last controller period" },
		{ "/adn/clip/set_group", "Set the group. Parameter: ids separated by '.'" },
		{ "/adn/clip/add_server", "Add a server to the group. Parameter: id" },
		{ "/adn/clip/remove_server", "Remove a server from the group. Parameter: id" },
		{ "/adn/clip/promote", "Run a controller period now (top-N promotion)" },
	};

	tel_sim = s;
	for (unsigned int i = 0; i < RTE_DIM(cmds); i++)
		if (rte_telemetry_register_cmd(cmds[i].cmd, tel_post,
					       cmds[i].help) < 0)
			return -EINVAL;
	return 0;
}
