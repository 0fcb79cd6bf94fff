using System.Diagnostics;
using System.IO.Compression;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Sources;
using OpsAssistant.Core.Tests.Hardening;
using OpsAssistant.Server.GrpcServices;
using StatusCode = Grpc.Core.StatusCode;

namespace OpsAssistant.Server.Tests.Grpc;

/// <summary>
/// OTLP/gRPC on the service's gRPC port: the OpenTelemetry .NET SDK's own exporter in gRPC mode, and raw
/// <c>Grpc.Net.Client</c> calls carrying what a careless or hostile exporter might send.
/// </summary>
public sealed class OtlpGrpcIngestTests : IDisposable
{
    private const string ApiKey = "grpc-test-key-0123456789";
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(static (byte[] m) => m, static m => m);
    private static readonly Method<byte[], byte[]> Export =
        new(MethodType.Unary, "opentelemetry.proto.collector.trace.v1.TraceService", "Export", Bytes, Bytes);

    private readonly OpsAssistantHost _host = new(new Dictionary<string, string?>
    {
        ["OpsAssistant:Security:ApiKeys:0"] = ApiKey,
        ["OpsAssistant:Ingest:MaxRequestBytes"] = "65536",
        ["OpsAssistant:Ingest:MaxDecompressedBytes"] = "262144",

        // No background flush during a test: what ingest recorded for the baselines stays pending where a test can see it.
        ["OpsAssistant:Baselines:FlushInterval"] = "00:10:00",
    });

    public void Dispose() => _host.Dispose();

    private Uri GrpcAddress
    {
        get
        {
            _ = _host.BaseAddress;
            return _host.Services.GetRequiredService<GrpcServer>().Address ?? throw new InvalidOperationException("gRPC did not start.");
        }
    }

    [Fact]
    public async Task OtlpGrpcExporter_SpansWithApiKeyHeader_LandInTheStore()
    {
        var sourceName = "OpsAssistant.Tests.Grpc." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName);
        string traceId, childId;
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(sourceName)
            .ConfigureResource(r => r.AddService("inventory"))
            .AddOtlpExporter(o =>
            {
                o.Endpoint = GrpcAddress;
                o.Protocol = OtlpExportProtocol.Grpc;
                o.Headers = $"x-api-key={ApiKey}";
                o.ExportProcessorType = ExportProcessorType.Simple;
            })
            .Build())
        {
            using (var root = source.StartActivity("GET /stock", ActivityKind.Server)!)
            {
                traceId = root.TraceId.ToHexString();
                using var query = source.StartActivity("SELECT stock", ActivityKind.Client)!;
                childId = query.SpanId.ToHexString();
                query.SetStatus(ActivityStatusCode.Error, "deadlock victim");
            }

            Assert.True(provider.ForceFlush(10_000));
        }

        var trace = await _host.Services.GetRequiredService<ITraceStore>().GetTraceAsync(traceId, CancellationToken.None);
        Assert.NotNull(trace);
        Assert.Equal(2, trace.Spans.Count);
        var child = Assert.Single(trace.Spans, s => s.SpanId == childId);
        Assert.Equal("inventory", child.ServiceName);
        Assert.True(child.IsError);
        Assert.Equal("deadlock victim", child.StatusMessage);
    }

    [Fact]
    public async Task Export_GzipRequestWithBearerKey_StoresSpansAndAnswersEmptyResponse()
    {
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var channel = GrpcChannel.ForAddress(GrpcAddress);
        var headers = new Metadata { { "authorization", "Bearer " + ApiKey }, { "grpc-internal-encoding-request", "gzip" } };

        var response = await channel.CreateCallInvoker().AsyncUnaryCall(Export, null, new CallOptions(headers), Request(Span(traceId, 1, "GET /a")));

        Assert.Empty(response);
        Assert.NotNull(await _host.Services.GetRequiredService<ITraceStore>().GetTraceAsync(traceId, CancellationToken.None));
    }

    [Fact]
    public async Task Export_SomeSpansWithBadIds_StoresTheRestAndNamesTheRejectedInPartialSuccess()
    {
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var badTraceId = OtlpProtobufEncoder.Message(w =>
        {
            OtlpProtobufEncoder.Bytes(w, 1, [1, 2, 3]);
            OtlpProtobufEncoder.Bytes(w, 2, [1, 2, 3, 4, 5, 6, 7, 8]);
            OtlpProtobufEncoder.Text(w, 5, "charge card");
        });
        using var channel = GrpcChannel.ForAddress(GrpcAddress);

        var response = await channel.CreateCallInvoker().AsyncUnaryCall(Export, null, WithKey(),
            Request(Span(traceId, 1, "GET /a"), badTraceId, Span(traceId, 2, "GET /b")));

        var (rejected, message) = PartialSuccess(response);
        Assert.Equal(1, rejected);
        Assert.Contains("charge card", message, StringComparison.Ordinal);
        Assert.Contains("trace_id", message, StringComparison.Ordinal);
        var stored = await _host.Services.GetRequiredService<ITraceStore>().GetTraceAsync(traceId, CancellationToken.None);
        Assert.Equal(2, stored!.Spans.Count);
    }

    [Fact]
    public async Task Export_NoApiKey_IsUnauthenticatedAndStoresNothing()
    {
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var channel = GrpcChannel.ForAddress(GrpcAddress);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            channel.CreateCallInvoker().AsyncUnaryCall(Export, null, new CallOptions(), Request(Span(traceId, 1, "GET /a"))).ResponseAsync);
        var wrongKey = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker()
            .AsyncUnaryCall(Export, null, new CallOptions(new Metadata { { "x-api-key", "not-the-key-0123456789" } }), Request(Span(traceId, 1, "GET /a"))).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("OpsAssistant:Security:ApiKeys", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unauthenticated, wrongKey.StatusCode);
        Assert.Null(await _host.Services.GetRequiredService<ITraceStore>().GetTraceAsync(traceId, CancellationToken.None));
    }

    [Theory]
    [InlineData(new byte[] { 0x0a, 0x05, 0x01 })]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 })]
    [InlineData(new byte[] { 0x0b })]
    public async Task Export_MalformedMessage_IsInvalidArgument(byte[] message)
    {
        using var channel = GrpcChannel.ForAddress(GrpcAddress);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            channel.CreateCallInvoker().AsyncUnaryCall(Export, null, WithKey(), message).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("OTLP", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_MessageOverMaxRequestBytes_IsResourceExhausted()
    {
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var channel = GrpcChannel.ForAddress(GrpcAddress);
        var big = Request([.. Enumerable.Range(1, 400).Select(i => Span(traceId, i, "op " + new string('x', 200)))]);
        Assert.True(big.Length > 65536);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            channel.CreateCallInvoker().AsyncUnaryCall(Export, null, WithKey(), big).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("MaxRequestBytes", error.Status.Detail, StringComparison.Ordinal);
        Assert.Null(await _host.Services.GetRequiredService<ITraceStore>().GetTraceAsync(traceId, CancellationToken.None));
    }

    [Fact]
    public async Task Export_GzipThatInflatesPastMaxDecompressedBytes_IsResourceExhausted()
    {
        // A few KB on the wire that inflate to 1 MB of one unknown field: under the wire limit, over the inflated one.
        var bomb = OtlpProtobufEncoder.Message(w => OtlpProtobufEncoder.Bytes(w, 99, new byte[1024 * 1024]));
        using var channel = GrpcChannel.ForAddress(GrpcAddress);
        var headers = new Metadata { { "x-api-key", ApiKey }, { "grpc-internal-encoding-request", "gzip" } };

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            channel.CreateCallInvoker().AsyncUnaryCall(Export, null, new CallOptions(headers), bomb).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("MaxDecompressedBytes", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_GzipInflatingBetweenTheWireAndInflatedLimits_IsStored()
    {
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var request = Request([.. Enumerable.Range(1, 500).Select(i => Span(traceId, i, "op " + new string('x', 200)))]);
        Assert.InRange(request.Length, 65537, 262144);
        using var channel = GrpcChannel.ForAddress(GrpcAddress);
        var headers = new Metadata { { "x-api-key", ApiKey }, { "grpc-internal-encoding-request", "gzip" } };

        await channel.CreateCallInvoker().AsyncUnaryCall(Export, null, new CallOptions(headers), request);

        var stored = await _host.Services.GetRequiredService<ITraceStore>().GetTraceAsync(traceId, CancellationToken.None);
        Assert.Equal(500, stored!.Spans.Count);
    }

    [Fact]
    public async Task Export_WhileOtherRequestsHoldTheWholeBudget_IsUnavailableNamingTheSettingThenStoredOnceFreed()
    {
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var channel = GrpcChannel.ForAddress(GrpcAddress);
        var budget = _host.Services.GetRequiredService<OpsAssistant.Server.Ingest.IngestMemoryBudget>();

        // Another request's decoded spans waiting for the store, charged the whole budget (its turn given back): gRPC
        // shares OTLP/HTTP's budget, and a message that does not fit is refused with the status exporters retry.
        var held = await budget.OpenAsync(TestContext.Current.CancellationToken);
        Assert.True(held.TryGiveTurn(budget.Capacity));
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            channel.CreateCallInvoker().AsyncUnaryCall(Export, null, WithKey(), Request(Span(traceId, 1, "GET /a"))).ResponseAsync);
        held.Dispose();
        var accepted = await channel.CreateCallInvoker().AsyncUnaryCall(Export, null, WithKey(), Request(Span(traceId, 1, "GET /a")));

        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("OpsAssistant:Ingest:MaxBufferedBytes", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(accepted);
        Assert.NotNull(await _host.Services.GetRequiredService<ITraceStore>().GetTraceAsync(traceId, CancellationToken.None));
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public async Task Export_StoredSpans_FeedTheBaselineRecorder()
    {
        using var channel = GrpcChannel.ForAddress(GrpcAddress);
        var recorder = _host.Services.GetRequiredService<OpsAssistant.Infrastructure.Baselines.BaselineRecorder>();
        Assert.Equal(0, recorder.PendingCount);

        await channel.CreateCallInvoker().AsyncUnaryCall(Export, null, WithKey(),
            Request(Span(Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()), 1, "GET /a"), Span(Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()), 2, "GET /a")));

        var increment = Assert.Single(recorder.Drain());
        Assert.Equal("checkout", increment.Key.Service);
        Assert.Equal("GET /a", increment.Key.Operation);
        Assert.Equal(2, increment.Sketch.Count);
    }

    private static CallOptions WithKey() => new(new Metadata { { "x-api-key", ApiKey } });

    private static byte[] Span(string traceId, int id, string name) => OtlpProtobufEncoder.Message(w =>
    {
        OtlpProtobufEncoder.Bytes(w, 1, Convert.FromHexString(traceId));
        OtlpProtobufEncoder.Bytes(w, 2, BitConverter.GetBytes((long)id));
        OtlpProtobufEncoder.Text(w, 5, name);
        w.WriteTag(7, WireFormat.WireType.Fixed64);
        w.WriteFixed64(1_700_000_000_000_000_000UL + (ulong)id);
        w.WriteTag(8, WireFormat.WireType.Fixed64);
        w.WriteFixed64(1_700_000_000_001_000_000UL + (ulong)id);
    });

    private static byte[] Request(params byte[][] spans) => OtlpProtobufEncoder.Message(request =>
        OtlpProtobufEncoder.Nested(request, 1, OtlpProtobufEncoder.Message(resourceSpans =>
        {
            OtlpProtobufEncoder.Nested(resourceSpans, 1, OtlpProtobufEncoder.Message(resource => OtlpProtobufEncoder.Nested(resource, 1,
                OtlpProtobufEncoder.Message(kv =>
                {
                    OtlpProtobufEncoder.Text(kv, 1, "service.name");
                    OtlpProtobufEncoder.Nested(kv, 2, OtlpProtobufEncoder.Message(v => OtlpProtobufEncoder.Text(v, 1, "checkout")));
                }))));
            OtlpProtobufEncoder.Nested(resourceSpans, 2, OtlpProtobufEncoder.Message(scopeSpans =>
            {
                foreach (var span in spans)
                {
                    OtlpProtobufEncoder.Nested(scopeSpans, 2, span);
                }
            }));
        })));

    /// <summary>Reads <c>ExportTraceServiceResponse.partial_success</c> with the protobuf runtime's generic reader.</summary>
    private static (long Rejected, string Message) PartialSuccess(byte[] response)
    {
        var outer = new CodedInputStream(response);
        Assert.Equal(WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited), outer.ReadTag());
        var inner = new CodedInputStream(outer.ReadBytes().ToByteArray());
        long rejected = 0;
        var message = "";
        while (inner.ReadTag() is var tag and not 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: rejected = inner.ReadInt64(); break;
                case 2: message = inner.ReadString(); break;
                default: inner.SkipLastField(); break;
            }
        }

        return (rejected, message);
    }
}
