import DSRuntime
import Foundation

extension RuntimeFileError {
    /// `strerror` text and number of a POSIX error ("No space left on device (errno 28)").
    static func reason(_ code: Int32) -> String { "\(String(cString: strerror(code))) (errno \(code))" }
}
