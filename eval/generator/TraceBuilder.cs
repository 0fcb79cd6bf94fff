using System.Globalization;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// Builds one trace from a seeded <see cref="Random"/>. Offsets and durations are given in milliseconds from the trace
/// start (fractions allowed) and stored as whole microseconds.
/// </summary>
internal sealed class TraceBuilder
{
    private readonly List<GenSpan> _spans = [];
    private readonly Dictionary<string, List<KeyValuePair<string, object>>> _resources = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    public TraceBuilder(Random random, long epochUs)
    {
        Random = random;
        EpochUs = epochUs;
        TraceId = NewId(16);
    }

    public Random Random { get; }

    public long EpochUs { get; }

    public string TraceId { get; }

    public int Count => _spans.Count;

    /// <summary>The spans made so far, in creation order (parents before their children).</summary>
    public IReadOnlyList<GenSpan> Spans => _spans;

    /// <summary>A description of what this particular build planted, for scenarios whose draws change it; null keeps the scenario's own.</summary>
    public string? Summary { get; set; }

    /// <summary>The history the trace is judged against (baseline families only); null writes no <c>baseline.json</c>.</summary>
    public BaselinePlan? Baseline { get; set; }

    public long Us(double ms) => EpochUs + (long)Math.Round(ms * 1000, MidpointRounding.AwayFromZero);

    /// <summary>A value in [min, max) drawn from the seeded random source, rounded to microseconds.</summary>
    public double Jitter(double min, double max) => Math.Round(min + Random.NextDouble() * (max - min), 3);

    public void Resource(string service, params (string Key, object Value)[] attributes)
    {
        var list = GetResource(service);
        foreach (var (key, value) in attributes)
        {
            list.RemoveAll(a => a.Key == key);
            list.Add(new(key, value));
        }
    }

    public GenSpan Span(GenSpan? parent, string service, string name, GenSpanKind kind, double startMs, double durationMs, bool sharedWithClient = false)
    {
        GetResource(service);
        var span = new GenSpan
        {
            SpanId = NewId(8),
            Parent = parent,
            Service = service,
            Name = name,
            Kind = kind,
            StartUs = Us(startMs),
            EndUs = Us(startMs + durationMs),
            SharedWithClient = sharedWithClient,
        };
        _spans.Add(span);
        return span;
    }

    /// <summary>
    /// An RPC: a client span in <paramref name="caller"/> and the callee's server span inside it (network time at both ends).
    /// Returns the server span; the client span is its <see cref="GenSpan.Parent"/>.
    /// </summary>
    public GenSpan Rpc(GenSpan parent, string callee, string name, double startMs, double durationMs, string system = "grpc", string? clientName = null)
    {
        var client = Span(parent, parent.Service, clientName ?? name, GenSpanKind.Client, startMs, durationMs);
        var net = Math.Min(0.4, durationMs / 10);
        var server = Span(client, callee, name, GenSpanKind.Server, startMs + net, durationMs - 2 * net, sharedWithClient: true);
        if (system == "grpc")
        {
            var (svc, method) = SplitRpc(name);
            client.Attr("rpc.system", "grpc").Attr("rpc.service", svc).Attr("rpc.method", method).Attr("peer.service", callee)
                .Attr("server.address", callee).Attr("server.port", 8080L).Attr("rpc.grpc.status_code", 0L);
            server.Attr("rpc.system", "grpc").Attr("rpc.service", svc).Attr("rpc.method", method).Attr("rpc.grpc.status_code", 0L);
        }
        else
        {
            var (verb, route) = SplitHttp(name);
            client.Attr("http.request.method", verb).Attr("url.full", "http://" + callee + ":8080" + route.Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal))
                .Attr("server.address", callee).Attr("server.port", 8080L).Attr("peer.service", callee).Attr("http.response.status_code", 200L);
            server.Attr("http.request.method", verb).Attr("http.route", route).Attr("url.scheme", "http").Attr("http.response.status_code", 200L);
        }

        return server;
    }

    /// <summary>Sets the status code attributes of an RPC pair to a failure (gRPC code or HTTP status) and marks both spans errored.</summary>
    public static void FailRpc(GenSpan server, string message, long? grpcCode = null, long? httpStatus = null)
    {
        var client = server.Parent!;
        foreach (var span in new[] { server, client })
        {
            if (grpcCode is { } code)
            {
                Replace(span, "rpc.grpc.status_code", code);
            }

            if (httpStatus is { } status)
            {
                Replace(span, "http.response.status_code", status);
                span.Attr("error.type", status.ToString(CultureInfo.InvariantCulture));
            }

            span.Fail(message);
        }
    }

    public static void Replace(GenSpan span, string key, object value)
    {
        span.Attributes.RemoveAll(a => a.Key == key);
        span.Attributes.Add(new(key, value));
    }

    public GenTrace Build() => new(TraceId, _spans, _resources);

    private List<KeyValuePair<string, object>> GetResource(string service)
    {
        if (!_resources.TryGetValue(service, out var list))
        {
            list =
            [
                new("service.name", service),
                new("service.instance.id", service + "-" + NewHex(3)),
                new("telemetry.sdk.language", LanguageOf(service)),
            ];
            _resources[service] = list;
        }

        return list;
    }

    private string NewId(int bytes)
    {
        while (true)
        {
            var id = NewHex(bytes);
            if (_ids.Add(id) && id.Any(c => c != '0'))
            {
                return id;
            }
        }
    }

    private string NewHex(int bytes)
    {
        var buffer = new byte[bytes];
        Random.NextBytes(buffer);
        return Convert.ToHexStringLower(buffer);
    }

    private static (string Service, string Method) SplitRpc(string name)
    {
        var slash = name.LastIndexOf('/');
        return slash > 0 ? (name[..slash], name[(slash + 1)..]) : (name, name);
    }

    private static (string Verb, string Route) SplitHttp(string name)
    {
        var space = name.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 ? (name[..space], name[(space + 1)..]) : ("GET", "/" + name);
    }

    // Train-Ticket is Java, Online Boutique is polyglot; the language shows up in resource attributes of real traces.
    private static string LanguageOf(string service) => service switch
    {
        _ when service.StartsWith("ts-", StringComparison.Ordinal) => "java",
        "frontend" or "checkoutservice" or "productcatalogservice" or "shippingservice" or "checkout" or "product-catalog" => "go",
        "cartservice" or "cart" => "dotnet",
        "currencyservice" or "paymentservice" or "payment" or "currency" => "nodejs",
        "emailservice" or "recommendationservice" or "recommendation" or "email" => "python",
        "adservice" or "ad" or "fraud-detection" => "java",
        "quote" => "php",
        "shipping" => "rust",
        _ => "go",
    };
}
