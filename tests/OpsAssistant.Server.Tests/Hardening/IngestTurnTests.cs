using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NSubstitute;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Sources;
using OpsAssistant.Server.Ingest;

namespace OpsAssistant.Server.Tests.Hardening;

/// <summary>
/// A request's turn to read and decode a body (<c>Ingest:MaxConcurrentBodies</c>) ends once its body is decoded, so the
/// next body is read while the first waits for its commit, and the budget then charges the decoded spans instead of the body.
/// A request whose decoded form does not fit keeps its turn and its charge until it is stored.
/// </summary>
public sealed class IngestTurnTests
{
    [Fact]
    public async Task Ingest_RequestWaitingForTheStore_DoesNotHoldUpReadingTheNextBody()
    {
        var inStore = 0;
        var bothInStore = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = Substitute.For<ITraceStore>();
        store.AddSpansAsync(Arg.Any<IReadOnlyCollection<Span>>(), Arg.Any<CancellationToken>()).Returns(async call =>
        {
            // Each write is held until both requests are in the store at once: with the turn held through the store, the
            // second body would not even be read, and both would time out here.
            if (Interlocked.Increment(ref inStore) == 2)
            {
                bothInStore.TrySetResult();
            }

            await bothInStore.Task.WaitAsync(TimeSpan.FromSeconds(20));
            return call.ArgAt<IReadOnlyCollection<Span>>(0).Count;
        });
        using var host = new OpsAssistantHost(new() { ["OpsAssistant:Ingest:MaxConcurrentBodies"] = "1" }, s => s.AddSingleton(store));
        using var client = host.CreateClient();

        var responses = await Task.WhenAll(PostAsync(client, "4bf92f3577b34da6a3ce929d0e0e4736"), PostAsync(client, "5bf92f3577b34da6a3ce929d0e0e4737"));
        using var firstResponse = responses[0];
        using var secondResponse = responses[1];

        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, secondResponse.StatusCode);
        Assert.True(bothInStore.Task.IsCompletedSuccessfully, "the second request reached the store while the first was still there");
    }

    [Fact]
    public async Task GiveTurn_DecodedFormFits_NextRequestMayReadAndTheChargeIsTheDecodedForm()
    {
        using var budget = Budget(capacity: 1000);
        var first = await budget.OpenAsync(CancellationToken.None);
        first.Reserve(400);

        Assert.True(first.TryGiveTurn(700));
        Assert.Equal(700, budget.Used);

        var next = budget.OpenAsync(CancellationToken.None);
        Assert.True(next.IsCompletedSuccessfully, "the next body may be read while the first request waits for the store");
        using (var second = await next)
        {
            second.Reserve(300);
            Assert.Equal(1000, budget.Used);
        }

        first.Dispose();
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public async Task GiveTurn_DecodedFormSmallerThanTheBody_GivesBackTheDifference()
    {
        using var budget = Budget(capacity: 1000);
        using var lease = await budget.OpenAsync(CancellationToken.None);
        lease.Reserve(600);

        Assert.True(lease.TryGiveTurn(250));
        Assert.Equal(250, budget.Used);
    }

    [Fact]
    public async Task GiveTurn_DecodedFormDoesNotFit_KeepsTheTurnAndTheBodysChargeUntilStored()
    {
        using var budget = Budget(capacity: 1000);
        var first = await budget.OpenAsync(CancellationToken.None);
        first.Reserve(600);

        Assert.False(first.TryGiveTurn(1200));
        Assert.Equal(600, budget.Used);

        var next = budget.OpenAsync(CancellationToken.None);
        Assert.False(next.IsCompleted, "the next body waits for the turn the first request kept");

        first.Dispose();
        using var second = await next.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public async Task Dispose_AfterTheTurnWasGiven_ReleasesTheChargeAndNoSecondTurn()
    {
        using var budget = Budget(capacity: 1000);
        var first = await budget.OpenAsync(CancellationToken.None);
        Assert.True(first.TryGiveTurn(100));
        var second = await budget.OpenAsync(CancellationToken.None);

        first.Dispose();

        // One turn only: the second request holds it, so a third waits.
        Assert.Equal(0, budget.Used);
        var third = budget.OpenAsync(CancellationToken.None);
        Assert.False(third.IsCompleted);
        second.Dispose();
        (await third.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    private static IngestMemoryBudget Budget(long capacity) => new(Options.Create(new IngestOptions
    {
        MaxBufferedBytes = capacity,
        MaxDecompressedBytes = capacity,
        MaxRequestBytes = capacity,
        MaxConcurrentBodies = 1,
    }));

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string traceId)
    {
        var span = new Span
        {
            TraceId = traceId, SpanId = "1000000000000001", Name = "GET /cart",
            StartUnixNano = 1_764_000_000_000_000_000, EndUnixNano = 1_764_000_000_000_000_100, Resource = new Resource("cart"),
        };
        using var content = new ByteArrayContent(OtlpJsonWriter.ToUtf8Bytes([span]));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await client.PostAsync(new Uri("v1/traces", UriKind.Relative), content);
    }
}
