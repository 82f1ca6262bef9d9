/*
 * CLibCrypto: the OpenSSL 3 functions and constants dspec uses, declared by hand.
 *
 * dspec links the OpenSSL 3 runtime library by its soname (libcrypto.so.3, see Package.swift),
 * which every Swift install on Linux already has (FoundationNetworking -> libcurl -> libssl3).
 * Declaring the few functions here means building needs neither OpenSSL's development headers
 * (the openssl/ include folder, Debian package libssl-dev) nor the libcrypto.so symlink nor pkg-config.
 *
 * Rules for this file:
 * - Only what Sources/DSCrypto calls (OpenSSLRuntimeTests checks that each function is used).
 * - Each group below names the one OpenSSL 3.0 manual page its declarations come from, as written
 *   in that page's SYNOPSIS (https://docs.openssl.org/3.0/man3/<PAGE>/). The signatures are the
 *   same in every 3.x release: OpenSSL keeps the ABI stable across 3.x.
 * - scripts/check-clibcrypto-declarations.sh (a maintainer check that needs libssl-dev) compiles this
 *   header together with OpenSSL's own headers, so any signature or OSSL_PARAM layout that differs fails.
 * - Every OpenSSL object is opaque (an incomplete struct, imported by Swift as OpaquePointer),
 *   except OSSL_PARAM, whose layout is public API.
 * - DSCrypto checks at first use that the loaded library reports major version 3
 *   (OpenSSL_version_num, see OpenSSLRuntime.swift) and stops with a clear message otherwise.
 * - Include nothing from OpenSSL. <stddef.h> (size_t) comes with the compiler.
 */
#ifndef DSPEC_CLIBCRYPTO_H
#define DSPEC_CLIBCRYPTO_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque types, named as OpenSSL names them; each is documented on the pages of the functions that use
 * it. No layout is declared: Swift sees them as OpaquePointer. */
typedef struct ossl_lib_ctx_st OSSL_LIB_CTX;
typedef struct engine_st ENGINE;
typedef struct evp_md_st EVP_MD;
typedef struct evp_md_ctx_st EVP_MD_CTX;
typedef struct evp_mac_st EVP_MAC;
typedef struct evp_mac_ctx_st EVP_MAC_CTX;
typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_pkey_ctx_st EVP_PKEY_CTX;
typedef struct evp_cipher_st EVP_CIPHER;
typedef struct bio_st BIO;
typedef struct bio_method_st BIO_METHOD;

/* ---- Version: OpenSSL_version(3) ---- */
unsigned long OpenSSL_version_num(void);
const char *OpenSSL_version(int type);
#define OPENSSL_VERSION 0

/* ---- Parameters, public layout: OSSL_PARAM(3) ---- */
typedef struct ossl_param_st {
    const char *key;
    unsigned int data_type;
    void *data;
    size_t data_size;
    size_t return_size;
} OSSL_PARAM;

/* ---- Parameter constructors: OSSL_PARAM_int(3) ---- */
OSSL_PARAM OSSL_PARAM_construct_utf8_string(const char *key, char *buf, size_t bsize);
OSSL_PARAM OSSL_PARAM_construct_end(void);

/* ---- Message digests: EVP_DigestInit(3) ---- */
EVP_MD_CTX *EVP_MD_CTX_new(void);
void EVP_MD_CTX_free(EVP_MD_CTX *ctx);
EVP_MD *EVP_MD_fetch(OSSL_LIB_CTX *ctx, const char *algorithm, const char *properties);
int EVP_DigestInit_ex(EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl);
int EVP_DigestUpdate(EVP_MD_CTX *ctx, const void *d, size_t cnt);
int EVP_DigestFinal_ex(EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s);

/* ---- Low-level hashing, for HMAC keyed once (HMACKey.swift): SHA256_Init(3) ----
 * Deprecated in 3.0 but exported by every libcrypto.so.3 built with deprecated APIs (the default, and
 * Debian's and Ubuntu's builds). They hash in place with no provider dispatch and no allocation, so a
 * precomputed inner/outer state can be copied per message. The context layouts are public in
 * <openssl/sha.h> (SHA_LONG is unsigned int, SHA_LONG64 unsigned long long on Linux and macOS);
 * scripts/check-clibcrypto-declarations.sh compares them with OpenSSL's. */
typedef struct SHAstate_st {
    unsigned int h0, h1, h2, h3, h4;
    unsigned int Nl, Nh;
    unsigned int data[16];
    unsigned int num;
} SHA_CTX;
typedef struct SHA256state_st {
    unsigned int h[8];
    unsigned int Nl, Nh;
    unsigned int data[16];
    unsigned int num, md_len;
} SHA256_CTX;
typedef struct SHA512state_st {
    unsigned long long h[8];
    unsigned long long Nl, Nh;
    union {
        unsigned long long d[16];
        unsigned char p[128];
    } u;
    unsigned int num, md_len;
} SHA512_CTX;
int SHA1_Init(SHA_CTX *c);
int SHA1_Update(SHA_CTX *c, const void *data, size_t len);
int SHA1_Final(unsigned char *md, SHA_CTX *c);
int SHA256_Init(SHA256_CTX *c);
int SHA256_Update(SHA256_CTX *c, const void *data, size_t len);
int SHA256_Final(unsigned char *md, SHA256_CTX *c);
int SHA384_Init(SHA512_CTX *c);
int SHA512_Init(SHA512_CTX *c);
int SHA512_Update(SHA512_CTX *c, const void *data, size_t len);
int SHA512_Final(unsigned char *md, SHA512_CTX *c);

/* ---- MACs (HMAC): EVP_MAC(3) ---- */
EVP_MAC *EVP_MAC_fetch(OSSL_LIB_CTX *libctx, const char *algorithm, const char *properties);
EVP_MAC_CTX *EVP_MAC_CTX_new(EVP_MAC *mac);
void EVP_MAC_CTX_free(EVP_MAC_CTX *ctx);
int EVP_MAC_CTX_set_params(EVP_MAC_CTX *ctx, const OSSL_PARAM params[]);
int EVP_MAC_init(EVP_MAC_CTX *ctx, const unsigned char *key, size_t keylen, const OSSL_PARAM params[]);
int EVP_MAC_update(EVP_MAC_CTX *ctx, const unsigned char *data, size_t datalen);
int EVP_MAC_final(EVP_MAC_CTX *ctx, unsigned char *out, size_t *outl, size_t outsize);

/* ---- Signing: EVP_DigestSignInit(3) ---- */
int EVP_DigestSignInit_ex(EVP_MD_CTX *ctx, EVP_PKEY_CTX **pctx, const char *mdname, OSSL_LIB_CTX *libctx,
                          const char *props, EVP_PKEY *pkey, const OSSL_PARAM params[]);
int EVP_DigestSign(EVP_MD_CTX *ctx, unsigned char *sigret, size_t *siglen, const unsigned char *tbs, size_t tbslen);

/* ---- Verifying: EVP_DigestVerifyInit(3) ---- */
int EVP_DigestVerifyInit_ex(EVP_MD_CTX *ctx, EVP_PKEY_CTX **pctx, const char *mdname, OSSL_LIB_CTX *libctx,
                            const char *props, EVP_PKEY *pkey, const OSSL_PARAM params[]);
int EVP_DigestVerify(EVP_MD_CTX *ctx, const unsigned char *sigret, size_t siglen, const unsigned char *tbs,
                     size_t tbslen);

/* ---- Freeing keys: EVP_PKEY_new(3) ---- */
void EVP_PKEY_free(EVP_PKEY *pkey);

/* ---- Key size: EVP_PKEY_get_size(3) ---- */
int EVP_PKEY_get_size(const EVP_PKEY *pkey);

/* ---- Key type: EVP_PKEY_is_a(3) ---- */
int EVP_PKEY_is_a(const EVP_PKEY *pkey, const char *name);
const char *EVP_PKEY_get0_type_name(const EVP_PKEY *key);

/* ---- Key contexts: EVP_PKEY_CTX_new(3) ---- */
EVP_PKEY_CTX *EVP_PKEY_CTX_new_from_name(OSSL_LIB_CTX *libctx, const char *name, const char *propquery);
void EVP_PKEY_CTX_free(EVP_PKEY_CTX *ctx);

/* ---- Key generation: EVP_PKEY_keygen(3) ---- */
int EVP_PKEY_keygen_init(EVP_PKEY_CTX *ctx);
int EVP_PKEY_generate(EVP_PKEY_CTX *ctx, EVP_PKEY **ppkey);

/* ---- RSA padding and key size controls, the PKCS#1 v1.5 padding mode: EVP_PKEY_CTX_ctrl(3) ---- */
int EVP_PKEY_CTX_set_rsa_padding(EVP_PKEY_CTX *ctx, int pad_mode);
int EVP_PKEY_CTX_set_rsa_keygen_bits(EVP_PKEY_CTX *ctx, int bits);
#define RSA_PKCS1_PADDING 1

/* ---- PEM: PEM_read_bio_PrivateKey(3) (also documents pem_password_cb and the PUBKEY forms) ---- */
typedef int pem_password_cb(char *buf, int size, int rwflag, void *userdata);
EVP_PKEY *PEM_read_bio_PrivateKey(BIO *bp, EVP_PKEY **x, pem_password_cb *cb, void *u);
int PEM_write_bio_PrivateKey(BIO *bp, const EVP_PKEY *x, const EVP_CIPHER *enc, const unsigned char *kstr, int klen,
                             pem_password_cb *cb, void *u);
EVP_PKEY *PEM_read_bio_PUBKEY(BIO *bp, EVP_PKEY **x, pem_password_cb *cb, void *u);
int PEM_write_bio_PUBKEY(BIO *bp, const EVP_PKEY *x);

/* ---- BIOs: BIO_new(3) ---- */
BIO *BIO_new(const BIO_METHOD *type);
int BIO_free(BIO *a);

/* ---- Memory BIOs: BIO_s_mem(3) ---- */
const BIO_METHOD *BIO_s_mem(void);
BIO *BIO_new_mem_buf(const void *buf, int len);

/* ---- Reading a BIO: BIO_read(3) ---- */
int BIO_read(BIO *b, void *data, int dlen);

/* ---- Bytes pending in a BIO: BIO_ctrl(3) ---- */
size_t BIO_ctrl_pending(BIO *b);

/* ---- Error queue: ERR_get_error(3) ---- */
unsigned long ERR_get_error(void);

/* ---- Emptying the error queue: ERR_clear_error(3) ---- */
void ERR_clear_error(void);

/* ---- Error text: ERR_error_string(3) ---- */
void ERR_error_string_n(unsigned long e, char *buf, size_t len);

/* ---- Randomness: RAND_bytes(3) ---- */
int RAND_bytes(unsigned char *buf, int num);

/* ---- Constant-time comparison: CRYPTO_memcmp(3) ---- */
int CRYPTO_memcmp(const void *in_a, const void *in_b, size_t len);

/* ---- Wiping memory: OPENSSL_malloc(3) ---- */
void OPENSSL_cleanse(void *ptr, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* DSPEC_CLIBCRYPTO_H */
