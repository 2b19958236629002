import Testing

extension Trait where Self == TimeLimitTrait {
    /// The time limit of a test that waits on real processes (servers, topologies, compilers): it
    /// catches a hang, never slowness. Every test of the process starts at once and shares the
    /// cooperative pool (one thread per core), so on a small, loaded CI machine a healthy test can
    /// wait a minute or more for a thread; only a test still running after this long is stuck.
    public static var hangLimit: Self { .timeLimit(.minutes(5)) }
}
