/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interrupt gate: keeps the EAL interrupt thread parked while the data
 * path polls ports whose PMD changes the data path's memory from that
 * thread, and lets it run only in windows the caller opens while nothing
 * polls those ports.
 *
 * Why: net_memif (DPDK 22.11) handles its control socket on the EAL
 * interrupt thread. When the peer goes away, memif_disconnect() clears
 * the "connected" flag and then munmap()s the shared regions and frees
 * their descriptors, with no synchronisation against rx/tx bursts, which
 * test the flag once on entry. A worker inside a burst (or preempted in
 * one on a busy machine) then reads unmapped ring memory: SIGSEGV. The
 * PMD gives no hook to wait for the data path, so the gate does it from
 * the outside: an always-readable eventfd is registered with the
 * interrupt thread and its callback parks the thread. The thread is
 * single, so while it is parked no other interrupt callback (memif
 * connect, disconnect, ...) runs. adn_intr_gate_window() lets it go
 * round its epoll loop once: it finishes the callbacks due, comes back
 * to the always-ready eventfd and parks again. A callback due after ours
 * in one round runs in the next window, so nothing waits longer than one
 * window.
 *
 * Contract: create the gate before the data path polls the ports; call
 * adn_intr_gate_window() only while no lcore is inside an rx/tx burst on
 * them; free the gate only once nothing polls them any more (after
 * stopping and closing the ports is best: close then cannot race a
 * disconnect on the interrupt thread). One gate per process. Any thread
 * may call these functions, one at a time.
 */
#ifndef _ADN_INTR_GATE_H_
#define _ADN_INTR_GATE_H_

struct adn_intr_gate;

/*
 * Register the gate and wait up to timeout_ms for the interrupt thread to
 * park. Returns 0, -ETIMEDOUT (not parked: do not start polling),
 * -ENOMEM, or the negative errno of eventfd/registration.
 */
int adn_intr_gate_create(unsigned int timeout_ms, struct adn_intr_gate **out);

/*
 * Let the parked interrupt thread run one round of its loop and wait up
 * to timeout_ms for it to park again. Returns 0 when it is parked again;
 * -ETIMEDOUT when it is still running (the caller must keep the data path
 * off the gated ports and call again, which waits without releasing
 * another round).
 */
int adn_intr_gate_window(struct adn_intr_gate *g, unsigned int timeout_ms);

/* Release the interrupt thread for good, unregister and free. NULL ok. */
void adn_intr_gate_free(struct adn_intr_gate *g);

#endif /* _ADN_INTR_GATE_H_ */
