/* A C target needs one source file; everything CSystemEpoll offers is in its header. */
#include "CSystemEpoll.h"
