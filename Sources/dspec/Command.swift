import DeliverySpec
import Foundation

/// One `dspec` subcommand: its help text and its entry point.
protocol Command {
    /// The word after `dspec`.
    static var name: String { get }
    /// One line for `dspec --help`.
    static var summary: String { get }
    /// Full `dspec help NAME` text.
    static var help: String { get }
    /// Runs with the arguments after the command word; returns the exit code.
    static func run(_ args: [String]) -> Int32
}

/// The exit-code contract shared by every command (see README).
enum ExitCode {
    /// Success, nothing to report.
    static let ok: Int32 = 0
    /// The command ran and found problems (lint errors, drift, failed cases, breaking changes).
    static let findings: Int32 = 1
    /// Bad usage or unreadable input.
    static let usage: Int32 = 2
}

/// Output helpers: results to stdout, progress and errors to stderr.
enum Console {
    static func out(_ s: String) {
        FileHandle.standardOutput.write(Data(s.utf8))
    }

    static func err(_ s: String) {
        FileHandle.standardError.write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8))
    }

    /// Colour only on a terminal, never when NO_COLOR is set (https://no-color.org).
    static var colorEnabled: Bool {
        if ProcessInfo.processInfo.environment["NO_COLOR"].map({ !$0.isEmpty }) == true { return false }
        return isatty(STDOUT_FILENO) != 0
    }

    /// Reports a usage error and returns exit code 2.
    static func usage(_ message: String, command: String) -> Int32 {
        err("dspec \(command): \(message)\nRun 'dspec help \(command)' for usage.")
        return ExitCode.usage
    }
}
