using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Incidents;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Infrastructure.Incidents;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>The incident window reader and the incident store, over each database.</summary>
public abstract partial class TraceStoreContract
{
    private static readonly IncidentTimeRange Minute = new(TestSpans.BaseTime, TestSpans.BaseTime.AddMinutes(1));

    [Fact]
    public async Task IncidentWindow_MixedTraces_ReadsOnlyTheServicesTracesStartedInTheWindow()
    {
        await Store.Traces.AddSpansAsync(
        [
            TestSpans.Make(1, 1, service: "frontend", name: "GET /", start: TimeSpan.FromSeconds(5), durationMs: 50),
            TestSpans.Make(1, 2, parent: 1, service: "checkout", name: "POST /pay", start: TimeSpan.FromSeconds(5.01), durationMs: 30, error: true),
            TestSpans.Make(2, 3, service: "checkout", name: "GET /cart", start: TimeSpan.FromSeconds(30)),
            TestSpans.Make(3, 4, service: "frontend", name: "GET /", start: TimeSpan.FromSeconds(40)),
            TestSpans.Make(4, 5, service: "checkout", name: "GET /cart", start: TimeSpan.FromSeconds(70)),
            TestSpans.Make(5, 6, service: "checkout", name: "GET /cart", start: TimeSpan.FromSeconds(-1)),
        ]);

        var window = await new StoreIncidentWindowReader(Store.Database).ReadAsync("checkout", Minute, 100);

        Assert.False(window.Sampled);
        Assert.Equal([TestSpans.TraceId(1), TestSpans.TraceId(2)], window.Traces.Select(t => t.TraceId));
        var called = window.Traces[0];
        Assert.Equal("POST /pay", called.Operation);
        Assert.True(called.IsError);
        Assert.Equal(30_000_000, called.DurationNano);
    }

    [Fact]
    public async Task IncidentWindow_MoreTracesThanTheLimit_ReadsTheLowestTraceIdsAndSaysSampled()
    {
        await Store.Traces.AddSpansAsync([.. Enumerable.Range(1, 12).Select(n => TestSpans.Make(n, n, start: TimeSpan.FromSeconds(n)))]);

        var window = await new StoreIncidentWindowReader(Store.Database).ReadAsync("checkout", Minute, 10);

        Assert.True(window.Sampled);
        Assert.Equal(Enumerable.Range(1, 10).Select(TestSpans.TraceId), window.Traces.Select(t => t.TraceId));
    }

    [Fact]
    public async Task IncidentStore_QueuedIncident_IsClaimedOnceAndCompletedOnlyByItsOwner()
    {
        var incidents = new RelationalIncidentStore(Store.Database);
        var queued = new IncidentResult
        {
            IncidentId = "inc-1", Service = "checkout", Window = Minute, PreviousWindow = Minute.Before(), Origin = "alertmanager",
            Subject = "CheckoutSlow", CreatedAt = TestSpans.BaseTime,
        };

        Assert.True(await incidents.TryAddAsync(queued));
        Assert.False(await incidents.TryAddAsync(queued with { Subject = "again" }));
        var claimed = await incidents.ClaimAsync("worker-a", TestSpans.BaseTime, TestSpans.BaseTime.AddMinutes(1));
        Assert.NotNull(claimed);
        Assert.Equal((IncidentStatus.Running, 1, "CheckoutSlow"), (claimed.Status, claimed.Attempts, claimed.Subject));
        Assert.Null(await incidents.ClaimAsync("worker-b", TestSpans.BaseTime.AddSeconds(30), TestSpans.BaseTime.AddMinutes(2)));

        Assert.False(await incidents.CompleteAsync(claimed with { Status = IncidentStatus.Done }, "worker-b"));
        Assert.True(await incidents.CompleteAsync(claimed with { Status = IncidentStatus.Done, Summary = "nothing" }, "worker-a"));
        var done = await incidents.GetAsync("inc-1");
        Assert.Equal((IncidentStatus.Done, "nothing", 1), (done!.Status, done.Summary, done.Attempts));
        Assert.Equal(Minute, done.Window);
        Assert.Null(await incidents.GetAsync("inc-2"));
    }

    [Fact]
    public async Task IncidentStore_LeaseLapsed_AnotherWorkerTakesItOver()
    {
        var incidents = new RelationalIncidentStore(Store.Database);
        await incidents.TryAddAsync(new IncidentResult { IncidentId = "inc-9", Service = "checkout", Window = Minute, PreviousWindow = Minute.Before(), CreatedAt = TestSpans.BaseTime });
        await incidents.ClaimAsync("worker-a", TestSpans.BaseTime, TestSpans.BaseTime.AddMinutes(1));

        var taken = await incidents.ClaimAsync("worker-b", TestSpans.BaseTime.AddMinutes(2), TestSpans.BaseTime.AddMinutes(3));

        Assert.Equal(2, taken!.Attempts);
        Assert.False(await incidents.CompleteAsync(taken with { Status = IncidentStatus.Done }, "worker-a"));
    }

    [Fact]
    public async Task IncidentService_BadVersionInTheAlertWindow_NamesItAndLinksStoredExemplarAnalyses()
    {
        var spans = new List<Span>();
        for (var n = 0; n < 120; n++)
        {
            var alertWindow = n >= 60;
            var bad = alertWindow && n % 2 == 0;
            var resource = new Resource("checkout", [new Attribute("service.name", "checkout"), new Attribute("service.version", bad ? "2.0" : "1.0")]);
            var start = (alertWindow ? TimeSpan.Zero : TimeSpan.FromMinutes(-1)) + TimeSpan.FromSeconds(n % 60);
            spans.Add(TestSpans.Make(n + 1, n + 1, name: "POST /pay", start: start, durationMs: (bad ? 300 : 40) + (n % 7), resource: resource));
        }

        await Store.Traces.AddSpansAsync(spans);
        var service = new IncidentService(new StoreIncidentWindowReader(Store.Database), Store.Traces, new HeuristicEngine(), Store.Analyses, new RelationalIncidentStore(Store.Database),
            Options.Create(new IncidentOptions()), SecretRedactor.Default, TimeProvider.System, NullLogger<IncidentService>.Instance);

        var incident = await service.CreateAsync("checkout", Minute, "api");

        Assert.Equal(IncidentStatus.Done, incident.Status);
        Assert.Equal((60, 60), (incident.Counts!.Traces, incident.PreviousCounts!.Traces));
        Assert.Equal(("service.version", "2.0"), (incident.Changes[0].Dimension, incident.Changes[0].Value));
        var exemplars = incident.Exemplars.Where(e => e.Role == IncidentExemplar.ExemplarRole).ToList();
        Assert.Equal(3, exemplars.Count);
        foreach (var exemplar in exemplars)
        {
            var analysis = await Store.Analyses.GetAsync(exemplar.AnalysisId!);
            Assert.Equal((exemplar.TraceId, IncidentService.AnalysisOrigin), (analysis!.TraceId, analysis.Origin));
            Assert.Equal("/api/analyses/" + exemplar.AnalysisId, exemplar.AnalysisLink);
        }

        Assert.Equal(incident.Summary, (await new RelationalIncidentStore(Store.Database).GetAsync(incident.IncidentId))!.Summary);
    }

    [Fact]
    public async Task ChatOpenIncident_ServiceWithRecentTraces_AnswersTheIncidentAndRefusesBadMinutes()
    {
        var now = DateTimeOffset.UtcNow;
        await Store.Traces.AddSpansAsync([TestSpans.Make(1, 1, start: now - TestSpans.BaseTime - TimeSpan.FromMinutes(2))]);
        var incidents = new IncidentService(new StoreIncidentWindowReader(Store.Database), Store.Traces, new HeuristicEngine(), Store.Analyses, new RelationalIncidentStore(Store.Database),
            Options.Create(new IncidentOptions()), SecretRedactor.Default, TimeProvider.System, NullLogger<IncidentService>.Instance);
        var tools = new OpsAssistant.Infrastructure.Chat.TraceTools(new OpsAssistant.Infrastructure.Analyses.TraceAnalysisService(_ => Store.Traces, new Lazy<OpsAssistant.Core.Engine.IRootCauseEngine>(new HeuristicEngine()), null, TimeProvider.System), Store.Traces, SecretRedactor.Default, NSubstitute.Substitute.For<OpsAssistant.Infrastructure.Chat.IChatSink>(), TimeProvider.System)
        {
            Incidents = incidents,
        };

        using var answer = System.Text.Json.JsonDocument.Parse(await tools.OpenIncidentAsync("checkout", minutes: 10));
        using var refused = System.Text.Json.JsonDocument.Parse(await tools.OpenIncidentAsync("checkout", minutes: 0));

        Assert.Equal(1, answer.RootElement.GetProperty("counts").GetProperty("traces").GetInt32());
        var stored = await new RelationalIncidentStore(Store.Database).GetAsync(answer.RootElement.GetProperty("incidentId").GetString()!);
        Assert.Equal("chat", stored!.Origin);
        Assert.Contains("minutes", refused.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
