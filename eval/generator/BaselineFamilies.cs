using System.Globalization;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// Faults only history reveals: each trace holds a step that is slow but normal for its operation (a report query, a
/// payment gateway, a search), which the trace alone makes the obvious suspect, and the real fault is smaller in the trace
/// but abnormal for its own operation: a normally fast call that regressed, an operation never seen before, or a slow query
/// next to an error on a call that fails that often anyway. Each case carries a <c>baseline.json</c> (<see cref="BaselinePlan"/>).
/// </summary>
internal static class BaselineFamilies
{
    public static IEnumerable<Family> All() =>
    [
        new("baseline-slow-but-normal", "A normally sub-millisecond cache read regressed to hundreds of ms next to a report query that is always slow.", 6, SlowButNormal),
        new("baseline-regressed-rpc", "A normally fast service call regressed (own work) next to a payment gateway call that is always slow.", 6, RegressedRpc),
        new("baseline-new-operation", "A new operation, never seen in the window, spends hundreds of ms next to a search that is always slow.", 6, NewOperation),
        new("baseline-usual-errors", "A query regressed while a flaky call failed, as a quarter of its calls normally do.", 6, UsualErrors),
    ];

    private static RootCauseLabel? SlowButNormal(Shape s, int variant)
    {
        var plan = s.B.Baseline = new BaselinePlan { Samples = variant >= 4 };
        var (_, host, t) = s.Entry("report");
        var x = s.End(s.Db(host, "SELECT", "report_rows", t + 1, s.B.Jitter(900, 2600))) + 0.3;
        var normal = s.B.Jitter(0.3, 1.5);
        var cache = s.Cache(host, "MGET", x, s.B.Jitter(150, 420));
        plan.Regressed(cache, normal);
        s.Noise(host, s.End(cache) + 0.3, s.R.Next(1, 3));
        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{host.Service} MGET took {cache.DurationUs / 1000.0:0} ms (normally ~{normal:0.#} ms) next to a report query that always takes seconds.");
        return RootCauseLabel.Of(cache, "latency");
    }

    private static RootCauseLabel? RegressedRpc(Shape s, int variant)
    {
        var plan = s.B.Baseline = new BaselinePlan { Samples = variant >= 4 };
        var (_, host, t) = s.Entry("checkout", "POST");
        var gateway = s.External(host, "POST", "payment-gateway", "api.payments.example", t + 1, s.B.Jitter(700, 1800))
            .Attr("http.request.method", "POST").Attr("http.response.status_code", 200L);
        var x = s.End(gateway) + 0.4;
        var role = s.NewRole();
        var normal = s.B.Jitter(2, 6);
        var work = s.B.Jitter(160, 480);
        var server = s.Call(host, role, "reserve", x, work + 3, "POST");
        s.Db(server, "UPDATE", role, x + 1 + work, 1.2);
        plan.Regressed(server, normal);
        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{server.Service} {server.Name} spent {work:0} ms in its own work (normally ~{normal:0.#} ms for the whole call) after a payment gateway call that always takes about a second.");
        return RootCauseLabel.Of(server, "latency");
    }

    private static RootCauseLabel? NewOperation(Shape s, int variant)
    {
        var plan = s.B.Baseline = new BaselinePlan { Samples = variant >= 4 };
        var (_, host, t) = s.Entry("search");
        var role = s.NewRole();
        var d = s.B.Jitter(700, 1900);
        var search = s.Call(host, role, "query", t + 1, d);
        s.Db(search, "SELECT", role + "_index", t + 2, d - 2.5);
        var name = (variant % 3) switch { 0 => "RerankWithModel", 1 => "personalize results", _ => "feature-flags.evaluate" };
        var fresh = s.Internal(host, name, s.End(search.Parent!) + 0.3, s.B.Jitter(160, 450));
        plan.New(fresh);
        s.Noise(host, s.End(fresh) + 0.3, s.R.Next(1, 3));
        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{host.Service} ran a new step '{name}' ({fresh.DurationUs / 1000.0:0} ms) after a search that always takes about a second.");
        return RootCauseLabel.Of(fresh, "latency");
    }

    private static RootCauseLabel? UsualErrors(Shape s, int variant)
    {
        var plan = s.B.Baseline = new BaselinePlan { Samples = variant >= 4 };
        var (_, host, t) = s.Entry("feed");
        var role = s.NewRole();
        var flaky = s.Call(host, role, "recommend", t + 1, s.B.Jitter(4, 12));
        TraceBuilder.FailRpc(flaky, "upstream unavailable", s.Grpc ? 14L : null, s.Grpc ? null : 503L);
        plan.Flaky(flaky, s.B.Jitter(0.2, 0.4));
        plan.Flaky(flaky.Parent!, 0.3);
        var x = s.End(flaky.Parent!) + 0.4;
        var normal = s.B.Jitter(3, 8);
        var query = s.Db(host, "SELECT", "feed_items", x, s.B.Jitter(140, 260));
        plan.Regressed(query, normal);
        s.Noise(host, s.End(query) + 0.3, s.R.Next(1, 3));
        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{host.Service} SELECT feed_items took {query.DurationUs / 1000.0:0} ms (normally ~{normal:0.#} ms) while {flaky.Service} failed, as a quarter of its calls do.");
        return RootCauseLabel.Of(query, "latency");
    }
}
