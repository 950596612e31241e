/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <rte_log.h>

#include "adn_elem.h"
#include "adn_log.h"

RTE_LOG_REGISTER_DEFAULT(adn_logtype, INFO);

RTE_DEFINE_PER_LCORE(unsigned int, adn_worker_idx);

#define ADN_MAX_ELEM_TYPES 256

/* Filled by constructors before main(); read-only afterwards. */
static const struct adn_elem_desc *registry[ADN_MAX_ELEM_TYPES];
static unsigned int n_registered;

void
adn_worker_index_set(unsigned int idx)
{
	RTE_PER_LCORE(adn_worker_idx) = idx;
}

void
adn_elem_register(const struct adn_elem_desc *desc)
{
	/* Constructors run before EAL logging is up: complaints go to
	 * stderr, and the type stays unusable rather than half-registered. */
	if (adn_elem_find(desc->name) != NULL) {
		fprintf(stderr, "adn: element type '%s' registered twice\n",
			desc->name);
		return;
	}
	if (n_registered == ADN_MAX_ELEM_TYPES ||
	    desc->n_outputs > ADN_MAX_OUTPUTS ||
	    (desc->process == NULL && desc->exec == NULL)) {
		fprintf(stderr, "adn: element type '%s' rejected\n",
			desc->name);
		return;
	}
	registry[n_registered++] = desc;
}

const struct adn_elem_desc *
adn_elem_find(const char *name)
{
	for (unsigned int i = 0; i < n_registered; i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

int
adn_elem_control(struct adn_elem *e, const char *cmd, char *reply, size_t len)
{
	int rc;

	if (e->desc->control == NULL) {
		snprintf(reply, len, "element '%s' (%s) takes no control commands",
			 e->name, e->desc->name);
		return -ENOTSUP;
	}
	reply[0] = '\0';
	rc = e->desc->control(e, cmd, reply, len);
	if (rc > 0)
		__atomic_fetch_add(&e->state_gen, 1, __ATOMIC_RELEASE);
	return rc > 0 ? 0 : rc;
}

const struct adn_elem_desc *
adn_elem_at(unsigned int i)
{
	return i < n_registered ? registry[i] : NULL;
}

static const struct adn_arg_spec *
arg_spec(const struct adn_elem *e, const char *key)
{
	for (const struct adn_arg_spec *a = e->desc->args; a && a->name; a++)
		if (strcmp(a->name, key) == 0)
			return a;
	return NULL;
}

const config_setting_t *
adn_elem_arg(const struct adn_elem *e, const char *key)
{
	return config_setting_get_member(e->setting, key);
}

int64_t
adn_elem_arg_int(const struct adn_elem *e, const char *key)
{
	const config_setting_t *s = adn_elem_arg(e, key);
	const struct adn_arg_spec *a;

	if (s != NULL)
		return config_setting_get_int64(s);
	a = arg_spec(e, key);
	return a ? a->def_int : 0;
}

double
adn_elem_arg_float(const struct adn_elem *e, const char *key)
{
	const config_setting_t *s = adn_elem_arg(e, key);
	const struct adn_arg_spec *a;

	if (s != NULL)
		return config_setting_type(s) == CONFIG_TYPE_FLOAT ?
			config_setting_get_float(s) :
			(double)config_setting_get_int64(s);
	a = arg_spec(e, key);
	return a ? a->def_float : 0;
}

bool
adn_elem_arg_bool(const struct adn_elem *e, const char *key)
{
	const config_setting_t *s = adn_elem_arg(e, key);
	const struct adn_arg_spec *a;

	if (s != NULL)
		return config_setting_get_bool(s);
	a = arg_spec(e, key);
	return a ? a->def_int != 0 : false;
}

const char *
adn_elem_arg_str(const struct adn_elem *e, const char *key)
{
	const config_setting_t *s = adn_elem_arg(e, key);
	const struct adn_arg_spec *a;

	if (s != NULL)
		return config_setting_get_string(s);
	a = arg_spec(e, key);
	return a ? a->def_str : NULL;
}

void
adn_elem_arg_path(const struct adn_elem *e, const char *key, char *out,
		  size_t len)
{
	const config_setting_t *s = adn_elem_arg(e, key);
	const char *path = adn_elem_arg_str(e, key);
	const char *file = s ? config_setting_source_file(s) : NULL;
	char dir[PATH_MAX];

	if (path == NULL)
		path = "";
	if (path[0] == '/' || path[0] == '\0' || file == NULL) {
		snprintf(out, len, "%s", path);
		return;
	}
	snprintf(dir, sizeof(dir), "%s", file);
	snprintf(out, len, "%s/%s", dirname(dir), path);
}

const char *
adn_elem_drop_name(const struct adn_elem *e, unsigned int r)
{
	if (r == ADN_DROP_BAD_PORT)
		return "bad-output-port";
	if (r == ADN_DROP_OVERFLOW)
		return "batch-overflow";
	for (unsigned int i = 0; e->desc->drop_reasons &&
	     e->desc->drop_reasons[i]; i++)
		if (i == r)
			return e->desc->drop_reasons[i];
	return "unknown";
}
