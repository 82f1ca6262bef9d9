/* accept4(2) is declared by <sys/socket.h> only with _GNU_SOURCE, which a module header should
 * not define for its importers; the wrapper is compiled here, with it. */
#if defined(__linux__)
#define _GNU_SOURCE
#include <sys/socket.h>
#endif
#include "CSystemEpoll.h"

#if defined(__linux__)
int dspec_accept_cloexec(int fd) {
    return accept4(fd, 0, 0, SOCK_CLOEXEC);
}
#endif
