/// A throwaway 1024-bit RSA key generated with `openssl genpkey` for these tests only, in its
/// PKCS#1, PKCS#8 and public forms, plus OpenSSL's RS256 signature of "abc" under it
/// (`openssl dgst -sha256 -sign`). PKCS#1 v1.5 signatures are deterministic, so Swift must
/// reproduce it byte for byte.
enum RSATestKeys {
    static let pkcs1 = """
    -----BEGIN RSA PRIVATE KEY-----
    MIICXAIBAAKBgQC/WkZSj3q7TuawdeYgmJ/hG5O7KWOhnQAKuvGyPiPttSTNZYzL
    mXu3hLJp3Z3ObVo/0aH8furiiDYS9HyxqALDG6N5PkMdSVM9/gn+4C1Ab0uuXdv1
    qUFknlfWSVYpTajjqlNpMDNmCnDlU2GbQ1AQQRZIXdDsRSkcozPu+ZGwjwIDAQAB
    AoGAH8daTnPNqjXcUgoCgf9W7geqbTbeeQSd8SpC4Zs4VE31IrduvpFq3nuHNdW8
    U4ANsPObt1dMovqEIHnCC68fZgXuOozmRKSCbBTWSQKZiw0nAdZdNSkj64DPAsE4
    9xatEq/zQ8/aszG6Y71VuiCysIoPUZ1wOoBVg3B+1qJ7MoECQQDx/NE5CTOUjpfd
    BW8YkelrlDB1wgrugpZwuq7fd149zE1fL0kB+0RmTSi4fofDYJuPsIu2UCLeCdvF
    od/1bBGxAkEAym7akEMAsO7IxNrW4rybQWMHbH+hwodgFXgwiLxyEVz6d8je6Fm9
    zxkqN+CMbvsv5o7DyWx3WWK3XOfJ7Z42PwJBANVvM+qmnwQMsQ2U2WRGbicg0Y1L
    1PCB5ccQIWWgl1LSe/vUbQR+ZtoEfEId+AjvkMWv5cqr69UDxQAPwsVoyEECQCWR
    y0iI1uD/gA1g3A66mEnbWi5dxaS3wTJa2w8VgkoMqoN+qTgQJ7T+46H5L7cNMUel
    6VpBoijZtFQuxIAwI7sCQCcC2n7S7RpoJ5KvfirokWY+OCCo3X8NOzmhpZprIKB0
    pLvP4cKsbj+Ae2dwkO6IIBsgtOJJoN+HdnD/k0C1FcM=
    -----END RSA PRIVATE KEY-----
    """

    static let pkcs8 = """
    -----BEGIN PRIVATE KEY-----
    MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAL9aRlKPertO5rB1
    5iCYn+Ebk7spY6GdAAq68bI+I+21JM1ljMuZe7eEsmndnc5tWj/Rofx+6uKINhL0
    fLGoAsMbo3k+Qx1JUz3+Cf7gLUBvS65d2/WpQWSeV9ZJVilNqOOqU2kwM2YKcOVT
    YZtDUBBBFkhd0OxFKRyjM+75kbCPAgMBAAECgYAfx1pOc82qNdxSCgKB/1buB6pt
    Nt55BJ3xKkLhmzhUTfUit26+kWree4c11bxTgA2w85u3V0yi+oQgecILrx9mBe46
    jOZEpIJsFNZJApmLDScB1l01KSPrgM8CwTj3Fq0Sr/NDz9qzMbpjvVW6ILKwig9R
    nXA6gFWDcH7WonsygQJBAPH80TkJM5SOl90FbxiR6WuUMHXCCu6ClnC6rt93Xj3M
    TV8vSQH7RGZNKLh+h8Ngm4+wi7ZQIt4J28Wh3/VsEbECQQDKbtqQQwCw7sjE2tbi
    vJtBYwdsf6HCh2AVeDCIvHIRXPp3yN7oWb3PGSo34Ixu+y/mjsPJbHdZYrdc58nt
    njY/AkEA1W8z6qafBAyxDZTZZEZuJyDRjUvU8IHlxxAhZaCXUtJ7+9RtBH5m2gR8
    Qh34CO+Qxa/lyqvr1QPFAA/CxWjIQQJAJZHLSIjW4P+ADWDcDrqYSdtaLl3FpLfB
    MlrbDxWCSgyqg36pOBAntP7jofkvtw0xR6XpWkGiKNm0VC7EgDAjuwJAJwLaftLt
    Gmgnkq9+KuiRZj44IKjdfw07OaGlmmsgoHSku8/hwqxuP4B7Z3CQ7oggGyC04kmg
    34d2cP+TQLUVww==
    -----END PRIVATE KEY-----
    """

    static let publicKey = """
    -----BEGIN PUBLIC KEY-----
    MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC/WkZSj3q7TuawdeYgmJ/hG5O7
    KWOhnQAKuvGyPiPttSTNZYzLmXu3hLJp3Z3ObVo/0aH8furiiDYS9HyxqALDG6N5
    PkMdSVM9/gn+4C1Ab0uuXdv1qUFknlfWSVYpTajjqlNpMDNmCnDlU2GbQ1AQQRZI
    XdDsRSkcozPu+ZGwjwIDAQAB
    -----END PUBLIC KEY-----
    """

    static let signatureOfABCHex =
        "1d2ae8cdd6549c5fae5eb963a53bb896493e9450b1daff8882ccdf37cf3fa5817d8fdd6505fe8817fbd71eda7bc62571" +
        "3f29c8644cd29dfc91f899b415eba049769444e224fd5e32be793b7821c5bb4b3412deb6922e0201ab869ccfc7dbee3d" +
        "87918f9b2b9c7ce9a38d4e64859392004b8a5c5222e6318725aa651d70eab300"
}
