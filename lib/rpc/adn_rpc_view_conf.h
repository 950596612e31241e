/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading an element's view (adn_rpc_view.h) from its config: group key
 * `key` whose members map logical fields to a selector string or a list
 * of them. Errors go through the build (file, line, element, key), all
 * of them before failing.
 */
#ifndef _ADN_RPC_VIEW_CONF_H_
#define _ADN_RPC_VIEW_CONF_H_

#include "adn_elem.h"
#include "adn_pipeline.h"
#include "adn_rpc_view.h"

/*
 * Compile element e's view group `key` (declared ADN_ARG_GROUP) for
 * declarations `decl` (NULL: an open view, every member a field of type
 * ANY) into *v. Reports every bad member (unknown field, bad selector,
 * type mismatch, not a string or list of strings) and every required
 * field left unmapped at its config line. 0 or -EINVAL. Configure only.
 */
int adn_rpc_view_conf(struct adn_build *b, const struct adn_elem *e,
		      const char *key, const struct adn_rpc_view_decl *decl,
		      struct adn_rpc_view *v);

#endif /* _ADN_RPC_VIEW_CONF_H_ */
