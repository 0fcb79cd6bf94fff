using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using SpanKind = OpsAssistant.Core.Model.SpanKind;

namespace OpsAssistant.Server.Tests;

/// <summary>
/// The OpenTelemetry .NET SDK's own OTLP exporter (HTTP/protobuf) sends real spans to the running service, and the
/// traces API gives them back: the protobuf decoder, the store and the OTLP/JSON writer end to end.
/// </summary>
public sealed class OtlpExporterIngestTests : IDisposable
{
    private readonly OpsAssistantHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task OtlpHttpProtobufExporter_SpansFromActivitySource_ComeBackFromTracesApi()
    {
        var sourceName = "OpsAssistant.Tests.Exporter." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName, "1.2.3");
        string traceId, rootId, childId;
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(sourceName)
            .ConfigureResource(r => r.AddService("checkout", serviceVersion: "2.0.0"))
            .AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri(_host.BaseAddress, "v1/traces");
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.ExportProcessorType = ExportProcessorType.Simple;
            })
            .Build())
        {
            using (var root = source.StartActivity("POST /checkout", ActivityKind.Server)!)
            {
                root.SetTag("http.request.method", "POST");
                root.SetTag("http.response.status_code", 500);
                traceId = root.TraceId.ToHexString();
                rootId = root.SpanId.ToHexString();
                using (var child = source.StartActivity("charge card", ActivityKind.Client)!)
                {
                    childId = child.SpanId.ToHexString();
                    child.SetTag("payment.amount", 12.5);
                    child.SetTag("payment.retried", true);
                    child.SetTag("payment.attempts", new[] { 1L, 2L });
                    child.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection { ["exception.type"] = "TimeoutException" }));
                    child.SetStatus(ActivityStatusCode.Error, "card processor timed out");
                }

                root.SetStatus(ActivityStatusCode.Error);
            }

            Assert.True(provider.ForceFlush(10_000));
        }

        using var client = _host.CreateClient();
        var response = await client.GetAsync(new Uri($"api/traces/{traceId}", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var trace = TraceReader.Single(TraceReader.Read(await response.Content.ReadAsByteArrayAsync()), traceId);

        Assert.Equal(2, trace.Spans.Count);
        var rootSpan = Assert.Single(trace.Spans, s => s.SpanId == rootId);
        var childSpan = Assert.Single(trace.Spans, s => s.SpanId == childId);
        Assert.Equal("POST /checkout", rootSpan.Name);
        Assert.Null(rootSpan.ParentSpanId);
        Assert.Equal(SpanKind.Server, rootSpan.Kind);
        Assert.Equal(rootId, childSpan.ParentSpanId);
        Assert.Equal("charge card", childSpan.Name);
        Assert.Equal(SpanKind.Client, childSpan.Kind);
        Assert.Equal("checkout", childSpan.ServiceName);
        Assert.Equal("2.0.0", AttributeValues.FindString(childSpan.Resource.Attributes, "service.version"));
        Assert.Equal(sourceName, childSpan.Scope.Name);
        Assert.Equal("1.2.3", childSpan.Scope.Version);
        Assert.Equal("POST", rootSpan.GetAttribute("http.request.method"));
        Assert.Equal(500L, rootSpan.GetAttribute("http.response.status_code"));
        Assert.Equal(12.5, childSpan.GetAttribute("payment.amount"));
        Assert.Equal(true, childSpan.GetAttribute("payment.retried"));
        Assert.Equal(new object?[] { 1L, 2L }, (object?[])childSpan.GetAttribute("payment.attempts")!);
        Assert.True(childSpan.IsError);
        Assert.Equal("card processor timed out", childSpan.StatusMessage);
        Assert.True(rootSpan.IsError);
        var exception = Assert.Single(childSpan.Events);
        Assert.Equal("exception", exception.Name);
        Assert.Equal("TimeoutException", AttributeValues.FindString(exception.Attributes, "exception.type"));
        Assert.True(childSpan.StartUnixNano >= rootSpan.StartUnixNano && childSpan.EndUnixNano <= rootSpan.EndUnixNano);

        var search = await client.GetStringAsync(new Uri("api/traces?service=checkout&error=true", UriKind.Relative));
        Assert.Contains(traceId, search, StringComparison.Ordinal);
        Assert.Contains("\"rootOperation\":\"POST /checkout\"", search, StringComparison.Ordinal);
    }
}
