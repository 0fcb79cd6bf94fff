using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Tests.Formats;

/// <summary>
/// Every real payload loads with exact span counts, trace counts, services, error flags and roots. Expected numbers were
/// computed independently from the raw files (python), not from this reader; where the reader repairs (duplicate span IDs,
/// Zipkin fragments and shared client/server halves) the expectation says so.
/// </summary>
public sealed class SharedTraceFileTests
{
    public static TheoryData<string, TraceFormat, int, int, int, string> Files => new()
    {
        // file, format, traces, spans (after repair), errored spans, services
        { "labeled/error_timeout_masked.json", TraceFormat.OtlpJson, 1, 26, 1, "cart,frontend,frontend-proxy,load-generator,product-catalog" },
        { "labeled/n_plus_one_full_concurrent.json", TraceFormat.OtlpJson, 1, 40, 3, "customer,driver,frontend,mysql,redis-manual,route" },
        { "labeled/n_plus_one_full_serial.json", TraceFormat.OtlpJson, 1, 40, 3, "customer,driver,frontend,mysql,redis-manual,route" },
        { "labeled/n_plus_one_near_miss.json", TraceFormat.OtlpJson, 1, 12, 0, "frontend" },
        { "labeled/n_plus_one_positive.json", TraceFormat.OtlpJson, 1, 16, 3, "driver,frontend,redis-manual" },
        { "labeled/sibling_errors.json", TraceFormat.OtlpJson, 1, 6, 5, "checkout,email,payment" },
        { "traces/jaeger-v1/anonymizer_trace_success.json", TraceFormat.JaegerV1, 1, 2, 1, "16af988c443cff37,3c220036602f839e" },

        // 5 spans, two different spans sharing ID 0000000000000002: both kept, the later under a derived ID.
        { "traces/jaeger-v1/ui_01.json", TraceFormat.JaegerV1, 1, 5, 1, "service-x,service-y" },
        { "traces/jaeger-v3-otlp/apiv3_snapshot_FindTraces.json", TraceFormat.JaegerV3, 1, 1, 1, "unknown_service" },
        { "traces/jaeger-v3-otlp/apiv3_snapshot_GetTrace.json", TraceFormat.JaegerV3, 1, 1, 1, "unknown_service" },
        { "traces/jaeger-v3-otlp/integration_example_trace.json", TraceFormat.OtlpJson, 1, 5, 0, "example-service-1,example-service-2,example-service-3" },
        { "traces/jaeger-v3-otlp/memory_otel_traces_01.json", TraceFormat.OtlpJson, 2, 4, 4, "service-x" },
        { "traces/jaeger-v3-otlp/otlp2jaeger-in.json", TraceFormat.OtlpJson, 1, 1, 0, "telemetrygen" },
        { "traces/jaeger-v3-otlp/otlp2jaeger-out.json", TraceFormat.JaegerV1, 1, 1, 0, "telemetrygen" },
        { "traces/otlp-json/otel-proto_examples_trace.json", TraceFormat.OtlpJson, 1, 1, 0, "my.service" },
        { "traces/zipkin-v2/envoy.json", TraceFormat.ZipkinV2, 1, 1, 0, "unknown_service" },
        { "traces/zipkin-v2/messaging-kafka.json", TraceFormat.ZipkinV2, 1, 28, 3, "servicea,serviceb" },
        { "traces/zipkin-v2/messaging.json", TraceFormat.ZipkinV2, 1, 4, 0, "backend,frontend" },
        { "traces/zipkin-v2/messaging2.json", TraceFormat.ZipkinV2, 1, 11, 0, "auth-service,mobile-gateway,notification-service,transfer-service" },
        { "traces/zipkin-v2/simple-db-p6.json", TraceFormat.ZipkinV2, 1, 5, 0, "bootifulmeters" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Read_SharedFile_GivesExactCounts(string file, TraceFormat format, int traces, int spans, int errors, string services)
    {
        await using var stream = FixtureFile.Open(file);

        var result = await TraceReader.ReadAsync(stream);

        Assert.Equal(format, result.Format);
        Assert.Equal(traces, result.Traces.Count);
        var all = result.Traces.SelectMany(t => t.Spans).ToList();
        Assert.Equal(spans, all.Count);
        Assert.Equal(errors, all.Count(s => s.IsError));
        Assert.Equal(services, string.Join(",", all.Select(s => s.ServiceName).Distinct().Order(StringComparer.Ordinal)));
        Assert.All(result.Traces, t => Assert.Equal(t.Spans.Count, t.Spans.Select(s => s.SpanId).Distinct().Count()));
    }

    [Fact]
    public async Task Read_ErrorTimeoutMasked_KeepsParentLinksKindsAndTheOnlyErroredSpan()
    {
        await using var stream = FixtureFile.Open("labeled/error_timeout_masked.json");

        var trace = await TraceReader.ReadSingleAsync(stream);

        Assert.Equal("3e241b731fcf87976a3d50f5a7cc4d94", trace.TraceId);
        var proxy = trace.Spans.Single(s => s.SpanId == "247a43490cfe60cd");
        Assert.Equal("frontend-proxy", proxy.ServiceName);
        Assert.True(proxy.IsError);
        var locus = trace.Spans.Single(s => s.SpanId == "909a94f934468e91");
        Assert.Equal("frontend", locus.ServiceName);
        Assert.Equal("POST", locus.Name);
        Assert.False(locus.IsError);
        Assert.Equal(SpanKind.Server, locus.Kind);
        var egress = trace.Spans.Single(s => s.SpanId == locus.ParentSpanId);
        Assert.Equal(proxy.SpanId, egress.ParentSpanId);
        Assert.InRange(locus.DurationMs, 15000, 15002);
    }

    [Fact]
    public async Task Read_SiblingErrors_KeepsStatusMessagesAndTiming()
    {
        await using var stream = FixtureFile.Open("labeled/sibling_errors.json");

        var trace = await TraceReader.ReadSingleAsync(stream);

        var charge = trace.Spans.Single(s => s.SpanId == "d4e5f60718293a4b");
        Assert.Equal("payment", charge.ServiceName);
        Assert.Equal("oteldemo.PaymentService/Charge", charge.Name);
        Assert.Equal(SpanStatusCode.Error, charge.Status);
        Assert.Equal(36.0, charge.DurationMs, 3);
        Assert.Equal(1754500000022000000, charge.StartUnixNano);
    }

    [Fact]
    public async Task Read_JaegerV1_ResolvesProcessesReferencesTagsAndLogs()
    {
        await using var stream = FixtureFile.Open("traces/jaeger-v1/ui_01.json");

        var trace = await TraceReader.ReadSingleAsync(stream);

        Assert.Equal("00000000000000000000000000000001", trace.TraceId);
        var first = trace.Spans.Single(s => s.SpanId == "0000000000000002");
        Assert.Equal("test-general-conversion", first.Name);
        Assert.Equal(2, first.Events.Count);
        Assert.Equal("some-event", first.Events[0].Name);
        Assert.Equal(1485467191639875000, first.StartUnixNano);
        Assert.Equal(5000, first.DurationNano);
        var renamed = trace.Spans.Single(s => s.Name == "some-operation" && s.IsError);
        Assert.NotEqual("0000000000000002", renamed.SpanId);
        Assert.Contains(trace.Warnings, w => w.Contains("was used by two different spans", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_JaegerAnonymizerSpanArray_IsJaegerWithInlineProcesses()
    {
        await using var stream = FixtureFile.Open("traces/jaeger-v1/anonymizer_trace_success.json");

        var trace = await TraceReader.ReadSingleAsync(stream);

        var server = trace.Spans.Single(s => s.SpanId == "7606ddfe69932d34");
        Assert.Equal("16af988c443cff37", server.ServiceName);
        Assert.Equal(SpanKind.Server, server.Kind);
        Assert.Equal("492770a15935810f", server.ParentSpanId);
        Assert.Equal("00000000000000002be38093ead7a083", trace.TraceId);
    }

    [Fact]
    public async Task Read_JaegerV3FindTraces_ReadsEnumsAsNumbers()
    {
        await using var stream = FixtureFile.Open("traces/jaeger-v3-otlp/apiv3_snapshot_FindTraces.json");

        var span = Assert.Single((await TraceReader.ReadSingleAsync(stream)).Spans);

        Assert.Equal("foobar", span.Name);
        Assert.Equal(SpanKind.Server, span.Kind);
        Assert.Equal(SpanStatusCode.Error, span.Status);
    }

    [Fact]
    public async Task Read_TwoTracesWithoutTraceId_ListsBoth()
    {
        await using var stream = FixtureFile.Open("traces/jaeger-v3-otlp/memory_otel_traces_01.json");

        var ex = await Assert.ThrowsAsync<MultipleTracesException>(() => TraceReader.ReadSingleAsync(stream));

        Assert.Equal(2, ex.TraceIds.Count);
        Assert.Contains(ex.TraceIds[0], ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_ZipkinSharedSpans_ParentsServerHalfOnClientHalf()
    {
        await using var stream = FixtureFile.Open("traces/zipkin-v2/skew.json");

        var trace = await TraceReader.ReadSingleAsync(stream);

        // 4 objects: the shared client/server post becomes two spans with distinct IDs, the server under the client.
        var client = trace.Spans.Single(s => s.SpanId == "74280ae0c10d8062");
        var server = trace.Spans.Single(s => s.ParentSpanId == "74280ae0c10d8062" && s.Kind == SpanKind.Server);
        Assert.Equal(ZipkinDerivedId("74280ae0c10d8062"), server.SpanId);
        Assert.Equal("serviceb", server.ServiceName);
        Assert.Equal(SpanKind.Client, client.Kind);

        // "async" ran in serviceb under the shared post: it belongs under the server half.
        var async = trace.Spans.Single(s => s.SpanId == "43210ae0c10d1234");
        Assert.Equal(server.SpanId, async.ParentSpanId);
        Assert.Equal(4, trace.Spans.Count);
    }

    [Fact]
    public async Task Read_ZipkinErrorTagAndRemoteEndpoint_BecomeStatusAndPeerAttributes()
    {
        await using var stream = FixtureFile.Open("traces/zipkin-v2/messaging-kafka.json");

        var trace = await TraceReader.ReadSingleAsync(stream);

        Assert.Equal(3, trace.Spans.Count(s => s.IsError));
        Assert.Contains(trace.Spans, s => s.GetAttribute("peer.service") is string);
    }

    [Theory]
    [InlineData("traces/zipkin-v2/smartthings-mobile-web-install.json")]
    [InlineData("traces/zipkin-v2/smartthings-oauth-authorization.json")]
    [InlineData("traces/zipkin-v2/yelp.json")]
    [InlineData("traces/zipkin-v2/ascend.json")]
    public async Task Read_ZipkinWithFragmentsAndSharedSpans_GivesUniqueIdsAndResolvableParents(string file)
    {
        await using var stream = FixtureFile.Open(file);

        var trace = await TraceReader.ReadSingleAsync(stream);

        var ids = trace.Spans.Select(s => s.SpanId).ToHashSet();
        Assert.Equal(trace.Spans.Count, ids.Count);
        Assert.True(trace.Spans.Count(s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId)) <= 2);
    }

    private static string ZipkinDerivedId(string id) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(id + ":server")))[..16];
}
