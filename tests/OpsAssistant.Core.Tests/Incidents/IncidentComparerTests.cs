using System.Text.Json;
using OpsAssistant.Core.Incidents;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Results;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Tests.Incidents;

public sealed class IncidentComparerTests
{
    private const long Before = 1_700_000_000_000_000_000;
    private const long During = Before + 600_000_000_000;

    [Fact]
    public void Compare_BadVersionOnHalfTheTraffic_RanksTheVersionFirstWithExemplarsCarryingIt()
    {
        var (previous, alert) = VersionRollout(seed: 1);

        var comparison = IncidentComparer.Compare(previous, alert);

        var top = comparison.Changes[0];
        Assert.Equal(("service.version", "2.0"), (top.Dimension, top.Value));
        Assert.True(top.AnomalousSupport > 0.8, $"support {top.AnomalousSupport}");
        Assert.Equal(0, top.PreviousCount);
        Assert.True(top.Lift > 10);
        var exemplars = comparison.Exemplars.Where(e => e.Role == IncidentExemplar.ExemplarRole).ToList();
        Assert.Equal(3, exemplars.Count);
        var carriers = alert.Where(t => t.Dimensions.Contains(new IncidentDimension("service.version", "2.0"))).Select(t => t.TraceId).ToHashSet();
        Assert.All(exemplars, e => Assert.Contains(e.TraceId, carriers));
        var contrast = Assert.Single(comparison.Exemplars, e => e.Role == IncidentExemplar.ContrastRole);
        Assert.DoesNotContain(contrast.TraceId, carriers);
        Assert.StartsWith("service.version=2.0 is on", comparison.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_NewButHealthyVersion_ReportsNoChange()
    {
        var windows = new IncidentWindows(2);
        var previous = IncidentWindows.Extract(windows.Window(Before, 300));
        var alert = IncidentWindows.Extract(windows.Window(During, 300, s => windows.Coin() ? s with { Version = "2.0" } : s));

        var comparison = IncidentComparer.Compare(previous, alert);

        Assert.DoesNotContain(comparison.Changes, c => c.Dimension == "service.version");
    }

    [Fact]
    public void Compare_OneHostDegraded_RanksTheHost()
    {
        var windows = new IncidentWindows(3);
        var previous = IncidentWindows.Extract(windows.Window(Before, 300));
        var alert = IncidentWindows.Extract(windows.Window(During, 300, s => s.Host == "host-b" ? s with { DurationMs = s.DurationMs * 4 } : s));

        var top = IncidentComparer.Compare(previous, alert).Changes[0];

        Assert.Equal(("host.name", "host-b"), (top.Dimension, top.Value));
    }

    [Fact]
    public void Compare_OneRouteSlow_NamesTheRouteWithItsOperationAsAlias()
    {
        var windows = new IncidentWindows(4);
        var previous = IncidentWindows.Extract(windows.Window(Before, 300));
        var alert = IncidentWindows.Extract(windows.Window(During, 300, s => s.Route == "/pay" ? s with { DurationMs = s.DurationMs * 3 } : s));

        var top = IncidentComparer.Compare(previous, alert).Changes[0];

        Assert.Equal(("http.route", "/pay"), (top.Dimension, top.Value));
        Assert.Contains("operation=POST /pay", top.AlsoMatches);
    }

    [Fact]
    public void Compare_DependencyFailsWithANewError_RanksItsErrorDimensions()
    {
        var windows = new IncidentWindows(5);
        var previous = IncidentWindows.Extract(windows.Window(Before, 300));
        var alert = IncidentWindows.Extract(windows.Window(During, 300, s => windows.Next() < 0.3 ? s with { Error = "PaymentUnavailableException" } : s));

        var changes = IncidentComparer.Compare(previous, alert).Changes;

        // The failed call's 503, its exception and the server's 500 mark exactly the same traces: one change, with aliases.
        var named = changes[0].AlsoMatches.Append($"{changes[0].Dimension}={changes[0].Value}").ToList();
        Assert.Equal("http.response.status_code", changes[0].Dimension);
        Assert.Contains("http.response.status_code=503", named);
        Assert.Contains("exception.type=PaymentUnavailableException", named);
    }

    [Fact]
    public void Compare_NothingChanged_ReportsNoChangeAndSaysSo()
    {
        var windows = new IncidentWindows(6);
        var previous = IncidentWindows.Extract(windows.Window(Before, 300));
        var alert = IncidentWindows.Extract(windows.Window(During, 300));

        var comparison = IncidentComparer.Compare(previous, alert);

        Assert.Empty(comparison.Changes);
        Assert.StartsWith("No dimension stands out", comparison.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_EmptyWindows_ReturnsCountsOfZero()
    {
        var comparison = IncidentComparer.Compare([], []);

        Assert.Equal(new IncidentWindowCounts(0, 0, 0, 0), comparison.Alert);
        Assert.Empty(comparison.Exemplars);
        Assert.Equal("No traces of the service in the alert window.", comparison.Summary);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Compare_ShuffledOrder_GivesTheSameAnswer(int seed)
    {
        var (previous, alert) = VersionRollout(seed);
        var random = new Random(seed);

        var shuffled = IncidentComparer.Compare([.. previous.OrderBy(_ => random.Next())], [.. alert.OrderBy(_ => random.Next())]);

        Assert.Equal(Json(IncidentComparer.Compare(previous, alert)), Json(shuffled));
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void Compare_BothWindowsShiftedInTime_GivesTheSameAnswer(int seed)
    {
        var windows = new IncidentWindows(seed);
        var previousSpans = windows.Window(Before, 200);
        var alertSpans = windows.Window(During, 200, s => s.Region == "eu-west-1" ? s with { DurationMs = s.DurationMs * 5 } : s);
        var shift = 86_400_000_000_000L * 37;

        var original = IncidentComparer.Compare(IncidentWindows.Extract(previousSpans), IncidentWindows.Extract(alertSpans));
        var shifted = IncidentComparer.Compare(IncidentWindows.Extract(previousSpans.Select(t => Shift(t, shift))), IncidentWindows.Extract(alertSpans.Select(t => Shift(t, shift))));

        Assert.Equal("cloud.region", original.Changes[0].Dimension);
        Assert.Equal(Json(original), Json(shifted));
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    public void Compare_UnrelatedAttributesRenamed_GivesTheSameAnswer(int seed)
    {
        var windows = new IncidentWindows(seed);
        var previousSpans = windows.Window(Before, 200);
        var alertSpans = windows.Window(During, 200, s => s.Host == "host-a" ? s with { Error = "TimeoutException" } : s);

        var original = IncidentComparer.Compare(IncidentWindows.Extract(previousSpans), IncidentWindows.Extract(alertSpans));
        var renamed = IncidentComparer.Compare(IncidentWindows.Extract(previousSpans.Select(Rename)), IncidentWindows.Extract(alertSpans.Select(Rename)));

        Assert.NotEmpty(original.Changes);
        Assert.Equal(Json(original), Json(renamed));
    }

    [Fact]
    public void Compare_DuplicateTraceIds_CountEachTraceOnce()
    {
        var (previous, alert) = VersionRollout(seed: 41);

        var doubled = IncidentComparer.Compare([.. previous, .. previous], [.. alert, .. alert]);

        Assert.Equal(Json(IncidentComparer.Compare(previous, alert)), Json(doubled));
    }

    private static (List<IncidentTrace> Previous, List<IncidentTrace> Alert) VersionRollout(int seed)
    {
        var windows = new IncidentWindows(seed);
        var previous = IncidentWindows.Extract(windows.Window(Before, 300));
        var alert = IncidentWindows.Extract(windows.Window(During, 300, s => windows.Coin() ? s with { Version = "2.0", DurationMs = s.DurationMs * 3 } : s));
        return (previous, alert);
    }

    private static List<Span> Shift(List<Span> spans, long by) => spans.Select(s => new Span
    {
        TraceId = s.TraceId, SpanId = s.SpanId, ParentSpanId = s.ParentSpanId, Name = s.Name, Kind = s.Kind, Status = s.Status, StatusMessage = s.StatusMessage,
        StartUnixNano = s.StartUnixNano + by, EndUnixNano = s.EndUnixNano + by, Resource = s.Resource, Attributes = s.Attributes,
        Events = s.Events.Select(e => e with { TimeUnixNano = e.TimeUnixNano + by }).ToList(),
    }).ToList();

    /// <summary>Renames every attribute the comparison does not read, on the spans and their resources.</summary>
    private static List<Span> Rename(List<Span> spans) => spans.Select(s => new Span
    {
        TraceId = s.TraceId, SpanId = s.SpanId, ParentSpanId = s.ParentSpanId, Name = s.Name, Kind = s.Kind, Status = s.Status, StatusMessage = s.StatusMessage,
        StartUnixNano = s.StartUnixNano, EndUnixNano = s.EndUnixNano, Events = s.Events,
        Resource = new Resource(s.ServiceName, s.Resource.Attributes.Select(RenameUnrelated).ToList()),
        Attributes = s.Attributes.Select(RenameUnrelated).ToList(),
    }).ToList();

    private static Attribute RenameUnrelated(Attribute attribute) => attribute.Key switch
    {
        "process.pid" => new Attribute("process.id.renamed", attribute.Value),
        "request.id" => new Attribute("x-request-id", attribute.Value),
        _ => attribute,
    };

    private static string Json(IncidentComparison comparison) => JsonSerializer.Serialize(comparison, ResultJson.Options);
}
