// nop: the do-nothing HTTP/1.1 server that make bench-decide measures
// harness serve beside. One thread, epoll, TCP_NODELAY; every request
// (any method and path, its body skipped by Content-Length) is answered
// at once with 200 and the same 19-byte JSON body. What harness loadtest
// measures against it is the machine's floor: the kernel's loopback path,
// the scheduler and the load generator, with no server work at all.
//
//   nop PORT        (listens on 127.0.0.1:PORT until killed)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { maxConns = 4096, bufSize = 16384 };

static char bufs[maxConns][bufSize + 1];
static int lens[maxConns];
static const char answer[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 19\r\n\r\n{\"decision\":\"nop\"}\n";

int main(int argc, char **argv) {
	if (argc != 2) {
		fprintf(stderr, "usage: nop PORT\n");
		return 2;
	}
	int one = 1;
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
	a.sin_addr.s_addr = inet_addr("127.0.0.1");
	if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 1024)) {
		perror("nop: listen");
		return 1;
	}
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	struct epoll_event evs[64];
	for (;;) {
		int n = epoll_wait(ep, evs, 64, -1);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == ls) {
				int c = accept(ls, 0, 0);
				if (c < 0)
					continue;
				if (c >= maxConns) {
					close(c);
					continue;
				}
				setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
				lens[c] = 0;
				struct epoll_event e = {.events = EPOLLIN, .data.fd = c};
				epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
				continue;
			}
			char *b = bufs[fd];
			int r = read(fd, b + lens[fd], bufSize - lens[fd]);
			if (r <= 0) {
				close(fd);
				continue;
			}
			lens[fd] += r;
			b[lens[fd]] = 0;
			// Answer every whole request in the buffer.
			for (;;) {
				char *end = strstr(b, "\r\n\r\n");
				if (!end)
					break;
				*end = 0;
				char *cl = strcasestr(b, "content-length:");
				*end = '\r';
				long body = cl ? strtol(cl + 15, 0, 10) : 0;
				if (body < 0 || body > bufSize) { // a request this small server will not hold
					close(fd);
					break;
				}
				unsigned total = (unsigned)(end + 4 - b) + (unsigned)body;
				if (total > bufSize) {
					close(fd);
					break;
				}
				if ((unsigned)lens[fd] < total)
					break;
				if (write(fd, answer, sizeof answer - 1) < 0)
					break;
				memmove(b, b + total, lens[fd] - total);
				lens[fd] -= total;
				b[lens[fd]] = 0;
			}
			if (lens[fd] == bufSize) // no request end in a full buffer
				close(fd);
		}
	}
}
