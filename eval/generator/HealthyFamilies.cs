using System.Globalization;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// Healthy traces: fast, no unhandled errors, in varied shapes and with the benign noise real traffic carries (a handled
/// 404 from a cache lookup, a short concurrent fan-out, a few cheap repeated calls). The right answer is that nothing
/// stands out, so the label is null.
/// </summary>
internal static class HealthyFamilies
{
    public static IEnumerable<Family> All() =>
    [
        new("healthy-fast-chain", "A fast request through a chain of services, each with a few quick reads.", 6, (s, _) => Chain(s)),
        new("healthy-cache-404", "A fast request whose cache lookup answers a handled 404 (miss) and falls back to a quick database read.", 6, Cache404),
        new("healthy-concurrent-fanout", "A fast request with a short concurrent fan-out of identical calls.", 6, (s, _) => FanOut(s)),
        new("healthy-cheap-repeats", "A fast request with a few cheap repeated calls (sub-millisecond cache reads, small lookups).", 6, (s, _) => Repeats(s)),
    ];

    private static RootCauseLabel? Chain(Shape s)
    {
        var root = s.Root(s.NewRole(), "view");
        var depth = 1 + s.R.Next(4);
        var parent = root;
        var at = 0.5;
        for (var i = 0; i < depth; i++)
        {
            var server = s.Call(parent, s.NewRole(), "view", at, 0);
            at = s.Noise(server, at + 0.6, 1 + s.R.Next(3)) + 0.2;
            parent = server;
        }

        s.B.Summary = string.Create(CultureInfo.InvariantCulture, $"Healthy: a fast request through {depth} services, each with a few quick reads.");
        return null;
    }

    private static RootCauseLabel? Cache404(Shape s, int variant)
    {
        var (root, host, t) = s.Entry("profile");
        var cacheRole = s.NewRole();
        var cache = s.Svc(cacheRole);
        var lookup = s.B.Span(host, host.Service, "GET", GenSpanKind.Client, t + 1, s.B.Jitter(0.5, 2))
            .Attr("http.request.method", "GET").Attr("server.address", cache).Attr("url.full", $"http://{cache}/v1/entries/{cacheRole}-42")
            .Attr("http.response.status_code", 404L);
        if (variant % 2 == 0)
        {
            // HTTP client instrumentations mark a 4xx response as an error on the client span; the caller handles it.
            lookup.Attr("error.type", "404").Fail("Not Found");
        }

        var x = s.End(s.Db(host, "SELECT", cacheRole, s.End(lookup) + 0.2, s.B.Jitter(1, 5))) + 0.2;
        var store = s.B.Span(host, host.Service, "PUT", GenSpanKind.Client, x, s.B.Jitter(0.5, 2))
            .Attr("http.request.method", "PUT").Attr("server.address", cache).Attr("http.response.status_code", 204L);
        s.Noise(host, s.End(store) + 0.2, s.R.Next(0, 2));
        s.B.Summary = "Healthy: a cache lookup answers 404 (a miss the caller handles), a quick database read and a cache write follow.";
        return null;
    }

    private static RootCauseLabel? FanOut(Shape s)
    {
        var (root, host, t) = s.Entry("search");
        var role = s.NewRole();
        var fan = 3 + s.R.Next(8);
        for (var i = 0; i < fan; i++)
        {
            var at = t + 1 + i * s.B.Jitter(0.05, 0.3);
            var d = s.B.Jitter(2, 8);
            var server = s.Call(host, role, "shard", at, d);
            s.Db(server, "SELECT", role, at + 0.6, d - 1.4);
        }

        s.B.Summary = string.Create(CultureInfo.InvariantCulture, $"Healthy: a fast request with a concurrent {fan}-way fan-out to {s.Svc(role)}.");
        return null;
    }

    private static RootCauseLabel? Repeats(Shape s)
    {
        var (root, host, t) = s.Entry("basket");
        var n = 3 + s.R.Next(4);
        var x = t + 1;
        for (var i = 0; i < n; i++)
        {
            x = s.End(s.Cache(host, "GET", x, s.B.Jitter(0.1, 0.4))) + s.B.Jitter(0.05, 0.2);
        }

        s.Noise(host, x + 0.2, 1 + s.R.Next(2));
        s.B.Summary = string.Create(CultureInfo.InvariantCulture, $"Healthy: {n} cheap cache reads one after another and a few quick calls.");
        return null;
    }
}
