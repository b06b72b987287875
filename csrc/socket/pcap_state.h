/*
 * What capture keeps per TCP connection end.
 *
 * Stream offsets count bytes of one direction from the first data byte:
 * the sequence number of offset x is isn + 1 + x.  `recorded` may run
 * ahead of `sent`: a send is written to the capture before the kernel
 * takes it, so that the peer can never acknowledge bytes the file does
 * not hold yet (see pcap_tcp.c).
 *
 * The state of a connection end lives in a table shared by every process
 * of the socket directory (pcap_conns.c), keyed by the socket's inode, so
 * that every process holding the socket (forked servers, sshd's re-exec,
 * a descriptor passed with SCM_RIGHTS) records one consistent stream.
 * `pids` lists those processes: only when none of the others still holds
 * the socket does a close end the connection in the capture.
 */
#ifndef SW_PCAP_STATE_H
#define SW_PCAP_STATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sw_pcap_ep {
	bool v6;
	uint8_t addr[16];        /* 4 bytes used for IPv4 */
	uint16_t port;           /* host order */
};

struct sw_pcap_flow {
	struct sw_pcap_ep self, peer;
	uint32_t isn_self, isn_peer;
};

#define SW_PCAP_PIDS 8

struct sw_pcap_conn {
	_Atomic uint32_t slot;   /* table slot state (pcap_conns.c) */
	bool shared;             /* in the table, not private memory */
	uint64_t ino;            /* the AF_UNIX socket's inode */
	pthread_mutex_t m;       /* process-shared and robust when shared */
	bool active;             /* flow known: this connection is captured */
	bool fin_sent;           /* our FIN (or RST) is recorded */
	bool fin_acked;          /* the peer's FIN is acknowledged in the file */
	struct sw_pcap_flow flow;
	uint64_t sent;           /* bytes the kernel took from us */
	uint64_t recorded;       /* bytes of ours in the file (>= sent) */
	uint64_t rcvd;           /* bytes we read */
	uint64_t acked;          /* highest rcvd offset an ACK of ours carried */
	int32_t pids[SW_PCAP_PIDS]; /* processes holding the socket; 0: none */
	int32_t left[SW_PCAP_PIDS]; /* processes that let go (a ring): one may
				     * still be seen holding it while it exits */
	uint32_t left_next;
	uint32_t in_flight;      /* passed with SCM_RIGHTS, not received yet */
	struct sw_pcap_conn *next_free; /* private state given back (reuse) */
};

/* Embedded in struct sw_sock. */
struct sw_pcap_tcp {
	struct sw_pcap_conn *_Atomic conn;   /* NULL: not captured */
};

#endif
