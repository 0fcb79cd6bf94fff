using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Tests.Formats;

/// <summary>
/// Real OTLP/JSON files. Expected numbers were computed from the raw files with python3/jq, not from the reader.
/// </summary>
public sealed class OtlpFixtureTests
{
    [Fact]
    public async Task Read_OtelProtoExample_ReadsTheServerSpanWithUppercaseHexIdsLowered()
    {
        var result = await FixtureFiles.ReadAsync("otlp-json/otel-proto_examples_trace.json");

        Assert.Equal(TraceFormat.OtlpJson, result.Format);
        var trace = Assert.Single(result.Traces);
        Assert.Equal("5b8efff798038103d269b633813fc60c", trace.TraceId);
        var span = Assert.Single(trace.Spans);
        Assert.Equal("eee19b7ec3c1b174", span.SpanId);
        Assert.Equal("eee19b7ec3c1b173", span.ParentSpanId);
        Assert.Equal("I'm a server span", span.Name);
        Assert.Equal(SpanKind.Server, span.Kind);
        Assert.Equal(1544712660000000000, span.StartUnixNano);
        Assert.Equal(1544712661000000000, span.EndUnixNano);
        Assert.Equal("my.service", span.ServiceName);
        Assert.Equal("some value", span.GetAttribute("my.span.attr"));
        Assert.Equal("my.library", span.Scope.Name);
        Assert.Equal("1.0.0", span.Scope.Version);
        Assert.Equal("some scope attribute", AttributeValues.Find(span.Scope.Attributes!, "my.scope.attribute"));
        Assert.Empty(trace.Warnings);
    }

    [Theory]
    [InlineData("../labeled/error_timeout_masked.json", 26, "3e241b731fcf87976a3d50f5a7cc4d94", "cart,frontend,frontend-proxy,load-generator,product-catalog", 1, 15, "3e77d7cad1306af6")]
    [InlineData("../labeled/n_plus_one_full_concurrent.json", 40, "1a4e4a7b270e9f2a0f716e3ee115218a", "customer,driver,frontend,mysql,redis-manual,route", 3, 52, "97e1247531a58678")]
    [InlineData("../labeled/n_plus_one_full_serial.json", 40, "fe65c5beefbe4e96119efbba3da07e99", "customer,driver,frontend,mysql,redis-manual,route", 3, 52, "9c3834fb5a6fea99")]
    [InlineData("../labeled/n_plus_one_near_miss.json", 12, "66371dd0eafc70e48e4234803fe94d41", "frontend", 0, 17, "f3b8606bd90ad122")]
    [InlineData("../labeled/n_plus_one_positive.json", 16, "ea6db5d7b317ca1a5e2c4e0e7cea53ce", "driver,frontend,redis-manual", 3, 38, "86740e648b8e485e")]
    [InlineData("../labeled/sibling_errors.json", 6, "7c4f1a90b3e84d2f9a6c5e8017b3d264", "checkout,email,payment", 5, 0, "a1b2c3d4e5f60718")]
    public async Task Read_RcaFixture_HasExactSpansServicesErrorsEventsAndOneRoot(
        string file, int spans, string traceId, string services, int errors, int events, string rootId)
    {
        var result = await FixtureFiles.ReadAsync(file);

        Assert.Equal(TraceFormat.OtlpJson, result.Format);
        var trace = Assert.Single(result.Traces);
        Assert.Equal(traceId, trace.TraceId);
        Assert.Equal(spans, trace.Spans.Count);
        Assert.Equal(services.Split(','), trace.ServiceNames.Order(StringComparer.Ordinal));
        Assert.Equal(errors, trace.Spans.Count(s => s.IsError));
        Assert.Equal(events, trace.Spans.Sum(s => s.Events.Count));
        var root = Assert.Single(trace.Spans, s => s.ParentSpanId is null);
        Assert.Equal(rootId, root.SpanId);
        Assert.Empty(trace.Warnings);
    }

    [Fact]
    public async Task Read_SiblingErrors_ParsesEnumNamesAndStatusMessages()
    {
        var trace = Assert.Single((await FixtureFiles.ReadAsync("../labeled/sibling_errors.json")).Traces);

        var placeOrder = trace.SpanById("a1b2c3d4e5f60718");
        Assert.Equal("oteldemo.CheckoutService/PlaceOrder", placeOrder.Name);
        Assert.Equal(SpanKind.Server, placeOrder.Kind);
        Assert.Equal(SpanStatusCode.Error, placeOrder.Status);
        Assert.Equal("order failed", placeOrder.StatusMessage);
        var charge = trace.SpanById("c3d4e5f60718293a");
        Assert.Equal(SpanKind.Client, charge.Kind);
        Assert.Equal("payment declined", charge.StatusMessage);
        var getCart = trace.SpanById("b2c3d4e5f6071829");
        Assert.Equal("a1b2c3d4e5f60718", getCart.ParentSpanId);
        Assert.Equal(SpanStatusCode.Unset, getCart.Status);
        Assert.Equal("checkout", getCart.ServiceName);
    }

    [Fact]
    public async Task Read_ErrorTimeoutMasked_KeepsEventsParentsAndTheErroredProxySpan()
    {
        var trace = Assert.Single((await FixtureFiles.ReadAsync("../labeled/error_timeout_masked.json")).Traces);

        var get = trace.SpanById("8098b17b3047cba7");
        Assert.Equal("d4cd047e8243e430", get.ParentSpanId);
        Assert.Equal("frontend-proxy", get.ServiceName);
        var errored = Assert.Single(trace.Spans, s => s.IsError);
        Assert.Equal("247a43490cfe60cd", errored.SpanId);
        Assert.Equal("POST", errored.Name);
        Assert.Equal(["Enqueued", "ResponseReceived"], trace.SpanById("2743b416bcc31d52").Events.Take(2).Select(e => e.Name));
        Assert.Equal(13, trace.Spans.Count(s => s.Kind == SpanKind.Client));
        Assert.Equal(11, trace.Spans.Count(s => s.Kind == SpanKind.Server));
        Assert.Equal(2, trace.Spans.Count(s => s.Kind == SpanKind.Internal));
    }

    [Fact]
    public async Task Read_SpansOfOneResource_ShareOneResourceInstance()
    {
        var trace = Assert.Single((await FixtureFiles.ReadAsync("../labeled/n_plus_one_positive.json")).Traces);

        var redis = trace.Spans.Where(s => s.ServiceName == "redis-manual").ToList();
        Assert.True(redis.Count > 1);
        Assert.All(redis, s => Assert.Same(redis[0].Resource, s.Resource));
        Assert.All(redis, s => Assert.Same(redis[0].Name, s.Name));
    }

    [Fact]
    public async Task Read_RedisErrors_CarryStatusMessage()
    {
        var trace = Assert.Single((await FixtureFiles.ReadAsync("../labeled/n_plus_one_full_concurrent.json")).Traces);

        var error = trace.SpanById("d61e8256a1209b32");
        Assert.Equal("GetDriver", error.Name);
        Assert.Equal("redis-manual", error.ServiceName);
        Assert.Equal("An error occurred", error.StatusMessage);
        Assert.Equal("72bc23154c387b1f", trace.SpanById("1a6b421c38807f84").ParentSpanId);
    }

    [Fact]
    public async Task Read_MemoryOtelTraces_GroupsTwoTracesAndMapsLinksAndAttributeKinds()
    {
        var result = await FixtureFiles.ReadAsync("jaeger-v3-otlp/memory_otel_traces_01.json");

        Assert.Equal(TraceFormat.OtlpJson, result.Format);
        Assert.Equal(["00000000000000010000000000000000", "00000000000000020000000000000000"], result.Traces.Select(t => t.TraceId));
        Assert.Equal(["0000000000000002", "0000000000000004"], result.Traces[0].Spans.Select(s => s.SpanId));
        Assert.Equal(["0000000000000003", "0000000000000005"], result.Traces[1].Spans.Select(s => s.SpanId));
        var span = result.Traces[0].SpanById("0000000000000002");
        Assert.Equal("0000000000000003", span.ParentSpanId);
        Assert.Equal("state.2", span.TraceState);
        Assert.Equal(23456L, span.GetAttribute("peer.ipv4"));
        Assert.Equal(72.5, span.GetAttribute("temperature"));
        Assert.Equal(new byte[] { 0, 0, 0x30, 0x39 }, span.GetAttribute("blob"));
        Assert.Equal(SpanStatusCode.Error, span.Status);
        Assert.Equal(2, span.Events.Count);
        Assert.Equal("testing-event", span.Events[0].Name);
        Assert.Equal("event-y", AttributeValues.Find(span.Events[0].Attributes, "event-x"));
        Assert.Equal(2, span.Links.Count);
        Assert.Equal("0000000000000004", span.Links[0].SpanId);
        Assert.Equal("follows_from", AttributeValues.Find(span.Links[0].Attributes, "opentracing.ref_type"));
        Assert.Equal("child_of", AttributeValues.Find(span.Links[1].Attributes, "opentracing.ref_type"));
        Assert.Equal("00000000000000ff0000000000000000", span.Links[1].TraceId);
        Assert.Equal([SpanKind.Producer, SpanKind.Consumer], result.Traces.SelectMany(t => t.Spans).Where(s => s.Scope.Name == "testing-library-3").Select(s => s.Kind));
    }

    [Fact]
    public async Task Read_IntegrationExample_ReadsFiveRootsOverThreeServices()
    {
        var trace = Assert.Single((await FixtureFiles.ReadAsync("jaeger-v3-otlp/integration_example_trace.json")).Traces);

        Assert.Equal("00000000000000000000000000000011", trace.TraceId);
        Assert.Equal(5, trace.Spans.Count);
        Assert.All(trace.Spans, s => Assert.Null(s.ParentSpanId));
        Assert.Equal(["example-service-1", "example-service-2", "example-service-3"], trace.ServiceNames.Order(StringComparer.Ordinal));
        Assert.Equal(10, trace.Spans.Sum(s => s.Events.Count));
    }

    [Fact]
    public async Task Read_OtlpWithDuplicateSpanIds_KeepsTheFirstAndWarns()
    {
        var trace = Assert.Single((await FixtureFiles.ReadAsync("jaeger-v3-otlp/otlp2jaeger-in.json")).Traces);

        var span = Assert.Single(trace.Spans);
        Assert.Equal("e127af99e3b3e074", span.SpanId);
        Assert.Equal("909541b92cf05311", span.ParentSpanId);
        Assert.Equal("telemetrygen", span.ServiceName);
        Assert.Contains(trace.Warnings, w => w.Contains("1 span(s) were exact repeats", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("jaeger-v3-otlp/apiv3_snapshot_GetTrace.json")]
    [InlineData("jaeger-v3-otlp/apiv3_snapshot_FindTraces.json")]
    public async Task Read_JaegerV3Snapshot_DetectsResultEnvelopeWithEmptyResource(string file)
    {
        var result = await FixtureFiles.ReadAsync(file);

        Assert.Equal(TraceFormat.JaegerV3, result.Format);
        var trace = Assert.Single(result.Traces);
        Assert.Equal("00000000000000000000000000000001", trace.TraceId);
        var span = Assert.Single(trace.Spans);
        Assert.Equal("foobar", span.Name);
        Assert.Equal(SpanKind.Server, span.Kind);
        Assert.True(span.IsError);
        Assert.Equal(Resource.UnknownService, span.ServiceName);
        Assert.Same(InstrumentationScope.Empty, span.Scope);
    }
}
