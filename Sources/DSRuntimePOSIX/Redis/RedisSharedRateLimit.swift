import DSCore
import DSRuntime
import Foundation

/// The spec's token bucket enforced across every worker (`--shared-rate-limit redis://HOST:PORT/NAME`):
/// one atomic Lua script in Redis (GCRA, the same algorithm as the local ``TokenBucket``, on
/// the server's clock `TIME`) reserves each request's slot, and a 429's wait is stored in a
/// pause key with an expiry that the same script honours, so one worker's 429 slows them all.
///
/// Keys: `dspec:{NAME}:gcra` (the theoretical arrival time, microseconds) and
/// `dspec:{NAME}:pause`; the hash tag `{NAME}` keeps both in one Redis Cluster slot.
/// Redis calls block, so they run on one thread of their own (``ConditionLock`` hand-off),
/// never on the Swift concurrency pool.
public final class RedisSharedRateLimit: SharedAdmission, @unchecked Sendable {
    /// GCRA reservation: returns the microseconds to wait before sending.
    static let reserveScript = """
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
    local interval = tonumber(ARGV[1])
    local tolerance = tonumber(ARGV[2])
    local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
    local pause = redis.call('PTTL', KEYS[2])
    local start = now
    if pause > 0 then start = now + pause * 1000 end
    local arrival = math.max(tat, start)
    local allowed = math.max(arrival - tolerance, start)
    local nexttat = arrival + interval
    redis.call('SET', KEYS[1], string.format('%.0f', nexttat), 'PX', math.floor((nexttat - now) / 1000) + 1000)
    return math.max(0, allowed - now)
    """
    /// Sets the pause key unless a longer pause is already in force.
    static let pauseScript = """
    local ms = tonumber(ARGV[1])
    if redis.call('PTTL', KEYS[1]) < ms then redis.call('SET', KEYS[1], '1', 'PX', ms) end
    return 1
    """

    public let name: String
    private let rateKey: String
    private let pauseKey: String
    private let intervalMicros: Int64
    private let toleranceMicros: Int64
    private let connection: RedisConnection
    private var reserveSHA = ""
    private var pauseSHA = ""

    private enum Job {
        case reserve(CheckedContinuation<Duration, any Error>)
        case pause(Int64)
    }
    private let jobs = ConditionLock()
    private var queue: [Job] = []  // guarded by `jobs`
    private var closed = false
    /// Microseconds all reservations were told to wait, in total (the token-bucket wait metric).
    public let waitedMicros = Locked<Int64>(0)

    /// Connects and loads both scripts. `rps` and `burst` are the plan's rate limit.
    public init(url text: String, rps: Double, burst: Double, defaultName: String) throws(RedisError) {
        let url: RedisServerURL
        do { url = try RedisServerURL(text) } catch { throw RedisError(error.message) }
        if let extra = url.query.first { throw RedisError("\(text): unknown parameter \"\(extra.0)\"") }
        name = (url.path?.isEmpty ?? true) ? defaultName : url.path!
        rateKey = "dspec:{\(name)}:gcra"
        pauseKey = "dspec:{\(name)}:pause"
        // The local bucket's clamps (TokenBucket), in microseconds.
        let wholeBurst = burst.isNaN ? 1 : min(max(1, burst.rounded(.up)), Double(Int32.max))
        let bucket = TokenBucket(rate: rps, burst: Int(wholeBurst))
        intervalMicros = max(1, Int64((1e6 / bucket.rate).rounded()))
        toleranceMicros = Int64(bucket.burst - 1) * intervalMicros
        connection = try RedisConnection.open(host: url.host, port: url.port)
        try load()
        let thread = Thread { [self] in loop() }
        thread.name = "dspec-shared-rate"
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func load() throws(RedisError) {
        let replies = try connection.pipeline([["SCRIPT", "LOAD", Self.reserveScript], ["SCRIPT", "LOAD", Self.pauseScript]])
        guard let r = replies[0].text, let p = replies[1].text, replies[0].errorMessage == nil else {
            throw RedisError("redis \(connection.address): SCRIPT LOAD: \(replies.compactMap(\.errorMessage).first ?? "unexpected reply")")
        }
        reserveSHA = r
        pauseSHA = p
    }

    public func reserve() async throws -> Duration {
        try await withCheckedThrowingContinuation { c in
            jobs.lock()
            if closed { jobs.unlock(); c.resume(throwing: RedisError("shared rate limit closed")); return }
            queue.append(.reserve(c))
            jobs.signal()
            jobs.unlock()
        }
    }

    public func pause(for duration: Duration) {
        let ms = max(1, duration.nanoseconds / 1_000_000)
        jobs.lock()
        if !closed { queue.append(.pause(ms)); jobs.signal() }
        jobs.unlock()
    }

    /// Stops the thread; reservations still queued fail.
    public func close() {
        jobs.lock()
        closed = true
        jobs.broadcast()
        jobs.unlock()
    }

    private func loop() {
        while true {
            jobs.lock()
            while queue.isEmpty && !closed { jobs.wait() }
            let batch = queue
            queue.removeAll()
            let done = closed && batch.isEmpty
            jobs.unlock()
            if done { connection.close(); return }
            for job in batch { run(job) }
        }
    }

    /// One round trip; a NOSCRIPT (the server restarted) reloads the scripts once.
    private func eval(_ sha: () -> String, _ keys: [String], _ args: [String]) throws(RedisError) -> RESPValue {
        var v = try connection.call(["EVALSHA", sha(), String(keys.count)] + keys + args)
        if let e = v.errorMessage, e.hasPrefix("NOSCRIPT") {
            try load()
            v = try connection.call(["EVALSHA", sha(), String(keys.count)] + keys + args)
        }
        if let e = v.errorMessage { throw RedisError("redis \(connection.address): shared rate limit: \(e)") }
        return v
    }

    private func run(_ job: Job) {
        switch job {
        case .reserve(let c):
            do throws(RedisError) {
                let v = try eval({ reserveSHA }, [rateKey, pauseKey], [String(intervalMicros), String(toleranceMicros)])
                guard case .integer(let micros) = v, micros >= 0 else { throw RedisError("shared rate limit: unexpected reply") }
                // At most a day: a reply can never make a worker sleep for ever.
                let wait = min(micros, 86_400_000_000)
                waitedMicros.withLock { $0 += wait }
                c.resume(returning: .microseconds(wait))
            } catch {
                c.resume(throwing: error)
            }
        case .pause(let ms):
            _ = try? eval({ pauseSHA }, [pauseKey], [String(ms)])
        }
    }
}
