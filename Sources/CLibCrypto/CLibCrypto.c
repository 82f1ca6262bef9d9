/* CLibCrypto has no code of its own: the declarations in include/CLibCrypto.h are implemented by
 * the system's libcrypto.so.3. SwiftPM needs one source file to build a C target, and compiling
 * the header here checks that it is valid C on its own. */
#include "CLibCrypto.h"
