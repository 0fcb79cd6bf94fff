using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Analysis;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Infrastructure.Llm;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Infrastructure.Tests.Llm;

/// <summary>Secrets anywhere in a trace (names, status messages, exceptions, attributes) are absent from what the LLM server receives.</summary>
public sealed class SecretsNeverLeaveTests : IAsyncLifetime
{
    private const string Jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    private FakeChatCompletionsServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await FakeChatCompletionsServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Analyze_TraceFullOfSecrets_SendsNoneOfThemToTheModel()
    {
        _server.ThenJson("""{"summary":"s","hypotheses":[]}""");
        const string traceId = "0af7651916cd43dd8448eb211c80319c";
        var api = new Resource("api");
        var db = new Resource("db");
        const long t0 = 1_764_000_000_000_000_000;
        var trace = new Trace(traceId,
        [
            new Span { TraceId = traceId, SpanId = "1111111111111111", Name = "POST /login Authorization: Bearer abcdef0123456789abcdef", Kind = SpanKind.Server, StartUnixNano = t0, EndUnixNano = t0 + 900_000_000, Resource = api, Status = SpanStatusCode.Error,
                StatusMessage = "login failed for alice@example.com password=hunter22",
                Attributes = [new Attribute("http.request.header.authorization", "Bearer " + Jwt), new Attribute("user.card", "4111 1111 1111 1111")] },
            new Span { TraceId = traceId, SpanId = "2222222222222222", ParentSpanId = "1111111111111111", Name = "acquire connection pool", StartUnixNano = t0 + 10_000_000, EndUnixNano = t0 + 800_000_000, Resource = db,
                Status = SpanStatusCode.Error, StatusMessage = "token " + Jwt + " rejected; key AKIAIOSFODNN7EXAMPLE",
                Attributes = [new Attribute("db.connection_string", "Server=db;Password=S3cr3t!"), new Attribute("pool.pending_password", "p@ss")],
                Events = [new SpanEvent("exception", t0 + 20_000_000, [new Attribute("exception.type", "AuthError"), new Attribute("exception.message", "card 4111 1111 1111 1111 for bob@example.org")])] },
        ]);
        await using var sp = LlmTestServices.Build(_server.V1Endpoint);
        var options = sp.GetRequiredService<IOptions<LlmOptions>>();
        var engine = new LlmRootCauseEngine(new HeuristicEngine(),
            new RcaPromptBuilder(PromptFile.Load(Path.Combine(PromptFile.DefaultDirectory, "rca.yaml")), new FindingsPromptWriter(SecretRedactor.Default), options),
            sp.GetRequiredService<IRcaLlmClient>(), new MemoryCache(new MemoryCacheOptions()), options, NullLogger<LlmRootCauseEngine>.Instance);

        await engine.AnalyzeAsync(trace);

        var sent = Assert.Single(_server.Requests).ToJsonString();
        foreach (var secret in new[] { "abcdef0123456789abcdef", "eyJhbGciOiJIUzI1NiJ9", "hunter22", "alice@example.com", "bob@example.org", "4111 1111 1111 1111", "AKIAIOSFODNN7EXAMPLE", "S3cr3t!", "p@ss" })
        {
            Assert.DoesNotContain(secret, sent, StringComparison.Ordinal);
        }

        Assert.Contains("[REDACTED]", sent, StringComparison.Ordinal);
        Assert.Contains("2222222222222222", sent, StringComparison.Ordinal);
    }
}
