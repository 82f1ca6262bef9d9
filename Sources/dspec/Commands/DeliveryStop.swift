import DeliverySpec
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Graceful stop of `dspec deliver` on SIGINT or SIGTERM (the contract is in
/// docs/runtime.md, "Stopping a delivery").
///
/// Signals are handled here, at the edge. The signal handler does one async-signal-safe
/// thing: it writes the signal number to a pipe (the self-pipe trick); a dispatch read source
/// on the pipe runs the handling below. (Dispatch *signal* sources were used before: on Linux
/// they read a signalfd that blocks the signal only in the thread that registered it, with
/// the action set to SIG_IGN, so a signal the kernel handed to another thread was discarded:
/// 1 SIGINT in 8 loaded runs of `DeliverStopTests` was ignored and the run went to the end.)
/// The engine only sees its input end early and, when the grace period runs out, the
/// cancellation of its run:
///
/// 1. first signal: the input is stopped (nothing more is read), open batches and the
///    requests in flight go on, for at most `grace`;
/// 2. grace over: the run is cancelled; requests still in flight end at once, their events
///    get no outcome and stay unacknowledged;
/// 3. a second signal at any time: exit at once (exit code of the first signal), like a
///    kill: the checkpoint holds what was acknowledged so far.
///
/// Then the command writes the checkpoint, prints its summary and exits 130 (SIGINT) or
/// 143 (SIGTERM).
///
/// The dispatch queue only delivers the pipe's read events and the grace timer; it is
/// not used as a lock: the shared state is in one DSCore ``Locked`` (the package's one lock
/// type), read and written from the handlers and the command's thread alike.
final class DeliveryStop: @unchecked Sendable {
    /// Default grace period for the requests in flight after the first signal.
    static let defaultGraceSeconds = 10.0

    private let queue = DispatchQueue(label: "dspec.deliver.signals")
    /// Set in `init` only.
    private var reader: DispatchSourceRead?
    private let grace: Double
    private let onStop: @Sendable () -> Void

    private struct State {
        var firstSignal: Int32?
        var received = 0
        var cancelRun: (@Sendable () -> Void)?
        var graceExpired = false
    }

    private let state = Locked(State())

    /// Starts listening for SIGINT and SIGTERM. `onStop` stops the input.
    init(grace: Double, onStop: @escaping @Sendable () -> Void) {
        self.grace = grace
        self.onStop = onStop
        guard let readEnd = SignalPipe.install(SIGINT, SIGTERM) else {
            Console.err("dspec deliver: cannot install the SIGINT/SIGTERM handlers (\(String(cString: strerror(errno)))); a signal ends the run at once")
            return
        }
        let source = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: queue)
        source.setEventHandler { [unowned self] in
            var bytes = [UInt8](repeating: 0, count: 64)
            while true {
                let n = bytes.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, 64) }
                guard n > 0 else { break }
                for byte in bytes[0..<n] { handle(Int32(byte), count: 1) }
            }
        }
        source.resume()
        reader = source
    }

    /// The signal that stopped the run, if any.
    var stoppedBy: Int32? { state.withLock { $0.firstSignal } }

    /// The exit code for a stopped run: 128 + the signal number (130 SIGINT, 143 SIGTERM).
    var exitCode: Int32? { stoppedBy.map { 128 + $0 } }

    /// True when the grace period ran out and the run was cancelled.
    var cutOff: Bool { state.withLock { $0.graceExpired } }

    /// Registers how to cancel the run once the grace period is over (called when the run
    /// starts; if the grace period is already over, cancels at once).
    func setCancel(_ cancel: @escaping @Sendable () -> Void) {
        let now = state.withLock { s -> Bool in
            s.cancelRun = cancel
            return s.graceExpired
        }
        if now { cancel() }
    }

    /// Stops listening and restores the default signal actions.
    func finish() {
        SignalPipe.restoreDefaults(SIGINT, SIGTERM)
        reader?.cancel()
    }

    private func handle(_ sig: Int32, count: Int) {
        let (first, total) = state.withLock { s -> (Int32, Int) in
            let first = s.firstSignal ?? sig
            s.firstSignal = first
            s.received += max(1, count)
            return (first, s.received)
        }
        if total >= 2 {
            Console.err("dspec deliver: \(Self.name(sig)) again: aborting now; requests in flight are not acknowledged (a rerun with the same --checkpoint sends them again)")
            _exit(128 + first)
        }
        Console.err("dspec deliver: \(Self.name(sig)): no more events are read; waiting up to \(Self.seconds(grace)) for the requests in flight (\(Self.name(sig)) again aborts)")
        onStop()
        queue.asyncAfter(deadline: .now() + grace) { [self] in
            let cancel = state.withLock { s -> (@Sendable () -> Void)? in
                s.graceExpired = true
                return s.cancelRun
            }
            cancel?()
        }
    }

    static func name(_ sig: Int32) -> String { sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "signal \(sig)" }

    static func seconds(_ s: Double) -> String { s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s) }
}

/// The self-pipe: a signal handler that writes the signal number to a non-blocking pipe
/// (`write` is async-signal-safe; errno is saved and restored), whatever thread the kernel
/// delivers the signal to. The pipe lives for the process (one `deliver` per process).
enum SignalPipe {
    nonisolated(unsafe) private static var writeEnd: Int32 = -1
    nonisolated(unsafe) private static var readEnd: Int32 = -1

    /// Installs the handler for `signals`; returns the pipe's read end (non-blocking), or nil.
    static func install(_ signals: Int32...) -> Int32? {
        if readEnd < 0 {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { return nil }
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
            readEnd = fds[0]
            writeEnd = fds[1]
        }
        for sig in signals {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = { sig in
                let saved = errno
                var byte = UInt8(truncatingIfNeeded: sig)
                _ = write(SignalPipe.writeEnd, &byte, 1)
                errno = saved
            }
            #else
            action.__sigaction_u.__sa_handler = { sig in
                let saved = errno
                var byte = UInt8(truncatingIfNeeded: sig)
                _ = write(SignalPipe.writeEnd, &byte, 1)
                errno = saved
            }
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = Int32(SA_RESTART)
            guard sigaction(sig, &action, nil) == 0 else { return nil }
        }
        return readEnd
    }

    static func restoreDefaults(_ signals: Int32...) {
        for sig in signals { signal(sig, SIG_DFL) }
    }
}
