namespace OpsAssistant.EvalGenerator;

/// <summary>
/// A labelled capture copied in as a case. The label is chosen by hand from the fixture's manifest (see eval/README.md for
/// the reasoning behind each), because the manifests describe patterns, not always a single root-cause span.
/// </summary>
internal sealed record FixtureCase(string CaseName, string FixtureFile, string TraceId, RootCauseLabel Label, string Summary)
{
    public static IReadOnlyList<FixtureCase> All { get; } =
    [
        new("fixture-error-timeout-masked", "error_timeout_masked.json", "3e241b731fcf87976a3d50f5a7cc4d94",
            new("frontend", "POST", "error"),
            "OpenTelemetry demo capture: the proxy's 15 s timeout is the only errored span; frontend/POST (status OK) consumed the budget."),
        new("fixture-sibling-errors", "sibling_errors.json", "7c4f1a90b3e84d2f9a6c5e8017b3d264",
            new("payment", "oteldemo.PaymentService/Charge", "error"),
            "Constructed: two errored siblings under PlaceOrder; the earlier payment Charge failure is the cause."),
        new("fixture-n-plus-one-positive", "n_plus_one_positive.json", "ea6db5d7b317ca1a5e2c4e0e7cea53ce",
            new("redis-manual", "GetDriver", "n-plus-one"),
            "HotROD capture: 13 serial GetDriver calls under driver FindNearest."),
        new("fixture-n-plus-one-full-serial", "n_plus_one_full_serial.json", "fe65c5beefbe4e96119efbba3da07e99",
            new("frontend", "HTTP GET", "n-plus-one"),
            "HotROD at -W 1: the 11 frontend HTTP GET calls under GET /dispatch run one after another."),
        new("fixture-n-plus-one-full-concurrent", "n_plus_one_full_concurrent.json", "1a4e4a7b270e9f2a0f716e3ee115218a",
            new("redis-manual", "GetDriver", "n-plus-one"),
            "HotROD at -W 3: the route fan-out overlaps (not an N+1), but the 13 GetDriver calls under driver are a genuine serial N+1."),
        new("fixture-n-plus-one-near-miss", "n_plus_one_near_miss.json", "66371dd0eafc70e48e4234803fe94d41",
            new("frontend", "HTTP GET", "dependency"),
            "HotROD: the route fan-out overlaps (not an N+1); the real bottleneck is a 1.3 s customer lookup, a client span with no server child."),
    ];
}
