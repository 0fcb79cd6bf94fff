using System.Globalization;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// The incident eval set: per case, two windows of checkout traces (<c>previous.json</c>, <c>current.json</c>, OTLP/JSON with
/// many traces each) and <c>expected.json</c> naming the dimension value that changed (or <c>null</c> when nothing did).
/// The background is the same in every case: six pods over three regions and two nodes, four routes each calling its own
/// dependency, version 1.4.2, 1% timeouts; each case plants one change in the alert window.
/// </summary>
internal static class IncidentCases
{
    private const int TracesPerWindow = 150;

    // 2025-06-02T10:00:00Z in microseconds; the alert window is the ten minutes after the previous one.
    private const long PreviousStartUs = 1_748_858_400_000_000;
    private const long WindowUs = 600_000_000;

    private static readonly (string Pod, string Region, string Node)[] Pods =
    [
        ("checkout-7f9c-a", "us-east-1", "node-1"), ("checkout-7f9c-b", "us-east-1", "node-2"),
        ("checkout-7f9c-c", "eu-west-1", "node-1"), ("checkout-7f9c-d", "eu-west-1", "node-2"),
        ("checkout-7f9c-e", "ap-south-1", "node-3"), ("checkout-7f9c-f", "ap-south-1", "node-3"),
    ];

    private static readonly (string Route, string Method, string Dependency, double BaseMs)[] Routes =
    [
        ("/cart", "GET", "cart", 25), ("/checkout", "POST", "inventory", 60), ("/pay", "POST", "payments", 80), ("/orders", "GET", "orders", 40),
    ];

    /// <summary>What one case changes in a trace of the alert window.</summary>
    private sealed record Case(string Name, string Summary, string? Dimension, string? Value, Action<Plan, Random> Change);

    /// <summary>One trace before it is built; a case's change edits it.</summary>
    private sealed class Plan
    {
        public required string Pod { get; set; }

        public required string Region { get; set; }

        public required string Node { get; set; }

        public required string Route { get; init; }

        public required string Method { get; init; }

        public required string Dependency { get; init; }

        public string Version { get; set; } = "1.4.2";

        public double DurationMs { get; set; }

        /// <summary>Exception type, status message and HTTP status of a failed dependency call; null when it succeeds.</summary>
        public (string Type, string Message, long Status)? Failure { get; set; }

        public bool OldSemconv { get; set; }

        /// <summary>The dependency speaks gRPC, failing with this status code (0 when it succeeds).</summary>
        public long? GrpcStatus { get; set; }
    }

    private static readonly Case[] All =
    [
        new("incident-version-rollout-latency", "version 1.5.0 rolled out to about half the pods, four times slower", "service.version", "1.5.0",
            (p, r) => { if (p.Pod[^1] is 'a' or 'c' or 'e') { p.Version = "1.5.0"; p.DurationMs *= 4; } }),
        new("incident-version-canary-errors", "canary 1.5.0 on 40% of traffic: slower, and half its requests fail with NullReferenceException", "service.version", "1.5.0",
            (p, r) => { if (r.NextDouble() < 0.4) { p.Version = "1.5.0"; p.DurationMs *= 3; if (r.NextDouble() < 0.5) { p.Failure = ("System.NullReferenceException", "Object reference not set to an instance of an object.", 500); } } }),
        new("incident-host-degraded", "one pod five times slower (noisy neighbour)", "host.name", "checkout-7f9c-d",
            (p, r) => { if (p.Pod == "checkout-7f9c-d") { p.DurationMs *= 5; } }),
        new("incident-region-degraded", "every pod in eu-west-1 four times slower", "cloud.region", "eu-west-1",
            (p, r) => { if (p.Region == "eu-west-1") { p.DurationMs *= 4; } }),
        new("incident-node-degraded", "both pods on node-2 (in two regions) slower", "k8s.node.name", "node-2",
            (p, r) => { if (p.Node == "node-2") { p.DurationMs *= 4; } }),
        new("incident-route-slow", "GET /orders four times slower, the other routes unchanged", "http.route", "/orders",
            (p, r) => { if (p.Route == "/orders") { p.DurationMs *= 4; } }),
        new("incident-new-error-type", "a fifth of requests on every route fail with a Redis timeout never seen before", "exception.type", "StackExchange.Redis.RedisTimeoutException",
            (p, r) => { if (r.NextDouble() < 0.2) { p.Failure = ("StackExchange.Redis.RedisTimeoutException", "Timeout performing GET cart:" + r.Next(1000, 9999) + " (5000ms)", 500); } }),
        new("incident-dependency-503", "payments answers 503 to 40% of calls", "http.response.status_code", "503",
            (p, r) => { if (p.Dependency == "payments" && r.NextDouble() < 0.4) { p.Failure = ("System.Net.Http.HttpRequestException", "Response status code does not indicate success: 503 (Service Unavailable).", 503); } }),
        new("incident-dependency-429-old-semconv", "inventory rate-limits a third of calls with 429, reported under the old http.status_code name", "http.response.status_code", "429",
            (p, r) => { p.OldSemconv = true; if (p.Dependency == "inventory" && r.NextDouble() < 0.35) { p.Failure = ("System.Net.Http.HttpRequestException", "Response status code does not indicate success: 429 (Too Many Requests).", 429); } }),
        new("incident-grpc-unavailable", "the orders service over gRPC is UNAVAILABLE for half the calls", "rpc.grpc.status_code", "14",
            (p, r) => { if (p.Dependency == "orders") { p.GrpcStatus = 0; if (r.NextDouble() < 0.5) { p.GrpcStatus = 14; p.Failure = ("Grpc.Core.RpcException", "Status(StatusCode=\"Unavailable\", Detail=\"failed to connect to all addresses\")", 0); } } }),
        new("incident-healthy-canary", "a healthy canary 1.5.0 on a third of traffic: new, but no slower and no more errors", null, null,
            (p, r) => { if (r.NextDouble() < 0.33) { p.Version = "1.5.0"; } }),
    ];

    public static int WriteAll(int seed, string outDir, TextWriter log)
    {
        foreach (var incident in All)
        {
            var random = new Random(unchecked(seed * 31 + Hash(incident.Name)));
            var previous = Window(random, PreviousStartUs, null);
            var current = Window(random, PreviousStartUs + WindowUs, incident);
            var dir = Path.Combine(outDir, incident.Name);
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, "previous.json"), OtlpJsonEmitter.EmitMany(previous));
            File.WriteAllBytes(Path.Combine(dir, "current.json"), OtlpJsonEmitter.EmitMany(current));
            File.WriteAllBytes(Path.Combine(dir, "expected.json"), Json.Write(true, w =>
            {
                w.WriteStartObject();
                w.WriteString("service", "checkout");
                if (incident.Dimension is null)
                {
                    w.WriteNull("changed");
                }
                else
                {
                    w.WriteStartObject("changed");
                    w.WriteString("dimension", incident.Dimension);
                    w.WriteString("value", incident.Value);
                    w.WriteEndObject();
                }

                w.WriteString("summary", incident.Summary);
                w.WriteEndObject();
            }));
            log.WriteLine($"{incident.Name,-44} {TracesPerWindow,4} + {TracesPerWindow,4} traces  {incident.Dimension ?? "healthy"}{(incident.Value is null ? "" : "=" + incident.Value)}");
        }

        return All.Length;
    }

    private static List<GenTrace> Window(Random random, long startUs, Case? incident)
    {
        var traces = new List<GenTrace>(TracesPerWindow);
        for (var i = 0; i < TracesPerWindow; i++)
        {
            var pod = Pods[random.Next(Pods.Length)];
            var route = Routes[random.Next(Routes.Length)];
            var plan = new Plan
            {
                Pod = pod.Pod, Region = pod.Region, Node = pod.Node, Route = route.Route, Method = route.Method, Dependency = route.Dependency,
                DurationMs = route.BaseMs * (0.8 + (random.NextDouble() * 0.5)),
            };
            if (random.NextDouble() < 0.01)
            {
                plan.Failure = ("System.TimeoutException", "The operation has timed out.", 504);
            }

            incident?.Change(plan, random);
            traces.Add(Build(random, startUs + (long)(i * (WindowUs / (double)TracesPerWindow)), plan));
        }

        return traces;
    }

    private static GenTrace Build(Random random, long startUs, Plan plan)
    {
        var totalUs = (long)(plan.DurationMs * 1000);
        var server = new GenSpan
        {
            SpanId = Id(random, 8), Service = "checkout", Name = $"{plan.Method} {plan.Route}", Kind = GenSpanKind.Server, StartUs = startUs, EndUs = startUs + totalUs,
        };
        server.Attr("http.route", plan.Route).Attr("url.path", plan.Route + "/" + random.Next(100000).ToString(CultureInfo.InvariantCulture));
        server.Attr(plan.OldSemconv ? "http.status_code" : "http.response.status_code", plan.Failure is null ? 200L : 500L);
        var grpc = plan.GrpcStatus is not null;
        var client = new GenSpan
        {
            SpanId = Id(random, 8), Parent = server, Service = "checkout", Name = grpc ? $"orders.OrderService/List" : $"{plan.Method} {plan.Dependency}",
            Kind = GenSpanKind.Client, StartUs = startUs + (totalUs / 10), EndUs = startUs + (totalUs * 9 / 10),
        };
        client.Attr("peer.service", plan.Dependency).Attr("server.address", plan.Dependency + ".svc.cluster.local");
        if (grpc)
        {
            client.Attr("rpc.system", "grpc").Attr("rpc.grpc.status_code", plan.GrpcStatus!.Value);
        }
        else if (plan.Failure is { Status: > 0 } failed && failed.Status != 500)
        {
            client.Attr(plan.OldSemconv ? "http.status_code" : "http.response.status_code", failed.Status);
        }
        else
        {
            client.Attr(plan.OldSemconv ? "http.status_code" : "http.response.status_code", 200L);
        }

        if (plan.Failure is { } failure)
        {
            client.Throw(failure.Type, failure.Message);
            server.Fail(failure.Message);
        }

        var callee = new GenSpan
        {
            SpanId = Id(random, 8), Parent = client, Service = plan.Dependency, Name = grpc ? "orders.OrderService/List" : $"{plan.Method} /{plan.Dependency}",
            Kind = GenSpanKind.Server, StartUs = client.StartUs + 200, EndUs = client.EndUs - 200,
        };
        var resources = new Dictionary<string, List<KeyValuePair<string, object>>>(StringComparer.Ordinal)
        {
            ["checkout"] =
            [
                new("service.name", "checkout"), new("service.version", plan.Version), new("host.name", plan.Pod), new("k8s.pod.name", plan.Pod),
                new("k8s.node.name", plan.Node), new("cloud.region", plan.Region), new("deployment.environment.name", "production"),
                new("process.pid", (long)random.Next(100, 60000)),
            ],
            [plan.Dependency] = [new("service.name", plan.Dependency), new("service.version", "3.2.0")],
        };
        return new GenTrace(Id(random, 16), [server, client, callee], resources);
    }

    private static string Id(Random random, int bytes)
    {
        var buffer = new byte[bytes];
        random.NextBytes(buffer);
        return Convert.ToHexStringLower(buffer);
    }

    private static int Hash(string text)
    {
        var hash = 17;
        foreach (var c in text)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }
}
