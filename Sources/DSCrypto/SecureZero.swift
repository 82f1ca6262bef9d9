import CLibCrypto

#if canImport(Glibc)
import Glibc
#endif

/// Wipes `count` bytes at `pointer` in a way the compiler may not drop as a dead store: glibc's
/// `explicit_bzero` (a plain `memset` behind a barrier, a few instructions for a hash context)
/// where there is one, `OPENSSL_cleanse` (a byte loop) elsewhere. Used for the per-message
/// hash contexts of `HMACKey`, which hold state derived from the key.
/// `SecureZeroTests` checks that it clears every byte, at every length and alignment.
@inline(__always)
func secureZero(_ pointer: UnsafeMutableRawPointer, _ count: Int) {
    #if canImport(Glibc)
    explicit_bzero(pointer, count)
    #else
    OPENSSL_cleanse(pointer, count)
    #endif
}
