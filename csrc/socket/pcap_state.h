/*
 * What capture keeps per TCP socket (embedded in struct sw_sock).
 *
 * Stream offsets count bytes of one direction from the first data byte:
 * the sequence number of offset x is isn + 1 + x.  `recorded` may run
 * ahead of `sent`: a send is written to the capture before the kernel
 * takes it, so that the peer can never acknowledge bytes the file does
 * not hold yet (see pcap_tcp.c).
 */
#ifndef SW_PCAP_STATE_H
#define SW_PCAP_STATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct sw_pcap_ep {
	bool v6;
	uint8_t addr[16];        /* 4 bytes used for IPv4 */
	uint16_t port;           /* host order */
};

struct sw_pcap_flow {
	struct sw_pcap_ep self, peer;
	uint32_t isn_self, isn_peer;
};

struct sw_pcap_tcp {
	pthread_mutex_t m;       /* all-zero is PTHREAD_MUTEX_INITIALIZER */
	bool active;             /* flow known: this connection is captured */
	int owner;               /* pid that set it up: a forked copy is not it */
	bool fin_sent;           /* our FIN (or RST) is recorded */
	bool fin_acked;          /* the peer's FIN is acknowledged in the file */
	struct sw_pcap_flow flow;
	uint64_t sent;           /* bytes the kernel took from us */
	uint64_t recorded;       /* bytes of ours in the file (>= sent) */
	uint64_t rcvd;           /* bytes we read */
	uint64_t acked;          /* highest rcvd offset an ACK of ours carried */
};

#endif
