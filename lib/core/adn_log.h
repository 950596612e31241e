/* SPDX-License-Identifier: BSD-3-Clause */
/* Logging through rte_log with the "adn" log type (--log-level=adn:debug). */
#ifndef _ADN_LOG_H_
#define _ADN_LOG_H_

#include <rte_log.h>

extern int adn_logtype;

#define ADN_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, adn_logtype, "adn: " __VA_ARGS__)

#endif /* _ADN_LOG_H_ */
