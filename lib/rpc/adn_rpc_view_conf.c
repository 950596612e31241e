/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A view from an element's config (adn_rpc_view_conf.h).
 */
#include <errno.h>
#include <stdio.h>

#include "adn_rpc_view_conf.h"

int
adn_rpc_view_conf(struct adn_build *b, const struct adn_elem *e,
		  const char *key, const struct adn_rpc_view_decl *decl,
		  struct adn_rpc_view *v)
{
	const config_setting_t *g = adn_elem_arg(e, key);
	const bool open = decl == NULL || decl[0].name == NULL;
	int rc = 0;

	if (adn_rpc_view_init(v, decl) < 0)
		return adn_build_error(b, e, key, "the element declares more "
				       "than %d view fields", ADN_RPC_VIEW_MAX);
	for (int i = 0; g != NULL && i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		const char *texts[ADN_RPC_VIEW_ALT];
		const char *name = config_setting_name(s);
		unsigned int n = 0;
		char why[512];

		if (config_setting_type(s) == CONFIG_TYPE_STRING) {
			texts[n++] = config_setting_get_string(s);
		} else if (config_setting_is_aggregate(s) &&
			   config_setting_type(s) != CONFIG_TYPE_GROUP) {
			const int len = config_setting_length(s);

			for (int k = 0; k < len && n < ADN_RPC_VIEW_ALT; k++) {
				const char *t = config_setting_get_string(
					config_setting_get_elem(s, k));

				if (t == NULL)
					break;
				texts[n++] = t;
			}
			if (n != (unsigned int)len || len > ADN_RPC_VIEW_ALT) {
				rc = adn_build_error_at(b, e, s, key,
					"'%s': give a selector or a list of 1-%d "
					"selector strings", name,
					ADN_RPC_VIEW_ALT);
				continue;
			}
		} else {
			rc = adn_build_error_at(b, e, s, key, "'%s': give a "
						"selector string (e.g. "
						"\"header:x-user\")", name);
			continue;
		}
		if (adn_rpc_view_map(v, open, name, texts, n, why,
				     sizeof(why)) < 0)
			rc = adn_build_error_at(b, e, s, key, "%s", why);
	}
	for (unsigned int i = 0; !open && decl[i].name != NULL; i++)
		if (decl[i].required && v->f[i].n_sel == 0)
			rc = adn_build_error(b, e, key, "field '%s' (%s, %s) is "
					     "not mapped: add %s = \"SELECTOR\"",
					     decl[i].name,
					     adn_rpc_vtype_str(decl[i].type),
					     decl[i].help ? decl[i].help : "",
					     decl[i].name);
	return rc;
}
