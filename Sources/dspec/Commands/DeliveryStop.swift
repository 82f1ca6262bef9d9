import DeliverySpec
import Foundation

/// Graceful stop of `dspec deliver` on SIGINT or SIGTERM (the contract is in
/// docs/runtime.md, "Stopping a delivery").
///
/// Signals are handled here, at the edge, with dispatch signal sources (never in an
/// async-signal handler); the engine only sees its input end early and, when the grace
/// period runs out, the cancellation of its run:
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
/// The dispatch queue only delivers the signal sources' events and the grace timer; it is
/// not used as a lock: the shared state is in one DSCore ``Locked`` (the package's one lock
/// type), read and written from the handlers and the command's thread alike.
final class DeliveryStop: @unchecked Sendable {
    /// Default grace period for the requests in flight after the first signal.
    static let defaultGraceSeconds = 10.0

    private let queue = DispatchQueue(label: "dspec.deliver.signals")
    /// Set in `init` only.
    private var sources: [DispatchSourceSignal] = []
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
        for sig in [SIGINT, SIGTERM] {
            // The default action (terminate) must not run: the source sees the signal instead.
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [unowned self] in handle(sig, count: Int(source.data)) }
            source.resume()
            sources.append(source)
        }
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
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
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
