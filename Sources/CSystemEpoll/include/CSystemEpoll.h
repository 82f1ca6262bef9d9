/*
 * CSystemEpoll: epoll(7) for Swift. Swift's Glibc module does not export <sys/epoll.h>, so the
 * socket transport (DSRuntimePOSIX) reaches epoll_create1, epoll_ctl, epoll_wait and
 * struct epoll_event (and eventfd, which wakes the loop when it also runs tasks; and accept4 for the
 * mock server, see CSystemEpoll.c) through this header: the C library's own declarations and layout
 * (struct epoll_event is packed on x86_64), nothing declared by hand.
 * Linux only; elsewhere the header is empty and the transport runs without the epoll loop.
 */
#ifndef DSPEC_CSYSTEMEPOLL_H
#define DSPEC_CSYSTEMEPOLL_H

#if defined(__linux__)
#include <sys/epoll.h>
#include <sys/eventfd.h>
#define DSPEC_HAS_EPOLL 1
/* accept(2) with SOCK_CLOEXEC set atomically (accept4): the mock server's accepted sockets are
 * never inherited by a process started at the same moment. */
int dspec_accept_cloexec(int fd);
#endif

#endif
