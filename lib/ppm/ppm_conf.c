/* SPDX-License-Identifier: BSD-3-Clause */
/* libconfig loader for the PPM rule tables; schema in adn_ppm_conf.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "adn_conf_check.h"
#include "adn_ppm_conf.h"

struct conf_ctx {
	struct adn_ppm_chain *chain;
	char *err;
	size_t errlen;
	size_t used;
	int n_err;
	/* names -> ids */
	const char *lnames[ADN_PPM_LISTENERS];
	int n_l;
	const char *cnames[ADN_PPM_CLUSTERS];
	int n_c;
};

static void __attribute__((format(printf, 3, 4)))
conf_err(struct conf_ctx *x, const config_setting_t *s, const char *fmt, ...)
{
	const char *file = config_setting_source_file(s);
	va_list ap;
	int n;

	x->n_err++;
	if (x->err == NULL || x->used + 1 >= x->errlen)
		return;
	n = snprintf(x->err + x->used, x->errlen - x->used, "%s:%d: ppm: ",
		     file ? file : "<config>", config_setting_source_line(s));
	if (n > 0)
		x->used += (size_t)n;
	if (x->used + 1 >= x->errlen) {
		x->used = x->errlen - 1;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(x->err + x->used, x->errlen - x->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		x->used += (size_t)n;
	if (x->used + 2 < x->errlen) {
		x->err[x->used++] = '\n';
		x->err[x->used] = '\0';
	} else {
		x->used = x->errlen - 1;
	}
}

/* Unknown keys are errors: a typo must not silently become a default. */
static int
check_keys(struct conf_ctx *x, const config_setting_t *g, const char *where,
	   const char *const *allowed)
{
	int bad = 0;

	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *e = config_setting_get_elem(g, i);
		const char *name = config_setting_name(e);
		int ok = 0;

		for (const char *const *a = allowed; *a != NULL; a++)
			ok |= name != NULL && strcmp(name, *a) == 0;
		if (!ok) {
			conf_err(x, e, "%s: unknown key '%s'", where,
				 name ? name : "?");
			bad = 1;
		}
	}
	return bad ? -EINVAL : 0;
}

static const char *
get_str(struct conf_ctx *x, const config_setting_t *g, const char *where,
	const char *key, int required)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (s == NULL) {
		if (required)
			conf_err(x, g, "%s: missing key '%s'", where, key);
		return NULL;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		conf_err(x, s, "%s: key '%s' must be a string", where, key);
		return NULL;
	}
	return config_setting_get_string(s);
}

static int
get_int(struct conf_ctx *x, const config_setting_t *g, const char *where,
	const char *key, long lo, long hi, long def, int required, long *v)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	*v = def;
	if (s == NULL) {
		if (required) {
			conf_err(x, g, "%s: missing key '%s'", where, key);
			return -EINVAL;
		}
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_INT) {
		conf_err(x, s, "%s: key '%s' must be an integer in [%ld, %ld]",
			 where, key, lo, hi);
		return -EINVAL;
	}
	*v = config_setting_get_int(s);
	if (*v < lo || *v > hi) {
		conf_err(x, s, "%s: key '%s' = %ld out of range [%ld, %ld]",
			 where, key, *v, lo, hi);
		return -EINVAL;
	}
	return 0;
}

static int
get_ip(struct conf_ctx *x, const config_setting_t *g, const char *where,
       uint32_t *ip)
{
	const char *s = get_str(x, g, where, "ip", 1);
	struct in_addr a;

	if (s == NULL)
		return -EINVAL;
	if (inet_pton(AF_INET, s, &a) != 1) {
		conf_err(x, config_setting_get_member(g, "ip"),
			 "%s: key 'ip' = \"%s\" is not an IPv4 address",
			 where, s);
		return -EINVAL;
	}
	*ip = ntohl(a.s_addr);
	return 0;
}

static int
get_action(struct conf_ctx *x, const config_setting_t *g, const char *where,
	   const char *key, int *action)
{
	static const char *const names[] = { "allow", "deny", "control" };
	const char *s = get_str(x, g, where, key, 0);

	if (s == NULL)
		return config_setting_get_member(g, key) ? -EINVAL : 0;
	for (int i = 0; i < 3; i++) {
		if (strcmp(s, names[i]) == 0) {
			*action = i;
			return 0;
		}
	}
	conf_err(x, config_setting_get_member(g, key),
		 "%s: key '%s' = \"%s\" (allowed: allow, deny, control)",
		 where, key, s);
	return -EINVAL;
}

static int
lookup_name(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int
get_path(struct conf_ctx *x, const config_setting_t *g, const char *where,
	 enum adn_ppm_path_mode *mode, const char **path)
{
	const char *e = get_str(x, g, where, "exact", 0);
	const char *p = get_str(x, g, where, "prefix", 0);

	if (e != NULL && p != NULL) {
		conf_err(x, g, "%s: give 'exact' or 'prefix', not both", where);
		return -EINVAL;
	}
	*mode = e ? ADN_PPM_PATH_EXACT :
		p ? ADN_PPM_PATH_PREFIX : ADN_PPM_PATH_ANY;
	*path = e ? e : p;
	return 0;
}

static const char *
rc_str(int rc)
{
	switch (rc) {
	case -ENOSPC: return "table full";
	case -EEXIST: return "duplicate (or hash-colliding) key";
	default: return "invalid value (path must start with '/', prefixes "
		"end with '/' and have at most 4 '/', headers end in CRLF)";
	}
}

static void
load_listeners(struct conf_ctx *x, const config_setting_t *list)
{
	static const char *const keys[] = { "name", "ip", "port", NULL };

	for (int i = 0; list && i < config_setting_length(list); i++) {
		const config_setting_t *g = config_setting_get_elem(list, i);
		const char *name;
		uint32_t ip;
		long port;
		uint8_t id;
		int rc;

		if (check_keys(x, g, "listeners", keys) < 0)
			continue;
		name = get_str(x, g, "listeners", "name", 1);
		if (name == NULL || get_ip(x, g, "listeners", &ip) < 0 ||
		    get_int(x, g, "listeners", "port", 1, 65535, 0, 1,
			    &port) < 0)
			continue;
		if (lookup_name(x->lnames, x->n_l, name) >= 0) {
			conf_err(x, g, "listeners: duplicate name \"%s\"",
				 name);
			continue;
		}
		rc = adn_ppm_listener_add(x->chain, ip, (uint16_t)port, &id);
		if (rc < 0) {
			conf_err(x, g, "listeners: \"%s\": %s", name,
				 rc_str(rc));
			continue;
		}
		x->lnames[id] = name;
		x->n_l = id + 1;
	}
}

static void
load_clusters(struct conf_ctx *x, const config_setting_t *list)
{
	static const char *const keys[] = { "name", "endpoints", NULL };
	static const char *const ekeys[] = {
		"ip", "port", "weight", "header", NULL,
	};

	for (int i = 0; list && i < config_setting_length(list); i++) {
		const config_setting_t *g = config_setting_get_elem(list, i);
		const config_setting_t *eps;
		const char *name;

		if (check_keys(x, g, "clusters", keys) < 0)
			continue;
		name = get_str(x, g, "clusters", "name", 1);
		if (name == NULL)
			continue;
		if (lookup_name(x->cnames, x->n_c, name) >= 0 ||
		    x->n_c >= ADN_PPM_CLUSTERS) {
			conf_err(x, g, "clusters: \"%s\": duplicate name or "
				 "more than %d clusters", name,
				 ADN_PPM_CLUSTERS);
			continue;
		}
		x->cnames[x->n_c] = name;
		eps = config_setting_get_member(g, "endpoints");
		for (int j = 0; eps && j < config_setting_length(eps); j++) {
			const config_setting_t *e =
				config_setting_get_elem(eps, j);
			const char *hdr;
			uint32_t ip;
			long port, w;
			int rc;

			if (check_keys(x, e, "endpoints", ekeys) < 0 ||
			    get_ip(x, e, "endpoints", &ip) < 0 ||
			    get_int(x, e, "endpoints", "port", 1, 65535, 0, 1,
				    &port) < 0 ||
			    get_int(x, e, "endpoints", "weight", 1, 255, 1, 0,
				    &w) < 0)
				continue;
			hdr = get_str(x, e, "endpoints", "header", 0);
			rc = adn_ppm_endpoint_add(x->chain, (uint8_t)x->n_c,
						  ip, (uint16_t)port,
						  (uint8_t)w, hdr, NULL);
			if (rc < 0)
				conf_err(x, e, "endpoints: %s", rc_str(rc));
		}
		x->n_c++;
	}
}

static void
load_routes(struct conf_ctx *x, const config_setting_t *list)
{
	static const char *const keys[] = {
		"listener", "exact", "prefix", "cluster", "id", NULL,
	};

	for (int i = 0; list && i < config_setting_length(list); i++) {
		const config_setting_t *g = config_setting_get_elem(list, i);
		enum adn_ppm_path_mode mode;
		const char *ln, *cn, *path;
		int lid, cid, rc;
		long id;

		if (check_keys(x, g, "routes", keys) < 0)
			continue;
		ln = get_str(x, g, "routes", "listener", 1);
		cn = get_str(x, g, "routes", "cluster", 1);
		if (ln == NULL || cn == NULL ||
		    get_path(x, g, "routes", &mode, &path) < 0 ||
		    get_int(x, g, "routes", "id", 0, 254, i & 0xff, 0,
			    &id) < 0)
			continue;
		lid = lookup_name(x->lnames, x->n_l, ln);
		cid = lookup_name(x->cnames, x->n_c, cn);
		if (lid < 0 || cid < 0) {
			conf_err(x, g, "routes: unknown %s \"%s\"",
				 lid < 0 ? "listener" : "cluster",
				 lid < 0 ? ln : cn);
			continue;
		}
		if (mode == ADN_PPM_PATH_ANY) {
			conf_err(x, g, "routes: needs 'exact' or 'prefix'");
			continue;
		}
		rc = adn_ppm_route_add(x->chain, (uint8_t)lid, mode, path,
				       (uint8_t)id, (uint8_t)cid);
		if (rc < 0)
			conf_err(x, g, "routes: \"%s\": %s", path, rc_str(rc));
	}
}

static void
load_filters(struct conf_ctx *x, const config_setting_t *list)
{
	static const char *const keys[] = {
		"methods", "host", "exact", "prefix", "action", NULL,
	};

	for (int i = 0; list && i < config_setting_length(list); i++) {
		const config_setting_t *g = config_setting_get_elem(list, i);
		const config_setting_t *ms;
		enum adn_ppm_path_mode mode;
		const char *host, *path;
		uint16_t mask = 0;
		int action = -1, rc, bad = 0;

		if (check_keys(x, g, "filters", keys) < 0 ||
		    get_path(x, g, "filters", &mode, &path) < 0 ||
		    get_action(x, g, "filters", "action", &action) < 0)
			continue;
		if (action < 0) {
			conf_err(x, g, "filters: missing key 'action'");
			continue;
		}
		host = get_str(x, g, "filters", "host", 0);
		ms = config_setting_get_member(g, "methods");
		for (int j = 0; ms && j < config_setting_length(ms); j++) {
			const char *m = config_setting_get_string_elem(ms, j);
			enum adn_ppm_method me = m ?
				adn_ppm_method_parse(m, strlen(m)) :
				ADN_PPM_M_NONE;

			if (me == ADN_PPM_M_NONE) {
				conf_err(x, ms, "filters: methods[%d] is not "
					 "a known method (GET, HEAD, POST, PUT,"
					 " DELETE, CONNECT, OPTIONS, TRACE, "
					 "PATCH)", j);
				bad = 1;
			}
			mask |= (uint16_t)(1u << me);
		}
		if (bad)
			continue;
		rc = adn_ppm_filter_add(x->chain, mask, host, mode, path,
					action);
		if (rc < 0)
			conf_err(x, g, "filters: %s", rc_str(rc));
	}
}

int
adn_ppm_conf_load(struct adn_ppm_chain *chain, const config_setting_t *s,
		  char *err, size_t errlen)
{
	static const char *const keys[] = {
		"filter_default", "listeners", "clusters", "routes", "filters",
		NULL,
	};
	struct conf_ctx x = { .chain = chain, .err = err, .errlen = errlen };
	int action = ADN_PPM_ALLOW;

	if (chain == NULL || s == NULL)
		return -EINVAL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (!config_setting_is_group(s)) {
		conf_err(&x, s, "'ppm' must be a group");
		return -EINVAL;
	}
	check_keys(&x, s, "ppm", keys);
	if (get_action(&x, s, "ppm", "filter_default", &action) == 0)
		adn_ppm_filter_set_default(chain, action);
	load_listeners(&x, config_setting_get_member(s, "listeners"));
	load_clusters(&x, config_setting_get_member(s, "clusters"));
	load_routes(&x, config_setting_get_member(s, "routes"));
	load_filters(&x, config_setting_get_member(s, "filters"));
	return x.n_err ? -EINVAL : 0;
}

int
adn_ppm_conf_load_file(struct adn_ppm_chain *chain, const char *path,
		       char *err, size_t errlen)
{
	char why[2 * PATH_MAX + 64];
	config_t cfg;
	const config_setting_t *s;
	int rc;

	if (chain == NULL || path == NULL)
		return -EINVAL;
	/* libconfig would exit() on a directory: refuse it first. */
	rc = adn_conf_check_files(path, NULL, why, sizeof(why));
	if (rc < 0) {
		if (err != NULL)
			snprintf(err, errlen, "%s\n", why);
		return rc;
	}
	config_init(&cfg);
	if (config_read_file(&cfg, path) != CONFIG_TRUE) {
		if (err != NULL)
			snprintf(err, errlen, "%s:%d: %s\n",
				 config_error_file(&cfg) ?
				 config_error_file(&cfg) : path,
				 config_error_line(&cfg),
				 config_error_text(&cfg));
		rc = config_error_type(&cfg) == CONFIG_ERR_FILE_IO ?
			-ENOENT : -EINVAL;
		config_destroy(&cfg);
		return rc;
	}
	s = config_lookup(&cfg, "ppm");
	if (s == NULL) {
		if (err != NULL)
			snprintf(err, errlen, "%s: no 'ppm' group\n", path);
		config_destroy(&cfg);
		return -ENOENT;
	}
	rc = adn_ppm_conf_load(chain, s, err, errlen);
	config_destroy(&cfg);
	return rc;
}
