/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <rte_log.h>

#include <inttypes.h>
#include <stdlib.h>

#include "adn_defer.h"
#include "adn_elem.h"
#include "adn_log.h"
#include "adn_plan.h"

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
	unsigned int n_args;

	/* Constructors run before EAL logging is up: complaints go to
	 * stderr, and the type stays unusable rather than half-registered.
	 * At most 64 keys: one bit each in bad_args. */
	if (adn_elem_find(desc->name) != NULL) {
		fprintf(stderr, "adn: element type '%s' registered twice\n",
			desc->name);
		return;
	}
	for (n_args = 0; desc->args && desc->args[n_args].name; n_args++)
		;
	if (n_registered == ADN_MAX_ELEM_TYPES || n_args > 64 ||
	    desc->n_outputs > ADN_MAX_OUTPUTS ||
	    (desc->process == NULL && desc->exec == NULL) ||
	    (desc->bulk != NULL && desc->exec == NULL)) {
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

bool
adn_elem_arg_rejected(const struct adn_elem *e, const char *key)
{
	const struct adn_arg_spec *a = arg_spec(e, key);

	return a != NULL && ((e->bad_args >> (a - e->desc->args)) & 1);
}

const config_setting_t *
adn_elem_arg(const struct adn_elem *e, const char *key)
{
	if (adn_elem_arg_rejected(e, key))
		return NULL;
	return config_setting_get_member(e->setting, key);
}

/* The plan's value for `key` while e is built, or NULL. */
static const char *
knob(const struct adn_elem *e, const char *key)
{
	const struct adn_plan_knob *k = e->knobs ?
		adn_plan_knob(e->knobs, e->name, key) : NULL;

	return k ? k->value : NULL;
}

int64_t
adn_elem_arg_int(const struct adn_elem *e, const char *key)
{
	const config_setting_t *s = adn_elem_arg(e, key);
	const struct adn_arg_spec *a;
	const char *k = knob(e, key);

	if (k != NULL)
		return strtoll(k, NULL, 0);	/* checked by the plan */
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
	const char *k = knob(e, key);

	if (k != NULL)
		return strtod(k, NULL);
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
	const char *k = knob(e, key);

	if (k != NULL)
		return strcmp(k, "true") == 0;
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
	const char *k = knob(e, key);

	if (k != NULL)
		return k;
	if (s != NULL)
		return config_setting_get_string(s);
	a = arg_spec(e, key);
	return a ? a->def_str : NULL;
}

void
adn_elem_arg_text(const struct adn_elem *e, const char *key, char *out,
		  size_t len)
{
	const struct adn_arg_spec *a = arg_spec(e, key);
	const config_setting_t *s = adn_elem_arg(e, key);

	if (a == NULL) {
		snprintf(out, len, "?");
		return;
	}
	switch (a->type) {
	case ADN_ARG_INT:
		snprintf(out, len, "%" PRId64, adn_elem_arg_int(e, key));
		break;
	case ADN_ARG_FLOAT:
		snprintf(out, len, "%.17g", adn_elem_arg_float(e, key));
		break;
	case ADN_ARG_BOOL:
		snprintf(out, len, "%d", adn_elem_arg_bool(e, key));
		break;
	case ADN_ARG_STRING: {
		const char *v = adn_elem_arg_str(e, key);

		snprintf(out, len, "\"%s\"", v ? v : "");
		break;
	}
	default:
		/* Lists and groups: the line they start on stands for them;
		 * a rewritten one gives a new shape, which is safe. */
		snprintf(out, len, "@%d", s ? config_setting_source_line(s) : 0);
		break;
	}
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
adn_elem_desc_drop_name(const struct adn_elem_desc *d, unsigned int r)
{
	if (r == ADN_DROP_BAD_PORT)
		return "bad-output-port";
	if (r == ADN_DROP_OVERFLOW)
		return "batch-overflow";
	for (unsigned int i = 0; d != NULL && d->drop_reasons &&
	     d->drop_reasons[i]; i++)
		if (i == r)
			return d->drop_reasons[i];
	return "unknown";
}

const char *
adn_elem_drop_name(const struct adn_elem *e, unsigned int r)
{
	return adn_elem_desc_drop_name(e->desc, r);
}

void
adn_elem_flags_name(uint32_t flags, char *out, size_t len)
{
	static const char *const names[] = {
		"PURE_ON_FLOW", "STATEFUL_PER_CORE", "STATEFUL_SHARED",
		"SOURCE", "PREP_PURE_ON_FLOW", "EXTERNAL",
	};
	size_t off = 0;

	out[0] = '\0';
	for (unsigned int i = 0; i < RTE_DIM(names) && off < len; i++)
		if (flags & (1u << i))
			off += (size_t)snprintf(out + off, len - off, "%s%s",
						off ? "|" : "", names[i]);
	if (out[0] == '\0')
		snprintf(out, len, "-");
}

void
adn_elem_defer_free(const struct adn_elem *e, void (*fn)(void *), void *p)
{
	if (e->defer == NULL)
		fn(p);	/* no worker runs this pipeline */
	else
		adn_defer_add(e->defer, fn, p);
}
