import DSCrypto
import DSRuntime
import Foundation

extension CheckpointInput {
    /// Identifies the input open on `fd` (named `path`, `-` for standard input) without
    /// moving its read offset (pread).
    public static func identify(fd: Int32, path: String) throws(RuntimeFileError) -> CheckpointInput {
        let name = path == "-" ? "-" : Self.absolute(path)
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return CheckpointInput(path: name, size: nil, headHash: nil) }
        let want = Int(min(off_t(hashedPrefix), st.st_size))
        var head = [UInt8](repeating: 0, count: want)
        var got = 0
        while got < want {
            let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, want - got, off_t(got)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw RuntimeFileError("\(path): cannot read the events file: \(RuntimeFileError.reason(n < 0 ? errno : EIO))") }
            got += n
        }
        return CheckpointInput(path: name, size: Int(st.st_size), headHash: Hex.encode(Digest.hash(.sha256, head)))
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return (path as NSString).standardizingPath }
        return ((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }
}
