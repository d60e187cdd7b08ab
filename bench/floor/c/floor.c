/* floor.c: the servers of main.go in C, for the same measurement without
 * Go's runtime. Mode "block": one thread, blocking accept/read/write, one
 * session at a time. Mode "epoll": one thread, an epoll loop over
 * non-blocking sockets. Build: gcc -O2 -o floor-c floor.c */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const int banner = 26;
static const int client_w[] = {26, 150, 76, 192, 192, 160};
static const int server_w[] = {72, 49, 972, 96, 160, 304};
enum { steps = 6, max_fd = 65536 };
static char buf[4096], out[4096];

static int read_full(int fd, int n) {
	for (int got = 0; got < n;) {
		ssize_t k = read(fd, buf, n - got);
		if (k <= 0)
			return -1;
		got += k;
	}
	return 0;
}

static void serve_block(int l) {
	int one = 1;
	for (;;) {
		int c = accept(l, NULL, NULL);
		if (c < 0)
			continue;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (write(c, out, banner) == banner) {
			int i;
			for (i = 0; i < steps; i++)
				if (read_full(c, client_w[i]) < 0 || write(c, out, server_w[i]) != server_w[i])
					break;
			if (i == steps)
				(void)read(c, buf, sizeof buf); /* the client's close */
		}
		close(c);
	}
}

static struct { int step, got; } st[max_fd];

static void serve_epoll(int l) {
	int one = 1, ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = l}, evs[64];
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	for (;;) {
		int n = epoll_wait(ep, evs, 64, -1);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == l) {
				int c;
				while ((c = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					if (c >= max_fd) {
						close(c);
						continue;
					}
					setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
					st[c].step = st[c].got = 0;
					(void)write(c, out, banner);
					struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = c};
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
				}
				continue;
			}
			for (;;) {
				ssize_t k = read(fd, buf, sizeof buf);
				if (k < 0 && (errno == EAGAIN || errno == EINTR))
					break;
				if (k <= 0) {
					close(fd);
					break;
				}
				st[fd].got += k;
				while (st[fd].step < steps && st[fd].got >= client_w[st[fd].step]) {
					st[fd].got -= client_w[st[fd].step];
					(void)write(fd, out, server_w[st[fd].step]);
					st[fd].step++;
				}
			}
		}
	}
}

int main(int argc, char **argv) {
	if (argc != 3 || (strcmp(argv[1], "block") && strcmp(argv[1], "epoll"))) {
		fprintf(stderr, "usage: floor-c block|epoll PORT\n");
		return 2;
	}
	int l = socket(AF_INET, SOCK_STREAM | (strcmp(argv[1], "epoll") ? 0 : SOCK_NONBLOCK), 0), one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2])), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 128) < 0) {
		perror("floor-c");
		return 1;
	}
	if (strcmp(argv[1], "block") == 0)
		serve_block(l);
	else
		serve_epoll(l);
}
