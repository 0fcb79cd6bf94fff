using System.Globalization;
using OpsAssistant.Core.Incidents;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Tests.Incidents;

/// <summary>
/// Seeded windows of checkout traces (a server span and a client call to payments) for the comparison tests: three hosts in
/// two regions, two routes, version 1.0 everywhere unless a test says otherwise.
/// </summary>
internal sealed class IncidentWindows(int seed)
{
    public const string Service = "checkout";
    private static readonly string[] Hosts = ["host-a", "host-b", "host-c"];
    private static readonly string[] Routes = ["/cart", "/pay"];
    private readonly Random _random = new(seed);
    private int _next;

    /// <summary>Makes one trace's spans; <paramref name="shape"/> may change the version, slow it down or fail it.</summary>
    public List<Span> Trace(long startNano, Func<TraceShape, TraceShape>? shape = null)
    {
        var host = Hosts[_random.Next(Hosts.Length)];
        var route = Routes[_random.Next(Routes.Length)];
        var plan = new TraceShape(host, host == "host-c" ? "eu-west-1" : "us-east-1", route, "1.0", 40 + (_random.NextDouble() * 20), null, Unrelated: _random.Next(1000));
        plan = shape?.Invoke(plan) ?? plan;
        var traceId = (++_next).ToString("x32", CultureInfo.InvariantCulture);
        var resource = new Resource(Service,
        [
            new Attribute("service.name", Service), new Attribute("service.version", plan.Version), new Attribute("host.name", plan.Host),
            new Attribute("cloud.region", plan.Region), new Attribute("process.pid", (long)plan.Unrelated),
        ]);
        var duration = (long)(plan.DurationMs * 1_000_000);
        var server = new Span
        {
            TraceId = traceId, SpanId = "1" + _next.ToString("x15", CultureInfo.InvariantCulture), Name = "POST " + plan.Route, Kind = SpanKind.Server,
            StartUnixNano = startNano, EndUnixNano = startNano + duration, Resource = resource,
            Status = plan.Error is null ? SpanStatusCode.Unset : SpanStatusCode.Error,
            Attributes = [new Attribute("http.route", plan.Route), new Attribute("http.response.status_code", plan.Error is null ? 200L : 500L), new Attribute("request.id", "r" + plan.Unrelated)],
        };
        var client = new Span
        {
            TraceId = traceId, SpanId = "2" + _next.ToString("x15", CultureInfo.InvariantCulture), ParentSpanId = server.SpanId, Name = "POST payments",
            Kind = SpanKind.Client, StartUnixNano = startNano + 1_000_000, EndUnixNano = startNano + duration - 1_000_000, Resource = resource,
            Status = plan.Error is null ? SpanStatusCode.Unset : SpanStatusCode.Error,
            StatusMessage = plan.Error is null ? null : $"payments answered 503 after {_random.Next(100, 999)} ms",
            Attributes = [new Attribute("peer.service", "payments"), new Attribute("http.status_code", plan.Error is null ? 200L : 503L)],
            Events = plan.Error is null ? [] : [new SpanEvent("exception", startNano + duration - 2_000_000, [new Attribute("exception.type", plan.Error)])],
        };
        var callee = new Span
        {
            TraceId = traceId, SpanId = "3" + _next.ToString("x15", CultureInfo.InvariantCulture), ParentSpanId = client.SpanId, Name = "charge",
            Kind = SpanKind.Server, StartUnixNano = startNano + 2_000_000, EndUnixNano = startNano + duration - 2_000_000, Resource = new Resource("payments"),
        };
        return [server, client, callee];
    }

    /// <summary>A window of <paramref name="count"/> traces, one a second from <paramref name="startNano"/>.</summary>
    public List<List<Span>> Window(long startNano, int count, Func<TraceShape, TraceShape>? shape = null) =>
        Enumerable.Range(0, count).Select(i => Trace(startNano + (i * 1_000_000_000L), shape)).ToList();

    /// <summary>A seeded coin flip, for shapes that apply to part of the traffic.</summary>
    public bool Coin() => _random.Next(2) == 0;

    /// <summary>A seeded number in [0, 1).</summary>
    public double Next() => _random.NextDouble();

    public static List<IncidentTrace> Extract(IEnumerable<List<Span>> traces) =>
        traces.Select(spans => IncidentDimensions.Extract(spans[0].TraceId, spans, Service)!).ToList();
}

internal sealed record TraceShape(string Host, string Region, string Route, string Version, double DurationMs, string? Error, int Unrelated);
