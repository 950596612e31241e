/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLIP controller logic (CLIP §III-D): membership changes of the server
 * group without losing flow state, and promotion of the top-N flows'
 * entries from the servers' mirrored tables into the switch table.
 *
 * The controller sees each server only through its mirrored table, an
 * abstract interface (struct adn_clip_mirror_ops) that the Snat element
 * implements over its own state, that the multi-process test implements
 * over a control channel, and that adn_clip_mirror_table_ops implements
 * over a local struct adn_clip_table (simulator, tests).
 *
 * Threading: single-threaded, on the control lcore; it calls the switch's
 * control functions, so the switch must not be processing at that time.
 */
#ifndef _ADN_CLIP_CTRL_H_
#define _ADN_CLIP_CTRL_H_

#include <stdbool.h>
#include <stdint.h>

#include "adn_clip_switch.h"
#include "adn_clip_table.h"

#define ADN_CLIP_MIRROR_MAX ADN_CLIP_GROUP_MAX

/*
 * What a server exports. Entries are struct adn_clip_entry with
 * server = the owning server (the one holding the flow's state) and
 * result = what the switch must apply for the flow (the same blob the
 * handler puts in its responses).
 */
struct adn_clip_mirror_ops {
	/* Fill *e for key: 0, or -ENOENT when the server has no state. */
	int (*lookup)(void *ctx, const struct adn_flow_key *key,
		      struct adn_clip_entry *e);
	/* Call cb for every entry; stop and return cb's value when it is
	 * non-zero. 0 or a negative errno of the transport. */
	int (*walk)(void *ctx,
		    int (*cb)(const struct adn_clip_entry *e, void *arg),
		    void *arg);
};

/* Mirror ops over a local table: ctx is a struct adn_clip_table *. */
extern const struct adn_clip_mirror_ops adn_clip_mirror_table_ops;

struct adn_clip_ctrl;

struct adn_clip_ctrl_conf {
	/* Before a change, pin every flow whose server the switch would no
	 * longer choose (CLIP §III-D). false = measure the damage. */
	bool push_on_change;
	/* Candidates asked from the switch per period (<= switch topn). */
	uint32_t topn;
};

/* Returns 0, -EINVAL, -ENOMEM. sw stays owned by the caller and must
 * outlive the controller. */
int adn_clip_ctrl_create(struct adn_clip_switch *sw,
			 const struct adn_clip_ctrl_conf *conf,
			 struct adn_clip_ctrl **out);
void adn_clip_ctrl_free(struct adn_clip_ctrl *ctrl);

/* Register server_id's mirrored table. 0, -EEXIST, -ENOSPC, -EINVAL. */
int adn_clip_ctrl_add_mirror(struct adn_clip_ctrl *ctrl, uint16_t server_id,
			     const struct adn_clip_mirror_ops *ops, void *ctx);
/* 0 or -ENOENT. */
int adn_clip_ctrl_del_mirror(struct adn_clip_ctrl *ctrl, uint16_t server_id);

struct adn_clip_change_report {
	uint32_t checked;	/* mirror entries examined */
	uint32_t on_switch;	/* in the fast table: need no server */
	uint32_t kept;		/* group logic still picks the owner */
	uint32_t pinned;	/* pin added (would have lost its server) */
	uint32_t unpinned;	/* pin dropped (no longer needed) */
	uint32_t pin_failed;	/* pin table full: the flow will mismatch */
};

/*
 * Membership change to `servers` (n of them; 0 drains). With
 * push_on_change: walk every mirror, pin the flows whose post-change
 * choice differs from their owner, then change the switch (clear BF,
 * flip cur, write G_cur), then drop pins that became unnecessary.
 * Returns 0, -EINVAL, or a mirror's walk error (switch unchanged).
 * report may be NULL.
 */
int adn_clip_ctrl_set_group(struct adn_clip_ctrl *ctrl,
			    const uint16_t *servers, unsigned int n,
			    struct adn_clip_change_report *report);

struct adn_clip_promote_report {
	uint32_t candidates;
	uint32_t already;	/* already in the switch table */
	uint32_t not_found;	/* no server has the flow (yet) */
	uint32_t promoted;
	uint32_t evicted;	/* aged entries pushed out */
	uint32_t refused;	/* table full of hotter entries */
	uint32_t repinned;	/* evicted flow pinned to its owner */
	uint32_t pin_failed;
};

/*
 * Move the entries of the candidates (highest estimate first) from their
 * owner's mirrored table into the switch table. When the table is full,
 * the coldest entries (fewest hits this period, then least recently hit)
 * make room, but only for a candidate with a higher estimate. An evicted
 * flow goes back to flight, so it is pinned to its owner if the switch
 * would now choose another server. Returns 0 or -EINVAL / -ENOMEM.
 */
int adn_clip_ctrl_promote(struct adn_clip_ctrl *ctrl,
			  const struct adn_clip_hitter *cand, unsigned int n,
			  struct adn_clip_promote_report *report);

/* One period: read the switch's top-N report (which resets the sketch),
 * promote, then start a new aging period of the switch table. */
int adn_clip_ctrl_period(struct adn_clip_ctrl *ctrl,
			 struct adn_clip_promote_report *report);

/* A server expired a flow: drop its switch entry and pin. Returns 0 or
 * -ENOENT when the switch had neither. */
int adn_clip_ctrl_flow_expired(struct adn_clip_ctrl *ctrl,
			       const struct adn_flow_key *key);

#endif /* _ADN_CLIP_CTRL_H_ */
