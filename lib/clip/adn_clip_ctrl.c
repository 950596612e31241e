/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLIP controller logic. Contract in adn_clip_ctrl.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adn_clip_ctrl.h"

struct clip_mirror {
	uint16_t server_id;
	const struct adn_clip_mirror_ops *ops;
	void *ctx;
};

struct adn_clip_ctrl {
	struct adn_clip_switch *sw;
	struct adn_clip_ctrl_conf conf;
	unsigned int n_mirrors;
	struct clip_mirror mirrors[ADN_CLIP_MIRROR_MAX];
};

static int
mt_lookup(void *ctx, const struct adn_flow_key *key, struct adn_clip_entry *e)
{
	const struct adn_clip_entry *f = adn_clip_table_find(ctx, key);

	if (f == NULL)
		return -ENOENT;
	*e = *f;
	return 0;
}

static int
mt_walk(void *ctx, int (*cb)(const struct adn_clip_entry *e, void *arg),
	void *arg)
{
	return adn_clip_table_walk(ctx, cb, arg);
}

const struct adn_clip_mirror_ops adn_clip_mirror_table_ops = {
	.lookup = mt_lookup,
	.walk = mt_walk,
};

int
adn_clip_ctrl_create(struct adn_clip_switch *sw,
		     const struct adn_clip_ctrl_conf *conf,
		     struct adn_clip_ctrl **out)
{
	struct adn_clip_ctrl *c;

	if (sw == NULL || conf == NULL || out == NULL || conf->topn == 0)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->sw = sw;
	c->conf = *conf;
	*out = c;
	return 0;
}

void
adn_clip_ctrl_free(struct adn_clip_ctrl *ctrl)
{
	free(ctrl);
}

int
adn_clip_ctrl_add_mirror(struct adn_clip_ctrl *ctrl, uint16_t server_id,
			 const struct adn_clip_mirror_ops *ops, void *ctx)
{
	unsigned int i;

	if (ctrl == NULL || ops == NULL || ops->lookup == NULL ||
	    ops->walk == NULL)
		return -EINVAL;
	for (i = 0; i < ctrl->n_mirrors; i++)
		if (ctrl->mirrors[i].server_id == server_id)
			return -EEXIST;
	if (ctrl->n_mirrors == ADN_CLIP_MIRROR_MAX)
		return -ENOSPC;
	ctrl->mirrors[ctrl->n_mirrors++] = (struct clip_mirror){
		.server_id = server_id, .ops = ops, .ctx = ctx,
	};
	return 0;
}

int
adn_clip_ctrl_del_mirror(struct adn_clip_ctrl *ctrl, uint16_t server_id)
{
	unsigned int i;

	if (ctrl == NULL)
		return -EINVAL;
	for (i = 0; i < ctrl->n_mirrors; i++) {
		if (ctrl->mirrors[i].server_id != server_id)
			continue;
		ctrl->mirrors[i] = ctrl->mirrors[--ctrl->n_mirrors];
		return 0;
	}
	return -ENOENT;
}

/* ---- membership change ---- */

struct key_vec {
	struct adn_flow_key *v;
	size_t n, cap;
};

static int
key_vec_push(struct key_vec *kv, const struct adn_flow_key *k)
{
	if (kv->n == kv->cap) {
		size_t cap = kv->cap ? kv->cap * 2 : 256;
		struct adn_flow_key *v = realloc(kv->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		kv->v = v;
		kv->cap = cap;
	}
	kv->v[kv->n++] = *k;
	return 0;
}

struct change_walk {
	struct adn_clip_ctrl *ctrl;
	const uint16_t *servers;
	unsigned int n;
	struct adn_clip_change_report *rep;
	struct key_vec unpin;
};

static int
change_cb(const struct adn_clip_entry *e, void *arg)
{
	struct change_walk *w = arg;
	struct adn_clip_switch *sw = w->ctrl->sw;
	struct adn_clip_table *pins = adn_clip_switch_pins(sw);
	const struct adn_clip_entry *pin;
	struct adn_clip_entry ne;
	uint16_t next;
	int rc;

	w->rep->checked++;
	/* A flow served by the switch table needs no server; should it be
	 * evicted later, promotion re-checks its steering then. */
	if (adn_clip_table_find(adn_clip_switch_table(sw), &e->key) != NULL) {
		w->rep->on_switch++;
		return 0;
	}
	pin = adn_clip_table_find(pins, &e->key);
	rc = adn_clip_switch_choose_after(sw, &e->key, w->servers, w->n,
					  &next);
	if (rc == 0 && next == e->server) {
		w->rep->kept++;
		/* Drop the pin only after the change, when the group logic
		 * already steers the flow right. */
		if (pin != NULL)
			return key_vec_push(&w->unpin, &e->key);
		return 0;
	}
	if (pin != NULL && pin->server == e->server) {
		w->rep->pinned++;
		return 0;
	}
	memset(&ne, 0, sizeof(ne));
	ne.key = e->key;
	ne.server = e->server;
	if (adn_clip_table_add(pins, &ne) < 0)
		w->rep->pin_failed++;
	else
		w->rep->pinned++;
	return 0;
}

int
adn_clip_ctrl_set_group(struct adn_clip_ctrl *ctrl, const uint16_t *servers,
			unsigned int n, struct adn_clip_change_report *report)
{
	struct adn_clip_change_report dummy;
	struct change_walk w;
	unsigned int i;
	size_t k;
	int rc = 0;

	if (ctrl == NULL || n > ADN_CLIP_GROUP_MAX || (servers == NULL && n))
		return -EINVAL;
	if (report == NULL)
		report = &dummy;
	memset(report, 0, sizeof(*report));
	memset(&w, 0, sizeof(w));
	w.ctrl = ctrl;
	w.servers = servers;
	w.n = n;
	w.rep = report;
	/* 1. push: before BF[1-cur] is cleared (CLIP §III-D). */
	if (ctrl->conf.push_on_change) {
		for (i = 0; i < ctrl->n_mirrors && rc == 0; i++)
			rc = ctrl->mirrors[i].ops->walk(ctrl->mirrors[i].ctx,
							change_cb, &w);
		if (rc != 0) {
			free(w.unpin.v);
			return rc < 0 ? rc : -EIO;
		}
	}
	/* 2. clear BF[1-cur], flip cur, write G_cur. */
	rc = adn_clip_switch_change(ctrl->sw, servers, n);
	if (rc < 0) {
		free(w.unpin.v);
		return rc;
	}
	/* 3. garbage-collect pins the group logic made redundant. */
	for (k = 0; k < w.unpin.n; k++)
		if (adn_clip_table_del(adn_clip_switch_pins(ctrl->sw),
				       &w.unpin.v[k]) == 0)
			report->unpinned++;
	free(w.unpin.v);
	return 0;
}

/* ---- promotion ---- */

static int
find_owner(struct adn_clip_ctrl *ctrl, const struct adn_flow_key *key,
	   struct adn_clip_entry *e)
{
	unsigned int i;

	for (i = 0; i < ctrl->n_mirrors; i++)
		if (ctrl->mirrors[i].ops->lookup(ctrl->mirrors[i].ctx, key,
						 e) == 0)
			return 0;
	return -ENOENT;
}

struct victim {
	struct adn_flow_key key;
	uint16_t server;
	uint32_t period_hits;
	uint32_t last_hit;
};

struct victim_vec {
	struct victim *v;
	size_t n;
};

static int
victim_cb(const struct adn_clip_entry *e, void *arg)
{
	struct victim_vec *vv = arg;

	vv->v[vv->n++] = (struct victim){
		.key = e->key, .server = e->server,
		.period_hits = e->period_hits, .last_hit = e->last_hit,
	};
	return 0;
}

static int
victim_cmp(const void *a, const void *b)
{
	const struct victim *x = a, *y = b;

	if (x->period_hits != y->period_hits)
		return x->period_hits < y->period_hits ? -1 : 1;
	if (x->last_hit != y->last_hit)
		return x->last_hit < y->last_hit ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

static bool
is_candidate(const struct adn_clip_hitter *cand, unsigned int n,
	     const struct adn_flow_key *key)
{
	for (unsigned int i = 0; i < n; i++)
		if (memcmp(&cand[i].key, key, sizeof(*key)) == 0)
			return true;
	return false;
}

/* An evicted flow flies again: make sure it reaches its owner. */
static void
steer_evicted(struct adn_clip_ctrl *ctrl, const struct victim *v,
	      struct adn_clip_promote_report *rep)
{
	struct adn_clip_entry pin;
	uint16_t s;

	if (adn_clip_switch_choose(ctrl->sw, &v->key, &s, NULL) == 0 &&
	    s == v->server)
		return;
	memset(&pin, 0, sizeof(pin));
	pin.key = v->key;
	pin.server = v->server;
	if (adn_clip_table_add(adn_clip_switch_pins(ctrl->sw), &pin) < 0)
		rep->pin_failed++;
	else
		rep->repinned++;
}

int
adn_clip_ctrl_promote(struct adn_clip_ctrl *ctrl,
		      const struct adn_clip_hitter *cand, unsigned int n,
		      struct adn_clip_promote_report *report)
{
	struct adn_clip_promote_report dummy;
	struct victim_vec vv = { NULL, 0 };
	struct adn_clip_table *t;
	struct adn_clip_entry e;
	size_t next_victim = 0;
	unsigned int i;

	if (ctrl == NULL || (cand == NULL && n > 0))
		return -EINVAL;
	if (report == NULL)
		report = &dummy;
	memset(report, 0, sizeof(*report));
	t = adn_clip_switch_table(ctrl->sw);
	/* Rank the victims from the entries present before this round: an
	 * entry promoted now must not be pushed out by a colder candidate
	 * of the same round. */
	vv.v = calloc(adn_clip_table_count(t) + 1, sizeof(*vv.v));
	if (vv.v == NULL)
		return -ENOMEM;
	adn_clip_table_walk(t, victim_cb, &vv);
	qsort(vv.v, vv.n, sizeof(*vv.v), victim_cmp);
	for (i = 0; i < n; i++) {
		report->candidates++;
		if (adn_clip_table_find(t, &cand[i].key) != NULL) {
			report->already++;
			continue;
		}
		if (find_owner(ctrl, &cand[i].key, &e) < 0) {
			report->not_found++;
			continue;
		}
		if (adn_clip_table_count(t) >= adn_clip_table_capacity(t)) {
			const struct victim *v;

			/* An entry that is itself a candidate this round is
			 * hot: evicting it would only promote it again. */
			while (next_victim < vv.n &&
			       is_candidate(cand, n, &vv.v[next_victim].key))
				next_victim++;
			if (next_victim >= vv.n ||
			    vv.v[next_victim].period_hits >= cand[i].estimate) {
				report->refused++;
				continue;
			}
			v = &vv.v[next_victim++];
			adn_clip_table_del(t, &v->key);
			report->evicted++;
			steer_evicted(ctrl, v, report);
		}
		e.key = cand[i].key;
		if (adn_clip_table_add(t, &e) < 0) {
			report->refused++;
			continue;
		}
		report->promoted++;
		/* While on the switch the flow needs no pin; free the slot. */
		(void)adn_clip_table_del(adn_clip_switch_pins(ctrl->sw),
					 &cand[i].key);
	}
	free(vv.v);
	return 0;
}

int
adn_clip_ctrl_period(struct adn_clip_ctrl *ctrl,
		     struct adn_clip_promote_report *report)
{
	struct adn_clip_hitter *hh;
	int n, rc;

	if (ctrl == NULL)
		return -EINVAL;
	hh = calloc(ctrl->conf.topn, sizeof(*hh));
	if (hh == NULL)
		return -ENOMEM;
	n = adn_clip_switch_report(ctrl->sw, hh, ctrl->conf.topn);
	if (n < 0) {
		free(hh);
		return n;
	}
	rc = adn_clip_ctrl_promote(ctrl, hh, (unsigned int)n, report);
	free(hh);
	adn_clip_table_age(adn_clip_switch_table(ctrl->sw));
	return rc;
}

int
adn_clip_ctrl_flow_expired(struct adn_clip_ctrl *ctrl,
			   const struct adn_flow_key *key)
{
	int a, b;

	if (ctrl == NULL || key == NULL)
		return -EINVAL;
	a = adn_clip_table_del(adn_clip_switch_table(ctrl->sw), key);
	b = adn_clip_table_del(adn_clip_switch_pins(ctrl->sw), key);
	return (a == 0 || b == 0) ? 0 : -ENOENT;
}
