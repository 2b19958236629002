/// Sanity: values that parse but are almost certainly mistakes.
extension Checker {
    /// TTLs above this are reported as absurd.
    static let maxReasonableTTL = PolicyDuration.days(30)
    static let maxJitter = Percent(50)

    mutating func checkSanity(_ service: Service, reach: FamilyReach) {
        if let ttl = service.defaults.ttl { checkTTL(ttl, "'defaults.ttl'") }
        if let jitter = service.defaults.jitter { checkJitter(jitter) }
        for family in service.keys {
            if let ttl = family.ttl { checkTTL(ttl, "the TTL of '\(family.name.value)'") }
            if let jitter = family.jitter { checkJitter(jitter) }
            checkSliding(family, in: service)
            if let ahead = family.refreshAhead, ahead.value.value <= 0 || ahead.value.value >= 100 {
                diagnostics.report(
                    .invalidValue, at: ahead.location, "'refresh.ahead' of '\(family.name.value)' is \(ahead.value); it must be above 0% and below 100%",
                    hint: "refresh in the last 10–30% of the TTL, e.g. 'refresh: { ahead: 20% }'")
            }
            if family.codec(under: service.defaults) == .int, let compress = family.compression(under: service.defaults), compress.value != .none {
                diagnostics.report(
                    .compressionIneffective, at: family.compress?.location ?? family.name.location,
                    "the key family '\(family.name.value)' stores int values, which are too small to compress",
                    hint: family.compress == nil ? "add 'compress: false' to the key family" : "remove 'compress:'")
            }
        }
        for job in service.warmups {
            checkWarmupInterval(job, in: service, reach: reach)
            if let retry = job.retry, let backoff = retry.backoff, let max = retry.max, backoff.value > max.value {
                diagnostics.report(
                    .backoffAboveMax, at: backoff.location,
                    "the retry backoff \(backoff.value) of '\(job.name.value)' is above its maximum \(max.value)",
                    hint: "lower 'backoff' or raise 'max'")
            }
        }
        for (value, name) in [
            (service.alerts.hitRateBelow, "hitRate"), (service.alerts.memoryAbove, "memory"),
            (service.alerts.errorRateAbove, "errorRate"),
        ] {
            guard let value, value.value.value > 100 else { continue }
            diagnostics.report(
                .thresholdOutOfRange, at: value.location, "the '\(name)' threshold \(value.value) is outside 0–100%",
                hint: "thresholds are shares of a whole")
        }
    }

    /// `sliding` renews the TTL on read, so it needs one; `maxAge` caps a sliding entry's life and
    /// must not be shorter than the TTL it caps; a near cache would serve reads Redis never sees,
    /// so the entry would expire under its readers.
    private mutating func checkSliding(_ family: KeyFamily, in service: Service) {
        let sliding = family.sliding?.value == true
        if let maxAge = family.maxAge {
            if !sliding {
                diagnostics.report(
                    .invalidValue, at: maxAge.location,
                    "'maxAge' of '\(family.name.value)' caps a sliding expiry, but the family is not 'sliding'",
                    hint: "add 'sliding: true', or remove 'maxAge' (the TTL already bounds the entry)")
            } else if let ttl = family.ttl(under: service.defaults), maxAge.value < ttl.value {
                diagnostics.report(
                    .invalidValue, at: maxAge.location,
                    "'maxAge' \(maxAge.value) of '\(family.name.value)' is shorter than its TTL \(ttl.value)",
                    hint: "use a 'maxAge' of at least \(ttl.value), or shorten the TTL")
            }
        }
        if sliding, let readFrom = family.readFrom, readFrom.value == .replica {
            diagnostics.report(
                .invalidValue, at: readFrom.location,
                "'\(family.name.value)' slides its TTL on every read, which a read-only replica cannot do",
                hint: "remove 'readFrom: replica', or 'sliding'")
        }
        guard sliding, let location = family.sliding?.location else { return }
        if let ttl = family.ttl(under: service.defaults), ttl.value.milliseconds == 0 {
            diagnostics.report(
                .invalidValue, at: location, "'\(family.name.value)' slides its TTL, but the TTL is zero",
                hint: "give the family a positive TTL: the idle timeout")
        }
        if let near = family.nearCache {
            diagnostics.report(
                .invalidValue, at: near.location,
                "'\(family.name.value)' slides its TTL on reads, but near-cache hits never reach Redis, so the entry would expire while being read",
                hint: "remove 'nearCache' from the sliding family")
        }
    }

    /// `what` is only made for a message: every family's TTL is checked.
    private mutating func checkTTL(_ ttl: Located<PolicyDuration>, _ what: @autoclosure () -> String) {
        if ttl.value.milliseconds == 0 {
            diagnostics.report(.ttlZero, at: ttl.location, "\(what()) is zero", hint: "use a positive duration such as 5m")
        } else if ttl.value > Self.maxReasonableTTL {
            diagnostics.report(
                .ttlAbsurd, at: ttl.location, "\(what()) is \(ttl.value), longer than \(Self.maxReasonableTTL)",
                hint: "use a shorter TTL and a warmup job for values that rarely change")
        }
    }

    private mutating func checkJitter(_ jitter: Located<Percent>) {
        guard jitter.value > Self.maxJitter else { return }
        diagnostics.report(
            .jitterTooLarge, at: jitter.location, "a jitter of \(jitter.value) is over \(Self.maxJitter)",
            hint: "5–20% is typical")
    }

    private mutating func checkWarmupInterval(_ job: WarmupJob, in service: Service, reach: FamilyReach) {
        guard let every = job.every else { return }
        let ttls = job.keys.compactMap { key -> (String, PolicyDuration)? in
            guard key.service == nil || key.service!.value == service.name.value,
                  let family = reach.family(named: key.family.value),
                  let ttl = family.ttl(under: service.defaults)?.value
            else { return nil }
            return (family.name.value, ttl)
        }
        guard let shortest = ttls.min(by: { $0.1 < $1.1 }), every.value > shortest.1 else { return }
        diagnostics.report(
            .warmupOutlivesTTL, at: every.location,
            "the warmup job '\(job.name.value)' runs every \(every.value), but '\(shortest.0)' expires after \(shortest.1)",
            hint: "run it at least every \(shortest.1), or lengthen the TTL")
    }
}
